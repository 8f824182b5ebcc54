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

// A coordinator opens the login link in a real browser, presses the button with
// the keyboard, lands on the start page, and both pages pass axe-core.
func TestBrowserLoginFlowIsAccessible(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	code, err := db.CreateLoginCode(context.Background(), coord.TokenID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := pagetest.Browser(t)
	pagetest.Do(t, ctx, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.WaitVisible(chromedp.CSS("main button")))
	pagetest.CheckAccessibility(t, ctx)
	// Keyboard only: focus the button and press Enter.
	pagetest.Do(t, ctx, chromedp.Focus(chromedp.CSS("main button")), chromedp.SendKeys(chromedp.CSS("main button"), "\r"),
		chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	if h := pagetest.Text(t, ctx, "main"); !strings.Contains(h, "GGD Groningen") || !strings.Contains(h, "coördinator") {
		t.Fatalf("start page after login: %q", h)
	}
	pagetest.CheckAccessibility(t, ctx)
	pagetest.Screenshot(t, ctx, "start-page")
	// The English version.
	pagetest.Do(t, ctx, chromedp.Navigate(e.srv.URL+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := pagetest.Text(t, ctx, "main h1"); h != "Welcome to coplan" {
		t.Fatalf("English heading = %q", h)
	}
	pagetest.CheckAccessibility(t, ctx)
}
