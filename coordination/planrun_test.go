package coordination_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

var today = storetest.FixedClock("2027-01-04 10:00")

func orgNamed(t *testing.T, db *store.DB, name string) store.Organisation {
	t.Helper()
	orgs, _, _ := db.Organisations(context.Background(), store.System, store.Page{Limit: 100})
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no organisation %s", name)
	return store.Organisation{}
}

func TestPlanRunStoresAStablePlanAndKeepsPublishedSessions(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		org := orgNamed(t, db, "GGD Groningen") // Ter Apel, Musselkanaal, Delfzijl
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		run, err := coordination.New(db).RunPlan(ctx, coord, org.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if run.Placed < 12 || run.SessionsCount < 10 {
			t.Fatalf("demo plan for %s: %+v", org.Name, run)
		}
		sessions, total, err := db.Sessions(ctx, coord, store.SessionFilter{Page: store.Page{Limit: 500}})
		if err != nil || int(total) != run.SessionsCount {
			t.Fatalf("stored %d sessions, %v; the run planned %d", total, err, run.SessionsCount)
		}
		for _, s := range sessions {
			if s.Status != store.SessionPlanned || len(s.FacilitatorIDs) != 2 || s.StartsAt.Location() != civil.Amsterdam {
				t.Fatalf("stored session %+v", s)
			}
			if s.EndsAt.Sub(s.StartsAt) != 2*time.Hour {
				t.Fatalf("session lasts %v", s.EndsAt.Sub(s.StartsAt))
			}
		}
		// The run is audited as one row with the number of records read.
		audit, _, _ := db.AuditLog(ctx, coord, store.AuditFilter{Action: store.ActionPlan, Limit: 10})
		if len(audit) != 1 || audit[0].RecordID != run.ID || !strings.HasPrefix(audit[0].Detail, "read ") {
			t.Fatalf("plan audit = %+v", audit)
		}

		// The same data planned again changes nothing.
		if _, err := coordination.New(db).RunPlan(ctx, coord, org.ID, true); err != nil {
			t.Fatal(err)
		}
		again, _, _ := db.Sessions(ctx, coord, store.SessionFilter{Page: store.Page{Limit: 500}})
		if len(again) != len(sessions) {
			t.Fatalf("a second run changed the number of sessions: %d -> %d", len(sessions), len(again))
		}
		for i := range again {
			a, b := sessions[i], again[i]
			if a.ID != b.ID || !a.StartsAt.Equal(b.StartsAt) || a.Sequence != b.Sequence || b.Status != store.SessionPublished {
				t.Fatalf("session changed on a re-plan: %+v -> %+v", a, b)
			}
		}

		// A new baby arrives; published sessions stay exactly as they were.
		locs, _, _ := db.Locations(ctx, coord, store.LocationFilter{})
		for _, l := range locs {
			if strings.Contains(l.Name, "Musselkanaal") {
				b := &store.Baby{LocationID: l.ID, Ref: "MK-NEW", BirthDate: storetest.Date("2026-12-20"), Language: "ar"}
				if err := db.CreateBaby(ctx, coord, b); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := coordination.New(db).RunPlan(ctx, coord, org.ID, false); err != nil {
			t.Fatal(err)
		}
		after, _, _ := db.Sessions(ctx, coord, store.SessionFilter{Status: store.SessionPublished, Page: store.Page{Limit: 500}})
		if len(after) != len(again) {
			t.Fatalf("published sessions: %d, were %d", len(after), len(again))
		}
		for i := range after {
			if after[i].ID != again[i].ID || !after[i].StartsAt.Equal(again[i].StartsAt) || after[i].RoomID != again[i].RoomID || after[i].Sequence != again[i].Sequence {
				t.Fatalf("a published session changed: %+v -> %+v", again[i], after[i])
			}
		}

		// A nurse sees only the sessions it facilitates.
		nurseID := after[0].FacilitatorIDs[0]
		_, nurse := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: nurseID})
		mine, _, _ := db.Sessions(ctx, nurse, store.SessionFilter{Page: store.Page{Limit: 500}})
		if len(mine) == 0 {
			t.Fatal("the nurse sees no sessions")
		}
		for _, s := range mine {
			if s.FacilitatorIDs[0] != nurseID && s.FacilitatorIDs[1] != nurseID {
				t.Fatalf("the nurse sees a session of others: %+v", s)
			}
		}
		hers, _, err := db.Groups(ctx, nurse, store.GroupFilter{Page: store.Page{Limit: 500}})
		if err != nil || len(hers) == 0 {
			t.Fatalf("a nurse reading her groups: %d, %v", len(hers), err)
		}
		for _, g := range hers {
			if !slices.ContainsFunc(mine, func(s store.Session) bool { return s.GroupID == g.ID }) {
				t.Fatalf("the nurse sees group %s, of none of her sessions", g.ID)
			}
		}
	})
}

func TestManualSessionChangesAreChecked(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		org := orgNamed(t, db, "GGD Groningen")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		if _, err := coordination.New(db).RunPlan(ctx, coord, org.ID, true); err != nil {
			t.Fatal(err)
		}
		sessions, _, _ := db.Sessions(ctx, coord, store.SessionFilter{Page: store.Page{Limit: 500}})
		// Two sessions in the same room: moving one onto the other is a conflict.
		var a, b *store.Session
		for i := range sessions {
			for j := i + 1; j < len(sessions) && a == nil; j++ {
				if sessions[i].RoomID == sessions[j].RoomID && sessions[i].GroupID != sessions[j].GroupID {
					a, b = &sessions[i], &sessions[j]
				}
			}
		}
		if a == nil {
			t.Fatal("no two sessions share a room in the demo plan")
		}
		start := b.StartsAt
		_, err := coordination.New(db).ChangeSession(ctx, coord, a.ID, coordination.SessionChange{Start: &start})
		if store.ErrorCode(err) != store.EConflict {
			t.Fatalf("moving onto another session in the same room: %v; want conflict", err)
		}
		// Koningsdag is a holiday: a broken rule, not a conflict.
		kings := time.Date(2027, 4, 27, 10, 0, 0, 0, civil.Amsterdam)
		_, err = coordination.New(db).ChangeSession(ctx, coord, a.ID, coordination.SessionChange{Start: &kings})
		if code := store.ErrorCode(err); code != store.EUnprocessable && code != store.EConflict {
			t.Fatalf("moving to Koningsdag: %v; want refused", err)
		}
		unchanged, _ := db.Session(ctx, coord, a.ID)
		if !unchanged.StartsAt.Equal(a.StartsAt) || unchanged.Sequence != a.Sequence {
			t.Fatalf("a refused change was stored: %+v", unchanged)
		}
		// Cancelling is always possible, bumps the sequence and is audited.
		cancelled := store.SessionCancelled
		got, err := coordination.New(db).ChangeSession(ctx, coord, a.ID, coordination.SessionChange{Status: &cancelled})
		if err != nil || got.Status != store.SessionCancelled || got.Sequence != a.Sequence+1 {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		rows, _, _ := db.AuditLog(ctx, coord, store.AuditFilter{RecordID: a.ID, Limit: 10})
		if len(rows) != 1 || rows[0].Detail != "changed: status" {
			t.Fatalf("audit of the change: %+v", rows)
		}
	})
}
