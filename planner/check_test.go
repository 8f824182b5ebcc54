package planner_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
)

// checkFixture is a small valid world whose plan can be bent to break one rule
// at a time: rooms open and staff available every day from 08:00 to 18:00 (so
// that moving a session breaks only the rule under test), a programme of three
// sessions with wide age windows (so that spacing and order can be bent without
// leaving a window), twelve Dutch-speaking babies in two groups, and one baby
// too old for the programme.
func checkFixture() *planner.Input {
	all := func() []civil.Weekly {
		var ws []civil.Weekly
		for d := 1; d <= 7; d++ {
			ws = append(ws, weekly(d, "08:00", "18:00"))
		}
		return ws
	}
	room := func(id string) planner.Room { return planner.Room{ID: id, Capacity: 24, Open: all()} }
	five := 5
	staff := func(id, org, role string, trained bool) planner.Facilitator {
		return planner.Facilitator{ID: id, OrganisationID: org, Role: role, COTrained: trained, Available: all(),
			MaxSessionsPerWeek: &five, Languages: []string{"nl"}}
	}
	in := &planner.Input{Today: date("2027-02-20"),
		Rules: &planner.Rules{Sessions: []planner.SessionRule{{MinAgeDays: 28, TargetAgeDays: 42, MaxAgeDays: 200},
			{MinAgeDays: 28, TargetAgeDays: 91, MaxAgeDays: 300}, {MinAgeDays: 28, TargetAgeDays: 122, MaxAgeDays: 400}}},
		Organisations: []planner.Organisation{{ID: "ggd"}, {ID: "other"}},
		Locations: []planner.Location{
			{ID: "azc", OrganisationID: "ggd", Rooms: []planner.Room{room("r1"), room("r2")}},
			{ID: "far", OrganisationID: "ggd", Rooms: []planner.Room{room("rf")}},
			{ID: "elsewhere", OrganisationID: "other", Rooms: []planner.Room{room("re")}},
		},
		Facilitators: []planner.Facilitator{staff("n1", "ggd", "nurse", true), staff("n2", "ggd", "nurse", true),
			staff("n3", "ggd", "nurse", true), staff("d1", "ggd", "doctor", false), staff("d2", "ggd", "doctor", false),
			staff("x1", "other", "nurse", true)},
		Groups: []planner.ExistingGroup{}, FixedSessions: []planner.FixedSession{},
	}
	for i := 0; i < 12; i++ {
		in.Babies = append(in.Babies, planner.Baby{ID: fmt.Sprintf("b%02d", i), BirthDate: date("2027-01-20").AddDays(i % 3), LocationID: "azc", Language: "nl"})
	}
	in.Babies = append(in.Babies, planner.Baby{ID: "old", BirthDate: date("2025-06-01"), LocationID: "azc", Language: "nl"})
	return in
}

// bent is one copy of the fixture and its plan, for one case to change.
type bent struct {
	in *planner.Input
	p  *planner.Plan
}

func (b *bent) group(i int) *planner.Group { return &b.p.Groups[i] }

func (b *bent) session(g, number int) *planner.Session {
	for i := range b.p.Groups[g].Sessions {
		if b.p.Groups[g].Sessions[i].Number == number {
			return &b.p.Groups[g].Sessions[i]
		}
	}
	panic("no such session")
}

// moveTo puts a session on date d at its own time of day.
func moveTo(s *planner.Session, d civil.Date) {
	_, from := civil.WallClock(s.Start)
	length := s.End.Sub(s.Start)
	s.Start = d.At(int(from))
	s.End = s.Start.Add(length)
}

func (b *bent) room(id string) *planner.Room {
	for i := range b.in.Locations {
		for j := range b.in.Locations[i].Rooms {
			if b.in.Locations[i].Rooms[j].ID == id {
				return &b.in.Locations[i].Rooms[j]
			}
		}
	}
	panic("no room " + id)
}

func (b *bent) facilitator(id string) *planner.Facilitator {
	for i := range b.in.Facilitators {
		if b.in.Facilitators[i].ID == id {
			return &b.in.Facilitators[i]
		}
	}
	panic("no facilitator " + id)
}

// others are CO-trained-nurse-led pairs of the organisation's staff that are
// not in the pair given.
func othersThan(pair []string) []string {
	var nurses, rest []string
	for _, id := range []string{"n1", "n2", "n3", "d1", "d2"} {
		switch {
		case slices.Contains(pair, id):
		case id[0] == 'n':
			nurses = append(nurses, id)
		default:
			rest = append(rest, id)
		}
	}
	return []string{nurses[0], append(nurses[1:], rest...)[0]}
}

