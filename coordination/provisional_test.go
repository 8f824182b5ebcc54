package coordination_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// A pregnancy cohort of 7 due dates forms a provisional group (no
// sessions); once six of them are born within the window and enrolled, the
// next run makes it a regular group of those six with its sessions planned
// from the real birth dates; the seventh waits.
func TestPregnancyCohortBecomesAGroup(t *testing.T) {
	c := &clock{}
	c.set("2026-12-10 10:00")
	storetest.Each(t, c.now, func(t *testing.T, db *store.DB) {
		c.set("2026-12-10 10:00")
		w := newMusselkanaal(t, db, c)
		c.set("2027-03-01 10:00")
		ctx := context.Background()
		var expected []*store.Baby
		for i, due := range []string{"2027-05-03", "2027-05-06", "2027-05-10", "2027-05-14", "2027-05-18", "2027-05-24", "2027-05-28"} {
			b := &store.Baby{LocationID: w.mk.ID, Ref: fmt.Sprintf("EX-%d", i+1), Language: "ti", ExpectedDate: storetest.Date(due), Status: store.StatusEligible}
			if err := db.CreateBaby(ctx, store.System, b); err != nil {
				t.Fatal(err)
			}
			expected = append(expected, b)
		}
		if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, false); err != nil {
			t.Fatal(err)
		}
		prov := provisionalGroups(t, db, w.org.ID)
		if len(prov) != 1 {
			t.Fatalf("%d provisional groups, want 1", len(prov))
		}
		g := prov[0]
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM group_members WHERE group_id = '"+g+"'"); n != 7 {
			t.Fatalf("the provisional group has %d members", n)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM sessions WHERE group_id = '"+g+"'"); n != 0 {
			t.Fatalf("the provisional group has %d sessions", n)
		}
		// The plan page shows it apart from the locations' groups.
		ov, err := db.PlanOverview(ctx, w.coord, w.org.ID)
		if err != nil || len(ov.Provisional) != 1 || ov.Provisional[0].Families != 7 {
			t.Fatalf("the plan page's provisional groups: %+v, %v", ov.Provisional, err)
		}
		for _, lp := range ov.Locations {
			for _, gp := range lp.Groups {
				if gp.Group.ID == g {
					t.Fatal("the provisional group is among the location's groups")
				}
			}
		}
		// A second run changes nothing about it.
		if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, false); err != nil {
			t.Fatal(err)
		}
		if again := provisionalGroups(t, db, w.org.ID); len(again) != 1 || again[0] != g {
			t.Fatalf("the second run: %v", again)
		}

		// Six are born (the seventh not yet) and enrolled.
		c.set("2027-06-10 10:00")
		for i, born := range []string{"2027-05-02", "2027-05-07", "2027-05-09", "2027-05-15", "2027-05-19", "2027-05-25"} {
			d := civil.MustParse(born)
			if _, err := db.UpdateBaby(ctx, w.coord, expected[i].ID, func(b *store.Baby) { b.BirthDate, b.Status = &d, store.StatusEnrolled }); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.uc.RunPlan(ctx, w.coord, w.org.ID, false); err != nil {
			t.Fatal(err)
		}
		if left := provisionalGroups(t, db, w.org.ID); len(left) != 0 {
			t.Fatalf("still provisional: %v", left)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM group_members WHERE group_id = '"+g+"' AND left_on IS NULL"); n != 6 {
			t.Fatalf("the group started with %d members, want the 6 born", n)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM sessions WHERE group_id = '"+g+"'"); n != 8 {
			t.Fatalf("the started group has %d sessions, want 8", n)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM group_members WHERE baby_id = '"+expected[6].ID+"' AND left_on IS NULL"); n != 0 {
			t.Fatal("the unborn seventh is still in the group")
		}
	})
}

func provisionalGroups(t *testing.T, db *store.DB, org string) []string {
	t.Helper()
	return storetest.Strings(t, db, "SELECT id FROM co_groups WHERE organisation_id = '"+org+"' AND provisional = TRUE ORDER BY id")
}
