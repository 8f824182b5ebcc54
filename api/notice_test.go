package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// The COA contact person sees counts for her own location only, tells JGZ
// about a birth (no name), the coordinators get a mail without one, and the
// coordinator makes the baby record in one click (a second click makes
// nothing).
func TestBrowserLocationNoticeBecomesABaby(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newFlowWorld(t, db)
		ctx := context.Background()
		expected := civil.Today(clock()).AddDays(40)
		b1 := storetest.MustCreateBaby(t, db, w.mk.ID, "MK-1", "2026-11-07")
		_ = b1
		exp := &store.Baby{Ref: "MK-2", LocationID: w.mk.ID, ExpectedDate: &expected, Status: store.StatusEligible, Language: "ti"}
		if err := db.CreateBaby(ctx, store.System, exp); err != nil {
			t.Fatal(err)
		}
		coordUser := &store.User{Name: "Fatima Bakker", Email: "fatima@ggd.example", Role: store.RoleCoordinator, OrganisationID: w.org.ID}
		if err := db.InviteUser(ctx, store.System, coordUser, nil); err != nil {
			t.Fatal(err)
		}
		_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: w.mk.ID})
		b := signIn(t, e, staff)
		text := visit(t, e, b, "/locations/"+w.mk.ID+"/overview", "overview")
		if strings.Contains(text, "MK-") || !strings.Contains(text, "Verwachte geboortes") {
			t.Fatalf("the overview: %s", text)
		}
		if n := pagetest.Text(t, b, "main table tbody"); !strings.Contains(n, "1") {
			t.Fatalf("the expected births: %s", n)
		}
		if st := e.do("GET", "/locations/"+w.terApel.ID+"/overview", e.tokenOf(t, store.Token{Role: store.RoleLocation, LocationID: w.mk.ID}), "").status; st != 404 {
			t.Fatalf("another location's overview: %d", st)
		}
		born := civil.Today(clock()).AddDays(-3)
		pagetest.Do(t, b, chromedp.Click(chromedp.CSS("#kind-birth")), chromedp.SetValue(chromedp.CSS("#date"), "gisteren"))
		click(t, b, "Melding versturen", "#problems")
		check(t, b, "overview-refused")
		pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#date"), born.Dutch()), chromedp.SetValue(chromedp.CSS("#language"), "ar"))
		click(t, b, "Melding versturen", ".flash")
		check(t, b, "overview-sent")
		mails, _ := db.MailsByKeyPrefix(ctx, "notice:")
		if len(mails) != 1 || mails[0].ToAddress != "fatima@ggd.example" || !strings.Contains(mails[0].TextBody, "een geboorte ("+born.Dutch()+", Arabisch)") {
			t.Fatalf("the coordinator's mail: %+v", mails)
		}

		cb := signIn(t, e, w.coord)
		text = visit(t, e, cb, "/arrivals", "arrivals-notice")
		if !strings.Contains(text, "azc Musselkanaal: een geboorte") {
			t.Fatalf("the notices: %s", text)
		}
		click(t, cb, "Baby aanmaken", ".flash")
		check(t, cb, "notice-baby")
		babies, _, _ := db.Babies(ctx, w.coord, store.BabyFilter{RefPrefix: true, Ref: "MELD-", Page: store.Page{Limit: 5}})
		if len(babies) != 1 || babies[0].BirthDate == nil || *babies[0].BirthDate != born || babies[0].Language != "ar" || babies[0].LocationID != w.mk.ID {
			t.Fatalf("the baby made from the notice: %+v", babies)
		}
		if text := visit(t, e, cb, "/arrivals", "arrivals-after-notice"); !strings.Contains(text, "Er zijn geen nieuwe meldingen.") {
			t.Fatalf("the notice is still open: %s", text)
		}
		var id string
		for _, row := range storetest.Strings(t, db, "SELECT id FROM birth_notices") {
			id = row
		}
		if _, err := coordination.New(db).BabyFromNotice(ctx, w.coord, id); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("a second baby from one notice: %v", err)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM babies WHERE ref LIKE 'MELD-%'"); n != 1 {
			t.Fatalf("%d babies from one notice", n)
		}
	})
}
