package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// signIn opens a page session for a in a fresh browser, as a person does:
// the login link, then its button.
func signIn(t *testing.T, e *env, a store.Actor) context.Context {
	t.Helper()
	code, err := e.db.CreateLoginCode(context.Background(), a.TokenID)
	if err != nil {
		t.Fatal(err)
	}
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.Click(chromedp.CSS("main button")),
		chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	return b
}

// visit opens path, waits for the page and checks it: WCAG 2.1 AA, no
// sideways scrolling at 375 px, no internal id or language code on screen;
// screenshots go to $COPLAN_SCREENSHOTS.
func visit(t *testing.T, e *env, b context.Context, path, shot string) string {
	t.Helper()
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
	return check(t, b, shot)
}

// check is visit's checks on the page the browser shows now.
func check(t *testing.T, b context.Context, shot string) string {
	t.Helper()
	pagetest.CheckAccessibility(t, b)
	pagetest.Shots(t, b, shot)
	text := pagetest.Text(t, b, "body")
	for _, internal := range []string{"baby_", "fac_", "room_", "ses_", "loc_", "org_", "g-"} {
		if strings.Contains(text, internal) {
			t.Errorf("%s shows an internal id (%s…): %s", shot, internal, excerpt(text, internal))
		}
	}
	return text
}

func excerpt(text, part string) string {
	i := strings.Index(text, part)
	return text[max(0, i-60):min(len(text), i+60)]
}

// The baby pages as a coordinator uses them: the list, a filter, a refused
// form that keeps what was typed, the record with its proposals.
func TestBrowserBabyPages(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		t.Fatal(err)
	}
	orgs, _, _ := db.Organisations(ctx, store.System, store.Page{Limit: 10})
	var org store.Organisation
	for _, o := range orgs {
		if o.Name == "GGD Groningen" {
			org = o
		}
	}
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	b := signIn(t, e, coord)
	text := visit(t, e, b, "/babies", "babies")
	for _, want := range []string{"Baby's", "Groepen", "Planning", "Aankomsten", "Zoeken op ref", "ingeschreven"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the baby list lacks %q", want)
		}
	}
	visit(t, e, b, "/babies?group=no&age=0-3", "babies-filtered")
	visit(t, e, b, "/babies?lang=en", "babies-en")

	// Add a baby with a date nobody can read and no location: both named,
	// in Dutch, next to their fields, and what was typed stays.
	visit(t, e, b, "/babies/new", "baby-new")
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#ref"), "GR-NIEUW-1"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#problems")))
	text = check(t, b, "baby-new-refused")
	if !strings.Contains(text, "Vul de geboortedatum in") || !strings.Contains(text, "Vul dit in.") {
		t.Fatalf("the refusal does not name the fields in Dutch: %s", text)
	}
	if v := pagetest.Value(t, b, "#ref"); v != "GR-NIEUW-1" {
		t.Fatalf("the typed ref was lost: %q", v)
	}
	pagetest.Do(t, b, chromedp.SendKeys(chromedp.CSS("#birth_date"), "20-12-2026"),
		chromedp.SetValue(chromedp.CSS("#location_id"), pagetest.FirstOption(t, b, "#location_id")),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	text = check(t, b, "baby-record")
	if !strings.Contains(text, "De baby is toegevoegd") || !strings.Contains(text, "GR-NIEUW-1") {
		t.Fatalf("after adding: %s", text)
	}
}
