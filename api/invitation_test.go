package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// The printed invitation in all twelve languages: right to left for the
// four that are, the session's date and place, no name, axe-core clean; a
// session cancelled after printing flags its invitations for a reprint on
// the nurse's page.
func TestBrowserInvitationsInEveryLanguage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	w := newFlowWorld(t, db)
	w.planSixFamilies(t, e)
	ctx := context.Background()
	sessions, _, _ := db.Sessions(ctx, w.coord, store.SessionFilter{From: clock(), Page: store.Page{Limit: 20}})
	if len(sessions) < 3 {
		t.Fatalf("%d sessions ahead", len(sessions))
	}
	third := sessions[2]
	b := signIn(t, e, w.nurseActor)
	rtl := map[string]bool{"ar": true, "fa": true, "prs": true, "ps": true}
	day := civil.Today(third.StartsAt).Dutch()
	for _, l := range messages.InvitationLanguages {
		path := "/groups/" + third.GroupID + "/invitations?lang=" + l.Code + "&session=3"
		pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("article.invitation")))
		text := check(t, b, "invitation-"+l.Code)
		if dir := pagetest.Attribute(t, b, "article.invitation", "dir"); (dir == "rtl") != rtl[l.Code] {
			t.Errorf("%s: dir=%q", l.Code, dir)
		}
		if got := pagetest.Attribute(t, b, "article.invitation", "lang"); got != l.Tag {
			t.Errorf("%s: lang=%q, want %s", l.Code, got, l.Tag)
		}
		for _, want := range []string{day, third.StartsAt.Format("15:04"), "azc Musselkanaal, Groepsruimte 1", messages.Invite(l.Tag, "invite.bring", nil)} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q: %s", l.Code, want, text)
			}
		}
		if strings.Contains(text, "MK-") {
			t.Errorf("%s names a family", l.Code)
		}
	}
	if n := storetest.Count(t, db, "SELECT COUNT(*) FROM invitation_prints WHERE session_id = '"+third.ID+"'"); n != 1 {
		t.Fatalf("the print of session 3 was not recorded (%d)", n)
	}
	if a := e.do("PATCH", "/api/v1/sessions/"+third.ID, e.tokenOf(t, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org.ID}), map[string]any{"status": "cancelled"}); a.status != 200 {
		t.Fatalf("cancel: %d %s", a.status, a.body)
	}
	text := visit(t, e, b, "/me/sessions", "nurse-reprint")
	if !strings.Contains(text, "Uitnodigingen opnieuw printen") || !strings.Contains(text, "geannuleerd") {
		t.Fatalf("the reprint flag: %s", text)
	}
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS("#reprints a")), chromedp.WaitVisible(chromedp.CSS("article.invitation")))
	if text := pagetest.Text(t, b, "article.invitation"); !strings.Contains(text, "Deze bijeenkomst gaat niet door.") {
		t.Fatalf("the reprinted invitation: %s", text)
	}
	text = visit(t, e, b, "/me/sessions", "nurse-reprinted")
	if strings.Contains(text, "Uitnodigingen opnieuw printen") {
		t.Fatal("the reprint flag stays after the reprint")
	}
}
