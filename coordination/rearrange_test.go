package coordination_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// demoPlan fills the demo, plans and publishes it, and returns a coordinator of
// GGD Groningen with its published sessions.
func demoPlan(t *testing.T, db *store.DB) (store.Actor, []store.Session) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		t.Fatal(err)
	}
	org := orgNamed(t, db, "GGD Groningen")
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	sessions, _, err := db.Sessions(ctx, coord, store.SessionFilter{Page: store.Page{Limit: 1000}})
	if err != nil || len(sessions) < 10 {
		t.Fatalf("demo sessions: %d, %v", len(sessions), err)
	}
	return coord, sessions
}

func TestBlockOverASessionIsRefusedOrReplanned(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, sessions := demoPlan(t, db)
		s := sessions[len(sessions)/2]
		_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s.LocationID})
		block := func() *store.Block {
			return &store.Block{Title: "Brandoefening", StartsAt: s.StartsAt.Add(30 * time.Minute), EndsAt: s.StartsAt.Add(90 * time.Minute)}
		}
		_, err := coordination.New(db).BlockRoom(ctx, staff, s.LocationID, s.RoomID, block(), false)
		var e *store.Error
		if store.ErrorCode(err) != store.EConflict || !errorsAs(err, &e) || len(e.Affected) != 1 || e.Affected[0].ID != s.ID {
			t.Fatalf("a block over a session without replan: %v", err)
		}
		if blocks, _ := db.Blocks(ctx, staff, s.LocationID, s.RoomID); len(blocks) != 0 {
			t.Fatal("a refused block was stored")
		}
		r, err := coordination.New(db).BlockRoom(ctx, staff, s.LocationID, s.RoomID, block(), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Affected) != 1 || len(r.Moved)+len(r.Unplanned) != 1 {
			t.Fatalf("re-plan: %+v", r)
		}
		after, _ := db.Session(ctx, store.System, s.ID)
		if after.Sequence != s.Sequence+1 {
			t.Fatalf("sequence %d; want %d", after.Sequence, s.Sequence+1)
		}
		if after.Status != store.SessionCancelled && after.RoomID == s.RoomID && after.StartsAt.Before(s.StartsAt.Add(90*time.Minute)) && s.StartsAt.Before(after.EndsAt) {
			t.Fatalf("the session stayed under the block: %+v", after)
		}
		rows, _, _ := db.AuditLog(ctx, store.System, store.AuditFilter{RecordID: s.ID, Limit: 5})
		if len(rows) == 0 || !strings.Contains(rows[0].Detail, "room blocked by") {
			t.Fatalf("the move is not audited: %+v", rows)
		}
		if conflicts, err := coordination.New(db).Conflicts(ctx, store.System); err != nil || len(conflicts) != 0 {
			t.Fatalf("conflicts after a re-plan: %+v, %v", conflicts, err)
		}
		// Location staff see their own bookings, not another location's.
		bookings, err := db.Bookings(ctx, staff, s.LocationID, s.StartsAt.AddDate(0, 0, -1), s.StartsAt.AddDate(0, 0, 1))
		if err != nil || len(bookings) == 0 {
			t.Fatalf("bookings: %v %v", bookings, err)
		}
		var other string
		for _, x := range sessions {
			if x.LocationID != s.LocationID {
				other = x.LocationID
			}
		}
		if other != "" {
			if _, err := db.Bookings(ctx, staff, other, s.StartsAt, s.StartsAt.AddDate(0, 1, 0)); store.ErrorCode(err) != store.ENotFound {
				t.Fatalf("another location's bookings: %v", err)
			}
		}
		if _, err := db.Baby(ctx, staff, "baby_x"); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("location staff reading a baby: %v", err)
		}
	})
}

func errorsAs(err error, target **store.Error) bool {
	e, ok := err.(*store.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestConflictsReportAndAbsences(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		coord, sessions := demoPlan(t, db)
		s := sessions[3]
		// A closure entered without re-planning shows up in the conflicts report.
		day := civil.Today(s.StartsAt)
		if _, err := db.UpdateRoom(ctx, store.System, s.LocationID, s.RoomID, func(r *store.Room) {
			r.Closures = append(r.Closures, civil.Range{From: day, To: day})
		}); err != nil {
			t.Fatal(err)
		}
		conflicts, err := coordination.New(db).Conflicts(ctx, coord)
		if err != nil || len(conflicts) == 0 || conflicts[0].SessionID != s.ID || !strings.Contains(conflicts[0].Detail, "closed") {
			t.Fatalf("conflicts: %+v, %v", conflicts, err)
		}
		// A facilitator's absence over a session: 409 without replan, then re-planned.
		t2 := sessions[len(sessions)-2]
		absent := t2.FacilitatorIDs[0]
		r := civil.Range{From: civil.Today(t2.StartsAt), To: civil.Today(t2.StartsAt)}
		if _, _, err := coordination.New(db).RecordAbsence(ctx, coord, absent, r, false); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("absence over a session without replan: %v", err)
		}
		f, re, err := coordination.New(db).RecordAbsence(ctx, coord, absent, r, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Absences) == 0 || len(re.Moved)+len(re.Unplanned) < 1 {
			t.Fatalf("absence re-plan: %+v", re)
		}
		after, _ := db.Session(ctx, store.System, t2.ID)
		if after.Status != store.SessionCancelled && civil.Today(after.StartsAt) == r.From &&
			(after.LeadFacilitatorID == absent || after.SecondFacilitatorID == absent) {
			t.Fatalf("the absent facilitator still has the session: %+v", after)
		}
	})
}

