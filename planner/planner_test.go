package planner_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
	"github.com/coplan/coplan/planner/plantest"
)

func run(t *testing.T, in *planner.Input) *planner.Plan {
	t.Helper()
	p, err := planner.Run(in)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	checkClean(t, in, p)
	return p
}

// checkClean fails the test when the plan breaks a hard rule.
func checkClean(t *testing.T, in *planner.Input, p *planner.Plan) {
	t.Helper()
	bad, err := planner.Check(in, p)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if len(bad) > 0 {
		var lines []string
		for i, v := range bad {
			if i == 15 {
				lines = append(lines, "...")
				break
			}
			lines = append(lines, v.String())
		}
		t.Fatalf("the plan breaks hard rules:\n%s", strings.Join(lines, "\n"))
	}
}

func date(s string) civil.Date { return civil.MustParse(s) }

func clock(s string) civil.Clock {
	c, err := civil.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

func weekly(weekday int, from, to string) civil.Weekly {
	return civil.Weekly{Weekday: weekday, From: clock(from), To: clock(to)}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clone deep-copies an input through JSON, as a file round trip would.
func clone(t *testing.T, in *planner.Input) *planner.Input {
	t.Helper()
	out, err := planfile.DecodeBytes(mustJSON(t, in))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// replanLater turns a plan into the next run's input: its groups exist, the
// sessions before cut are fixed (held or published), and today moves on.
func replanLater(t *testing.T, in *planner.Input, p *planner.Plan, today civil.Date, cut time.Time) *planner.Input {
	next := clone(t, in)
	next.Today = today
	for _, g := range p.Groups {
		next.Groups = append(next.Groups, planner.ExistingGroup{ID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID,
			RoomID: g.RoomID, FacilitatorIDs: g.FacilitatorIDs, BabyIDs: g.BabyIDs})
		for _, s := range g.Sessions {
			if s.Start.Before(cut) {
				next.FixedSessions = append(next.FixedSessions, planner.FixedSession{GroupID: g.ID, Session: s})
			}
		}
	}
	return next
}

// The property test: random inputs, every hard rule checked on the output by an
// independent checker, the same bytes on a second run, and a re-plan a month
// later that keeps every fixed session.
func TestPropertyRandomInputsKeepEveryHardRule(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	size := plantest.Size{Organisations: 2, LocationsPerOrg: 4, FacilitatorsPerOrg: 8, Babies: 150, BirthMonths: 16}
	placedTotal := 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		today := civil.New(2027, 1, 1).AddDays(rng.IntN(600))
		in := plantest.Generate(seed, size, today)
		switch seed % 4 {
		case 0:
			in.Rules = &planner.Rules{AvoidGoodFriday: ptr(true), AvoidLiberationDay: ptr(true), MinNoticeDays: ptr(3)}
		case 1:
			// A programme whose windows overlap, so that spacing and order bind.
			var sessions []planner.SessionRule
			for k := 0; k < 8; k++ {
				sessions = append(sessions, planner.SessionRule{MinAgeDays: 30 + 12*k, TargetAgeDays: 45 + 12*k, MaxAgeDays: 75 + 12*k})
			}
			in.Rules = &planner.Rules{Sessions: sessions, GroupMin: ptr(4), GroupMax: ptr(10), BirthWindowDays: ptr(21)}
		}
		p := run(t, in)
		placedTotal += p.Stats.Placed
		again, _ := planner.Run(clone(t, in))
		if !bytes.Equal(mustJSON(t, p), mustJSON(t, again)) {
			t.Fatalf("seed %d: two runs on the same input differ", seed)
		}
		// Re-planning with the plan's groups as existing groups and nothing
		// published reproduces the plan: a re-plan does not reshuffle.
		same := run(t, replanLater(t, in, p, today, time.Time{}))
		if !bytes.Equal(mustJSON(t, same.Groups), mustJSON(t, p.Groups)) {
			t.Fatalf("seed %d: re-planning unchanged data changed the groups", seed)
		}
		later := today.AddDays(35)
		next := replanLater(t, in, p, later, later.At(0))
		run(t, next)
	}
	if placedTotal == 0 {
		t.Fatal("no baby was placed in any random input")
	}
}

func ptr[T any](v T) *T { return &v }

func TestExampleFilePlansValidly(t *testing.T) {
	data, err := os.ReadFile("../examples/plan-input-small.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := planfile.DecodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	p := run(t, in)
	if p.Stats.Babies != 200 || p.Stats.Placed < 120 || p.Stats.Groups < 15 {
		t.Fatalf("stats %+v; want most of the 200 babies placed", p.Stats)
	}
	// Noodopvang Burgum names azc Sneek in its catchment; nobody is planned at a
	// location that is neither.
	for _, g := range p.Groups {
		if g.LocationID == "azc-sneek" && len(g.BabyIDs) > 0 {
			for _, s := range g.Sessions {
				if !strings.Contains(s.RoomID, "azc-sneek") {
					t.Fatalf("a group at azc Sneek meets in %s", s.RoomID)
				}
			}
		}
	}
}

// tinyInput is one organisation, one location with a room and two facilitators
// open only on weekday, and six babies born on birth.
func tinyInput(today string, weekday int, birth string) *planner.Input {
	max := 5
	in := &planner.Input{Today: date(today),
		Organisations: []planner.Organisation{{ID: "ggd", Name: "GGD"}},
		Locations: []planner.Location{{ID: "azc", OrganisationID: "ggd", Rooms: []planner.Room{{ID: "r1", Capacity: 24,
			Open: []civil.Weekly{weekly(weekday, "09:00", "17:00")}}}}},
		Facilitators: []planner.Facilitator{
			{ID: "n1", OrganisationID: "ggd", Role: "nurse", COTrained: true, MaxSessionsPerWeek: &max, Languages: []string{"nl"},
				Available: []civil.Weekly{weekly(weekday, "09:00", "17:00")}},
			{ID: "d1", OrganisationID: "ggd", Role: "doctor", MaxSessionsPerWeek: &max, Languages: []string{"nl", "ar"},
				Available: []civil.Weekly{weekly(weekday, "09:00", "17:00")}},
		},
	}
	for i := 0; i < 6; i++ {
		in.Babies = append(in.Babies, planner.Baby{ID: "b" + string(rune('1'+i)), BirthDate: date(birth), LocationID: "azc", Language: []string{"ar", "ti"}[i%2]})
	}
	return in
}

// oneDayProgramme is a single session that can only be held on date d for babies born on birth.
func oneDayProgramme(in *planner.Input, birth, d civil.Date) {
	age := d.Sub(birth)
	in.Rules = &planner.Rules{Sessions: []planner.SessionRule{{MinAgeDays: age, TargetAgeDays: age, MaxAgeDays: age}}}
}

func TestHolidaysGetNoSession(t *testing.T) {
	cases := []struct {
		name    string
		holiday civil.Date
		normal  civil.Date
	}{
		{"Koningsdag", civil.New(2027, 4, 27), civil.New(2027, 4, 20)},    // a Tuesday
		{"Easter Monday", civil.New(2027, 3, 29), civil.New(2027, 3, 22)}, // a Monday
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !planner.Holiday(c.holiday) {
				t.Fatalf("%s is not a holiday", c.holiday)
			}
			birth := c.holiday.AddDays(-45)
			wd := c.holiday.ISOWeekday()
			in := tinyInput(birth.AddDays(1).String(), wd, birth.String())
			oneDayProgramme(in, birth, c.holiday)
			if p := run(t, in); p.Stats.Sessions != 0 {
				t.Fatalf("a session was planned on %s: %+v", c.holiday, p.Groups)
			}
			// The same programme a week earlier is planned: the holiday is the only obstacle.
			birth = c.normal.AddDays(-45)
			in = tinyInput(birth.AddDays(1).String(), wd, birth.String())
			oneDayProgramme(in, birth, c.normal)
			p := run(t, in)
			if d, _ := civil.WallClock(p.Groups[0].Sessions[0].Start); p.Stats.Sessions != 1 || d != c.normal {
				t.Fatalf("want one session on %s: %+v", c.normal, p.Groups)
			}
		})
	}
}

func TestKingsDayMovesToSaturdayWhenThe27thIsSunday(t *testing.T) {
	// 27 April 2025 was a Sunday: King's Day was Saturday the 26th.
	if !planner.Holiday(civil.New(2025, 4, 26)) || planner.Holiday(civil.New(2025, 4, 27)) {
		t.Fatal("King's Day 2025 should be on the 26th")
	}
	if !planner.Holiday(civil.New(2026, 4, 27)) || planner.Holiday(civil.New(2026, 4, 26)) {
		t.Fatal("King's Day 2026 should be on the 27th")
	}
}

func TestShortStayLocationFormsNoGroup(t *testing.T) {
	in := tinyInput("2027-03-01", 2, "2027-01-20")
	in.Locations[0].ShortStay = true
	p := run(t, in)
	if len(p.Groups) != 0 || len(p.Unplaced) != 6 {
		t.Fatalf("short-stay location: %+v", p)
	}
	for _, u := range p.Unplaced {
		if u.Reason != planner.ReasonShortStay {
			t.Fatalf("reason %q; want short_stay", u.Reason)
		}
	}
	// A hub that names it in its catchment takes its babies into its own groups.
	hub := planner.Location{ID: "hub", OrganisationID: "ggd", Catchment: []string{"azc"}, Rooms: []planner.Room{{ID: "hub-r1", Capacity: 20,
		Open: []civil.Weekly{weekly(2, "09:00", "17:00")}}}}
	in.Locations = append(in.Locations, hub)
	p = run(t, in)
	if len(p.Groups) != 1 || p.Groups[0].LocationID != "hub" || len(p.Groups[0].BabyIDs) != 6 {
		t.Fatalf("with a hub: %+v", p.Groups)
	}
}

// A baby who moves mid-programme joins the group at its new location at the
// session its age calls for, and its old group carries on without it.
func TestMovedBabyJoinsAFittingGroupAtTheRightSession(t *testing.T) {
	start := civil.New(2027, 2, 2)
	in := tinyInput(start.String(), 2, "2026-12-29")
	in.Locations = append(in.Locations, planner.Location{ID: "azc2", OrganisationID: "ggd", Rooms: []planner.Room{{ID: "r2", Capacity: 24,
		Open: []civil.Weekly{weekly(4, "09:00", "17:00")}}}})
	in.Facilitators[0].Available = append(in.Facilitators[0].Available, weekly(4, "09:00", "17:00"))
	in.Facilitators[1].Available = append(in.Facilitators[1].Available, weekly(4, "09:00", "17:00"))
	for i := 0; i < 7; i++ {
		in.Babies = append(in.Babies, planner.Baby{ID: "c" + string(rune('1'+i)), BirthDate: date("2027-01-05"), LocationID: "azc2", Language: "ti"})
	}
	first := run(t, in)
	if len(first.Groups) != 2 {
		t.Fatalf("want a group at each location: %+v", first.Groups)
	}
	// Five and a half months later baby c1 has moved from azc2 to azc.
	today := start.AddDays(165)
	next := replanLater(t, in, first, today, today.At(0))
	for i := range next.Babies {
		if next.Babies[i].ID == "c1" {
			next.Babies[i].LocationID = "azc"
		}
	}
	p := run(t, next)
	var mover, old *planner.Group
	for i, g := range p.Groups {
		for _, id := range g.BabyIDs {
			if id == "c1" {
				mover = &p.Groups[i]
			}
		}
		if g.LocationID == "azc2" {
			old = &p.Groups[i]
		}
	}
	if mover == nil || mover.LocationID != "azc" {
		t.Fatalf("the moved baby is not in a group at its new location: %+v", p)
	}
	if old == nil || len(old.BabyIDs) != 6 {
		t.Fatalf("the old group should carry on with 6 babies: %+v", old)
	}
	birth := civil.MustParse("2027-01-05")
	for _, s := range mover.Sessions {
		d, _ := civil.WallClock(s.Start)
		if d < today {
			continue // history of the group, from before the move
		}
		if s.Number < 4 {
			t.Fatalf("the mover's first session is %d; at %d days old it should be later", s.Number, today.Sub(birth))
		}
		rule := planner.DefaultSessions[s.Number-1]
		if age := d.Sub(birth); age < rule.MinAgeDays || age > rule.MaxAgeDays {
			t.Fatalf("session %d on %s: the mover is %d days old, outside its window", s.Number, d, age)
		}
		return
	}
	t.Fatalf("the mover's group has no session after the move: %+v", mover.Sessions)
}

func TestFixedSessionsSurviveReplanByteForByte(t *testing.T) {
	in := plantest.Generate(7, plantest.Size{Organisations: 1, LocationsPerOrg: 3, FacilitatorsPerOrg: 8, Babies: 120, BirthMonths: 14}, civil.New(2027, 5, 3))
	p := run(t, in)
	later := civil.New(2027, 6, 14)
	next := replanLater(t, in, p, later, civil.New(2027, 7, 1).At(0))
	if len(next.FixedSessions) == 0 {
		t.Fatal("nothing fixed")
	}
	// A new baby arrives, to make the re-plan do something.
	next.Babies = append(next.Babies, planner.Baby{ID: "new-1", BirthDate: date("2027-05-20"), LocationID: in.Locations[0].ID, Language: "ar"})
	q := run(t, next)
	out := map[string]string{}
	for _, g := range q.Groups {
		for _, s := range g.Sessions {
			out[g.ID+"#"+s.Start.String()] = string(mustJSON(t, s))
		}
	}
	for _, f := range next.FixedSessions {
		got, ok := out[f.GroupID+"#"+f.Start.String()]
		if !ok || got != string(mustJSON(t, f.Session)) {
			t.Fatalf("fixed session of %s at %s: got %s, want %s", f.GroupID, f.Start, got, mustJSON(t, f.Session))
		}
	}
}

func TestBrokenInputNamesTheJSONPaths(t *testing.T) {
	in := tinyInput("2027-03-01", 2, "2027-01-20")
	in.Babies[3].BirthDate = date("2027-03-02")
	in.Babies[4].LocationID = "nowhere"
	in.Locations[0].Rooms[0].Open = append(in.Locations[0].Rooms[0].Open, weekly(2, "16:00", "18:00"))
	in.Facilitators[1].Available = []civil.Weekly{weekly(3, "12:00", "12:00")}
	in.Groups = []planner.ExistingGroup{{ID: "g1", OrganisationID: "ggd", LocationID: "azc", RoomID: "r9"}}
	_, err := planner.Run(in)
	problems, ok := err.(planner.Problems)
	if !ok {
		t.Fatalf("err = %v; want Problems", err)
	}
	text := problems.Error()
	for _, want := range []string{
		"$.babies[3].birth_date:",
		"$.babies[4].location_id:",
		"$.locations[0].rooms[0].open[1]:",
		"$.facilitators[1].available[0]:",
		"$.groups[0].room_id:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems do not name %s:\n%s", want, text)
		}
	}
}

