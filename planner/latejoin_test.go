package planner_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/plantest"
)

// musselkanaal is the relocation issue's scenario: families born 7 to 28
// November 2026 at one azc (languages as given, by birth order), planned on
// 10 December 2026; the next input is `today` with that plan's group passed
// back and every session published (fixed).
func musselkanaal(t *testing.T, today civil.Date, births []string, langs []string) (*planner.Input, *planner.Plan) {
	t.Helper()
	in := tinyInput("2026-12-10", 2, "2026-11-07")
	in.Babies = nil
	for i, b := range births {
		in.Babies = append(in.Babies, planner.Baby{ID: fmt.Sprintf("m%d", i+1), BirthDate: date(b), LocationID: "azc", Language: langs[i%len(langs)]})
	}
	first := run(t, in)
	if len(first.Groups) == 0 {
		t.Fatalf("no group formed: %+v", first.Unplaced)
	}
	next := replanLater(t, in, first, today, civil.New(2030, 1, 1).At(0))
	return next, first
}

var novemberBirths = []string{"2026-11-07", "2026-11-10", "2026-11-14", "2026-11-18", "2026-11-24", "2026-11-28"}

// groupOf finds the group of p that holds baby id.
func groupOf(p *planner.Plan, id string) *planner.Group {
	for i := range p.Groups {
		if slices.Contains(p.Groups[i].BabyIDs, id) {
			return &p.Groups[i]
		}
	}
	return nil
}

// A baby who arrives at a location with a published group that has room
// joins it from the first session still ahead (by the notice period) whose
// age window holds it; the published sessions keep time, room and
// facilitators, and those it attends list its language for an interpreter.
func TestLateJoinerEntersAPublishedGroupAtTheNextFittingSession(t *testing.T) {
	today := date("2027-03-01")
	in, first := musselkanaal(t, today, novemberBirths, []string{"ar", "ti"})
	in.Babies = append(in.Babies, planner.Baby{ID: "new", BirthDate: date("2026-11-20"), LocationID: "azc", Language: "prs"})
	p := run(t, in)

	g := groupOf(p, "new")
	if g == nil {
		t.Fatalf("the newcomer is not placed: %+v", p.Unplaced)
	}
	before := groupOf(first, "m1")
	if g.ID != before.ID || len(g.BabyIDs) != 7 {
		t.Fatalf("want the running group %s with 7 families, got %s with %v", before.ID, g.ID, g.BabyIDs)
	}
	from := g.JoinedFrom["new"]
	earliest := today.AddDays(7)
	birth := date("2026-11-20")
	for _, s := range before.Sessions {
		d := civil.Today(s.Start)
		rule := planner.DefaultSessions[s.Number-1]
		fits := d >= earliest && d.Sub(birth) >= rule.MinAgeDays && d.Sub(birth) <= rule.MaxAgeDays
		if fits {
			if from != s.Number {
				t.Fatalf("the newcomer joins at session %d; session %d on %s is the first that fits", from, s.Number, d)
			}
			break
		}
	}
	if from < 2 {
		t.Fatalf("joined_from = %d: sessions already held cannot be joined", from)
	}
	for i, s := range g.Sessions {
		old := before.Sessions[i]
		if !s.Start.Equal(old.Start) || s.RoomID != old.RoomID || !slices.Equal(s.FacilitatorIDs, old.FacilitatorIDs) {
			t.Fatalf("published session %d moved: %+v, was %+v", s.Number, s, old)
		}
		if got := slices.Contains(s.InterpreterLanguages, "prs"); got != (s.Number >= from && civil.Today(s.Start) > today) {
			t.Fatalf("session %d lists Dari for an interpreter: %v, with the newcomer from session %d", s.Number, got, from)
		}
	}
	if got := g.Attendees(from - 1); slices.Contains(got, "new") {
		t.Fatalf("the newcomer attends session %d, before it joined", from-1)
	}
}

// What keeps a newcomer out of a running group, case by case: the baby stays
// unplaced and the group's sessions are as they were.
func TestLateJoinerIsKeptOutWhenTheGroupCannotTakeIt(t *testing.T) {
	cases := map[string]struct {
		today  string
		birth  string
		change func(in *planner.Input)
		rule   planner.Rule
	}{
		"fewer than 3 sessions left":    {today: "2027-09-20", birth: "2026-11-20", rule: planner.RuleLateJoin},
		"born outside the birth window": {today: "2027-03-01", birth: "2026-12-27", rule: planner.RuleBirthWindow},
		"the group is full": {today: "2027-03-01", birth: "2026-11-20", rule: planner.RuleGroupSize,
			change: func(in *planner.Input) { in.Rules = &planner.Rules{GroupMax: ptr(6)} }},
		"only 2 sessions were to be left, and 4 are needed": {today: "2027-07-20", birth: "2026-11-20", rule: planner.RuleLateJoin,
			change: func(in *planner.Input) { in.Rules = &planner.Rules{MinSessionsForLateJoin: ptr(4)} }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			in, _ := musselkanaal(t, date(c.today), novemberBirths, []string{"ar", "ti"})
			if c.change != nil {
				c.change(in)
			}
			in.Babies = append(in.Babies, planner.Baby{ID: "new", BirthDate: date(c.birth), LocationID: "azc", Language: "ti"})
			p := run(t, in)
			if g := groupOf(p, "new"); g != nil {
				t.Fatalf("the newcomer joined %s from session %d", g.ID, g.JoinedFrom["new"])
			}
			_, v, err := planner.CanJoin(in, in.Groups[0].ID, "new")
			if err != nil || v == nil || v.Rule != c.rule {
				t.Fatalf("CanJoin: %v, %v; want %s", v, err, c.rule)
			}
		})
	}
}

