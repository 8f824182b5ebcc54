package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// The facilitator pages as a coordinator uses them: add a colleague (a
// refused form names every bad field at once and keeps what was typed),
// change her, and remove a nurse who still has sessions (named first, then
// re-planned with the colleague).
func TestBrowserFacilitatorPages(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newFlowWorld(t, db)
		for i, birth := range []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"} {
			storetest.MustCreateBaby(t, db, w.mk.ID, "MK-"+string(rune('1'+i)), birth)
		}
		if err := e.planAndPublish(w.coord); err != nil {
			t.Fatal(err)
		}
		b := signIn(t, e, w.coord)
		visit(t, e, b, "/facilitators", "facilitators")
		click(t, b, "Nieuwe begeleider", "#display_name")
		check(t, b, "facilitator-new")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#display_name"), "Petra Smit"), chromedp.SetValue(chromedp.CSS("#email"), "petra@example.org"),
			chromedp.SetValue(chromedp.CSS("#languages"), "Nederlands, Klingon"), chromedp.SetValue(chromedp.CSS("#from_2"), "09:00"),
			chromedp.SetValue(chromedp.CSS("#to_2"), "8:00"), chromedp.SetValue(chromedp.CSS("#absences"), "01-03-2027 - 14-03-2027\nvolgende week"),
			chromedp.SetValue(chromedp.CSS("#max_sessions_per_week"), "vijf"), chromedp.Click(chromedp.CSS("#co_trained")))
		click(t, b, "Opslaan", "#problems")
		text := check(t, b, "facilitator-refused")
		for _, want := range []string{"Deze taal kent coplan niet: Klingon", "Geef een tijd als uu:mm", "Deze regel is geen periode: volgende week", "Geef een heel getal."} {
			if !strings.Contains(text, want) {
				t.Errorf("the refused form lacks %q: %s", want, text)
			}
		}
		if v := pagetest.Value(t, b, "#display_name"); v != "Petra Smit" {
			t.Fatalf("the form lost the name: %q", v)
		}
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#languages"), "Nederlands, Tigrinya"), chromedp.SetValue(chromedp.CSS("#to_2"), "17:00"),
			chromedp.SetValue(chromedp.CSS("#absences"), "01-03-2027 - 14-03-2027"), chromedp.SetValue(chromedp.CSS("#max_sessions_per_week"), "5"))
		click(t, b, "Opslaan", ".flash")
		text = check(t, b, "facilitators-added")
		if !strings.Contains(text, "Petra Smit") || !strings.Contains(text, "Tigrinya") || !strings.Contains(text, "di 09:00–17:00") {
			t.Fatalf("the list after adding: %s", text)
		}

		// Change her weekly maximum and see it in the list.
		click(t, b, "Petra Smit", "#display_name")
		if v := pagetest.Value(t, b, "#absences"); v != "01-03-2027 - 14-03-2027" {
			t.Fatalf("the edit form shows the absences as %q", v)
		}
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#max_sessions_per_week"), "3"))
		click(t, b, "Opslaan", ".flash")
		petra := facilitatorByName(t, db, w.org.ID, "Petra Smit")
		if petra.MaxSessionsPerWeek != 3 || !petra.COTrained || len(petra.Absences) != 1 {
			t.Fatalf("stored after the edit: %+v", petra)
		}

		// Remove Anna, who has sessions: they are named, then re-planned.
		visit(t, e, b, "/facilitators/"+w.nurse.ID, "facilitator-edit")
		click(t, b, "Verwijderen", "#problems")
		text = check(t, b, "facilitator-still-needed")
		if !strings.Contains(text, "bijeenkomsten hebben deze persoon nog nodig") || !strings.Contains(text, "Groepsruimte 1") {
			t.Fatalf("removing a nurse with sessions: %s", text)
		}
		click(t, b, "Verwijderen en opnieuw plannen", "[role=status]")
		text = check(t, b, "facilitator-removed")
		if !strings.Contains(text, "De begeleider is verwijderd") {
			t.Fatalf("after removing: %s", text)
		}
		visit(t, e, b, "/facilitators", "facilitators-after")
		if strings.Contains(pagetest.Text(t, b, "main"), "Anna de Vries") {
			t.Fatal("the removed nurse is still listed")
		}
	})
}

func facilitatorByName(t *testing.T, db *store.DB, org, name string) store.Facilitator {
	t.Helper()
	fs, _, err := db.Facilitators(context.Background(), store.System, store.FacilitatorFilter{OrganisationID: org, Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.DisplayName == name {
			return f
		}
	}
	t.Fatalf("no facilitator %s", name)
	return store.Facilitator{}
}
