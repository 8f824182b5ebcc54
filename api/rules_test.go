package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// ruleWorld is one organisation planned through the store: two rooms open every
// day from 08:00 to 18:00 and a small one, staff available every day from
// 07:00 to 18:00 (so that a change breaks the rule under test alone), a
// location elsewhere and another organisation's nurse, and two groups of six.
type ruleWorld struct {
	db       *store.DB
	coord    string
	rooms    map[string]string // name -> id
	staff    map[string]string // name -> id
	sessions []store.Session
}

func newRuleWorld(t *testing.T, db *store.DB) *ruleWorld {
	t.Helper()
	ctx := context.Background()
	w := &ruleWorld{db: db, rooms: map[string]string{}, staff: map[string]string{}}
	org := storetest.MustCreateOrganisation(t, db, "GGD Regels")
	other := storetest.MustCreateOrganisation(t, db, "GGD Elders")
	loc := storetest.MustCreateLocation(t, db, org.ID, "azc Regels")
	far := storetest.MustCreateLocation(t, db, org.ID, "azc Ver")
	every := func(from, to civil.Clock) []civil.Weekly {
		var ws []civil.Weekly
		for d := 1; d <= 7; d++ {
			ws = append(ws, civil.Weekly{Weekday: d, From: from, To: to})
		}
		return ws
	}
	for _, r := range []struct {
		name  string
		loc   string
		seats int
	}{{"Groot", loc.ID, 24}, {"Tweede", loc.ID, 24}, {"Klein", loc.ID, 10}, {"Ver", far.ID, 24}} {
		room := &store.Room{Name: r.name, Capacity: r.seats, OpeningHours: every(8*60, 18*60)}
		if err := db.CreateRoom(ctx, store.System, r.loc, room); err != nil {
			t.Fatal(err)
		}
		w.rooms[r.name] = room.ID
	}
	for _, f := range []struct {
		name, org string
		role      store.FacilitatorRole
		trained   bool
		avail     []civil.Weekly
	}{
		{"Anna", org.ID, store.RoleNurseFacilitator, true, every(7*60, 18*60)},
		{"Bart", org.ID, store.RoleNurseFacilitator, true, every(7*60, 18*60)},
		{"Cora", org.ID, store.RoleNurseFacilitator, true, every(7*60, 18*60)},
		{"Daan", org.ID, store.RoleDoctor, false, every(7*60, 18*60)},
		{"Eva", org.ID, store.RoleDoctor, false, every(7*60, 18*60)},
		{"Zondag", org.ID, store.RoleAssistant, false, []civil.Weekly{{Weekday: 7, From: 7 * 60, To: 18 * 60}}},
		{"Xander", other.ID, store.RoleNurseFacilitator, true, every(7*60, 18*60)},
	} {
		fc := &store.Facilitator{OrganisationID: f.org, DisplayName: f.name, Role: f.role, COTrained: f.trained, Availability: f.avail,
			MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
		if err := db.CreateFacilitator(ctx, store.System, fc); err != nil {
			t.Fatal(err)
		}
		w.staff[f.name] = fc.ID
	}
	for i := 0; i < 12; i++ {
		b := &store.Baby{LocationID: loc.ID, Ref: fmt.Sprintf("RG-%02d", i), Language: "nl", BirthDate: storetest.Date(civil.New(2026, 11, 20).AddDays(i % 3).String())}
		if err := db.CreateBaby(ctx, store.System, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := coordination.New(db).RunPlan(ctx, store.System, org.ID, true); err != nil {
		t.Fatal(err)
	}
	// People who join after the plan: none of them has a session yet.
	for _, f := range []struct {
		name    string
		role    store.FacilitatorRole
		trained bool
	}{{"Femke", store.RoleDoctor, false}, {"Gijs", store.RoleAssistant, false}, {"Hanna", store.RoleNurseFacilitator, true}} {
		fc := &store.Facilitator{OrganisationID: org.ID, DisplayName: f.name, Role: f.role, COTrained: f.trained, Availability: every(7*60, 18*60),
			MaxSessionsPerWeek: 5, Languages: []string{"nl"}}
		if err := db.CreateFacilitator(ctx, store.System, fc); err != nil {
			t.Fatal(err)
		}
		w.staff[f.name] = fc.ID
	}
	w.coord, _ = storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	w.reload(t)
	return w
}

func (w *ruleWorld) reload(t *testing.T) {
	t.Helper()
	var err error
	w.sessions, _, err = w.db.Sessions(context.Background(), store.System, store.SessionFilter{Page: store.Page{Limit: 100}})
	if err != nil || len(w.sessions) < 10 {
		t.Fatalf("the world planned %d sessions: %v", len(w.sessions), err)
	}
}

// session returns session number n of the i-th group (by id).
func (w *ruleWorld) session(t *testing.T, group, n int) store.Session {
	t.Helper()
	var groups []string
	for _, s := range w.sessions {
		if !slices.Contains(groups, s.GroupID) {
			groups = append(groups, s.GroupID)
		}
	}
	slices.Sort(groups)
	for _, s := range w.sessions {
		if s.GroupID == groups[group] && s.Number == n {
			return s
		}
	}
	t.Fatalf("no session %d of group %d", n, group)
	return store.Session{}
}

// freeAt lists the staff of the organisation with no session overlapping s.
func (w *ruleWorld) freeAt(start, end time.Time, exclude ...string) []string {
	var out []string
	for _, name := range []string{"Anna", "Bart", "Cora", "Daan", "Eva"} {
		id := w.staff[name]
		busy := slices.Contains(exclude, id)
		for _, x := range w.sessions {
			if x.StartsAt.Before(end) && start.Before(x.EndsAt) && slices.Contains(x.FacilitatorIDs, id) {
				busy = true
			}
		}
		if !busy {
			out = append(out, id)
		}
	}
	return out
}

// nurseLed picks a CO-trained nurse and a second person from ids.
func (w *ruleWorld) nurseLed(t *testing.T, ids []string) []string {
	t.Helper()
	for _, lead := range []string{"Anna", "Bart", "Cora"} {
		if slices.Contains(ids, w.staff[lead]) {
			for _, second := range ids {
				if second != w.staff[lead] {
					return []string{w.staff[lead], second}
				}
			}
		}
	}
	t.Fatalf("no nurse-led pair among %v", ids)
	return nil
}

// weekdayNear is the first weekday on or after d.
func weekdayNear(d civil.Date) civil.Date {
	for d.ISOWeekday() > 5 || planner.Holiday(d) {
		d = d.AddDays(1)
	}
	return d
}

func at(d civil.Date, s store.Session) time.Time {
	_, clock := civil.WallClock(s.StartsAt)
	return d.At(int(clock))
}

// A session change that breaks a rule is refused with the status and the
// field the rule's code gives, and the violation by its code: one case per
// rule a coordinator's hand can break.
func TestRefusedSessionChangesNameTheRuleStatusAndField(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newRuleWorld(t, db)
		ctx := context.Background()
		a1, b1, a3 := w.session(t, 0, 1), w.session(t, 1, 1), w.session(t, 0, 3)
		if a1.StartsAt.Before(b1.EndsAt) && b1.StartsAt.Before(a1.EndsAt) {
			t.Fatal("the two groups' first sessions overlap; the fixture needs them apart")
		}
		other := func(room string) string {
			if room == w.rooms["Groot"] {
				return w.rooms["Tweede"]
			}
			return w.rooms["Groot"]
		}
		day := civil.Today(a1.StartsAt)
		// Days in the first session's window with nothing on them: one closed,
		// one with a block, one for an early start.
		var freeDays []civil.Date
		for d := weekdayNear(day.AddDays(1)); len(freeDays) < 3; d = weekdayNear(d.AddDays(1)) {
			if !slices.ContainsFunc(w.sessions, func(s store.Session) bool { return civil.Today(s.StartsAt) == d }) {
				freeDays = append(freeDays, d)
			}
		}
		free := freeDays[0]
		if _, err := db.UpdateRoom(ctx, store.System, a1.LocationID, a1.RoomID, func(r *store.Room) {
			r.Closures = append(r.Closures, civil.Range{From: free, To: free})
		}); err != nil {
			t.Fatal(err)
		}
		blockStart := at(freeDays[1], a1)
		if _, err := coordination.New(db).BlockRoom(ctx, store.System, a1.LocationID, a1.RoomID,
			&store.Block{Title: "Overleg", StartsAt: blockStart, EndsAt: blockStart.Add(2 * time.Hour)}, false); err != nil {
			t.Fatal(err)
		}
		// Someone absent on the first session's day; someone at a weekly maximum.
		absent := w.staff["Hanna"]
		if _, err := db.UpdateFacilitator(ctx, store.System, absent, func(f *store.Facilitator) {
			f.Absences = append(f.Absences, civil.Range{From: day, To: day})
		}); err != nil {
			t.Fatal(err)
		}
		busy := b1.FacilitatorIDs[1]
		weekOf := func(id string, d civil.Date) int {
			n := 0
			for _, s := range w.sessions {
				if slices.Contains(s.FacilitatorIDs, id) && civil.Today(s.StartsAt).ISOWeek() == d.ISOWeek() {
					n++
				}
			}
			return n
		}
		if slices.Contains(a1.FacilitatorIDs, busy) || civil.Today(b1.StartsAt).ISOWeek() != day.ISOWeek() {
			t.Fatal("the fixture needs the second group's first session in the same week, with another pair")
		}
		if _, err := db.UpdateFacilitator(ctx, store.System, busy, func(f *store.Facilitator) {
			f.MaxSessionsPerWeek = weekOf(busy, day)
		}); err != nil {
			t.Fatal(err)
		}
		iso := func(t time.Time) string { return t.Format(time.RFC3339) }
		type change = map[string]any
		cases := []struct {
			rule    planner.Rule
			session store.Session
			change  change
			status  int
			field   string
		}{
			{planner.RuleRoomDoubleBooked, a1, change{"start": iso(b1.StartsAt), "room_id": b1.RoomID,
				"facilitator_ids": w.nurseLed(t, w.freeAt(b1.StartsAt, b1.EndsAt))}, 409, "room_id"},
			{planner.RuleFacilitatorDoubleBooked, a1, change{"start": iso(b1.StartsAt), "room_id": other(b1.RoomID), "facilitator_ids": b1.FacilitatorIDs}, 409, "facilitator_ids"},
			{planner.RuleHoliday, a3, change{"start": iso(at(civil.New(2027, 3, 29), a3))}, 422, "start"}, // Easter Monday
			{planner.RuleWeekend, a3, change{"start": iso(at(civil.New(2027, 3, 27), a3))}, 422, "start"},
			{planner.RuleAgeWindow, a1, change{"start": iso(at(weekdayNear(civil.New(2026, 11, 20).AddDays(71)), a1))}, 422, "start"},
			{planner.RuleClosed, a1, change{"start": iso(at(free, a1))}, 422, "room_id"},
			{planner.RuleBlocked, a1, change{"start": iso(blockStart)}, 422, "room_id"},
			{planner.RuleOutsideOpeningHours, a1, change{"start": iso(freeDays[2].At(7 * 60))}, 422, "room_id"},
			{planner.RuleRoomTooSmall, a1, change{"room_id": w.rooms["Klein"]}, 422, "room_id"},
			{planner.RuleWrongLocation, a1, change{"room_id": w.rooms["Ver"]}, 422, "room_id"},
			{planner.RuleOutsideAvailability, a1, change{"facilitator_ids": []string{a1.FacilitatorIDs[0], w.staff["Zondag"]}}, 422, "facilitator_ids"},
			{planner.RuleAbsent, a1, change{"facilitator_ids": []string{a1.FacilitatorIDs[0], absent}}, 422, "facilitator_ids"},
			{planner.RuleWrongOrganisation, a1, change{"facilitator_ids": []string{a1.FacilitatorIDs[0], w.staff["Xander"]}}, 422, "facilitator_ids"},
			{planner.RuleFacilitatorCount, a1, change{"facilitator_ids": []string{a1.FacilitatorIDs[0], a1.FacilitatorIDs[0]}}, 422, "facilitator_ids"},
			{planner.RuleNoCONurse, a1, change{"facilitator_ids": []string{w.staff["Femke"], w.staff["Gijs"]}}, 422, "facilitator_ids"},
			{planner.RuleWeeklyMax, a1, change{"facilitator_ids": []string{a1.FacilitatorIDs[0], busy}}, 409, "facilitator_ids"},
		}
		for _, c := range cases {
			t.Run(string(c.rule), func(t *testing.T) {
				before, _ := db.Session(ctx, store.System, c.session.ID)
				a := e.do("PATCH", "/api/v1/sessions/"+c.session.ID, w.coord, c.change)
				problem(t, a, c.status, c.field)
				var p api.Problem
				if err := json.Unmarshal(a.body, &p); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, v := range p.Violations {
					found = found || v.Rule == c.rule
				}
				if !found {
					t.Fatalf("the answer does not name %s: %s", c.rule, a.body)
				}
				after, _ := db.Session(ctx, store.System, c.session.ID)
				if after.Sequence != before.Sequence || !after.StartsAt.Equal(before.StartsAt) || after.RoomID != before.RoomID {
					t.Fatalf("a refused change was stored: %+v", after)
				}
			})
		}
	})
}