// Among running groups that fit, the one that speaks the family's language
// wins over the one born nearer.
func TestLateJoinerPrefersTheGroupOfItsLanguage(t *testing.T) {
	births := []string{"2026-11-07", "2026-11-08", "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12",
		"2026-11-14", "2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"}
	in, first := musselkanaal(t, date("2027-03-01"), births, []string{"ar", "ar", "ar", "ar", "ar", "ar", "ti", "ti", "ti", "ti", "ti", "ti"})
	if len(first.Groups) != 2 {
		t.Fatalf("want two groups, got %d", len(first.Groups))
	}
	in.Babies = append(in.Babies, planner.Baby{ID: "new", BirthDate: date("2026-11-11"), LocationID: "azc", Language: "ti"})
	opts, err := planner.LateJoins(in, "new")
	if err != nil || len(opts) != 2 {
		t.Fatalf("want both groups as options: %+v %v", opts, err)
	}
	p := run(t, in)
	g := groupOf(p, "new")
	if g == nil || !slices.Contains(g.BabyIDs, "m12") || g.ID != opts[0].GroupID || !opts[0].SameLanguage {
		t.Fatalf("the Tigrinya newcomer should join the Tigrinya group: %+v, options %+v", g, opts)
	}
}

// The property: with every session published, one change (a new baby, a
// baby who leaves, a baby who moves) changes no session's time, room or
// facilitators anywhere, and changes nothing at all in a group whose members
// stayed the same.
func TestOneJoinLeaveOrMoveChangesOnlyTheGroupsItTouches(t *testing.T) {
	size := plantest.Size{Organisations: 1, LocationsPerOrg: 3, FacilitatorsPerOrg: 8, Babies: 120, BirthMonths: 14}
	for seed := uint64(1); seed <= 30; seed++ {
		today := civil.New(2027, 4, 1)
		in := plantest.Generate(seed, size, today)
		p := run(t, in)
		if len(p.Groups) == 0 {
			continue
		}
		rng := rand.New(rand.NewPCG(seed, 9))
		next := replanLater(t, in, p, today, civil.New(2031, 1, 1).At(0))
		victim := p.Groups[rng.IntN(len(p.Groups))].BabyIDs[0]
		switch seed % 3 {
		case 0: // a newborn arrives
			loc := in.Locations[rng.IntN(len(in.Locations))].ID
			next.Babies = append(next.Babies, planner.Baby{ID: "arrival", BirthDate: today.AddDays(-20 - rng.IntN(200)), LocationID: loc, Language: "ti"})
		case 1: // a member leaves
			next.Babies = slices.DeleteFunc(next.Babies, func(b planner.Baby) bool { return b.ID == victim })
		case 2: // a member moves to another location
			for i := range next.Babies {
				if next.Babies[i].ID == victim {
					next.Babies[i].LocationID = otherLocation(in, next.Babies[i].LocationID)
				}
			}
		}
		q := run(t, next)
		compareAfterOneChange(t, seed, p, q, map[bool]string{true: "arrival", false: victim}[seed%3 == 0])
	}
}

func otherLocation(in *planner.Input, id string) string {
	for _, l := range in.Locations {
		if l.ID != id {
			return l.ID
		}
	}
	return id
}

func compareAfterOneChange(t *testing.T, seed uint64, p, q *planner.Plan, changed string) {
	t.Helper()
	after := map[string]*planner.Group{}
	for i := range q.Groups {
		after[q.Groups[i].ID] = &q.Groups[i]
	}
	for _, g := range p.Groups {
		h := after[g.ID]
		if h == nil {
			t.Fatalf("seed %d: group %s is gone", seed, g.ID)
		}
		sessions := map[int]planner.Session{}
		for _, s := range h.Sessions {
			sessions[s.Number] = s
		}
		for _, s := range g.Sessions {
			n, ok := sessions[s.Number]
			if !ok || !n.Start.Equal(s.Start) || n.RoomID != s.RoomID || !slices.Equal(n.FacilitatorIDs, s.FacilitatorIDs) {
				t.Fatalf("seed %d: session %d of %s moved: %+v, was %+v", seed, s.Number, g.ID, n, s)
			}
		}
		if slices.Equal(g.BabyIDs, h.BabyIDs) && string(mustJSON(t, g)) != string(mustJSON(t, *h)) {
			t.Fatalf("seed %d: group %s kept its members but changed:\n%s\nwas\n%s", seed, g.ID, mustJSON(t, *h), mustJSON(t, g))
		}
	}
	// A new group can only be one the changed baby completes (a mover makes
	// six at its new location).
	old := map[string]bool{}
	for _, g := range p.Groups {
		old[g.ID] = true
	}
	for _, g := range q.Groups {
		if !old[g.ID] && !slices.Contains(g.BabyIDs, changed) {
			t.Fatalf("seed %d: new group %s without %s", seed, g.ID, changed)
		}
	}
}