// Any number of distinct languages plans: far more than the 256 a fixed set
// held once (an index out of range then), and the interpreter languages stay right.
func TestAnyNumberOfLanguagesPlans(t *testing.T) {
	in := tinyInput("2027-03-01", 2, "2027-01-20")
	for i := 0; i < 700; i++ {
		in.Babies = append(in.Babies, planner.Baby{ID: fmt.Sprintf("x%03d", i), BirthDate: date("2026-06-01").AddDays(i % 200), LocationID: "azc",
			Language: fmt.Sprintf("%c%c%c", 'a'+i/676%26, 'a'+i/26%26, 'a'+i%26)})
	}
	in.Facilitators[1].Languages = append(in.Facilitators[1].Languages, "aaz") // a late language a facilitator speaks
	p := run(t, in)
	if p.Stats.Placed == 0 {
		t.Fatalf("nothing placed: %+v", p.Stats)
	}
}

func TestRoomBlocksAreAvoidedAndChecked(t *testing.T) {
	in := tinyInput("2027-03-01", 2, "2027-01-20")
	p := run(t, in)
	first := p.Groups[0].Sessions[0]
	// Block exactly that slot: the plan must move, and the checker must refuse the old plan.
	in.Locations[0].Rooms[0].Blocks = []planner.TimeRange{{Start: first.Start, End: first.End}}
	if bad, _ := planner.Check(in, p); !hasRule(bad, planner.RuleBlocked) {
		t.Fatalf("the checker accepts a session under a block: %v", bad)
	}
	q := run(t, in)
	if q.Groups[0].Sessions[0].Start.Equal(first.Start) {
		t.Fatal("the planner put a session under a block")
	}
}

