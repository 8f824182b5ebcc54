package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// Every page of every role on the demo, planned and published, in Dutch and
// in English: WCAG 2.1 AA by axe-core, no sideways scrolling at 375 px, no
// internal id on screen (the checks of visit); and an arrival accepted
// through its page.
func TestBrowserEveryPageOfEveryRole(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		t.Fatal(err)
	}
	groningen, drenthe := orgByName(t, db, "GGD Groningen"), orgByName(t, db, "GGD Drenthe")
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: groningen.ID})
	_, drCoord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: drenthe.ID})
	_, admin := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	sessions, _, _ := db.Sessions(ctx, coord, store.SessionFilter{From: clock(), Page: store.Page{Limit: 1}})
	s := sessions[0]
	_, nurse := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: s.FacilitatorIDs[0]})
	_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s.LocationID})
	babies, _, _ := db.Babies(ctx, coord, store.BabyFilter{Page: store.Page{Limit: 1}})
	if _, err := db.CreateSurvey(ctx, store.System, &store.Survey{Title: "Interessepeiling 2027", OpensOn: civil.Today(clock()),
		Deadline: civil.Today(clock()).AddDays(30)}, nil); err != nil {
		t.Fatal(err)
	}
	rounds, _ := db.Surveys(ctx, admin)

	// A Groningen family moves to a Drenthe location: an arrival for Drenthe.
	drLocs, _, _ := db.Locations(ctx, drCoord, store.LocationFilter{Page: store.Page{Limit: 1}})
	mover, _, _ := db.Babies(ctx, coord, store.BabyFilter{Status: store.StatusEnrolled, Grouped: "no", Page: store.Page{Limit: 1}})
	if _, err := coordination.New(db).RecordMove(ctx, coord, mover[0].ID, drLocs[0].ID, civil.Today(clock()), ""); err != nil {
		t.Fatal(err)
	}

	pages := map[store.Actor][]string{
		coord: {"/", "/babies", "/babies?age=0-3&group=no", "/babies/new", "/babies/import", "/babies/" + babies[0].ID, "/babies/" + babies[0].ID + "/move",
			"/babies/" + babies[0].ID + "/delete", "/groups", "/groups/" + s.GroupID, "/sessions/" + s.ID, "/plan", "/plan/publish?organisation_id=" + groningen.ID,
			"/arrivals", "/facilitators", "/locations", "/locations/" + s.LocationID + "/rooms", "/locations/" + s.LocationID + "/week",
			"/capacity", "/surveys", "/plan?lang=en", "/plan?location=" + s.LocationID, "/groups/" + s.GroupID + "?lang=en",
			"/users", "/me/account", "/users?lang=en"},
		admin: {"/", "/plan", "/surveys", "/surveys/" + rounds[0].ID, "/users", "/me/account"},
		nurse: {"/", "/me/account", "/me/sessions", "/me/groups", "/groups/" + s.GroupID, "/me/calendar", "/me/absence", "/me/sessions?lang=en"},
		staff: {"/", "/locations/" + s.LocationID + "/week", "/locations/" + s.LocationID + "/rooms", "/locations/" + s.LocationID + "/week?lang=en"},
	}
	for a, paths := range pages {
		b := signIn(t, e, a)
		for _, p := range paths {
			name := strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(string(a.Role) + p)
			visit(t, e, b, p, name)
		}
	}

	// Drenthe accepts the arrival on its page.
	b := signIn(t, e, drCoord)
	text := visit(t, e, b, "/arrivals", "arrivals-drenthe")
	if !strings.Contains(text, "Wacht op acceptatie") || !strings.Contains(text, "GGD Groningen") {
		t.Fatalf("the arrivals: %s", text)
	}
	click(t, b, "Overdracht accepteren", ".flash")
	if text := check(t, b, "arrivals-accepted"); !strings.Contains(text, "De overdracht is geaccepteerd") {
		t.Fatalf("after accepting: %s", text)
	}
	_ = pagetest.Text
	_ = chromedp.Navigate
}

// The pages of a new organisation, before anything is in it: each says in
// words that there is nothing yet (and what to do), and passes the same
// checks as a full page.
func TestBrowserEmptyPages(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	org := storetest.MustCreateOrganisation(t, db, "GGD Nieuw")
	loc := storetest.MustCreateLocation(t, db, org.ID, "azc Nieuw")
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	nurseRecord := &store.Facilitator{OrganisationID: org.ID, DisplayName: "Anna de Vries", Role: store.RoleNurseFacilitator, COTrained: true, MaxSessionsPerWeek: 4}
	if err := db.CreateFacilitator(context.Background(), store.System, nurseRecord); err != nil {
		t.Fatal(err)
	}
	_, nurse := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: nurseRecord.ID})
	_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: loc.ID})
	pages := []struct {
		who   store.Actor
		path  string
		words string
	}{
		{coord, "/babies", "0 baby's"},
		{coord, "/groups", "Er zijn nog geen groepen."},
		{coord, "/plan", "Er is nog niet gepland."},
		{coord, "/plan?location=" + loc.ID, "Geen groepen op deze locatie."},
		{coord, "/arrivals", "Er zijn geen aankomsten."},
		{coord, "/locations/" + loc.ID + "/rooms", "Deze locatie heeft nog geen ruimtes."},
		{coord, "/surveys", "Er zijn geen peilingen."},
		{coord, "/users", "Er zijn nog geen gebruikers."},
		{nurse, "/me/sessions", "Er zijn geen bijeenkomsten gepland."},
		{nurse, "/me/groups", "Er zijn nog geen groepen."},
		{staff, "/locations/" + loc.ID + "/week", "Deze locatie heeft nog geen ruimtes."},
	}
	browsers := map[store.Actor]context.Context{}
	for _, p := range pages {
		b, ok := browsers[p.who]
		if !ok {
			b = signIn(t, e, p.who)
			browsers[p.who] = b
		}
		name := strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace("empty-" + string(p.who.Role) + p.path)
		if text := visit(t, e, b, p.path, name); !strings.Contains(text, p.words) {
			t.Errorf("%s as %s does not say %q:\n%s", p.path, p.who.Role, p.words, text)
		}
	}
}
