package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// The plan page counts who still waits since the last run, per reason, lists
// the oldest first with how many waiting babies at the same location were
// born near each, and forgets those who joined a group or left since; a new
// run replaces the list.
func TestPlanOverviewCountsTheBabiesWhoStillWait(t *testing.T) {
	storetest.Each(t, storetest.FixedClock("2027-01-04 10:00"), func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		mk := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		ta := storetest.MustCreateLocation(t, db, org.ID, "azc Ter Apel")
		a := storetest.MustCreateBaby(t, db, mk.ID, "MK-A", "2026-10-01")
		b := storetest.MustCreateBaby(t, db, mk.ID, "MK-B", "2026-10-20")
		c := storetest.MustCreateBaby(t, db, mk.ID, "MK-C", "2026-12-25")
		d := storetest.MustCreateBaby(t, db, ta.ID, "TA-D", "2026-10-05")
		joined := storetest.MustCreateBaby(t, db, mk.ID, "MK-E", "2026-10-02")
		declined := storetest.MustCreateBaby(t, db, mk.ID, "MK-F", "2026-10-03")
		storetest.MustCreateBaby(t, db, mk.ID, "MK-G", "2026-10-04") // enrolled after the run: not on its list
		run := &store.PlanRun{OrganisationID: org.ID, TokenID: "test"}
		for _, x := range []*store.Baby{a, b, c, joined, declined} {
			run.Unplaced = append(run.Unplaced, planner.Unplaced{BabyID: x.ID, Reason: planner.ReasonTooFewBabies})
		}
		run.Unplaced = append(run.Unplaced, planner.Unplaced{BabyID: d.ID, Reason: planner.ReasonNoRoom})
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreatePlanRun(run); err != nil {
				return err
			}
			g := &store.Group{ID: "g-joined", OrganisationID: org.ID, Name: "Musselkanaal · okt 2026 · Arabisch", LocationID: mk.ID}
			if err := tx.SaveGroup(g); err != nil {
				return err
			}
			return tx.StartMembership(g.ID, joined.ID, civil.MustParse("2027-01-04"), 1)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateBaby(ctx, store.System, declined.ID, func(x *store.Baby) { x.Status = store.StatusDeclined }); err != nil {
			t.Fatal(err)
		}
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		ov, err := db.PlanOverview(ctx, coord, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ov.UnplacedTotal != 4 || ov.UnplacedByReason[planner.ReasonTooFewBabies] != 3 || ov.UnplacedByReason[planner.ReasonNoRoom] != 1 {
			t.Fatalf("waiting: %d, per reason %v", ov.UnplacedTotal, ov.UnplacedByReason)
		}
		var got []string
		for _, u := range ov.Unplaced {
			got = append(got, fmt.Sprintf("%s %s near %d", u.Ref, u.Reason, u.Near))
		}
		want := []string{"MK-A too_few_babies near 2", "TA-D no_room near 1", "MK-B too_few_babies near 2", "MK-C too_few_babies near 1"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'list' AND detail = 'plan page: unplaced' AND token_id = '"+coord.TokenID+"'"); n != 4 {
			t.Fatalf("%d audit rows for 4 babies shown", n)
		}

		// A new run replaces the list; the page shows at most UnplacedShown.
		next := &store.PlanRun{OrganisationID: org.ID, TokenID: "test"}
		for i := 0; i < store.UnplacedShown+5; i++ {
			x := storetest.MustCreateBaby(t, db, ta.ID, fmt.Sprintf("TA-%02d", i), civil.MustParse("2026-09-01").AddDays(2*i).String())
			next.Unplaced = append(next.Unplaced, planner.Unplaced{BabyID: x.ID, Reason: planner.ReasonNoRoom})
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePlanRun(next) }); err != nil {
			t.Fatal(err)
		}
		ov, err = db.PlanOverview(ctx, coord, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ov.UnplacedTotal != store.UnplacedShown+5 || len(ov.Unplaced) != store.UnplacedShown || ov.Unplaced[0].Ref != "TA-00" ||
			ov.UnplacedByReason[planner.ReasonTooFewBabies] != 0 {
			t.Fatalf("after the next run: %d waiting, %d shown, first %s, per reason %v", ov.UnplacedTotal, len(ov.Unplaced), ov.Unplaced[0].Ref, ov.UnplacedByReason)
		}
		if ov.Unplaced[0].Near != store.NearWindow/2+1 { // TA-00 to TA-14, born every other day
			t.Fatalf("near the first: %d", ov.Unplaced[0].Near)
		}
	})
}

// Migration 0013 fills the waiting list from each organisation's latest run
// (not an older one), leaving out babies no longer on record.
func TestWaitingBabiesAreBackfilledFromTheLatestRun(t *testing.T) {
	storetest.Each(t, storetest.FixedClock("2027-01-04 10:00"), func(t *testing.T, db *store.DB) {
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		mk := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		a := storetest.MustCreateBaby(t, db, mk.ID, "MK-A", "2026-10-01")
		b := storetest.MustCreateBaby(t, db, mk.ID, "MK-B", "2026-10-20")
		for _, run := range []struct{ id, at, unplaced string }{
			{"run-old", "2026-12-01 09:00:00", fmt.Sprintf(`[{"baby_id":%q,"reason":"no_room"},{"baby_id":%q,"reason":"no_room"}]`, a.ID, b.ID)},
			{"run-new", "2026-12-02 09:00:00", fmt.Sprintf(`[{"baby_id":%q,"reason":"too_few_babies"},{"baby_id":"baby_gone","reason":"no_room"}]`, a.ID)},
		} {
			err := storetest.Exec(db, fmt.Sprintf(`INSERT INTO plan_runs (id, organisation_id, at, token_id, babies, placed, groups_count, sessions_count, unplaced)
				VALUES ('%s', '%s', '%s', 'test', 2, 0, 0, 0, '%s')`, run.id, org.ID, run.at, run.unplaced))
			if err != nil {
				t.Fatal(err)
			}
		}
		stmts := store.MigrationStatements(db.Dialect(), 13)
		if err := storetest.Exec(db, stmts[len(stmts)-1]); err != nil {
			t.Fatal(err)
		}
		got := storetest.Strings(t, db, "SELECT baby_id || ' ' || run_id || ' ' || reason FROM waiting_babies ORDER BY baby_id")
		if want := []string{a.ID + " run-new too_few_babies"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("backfilled %v, want %v", got, want)
		}
	})
}