func hasRule(vs []planner.Violation, r planner.Rule) bool {
	for _, v := range vs {
		if v.Rule == r {
			return true
		}
	}
	return false
}

// weekdays limits the days sessions fall on, in the scheduler and the
// checker alike: with only Tuesdays and Thursdays every session is on one
// of them, and the plan keeps every hard rule.
func TestWeekdaysLimitTheDaysOfSessions(t *testing.T) {
	data, err := os.ReadFile("../examples/plan-input-small.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := planfile.DecodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if in.Rules == nil {
		in.Rules = &planner.Rules{}
	}
	in.Rules.Weekdays = []int{2, 4}
	p := run(t, in)
	if p.Stats.Sessions == 0 {
		t.Fatal("no sessions on Tuesdays and Thursdays")
	}
	for _, g := range p.Groups {
		for _, s := range g.Sessions {
			if wd := civil.Today(s.Start).ISOWeekday(); wd != 2 && wd != 4 {
				t.Fatalf("a session on weekday %d", wd)
			}
		}
	}
	in.Rules.Weekdays = []int{0, 8}
	if _, err := planner.Run(in); err == nil || !strings.Contains(err.Error(), "rules.weekdays[0]") || !strings.Contains(err.Error(), "rules.weekdays[1]") {
		t.Fatalf("bad weekdays: %v", err)
	}
}

