package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// flowWorld is a coordinator's organisation before the first baby: azc
// Musselkanaal with a group room open on Tuesdays, azc Ter Apel without
// one, a CO-trained nurse and a doctor.
type flowWorld struct {
	org           *store.Organisation
	mk, terApel   *store.Location
	nurse, doctor *store.Facilitator
	coord         store.Actor
	nurseActor    store.Actor
	nurseFeed     *store.Feed
}

func newFlowWorld(t *testing.T, db *store.DB) *flowWorld {
	t.Helper()
	ctx := context.Background()
	w := &flowWorld{}
	w.org = storetest.MustCreateOrganisation(t, db, "GGD Groningen")
	w.mk = storetest.MustCreateLocation(t, db, w.org.ID, "azc Musselkanaal")
	w.terApel = storetest.MustCreateLocation(t, db, w.org.ID, "azc Ter Apel")
	tuesday := []civil.Weekly{{Weekday: 2, From: 9 * 60, To: 17 * 60}}
	if err := db.CreateRoom(ctx, store.System, w.mk.ID, &store.Room{Name: "Groepsruimte 1", Capacity: 24, OpeningHours: tuesday}); err != nil {
		t.Fatal(err)
	}
	w.nurse = &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Anna de Vries", Email: "anna@example.org", Role: store.RoleNurseFacilitator,
		COTrained: true, Availability: tuesday, MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
	w.doctor = &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Samir Haddad", Email: "samir@example.org", Role: store.RoleDoctor,
		Availability: tuesday, MaxSessionsPerWeek: 5, Languages: []string{"nl", "ar"}}
	for _, f := range []*store.Facilitator{w.nurse, w.doctor} {
		if err := db.CreateFacilitator(ctx, store.System, f); err != nil {
			t.Fatal(err)
		}
	}
	_, w.coord = storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org.ID})
	_, w.nurseActor = storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: w.nurse.ID})
	var err error
	if w.nurseFeed, err = db.CreateFeed(ctx, store.System, store.FeedFacilitator, w.nurse.ID, calendars.Renderer{Host: "coplan.test"}.Render); err != nil {
		t.Fatal(err)
	}
	return w
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// click presses the button or link whose text is label, and waits for what
// the next page shows.
func click(t *testing.T, b context.Context, label, waitFor string) {
	t.Helper()
	pagetest.Do(t, b, chromedp.Click(chromedp.Search(`//main//*[self::button or self::a][normalize-space()="`+label+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// The coordinator's day, in the browser, by the labels on screen: import a
// spreadsheet with three bad rows (all three errors at once), fix it,
// import, re-plan and read the summary, publish, place a baby who moved in
// a running group, and find the sessions in the nurse's calendar; a refused
// session move names the rule, the people and the room in Dutch.
func TestBrowserCoordinatorFlow(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d, clock)
			e := newEnv(t, db)
			w := newFlowWorld(t, db)
			b := signIn(t, e, w.coord)

			bad := "ref;geboortedatum;locatie;taal\n" +
				"MK-1;07-11-2026;Musselkanaal;Arabisch\n" +
				"MK-2;31-02-2026;Musselkanaal;Tigrinya\n" + // no such date
				"MK-3;14-11-2026;azc Nergens;Arabisch\n" + // no such location
				"MK-4;18-11-2026;Musselkanaal;Tigrinya\n" +
				"Jan Jansen;24-11-2026;Musselkanaal;Arabisch\n" + // a name, not a ref
				"MK-6;28-11-2026;Musselkanaal;Tigrinya\n"
			visit(t, e, b, "/babies/import", "import")
			pagetest.Do(t, b, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{writeFile(t, "babies.csv", bad)}))
			click(t, b, "Controleren", "#problems")
			text := check(t, b, "import-refused")
			for _, want := range []string{"3 fouten in het bestand", "Geef een datum", "Deze bestaat niet", "Een ref is een code, geen naam"} {
				if !strings.Contains(text, want) {
					t.Fatalf("the refused import lacks %q: %s", want, text)
				}
			}
			good := strings.NewReplacer("31-02-2026", "10-11-2026", "azc Nergens", "Musselkanaal", "Jan Jansen", "MK-5").Replace(bad)
			visit(t, e, b, "/babies/import", "import-again")
			pagetest.Do(t, b, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{writeFile(t, "babies.csv", good)}))
			click(t, b, "Controleren", "#preview-h")
			if text := check(t, b, "import-preview"); !strings.Contains(text, "6 nieuwe baby's") {
				t.Fatalf("the preview: %s", text)
			}
			click(t, b, "Importeren", ".flash")
			if text := pagetest.Text(t, b, ".flash"); !strings.Contains(text, "6 baby's zijn geïmporteerd") {
				t.Fatalf("after importing: %s", text)
			}

			visit(t, e, b, "/plan", "plan-before")
			click(t, b, "Opnieuw plannen", ".flash")
			text = check(t, b, "plan-after")
			if !strings.Contains(text, "1 nieuwe groep") || !strings.Contains(text, "6 baby's geplaatst") || !strings.Contains(text, "8 bijeenkomsten zijn gepland maar nog niet gepubliceerd") ||
				!strings.Contains(text, "Kwaliteit van dit plan") {
				t.Fatalf("the summary after re-planning: %s", text)
			}
			click(t, b, "Bekijken en publiceren", "main form button")
			if text := check(t, b, "publish-preview"); !strings.Contains(text, "Anna de Vries: 8 bijeenkomsten") {
				t.Fatalf("the publication preview: %s", text)
			}
			click(t, b, "Publiceren", ".flash")

			// A family with a baby born on 20 November moves from Ter Apel
			// and joins the running group.
			newcomer := &store.Baby{LocationID: w.terApel.ID, Ref: "TA-7", Language: "prs", BirthDate: storetest.Date("2026-11-20")}
			if err := db.CreateBaby(context.Background(), store.System, newcomer); err != nil {
				t.Fatal(err)
			}
			visit(t, e, b, "/babies/"+newcomer.ID+"/move", "move")
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#to_location_id"), w.mk.ID))
			click(t, b, "Verhuizing vastleggen", ".flash")
			if text := check(t, b, "moved-baby"); !strings.Contains(text, "Deze lopende groepen passen") {
				t.Fatalf("no proposal after the move: %s", text)
			}
			click(t, b, "In deze groep plaatsen", "#members-h")
			text = check(t, b, "group-joined")
			if !strings.Contains(text, "Gezinnen (7)") || !strings.Contains(text, "TA-7") || !strings.Contains(text, "Dari") {
				t.Fatalf("the group after the join: %s", text)
			}

			// The nurse's calendar holds the published sessions, for seven families.
			p := &calendars.Publisher{DB: db, Renderer: calendars.Renderer{Host: "coplan.test"}, Replica: "test"}
			if _, err := p.Publish(context.Background(), clock().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			served, err := db.FeedForServing(context.Background(), w.nurseFeed.ID)
			body := unfoldICS(served.Body)
			if err != nil || strings.Count(served.Body, "BEGIN:VEVENT") != 8 || !strings.Contains(body, "7 gezinnen") ||
				!strings.Contains(body, "SUMMARY:Centering Ouderschap - Musselkanaal · nov 2026") || !strings.Contains(body, "Tolk nodig: Dari en Tigrinya") {
				t.Fatalf("the nurse's feed: %v\n%s", err, served.Body)
			}

			// Moving session 2 to Christmas Day is refused, in Dutch, naming it.
			first := pagetest.Attribute(t, b, `//main//table//a[normalize-space()="2/8"]`, "href")
			visit(t, e, b, first, "session")
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#date"), "25-12-2027"))
			click(t, b, "Wijziging opslaan", "#problems")
			text = check(t, b, "session-refused")
			if !strings.Contains(text, "valt op een feestdag") || !strings.Contains(text, "bijeenkomst 2") || pagetest.Value(t, b, "#date") != "25-12-2027" {
				t.Fatalf("the refused move: %s", text)
			}
		})
	}
}

