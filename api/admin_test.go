package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/civil"
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
		w.planSixFamilies(t, e)
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

// The location and room pages: add a location with its catchment, make it
// short stay, add a room (a refused form names the fields), change its hours,
// and close the room on a day it has a session: the session is named first,
// then re-planned.
func TestBrowserLocationPages(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newFlowWorld(t, db)
		w.planSixFamilies(t, e)
		ctx := context.Background()
		b := signIn(t, e, w.coord)
		visit(t, e, b, "/locations", "locations")
		click(t, b, "Nieuwe locatie", "#name")
		check(t, b, "location-new")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#name"), "azc Stadskanaal"), chromedp.SetValue(chromedp.CSS("#municipality"), "Stadskanaal"),
			chromedp.Click(chromedp.CSS("#c-"+w.terApel.ID)))
		click(t, b, "Opslaan", ".flash")
		text := check(t, b, "location-added")
		if !strings.Contains(text, "azc Stadskanaal") || !strings.Contains(text, "Deze locatie heeft nog geen ruimtes.") {
			t.Fatalf("after adding the location: %s", text)
		}
		locs, _, _ := db.Locations(ctx, w.coord, store.LocationFilter{Page: store.Page{Limit: 10}})
		var added store.Location
		for _, l := range locs {
			if l.Name == "azc Stadskanaal" {
				added = l
			}
		}
		if len(added.Catchment) != 1 || added.Catchment[0] != w.terApel.ID {
			t.Fatalf("the stored catchment: %v", added.Catchment)
		}

		click(t, b, "Nieuwe ruimte", "#capacity")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#capacity"), "veel"),
			chromedp.SetValue(chromedp.CSS("#to_3"), "25:00"))
		click(t, b, "Opslaan", "#problems")
		text = check(t, b, "room-refused")
		if !strings.Contains(text, "Geef een heel getal.") || !strings.Contains(text, "Geef een tijd als uu:mm") {
			t.Fatalf("the refused room: %s", text)
		}
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#name"), "Lokaal 2"), chromedp.SetValue(chromedp.CSS("#capacity"), "18"),
			chromedp.SetValue(chromedp.CSS("#to_3"), "12:00"), chromedp.Click(chromedp.CSS("#has_exam_room")))
		click(t, b, "Opslaan", ".flash")
		text = check(t, b, "room-added")
		if !strings.Contains(text, "Lokaal 2") || !strings.Contains(text, "18 plaatsen") || !strings.Contains(text, "met onderzoeksruimte") || !strings.Contains(text, "wo 09:00–12:00") {
			t.Fatalf("the rooms after adding: %s", text)
		}

		// Close Groepsruimte 1 on the day of its next session.
		sessions, _, _ := db.Sessions(ctx, w.coord, store.SessionFilter{From: clock(), Page: store.Page{Limit: 1}})
		if len(sessions) == 0 {
			t.Fatal("nothing planned")
		}
		day := civil.Today(sessions[0].StartsAt).Dutch()
		visit(t, e, b, "/locations/"+w.mk.ID+"/rooms", "rooms-before-closure")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#from"), day))
		click(t, b, "Sluiten", "#problems")
		text = check(t, b, "rooms-closure-affected")
		if !strings.Contains(text, "1 bijeenkomst staat op die dagen in deze ruimte") || !strings.Contains(text, "Anna de Vries") {
			t.Fatalf("the closure's effect: %s", text)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM rooms WHERE closures LIKE '%"+civil.Today(sessions[0].StartsAt).String()+"%'"); n != 0 {
			t.Fatal("the closure was stored before it was confirmed")
		}
		click(t, b, "Sluiten en opnieuw plannen", "[role=status]")
		text = check(t, b, "rooms-closed")
		if !strings.Contains(text, "De ruimte is gesloten en de bijeenkomsten zijn opnieuw gepland.") {
			t.Fatalf("after closing: %s", text)
		}
		if s, err := db.Session(ctx, w.coord, sessions[0].ID); err == nil && s.Status != store.SessionCancelled &&
			civil.Today(s.StartsAt) == civil.Today(sessions[0].StartsAt) && s.RoomID == sessions[0].RoomID {
			t.Fatalf("the session still meets in the closed room: %+v", s)
		}
	})
}

// The survey pages as the admin uses them: start a round (a refused form
// names each date), read a full answer in words, resend an open
// invitation, download the results.
func TestBrowserSurveyPages(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gr := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		dr := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		for _, o := range []*store.Organisation{gr, dr} {
			if _, err := db.UpdateOrganisation(ctx, store.System, o.ID, func(o *store.Organisation) {
				o.ContactEmail = "jgz@" + strings.ToLower(strings.ReplaceAll(o.Name, " ", "-")) + ".example"
			}); err != nil {
				t.Fatal(err)
			}
		}
		mk := storetest.MustCreateLocation(t, db, gr.ID, "azc Musselkanaal")
		_, admin := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
		b := signIn(t, e, admin)
		visit(t, e, b, "/surveys", "surveys")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#opens_on"), "morgen"), chromedp.SetValue(chromedp.CSS("#deadline"), "01-01-2020"))
		click(t, b, "Peiling starten", "#problems")
		text := check(t, b, "surveys-refused")
		if !strings.Contains(text, "Geef een datum") {
			t.Fatalf("the refused round: %s", text)
		}
		today := civil.Today(clock())
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#opens_on"), today.Dutch()), chromedp.SetValue(chromedp.CSS("#deadline"), today.AddDays(21).Dutch()))
		click(t, b, "Peiling starten", ".flash")
		check(t, b, "survey-results-empty")
		rounds, _ := db.Surveys(ctx, admin)
		if len(rounds) != 1 {
			t.Fatalf("%d rounds", len(rounds))
		}
		if err := db.SaveResponse(ctx, rounds[0].ID, gr.ID, &store.SurveyResponse{Interested: "yes", LocationIDs: []string{mk.ID}, StartQuarter: "2027-Q2",
			TrainedFacilitators: 2, ToTrain: 3, ContactName: "Fatima Bakker", ContactEmail: "fatima@ggd.example", Remarks: "Graag in het voorjaar"}); err != nil {
			t.Fatal(err)
		}
		visit(t, e, b, "/surveys/"+rounds[0].ID, "survey-results")
		text = pagetest.Text(t, b, "main")
		for _, want := range []string{"azc Musselkanaal", "2e kwartaal 2027", "Fatima Bakker (fatima@ggd.example)", "Graag in het voorjaar", "Link van deze organisatie"} {
			if !strings.Contains(text, want) {
				t.Errorf("the results lack %q: %s", want, text)
			}
		}
		before := storetest.Count(t, db, "SELECT COUNT(*) FROM outbox WHERE to_address = 'jgz@ggd-drenthe.example'")
		click(t, b, "Uitnodiging opnieuw sturen", ".flash")
		if text := check(t, b, "survey-resent"); !strings.Contains(text, "De uitnodiging is opnieuw verstuurd.") {
			t.Fatalf("after resending: %s", text)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM outbox WHERE to_address = 'jgz@ggd-drenthe.example'"); n != before+1 {
			t.Fatalf("%d mails to Drenthe, want %d", n, before+1)
		}
		csv := e.do("GET", "/surveys/"+rounds[0].ID+"/results.csv", e.tokenOf(t, store.Token{Role: store.RoleAdmin}), "")
		if csv.status != 200 || !strings.Contains(string(csv.body), "azc Musselkanaal") || !strings.Contains(string(csv.body), "2e kwartaal 2027") {
			t.Fatalf("the results CSV: %d %s", csv.status, csv.body)
		}
	})
}