// A group passed back with a pair the rules no longer allow (one person
// named twice; a nurse no longer CO-trained) is re-staffed, not kept.
func TestAnExistingGroupsInvalidPairIsReStaffed(t *testing.T) {
	data, err := os.ReadFile("../examples/plan-input-small.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, bend := range []string{"twice", "untrained"} {
		in, err := planfile.DecodeBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		first := run(t, in)
		g := first.Groups[0]
		lead := g.Sessions[0].FacilitatorIDs[0]
		eg := planner.ExistingGroup{ID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID, RoomID: g.RoomID, BabyIDs: g.BabyIDs,
			FacilitatorIDs: g.Sessions[0].FacilitatorIDs}
		if bend == "twice" {
			eg.FacilitatorIDs = []string{lead, lead}
		} else {
			for i := range in.Facilitators {
				if in.Facilitators[i].ID == lead || in.Facilitators[i].ID == g.Sessions[0].FacilitatorIDs[1] {
					in.Facilitators[i].COTrained = false
				}
			}
		}
		in.Groups = []planner.ExistingGroup{eg}
		again := run(t, in) // run checks every hard rule
		for _, rg := range again.Groups {
			if rg.ID != g.ID {
				continue
			}
			for _, s := range rg.Sessions {
				if s.FacilitatorIDs[0] == s.FacilitatorIDs[1] {
					t.Fatalf("%s: a session with one person twice", bend)
				}
			}
		}
	}
}