// A block and a manual move of a session into the same room and time, sent
// together: never both succeed.
func TestBlockAndSessionEditRace(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		coord, sessions := demoPlan(t, db)
		// Find sessions that can move a week later, into a free slot of their room.
		type candidate struct {
			s  store.Session
			to time.Time
		}
		var cands []candidate
		for _, s := range sessions {
			if s.LocationID != sessions[0].LocationID {
				continue
			}
			to := s.StartsAt.AddDate(0, 0, 7)
			if _, err := coordination.New(db).ChangeSession(ctx, coord, s.ID, coordination.SessionChange{Start: &to}); err != nil {
				continue
			}
			back := s.StartsAt
			if _, err := coordination.New(db).ChangeSession(ctx, coord, s.ID, coordination.SessionChange{Start: &back}); err != nil {
				t.Fatal(err)
			}
			cands = append(cands, candidate{s, to})
			if len(cands) == 8 {
				break
			}
		}
		if len(cands) < 3 {
			t.Fatalf("only %d sessions can move a week", len(cands))
		}
		_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: cands[0].s.LocationID})
		both, blockWon, moveWon := 0, 0, 0
		for round := 0; round < 3; round++ {
			for _, c := range cands {
				var wg sync.WaitGroup
				var blockErr, moveErr error
				var r *coordination.Rearrangement
				wg.Add(2)
				go func() {
					defer wg.Done()
					b := &store.Block{Title: "Overleg", StartsAt: c.to, EndsAt: c.to.Add(2 * time.Hour)}
					r, blockErr = coordination.New(db).BlockRoom(ctx, staff, c.s.LocationID, c.s.RoomID, b, false)
				}()
				go func() {
					defer wg.Done()
					to := c.to
					_, moveErr = coordination.New(db).ChangeSession(ctx, coord, c.s.ID, coordination.SessionChange{Start: &to})
				}()
				wg.Wait()
				switch {
				case blockErr == nil && moveErr == nil:
					both++
				case blockErr == nil:
					blockWon++
				case moveErr == nil:
					moveWon++
				}
				if blockErr == nil && moveErr != nil && store.ErrorCode(moveErr) != store.EConflict && store.ErrorCode(moveErr) != store.EUnprocessable {
					t.Fatalf("the move failed oddly: %v", moveErr)
				}
				// Undo for the next round.
				if blockErr == nil {
					blocks, _ := db.Blocks(ctx, staff, c.s.LocationID, c.s.RoomID)
					for _, b := range blocks {
						db.DeleteBlock(ctx, staff, c.s.LocationID, c.s.RoomID, b.ID)
					}
				}
				if moveErr == nil {
					back := c.s.StartsAt
					if _, err := coordination.New(db).ChangeSession(ctx, coord, c.s.ID, coordination.SessionChange{Start: &back}); err != nil {
						t.Fatal(err)
					}
				}
				_ = r
			}
		}
		if both > 0 {
			t.Fatalf("a block and a move into the same room and time both succeeded %d times", both)
		}
		if blockWon+moveWon != 3*len(cands) {
			t.Fatalf("%d races had no winner (block won %d, move won %d)", 3*len(cands)-blockWon-moveWon, blockWon, moveWon)
		}
		t.Logf("%d races: the block won %d, the move won %d, both never", 3*len(cands), blockWon, moveWon)
	})
}

// Facilitators hear by mail when a session of theirs in the next 14 days moves
// or is cancelled; later changes only reach the feeds.
func TestFacilitatorsAreMailedAboutChangesSoon(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		coord, sessions := demoPlan(t, db)
		var soon, later *store.Session
		for i := range sessions {
			s := &sessions[i]
			if s.StartsAt.Before(today().AddDate(0, 0, coordination.NoticeDays)) && soon == nil {
				soon = s
			}
			if s.StartsAt.After(today().AddDate(0, 0, 60)) && later == nil {
				later = s
			}
		}
		cancelled := store.SessionCancelled
		for _, s := range []*store.Session{soon, later} {
			if _, err := coordination.New(db).ChangeSession(ctx, coord, s.ID, coordination.SessionChange{Status: &cancelled}); err != nil {
				t.Fatal(err)
			}
		}
		mails, _ := db.MailsByKeyPrefix(ctx, "session:"+soon.ID+":")
		if len(mails) != 2 || !strings.Contains(mails[0].TextBody, "gaat niet door") {
			t.Fatalf("mails about the cancelled session soon: %+v", mails)
		}
		if m, _ := db.MailsByKeyPrefix(ctx, "session:"+later.ID+":"); len(m) != 0 {
			t.Fatalf("a change two months ahead was mailed: %+v", m)
		}
		babies, _, _ := db.Babies(ctx, store.System, store.BabyFilter{Page: store.Page{Limit: 500}})
		for _, b := range babies {
			if strings.Contains(mails[0].TextBody, b.Ref) {
				t.Fatal("a mail names a baby")
			}
		}
	})
}