func copyOf[T any](t *testing.T, v *T) *T {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// Every rule code has a case that breaks exactly that rule and nothing else.
func TestEachRuleHasACaseThatBreaksExactlyIt(t *testing.T) {
	base := checkFixture()
	plan, err := planner.Run(base)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, base, plan)
	if len(plan.Groups) != 2 || len(plan.Groups[0].Sessions) != 3 || len(plan.Groups[1].Sessions) != 3 || len(plan.Unplaced) != 1 {
		t.Fatalf("the fixture should plan two groups of three sessions and leave the old baby: %+v", plan)
	}
	cases := map[planner.Rule]func(b *bent){
		planner.RuleBabyPlacedTwice: func(b *bent) {
			b.p.Unplaced = append(b.p.Unplaced, planner.Unplaced{BabyID: b.group(0).BabyIDs[0], Reason: planner.ReasonTooFewBabies})
		},
		planner.RuleBabyNotAccounted: func(b *bent) { b.p.Unplaced = nil },
		planner.RuleUnplacedReason:   func(b *bent) { b.p.Unplaced[0].Reason = planner.ReasonTooFewBabies },
		planner.RuleUnknownBaby: func(b *bent) {
			b.group(0).BabyIDs = append(b.group(0).BabyIDs, "ghost")
			b.p.Stats.Placed++
		},
		planner.RuleUnknownGroup: func(b *bent) {
			b.p.UnplannedSessions = append(b.p.UnplannedSessions, planner.UnplannedSession{GroupID: "g-none", Number: 1, Reason: planner.ReasonNoSlot})
		},
		planner.RuleStats: func(b *bent) { b.p.Stats.Groups++ },
		planner.RulePlannedAndUnplanned: func(b *bent) {
			b.p.UnplannedSessions = append(b.p.UnplannedSessions, planner.UnplannedSession{GroupID: b.group(0).ID, Number: 1, Reason: planner.ReasonNoSlot})
		},
		planner.RuleSessionNotAccounted: func(b *bent) {
			b.group(0).Sessions = b.group(0).Sessions[:2]
			b.p.Stats.Sessions--
		},
		planner.RuleNoSessions: func(b *bent) {
			g := b.group(0)
			for _, s := range g.Sessions {
				b.p.UnplannedSessions = append(b.p.UnplannedSessions, planner.UnplannedSession{GroupID: g.ID, Number: s.Number, Reason: planner.ReasonNoSlot})
			}
			b.p.Stats.Sessions -= len(g.Sessions)
			g.Sessions = []planner.Session{}
		},
		planner.RuleFixedChanged: func(b *bent) {
			g := b.group(0)
			b.in.Groups = append(b.in.Groups, planner.ExistingGroup{ID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID,
				RoomID: g.RoomID, FacilitatorIDs: g.FacilitatorIDs, BabyIDs: g.BabyIDs})
			b.in.FixedSessions = append(b.in.FixedSessions, planner.FixedSession{GroupID: g.ID, Session: *b.session(0, 1)})
			ids := b.session(0, 1).FacilitatorIDs
			b.session(0, 1).FacilitatorIDs = []string{ids[1], ids[0]}
		},
		planner.RuleNotInProgramme: func(b *bent) {
			extra := *b.session(0, 3)
			extra.Number = 4
			moveTo(&extra, civil.Today(extra.Start).AddDays(30))
			b.group(0).Sessions = append(b.group(0).Sessions, extra)
			b.p.Stats.Sessions++
		},
		planner.RuleInterpreterLangs: func(b *bent) { b.session(0, 2).InterpreterLanguages = []string{"fa"} },
		planner.RuleWrongOrganisation: func(b *bent) {
			b.session(0, 2).FacilitatorIDs = []string{b.session(0, 2).FacilitatorIDs[0], "x1"}
		},
		planner.RuleShortStay:        func(b *bent) { b.in.Locations[0].ShortStay = true },
		planner.RuleOutsideCatchment: func(b *bent) { b.in.Babies[0].LocationID = "far" },
		planner.RuleGroupSize:        func(b *bent) { b.in.Rules.GroupMax, b.in.Rules.GroupMin = ptr(5), ptr(4) },
		planner.RuleBirthWindow:      func(b *bent) { b.in.Rules.BirthWindowDays = ptr(0) },
		planner.RuleLateJoin: func(b *bent) {
			g := b.group(0)
			g.JoinedFrom = map[string]int{g.BabyIDs[0]: 3} // 1 session of 3 left, and 3 are needed
		},
		planner.RuleOrder: func(b *bent) {
			g := b.group(0)
			g.Sessions[0].Number, g.Sessions[1].Number = 2, 1
		},
		planner.RuleMinGap: func(b *bent) {
			moveTo(b.session(0, 2), civil.Today(b.session(0, 1).Start).AddDays(7))
		},
		planner.RuleDuration: func(b *bent) { b.session(0, 2).End = b.session(0, 2).End.Add(30 * time.Minute) },
		planner.RuleWeekend: func(b *bent) {
			d := civil.Today(b.session(0, 2).Start)
			for d.ISOWeekday() != 6 {
				d = d.AddDays(1)
			}
			moveTo(b.session(0, 2), d)
		},
		planner.RuleHoliday: func(b *bent) { moveTo(b.session(0, 2), date("2027-04-27")) }, // King's Day, a Tuesday
		planner.RuleNotice:  func(b *bent) { moveTo(b.session(0, 1), date("2027-02-22")) },
		planner.RuleAgeWindow: func(b *bent) {
			for i, id := range b.group(0).BabyIDs {
				if i == 0 {
					for j := range b.in.Babies {
						if b.in.Babies[j].ID == id {
							b.in.Babies[j].BirthDate = civil.Today(b.session(0, 1).Start).AddDays(-20)
						}
					}
				}
			}
		},
		planner.RuleWrongLocation:       func(b *bent) { b.session(0, 2).RoomID = "rf" },
		planner.RuleOutsideOpeningHours: func(b *bent) { b.room(b.session(0, 2).RoomID).Open = []civil.Weekly{weekly(7, "08:00", "18:00")} },
		planner.RuleClosed: func(b *bent) {
			d := civil.Today(b.session(0, 2).Start)
			b.room(b.session(0, 2).RoomID).Closed = []civil.Range{{From: d, To: d}}
		},
		planner.RuleBlocked: func(b *bent) {
			s := b.session(0, 2)
			b.room(s.RoomID).Blocks = []planner.TimeRange{{Start: s.Start.Add(30 * time.Minute), End: s.End}}
		},
		planner.RuleFacilitatorCount: func(b *bent) { b.session(0, 2).FacilitatorIDs = b.session(0, 2).FacilitatorIDs[:1] },
		planner.RuleOutsideAvailability: func(b *bent) {
			b.facilitator(b.session(0, 2).FacilitatorIDs[1]).Available = []civil.Weekly{weekly(7, "08:00", "18:00")}
		},
		planner.RuleAbsent: func(b *bent) {
			d := civil.Today(b.session(0, 2).Start)
			b.facilitator(b.session(0, 2).FacilitatorIDs[1]).Absent = []civil.Range{{From: d, To: d}}
		},
		planner.RuleNoCONurse: func(b *bent) {
			for _, id := range b.session(0, 2).FacilitatorIDs {
				b.facilitator(id).COTrained = false
			}
		},
		planner.RuleRoomTooSmall: func(b *bent) { b.room(b.session(0, 2).RoomID).Capacity = 13 },
		planner.RuleRoomDoubleBooked: func(b *bent) {
			a, s := b.session(0, 1), b.session(1, 1)
			s.Start, s.End, s.RoomID, s.FacilitatorIDs = a.Start, a.End, a.RoomID, othersThan(a.FacilitatorIDs)
		},
		planner.RuleFacilitatorDoubleBooked: func(b *bent) {
			a, s := b.session(0, 1), b.session(1, 1)
			room := "r1"
			if a.RoomID == "r1" {
				room = "r2"
			}
			s.Start, s.End, s.RoomID, s.FacilitatorIDs = a.Start, a.End, room, a.FacilitatorIDs
		},
		planner.RuleWeeklyMax: func(b *bent) { b.facilitator(b.session(0, 1).FacilitatorIDs[0]).MaxSessionsPerWeek = ptr(0) },
	}
	for _, rule := range planner.AllRules {
		t.Run(string(rule), func(t *testing.T) {
			bend, ok := cases[rule]
			if !ok {
				t.Fatalf("no case breaks %s", rule)
			}
			b := &bent{in: copyOf(t, base), p: copyOf(t, plan)}
			bend(b)
			if _, err := planfile.Marshal(b.in); err != nil {
				t.Fatal(err)
			}
			got, err := planner.Check(b.in, b.p)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			rules := map[planner.Rule]bool{}
			for _, v := range got {
				rules[v.Rule] = true
			}
			if len(rules) != 1 || !rules[rule] {
				var names []string
				for _, v := range got {
					names = append(names, v.String())
				}
				sort.Strings(names)
				t.Fatalf("want only %s, got %v", rule, names)
			}
		})
	}
}

// A double booking names both sessions.
func TestDoubleBookingsNameBothSessions(t *testing.T) {
	base := checkFixture()
	plan, _ := planner.Run(base)
	b := &bent{in: base, p: plan}
	a, s := b.session(0, 1), b.session(1, 1)
	s.Start, s.End, s.RoomID = a.Start.Add(30*time.Minute), a.End.Add(-30*time.Minute), a.RoomID
	s.FacilitatorIDs = othersThan(a.FacilitatorIDs)
	got, _ := planner.Check(b.in, b.p)
	var clash *planner.Violation
	for i := range got {
		if got[i].Rule == planner.RuleRoomDoubleBooked {
			clash = &got[i]
		}
	}
	if clash == nil || clash.RoomID != a.RoomID || len(clash.Sessions()) != 2 {
		t.Fatalf("want a room double booking naming both sessions: %v", got)
	}
	refs := clash.Sessions()
	if refs[0] == refs[1] || !slices.ContainsFunc(refs, func(r planner.SessionRef) bool { return r.GroupID == b.group(0).ID && r.Number == 1 }) {
		t.Fatalf("the clash names %v", refs)
	}
}