// With min_days_between_sessions 0 a group's sessions still fall on
// different days, in order: a session planned before a fixed one used to
// take the fixed one's day, later in the day, out of order; the plan keeps
// every hard rule.
func TestNoGapStillKeepsSessionsApartAndInOrder(t *testing.T) {
	in := tinyInput("2027-01-04", 2, "2026-10-01")
	zero := 0
	day := date("2027-01-19") // a Tuesday
	target := day.Sub(date("2026-10-01"))
	in.Rules = &planner.Rules{MinDaysBetweenSessions: &zero, Sessions: []planner.SessionRule{
		{MinAgeDays: 90, TargetAgeDays: target, MaxAgeDays: target}, {MinAgeDays: 90, TargetAgeDays: target + 1, MaxAgeDays: 200}}}
	var ids []string
	for _, b := range in.Babies {
		ids = append(ids, b.ID)
	}
	in.Groups = []planner.ExistingGroup{{ID: "g1", OrganisationID: "ggd", LocationID: "azc", RoomID: "r1", FacilitatorIDs: []string{"n1", "d1"}, BabyIDs: ids}}
	in.FixedSessions = []planner.FixedSession{{GroupID: "g1", Session: planner.Session{Number: 2, Start: day.At(9 * 60), End: day.At(11 * 60),
		RoomID: "r1", FacilitatorIDs: []string{"n1", "d1"}, InterpreterLanguages: []string{"ti"}}}}
	p := run(t, in)
	for _, g := range p.Groups {
		for i := 1; i < len(g.Sessions); i++ {
			if civil.Today(g.Sessions[i].Start) <= civil.Today(g.Sessions[i-1].Start) {
				t.Fatalf("sessions %d and %d on %s and %s", g.Sessions[i-1].Number, g.Sessions[i].Number,
					civil.Today(g.Sessions[i-1].Start), civil.Today(g.Sessions[i].Start))
			}
		}
	}
}