func unfoldICS(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// A nurse's day: her sessions, her groups' members, a working subscribe
// link, and an absence that moves her sessions to a colleague.
func TestBrowserNurseFlow(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newFlowWorld(t, db)
		ctx := context.Background()
		// A second CO-trained nurse who can take over, and six families.
		colleague := &store.Facilitator{OrganisationID: w.org.ID, DisplayName: "Petra Smit", Email: "petra@example.org", Role: store.RoleNurseFacilitator,
			COTrained: true, Availability: w.nurse.Availability, MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
		if err := db.CreateFacilitator(ctx, store.System, colleague); err != nil {
			t.Fatal(err)
		}
		for i, birth := range []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"} {
			storetest.MustCreateBaby(t, db, w.mk.ID, "MK-"+string(rune('1'+i)), birth)
		}
		if err := e.planAndPublish(w.coord); err != nil {
			t.Fatal(err)
		}
		sessions, _, _ := db.Sessions(ctx, w.nurseActor, store.SessionFilter{From: clock(), Page: store.Page{Limit: 20}})
		if len(sessions) == 0 {
			t.Fatal("the nurse got no sessions")
		}
		b := signIn(t, e, w.nurseActor)
		text := visit(t, e, b, "/me/sessions", "nurse-sessions")
		if !strings.Contains(text, "Musselkanaal · nov 2026") || !strings.Contains(text, "Groepsruimte 1") {
			t.Fatalf("her sessions: %s", text)
		}
		text = visit(t, e, b, "/me/groups", "nurse-groups")
		pagetest.Do(t, b, chromedp.Click(chromedp.Search(`//main//a[starts-with(normalize-space(), "Musselkanaal")]`)), chromedp.WaitVisible(chromedp.CSS("#members-h")))
		if text = check(t, b, "nurse-group"); !strings.Contains(text, "MK-1") || strings.Contains(text, "Groep opheffen") {
			t.Fatalf("her group's members, without a coordinator's actions: %s", text)
		}
		visit(t, e, b, "/me/calendar", "nurse-calendar") // the world made her feed
		if href := pagetest.Attribute(t, b, `//main//a[normalize-space()="Abonneren in uw agenda-app"]`, "href"); !strings.HasPrefix(href, "webcal://") {
			t.Fatalf("the subscribe link is %q", href)
		}

		first := sessions[0]
		day := civil.Today(first.StartsAt).Dutch()
		visit(t, e, b, "/me/absence", "absence")
		pagetest.Do(t, b, chromedp.SendKeys(chromedp.CSS("#from"), day))
		click(t, b, "Doorgeven", "#problems")
		if text := check(t, b, "absence-affected"); !strings.Contains(text, "1 bijeenkomst valt in uw afwezigheid") {
			t.Fatalf("the absence's sessions: %s", text)
		}
		click(t, b, "Doorgeven en opnieuw plannen", ".flash")
		if text := check(t, b, "absence-done"); !strings.Contains(text, "Verplaatst of overgenomen") || !strings.Contains(text, "Petra Smit") {
			t.Fatalf("after the absence: %s", text)
		}
		after, _, _ := db.Sessions(ctx, w.nurseActor, store.SessionFilter{From: clock(), Page: store.Page{Limit: 20}})
		for _, s := range after {
			if s.ID == first.ID {
				t.Fatal("the session in her absence is still hers")
			}
		}
	})
}

// planSixFamilies adds six families born 7 to 28 November 2026 at
// Musselkanaal, and plans and publishes them: one group of eight sessions.
func (w *flowWorld) planSixFamilies(t *testing.T, e *env) []*store.Baby {
	t.Helper()
	var babies []*store.Baby
	for i, birth := range []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"} {
		babies = append(babies, storetest.MustCreateBaby(t, e.db, w.mk.ID, "MK-"+string(rune('1'+i)), birth))
	}
	if err := e.planAndPublish(w.coord); err != nil {
		t.Fatal(err)
	}
	return babies
}

// planAndPublish plans and publishes the coordinator's organisation.
func (e *env) planAndPublish(coord store.Actor) error {
	_, _, err := coordination.New(e.db).RunPlans(context.Background(), coord, coord.OrganisationID, true)
	return err
}
