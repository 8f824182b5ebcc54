package api_test

import (
	"context"
	"net/http"
	"net/url"
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

// A form sent twice with its one-time key (a double click, a resubmit)
// changes nothing twice: the second is sent where the first went.
func TestPageFormsRunOncePerKey(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		form := url.Values{"form_key": {"k-123"}, "ref": {"MK-1"}, "birth_date": {"01-12-2026"}, "location_id": {loc.ID}, "status": {"enrolled"}}
		post := func(v url.Values) (int, string) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/babies/new", strings.NewReader(v.Encode()))
			req.Header.Set("Authorization", "Bearer "+coord)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode, res.Header.Get("Location")
		}
		st1, to1 := post(form)
		st2, to2 := post(form)
		if st1 != 303 || st2 != 303 || to1 != to2 || !strings.HasPrefix(to1, "/babies/baby_") {
			t.Fatalf("first %d %s, second %d %s", st1, to1, st2, to2)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM babies WHERE ref = 'MK-1'"); n != 1 {
			t.Fatalf("%d records after a double submit", n)
		}
		// A refused form is not remembered: sent again once fixed, it runs.
		bad := url.Values{"form_key": {"k-456"}, "ref": {"MK-2"}, "birth_date": {"31-02-2026"}, "location_id": {loc.ID}, "status": {"enrolled"}}
		if st, _ := post(bad); st != 400 {
			t.Fatalf("a bad date: %d", st)
		}
		bad.Set("birth_date", "02-12-2026")
		if st, to := post(bad); st != 303 || !strings.HasPrefix(to, "/babies/baby_") {
			t.Fatalf("the fixed form: %d %s", st, to)
		}
	})
}
