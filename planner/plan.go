package planner

import (
	"github.com/coplan/coplan/civil"
	"sort"
)

// Run plans every organisation of in. Invalid input gives Problems naming the
// JSON path of each; the same input always gives the same plan.
func Run(in *Input) (*Plan, error) {
	w, err := build(in)
	if err != nil {
		return nil, err
	}
	y, _, _ := w.today.Parts()
	out := &Plan{Groups: []Group{}, Unplaced: []Unplaced{}, UnplannedSessions: []UnplannedSession{}}
	orgs := append([]*org{}, w.orgOrder...)
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].id < orgs[j].id })
	for _, o := range orgs {
		// Babies are at most two years old and sessions at most a few years ahead.
		o.rules.holidays = o.rules.closedDays(y-1, y+3)
		groups, unplaced := w.cohorts(o)
		w.schedule(o, groups)
		w.collect(o, groups, unplaced, out)
	}
	sort.Slice(out.Unplaced, func(i, j int) bool { return out.Unplaced[i].BabyID < out.Unplaced[j].BabyID })
	out.Stats.Babies = len(in.Babies)
	per, total := measure(in, out, func(id string) (civil.Date, string, string) {
		if b := w.babies[id]; b != nil {
			return b.birth, b.lang, b.loc.org.id
		}
		return 0, "", ""
	})
	out.Stats.Quality, out.Stats.Organisations = &total, per
	return out, nil
}

// collect writes one organisation's groups into the plan. A group without a
// single planned session places nobody: its babies are listed as unplaced.
func (w *world) collect(o *org, groups []*group, unplaced map[*baby]string, out *Plan) {
	for b, reason := range unplaced {
		out.Unplaced = append(out.Unplaced, Unplaced{BabyID: b.id, Reason: reason})
	}
	var kept []Group
	for _, g := range groups {
		if len(g.sessions) == 0 {
			reason := dominantReason(g.unplanned)
			for _, b := range g.babies {
				out.Unplaced = append(out.Unplaced, Unplaced{BabyID: b.id, Reason: reason})
			}
			continue
		}
		og := Group{ID: g.id, OrganisationID: o.id, LocationID: g.loc.id, FacilitatorIDs: []string{}, BabyIDs: []string{}, Sessions: []Session{}}
		if g.room != nil {
			og.RoomID = g.room.id
		}
		for _, f := range g.pair {
			if f != nil {
				og.FacilitatorIDs = append(og.FacilitatorIDs, f.id)
			}
		}
		for _, b := range g.babies {
			og.BabyIDs = append(og.BabyIDs, b.id)
			if b.from > 1 {
				if og.JoinedFrom == nil {
					og.JoinedFrom = map[string]int{}
				}
				og.JoinedFrom[b.id] = b.from
			}
		}
		sort.Strings(og.BabyIDs)
		numbers := make([]int, 0, len(g.sessions))
		for k := range g.sessions {
			numbers = append(numbers, k)
		}
		sort.Ints(numbers)
		for _, k := range numbers {
			og.Sessions = append(og.Sessions, w.output(g, g.sessions[k]))
		}
		unplannedNumbers := make([]int, 0, len(g.unplanned))
		for k := range g.unplanned {
			unplannedNumbers = append(unplannedNumbers, k)
		}
		sort.Ints(unplannedNumbers)
		for _, k := range unplannedNumbers {
			out.UnplannedSessions = append(out.UnplannedSessions, UnplannedSession{GroupID: g.id, Number: k, Reason: g.unplanned[k]})
		}
		out.Stats.Groups++
		out.Stats.Sessions += len(og.Sessions)
		out.Stats.Placed += len(og.BabyIDs)
		kept = append(kept, og)
	}
	sort.Slice(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		if a.LocationID != b.LocationID {
			return a.LocationID < b.LocationID
		}
		if !a.Sessions[0].Start.Equal(b.Sessions[0].Start) {
			return a.Sessions[0].Start.Before(b.Sessions[0].Start)
		}
		return a.ID < b.ID
	})
	out.Groups = append(out.Groups, kept...)
}

func dominantReason(m map[int]string) string {
	counts := map[string]int{}
	best := ReasonNoSlot
	for _, r := range m {
		counts[r]++
	}
	for r, n := range counts {
		if n > counts[best] || (n == counts[best] && r < best) {
			best = r
		}
	}
	return best
}

// output writes a session as the file format has it. A fixed session keeps
// what it was given, but one still ahead lists the interpreter languages of
// the members who attend it now (some may have joined or left).
func (w *world) output(g *group, s *session) Session {
	if s.fixed != nil {
		out := *s.fixed
		if out.FacilitatorIDs == nil {
			out.FacilitatorIDs = []string{}
		}
		if s.date > w.today && !s.cancelled && s.facs[0] != nil && s.facs[1] != nil {
			out.InterpreterLanguages = interpreterLanguages(g.attendance(s.number).babies, s.facs)
		}
		if out.InterpreterLanguages == nil {
			out.InterpreterLanguages = []string{}
		}
		return out
	}
	return Session{
		Number:               s.number,
		Start:                s.date.At(int(s.start)),
		End:                  s.date.At(int(s.end)),
		RoomID:               s.room.id,
		FacilitatorIDs:       []string{s.facs[0].id, s.facs[1].id},
		InterpreterLanguages: s.langs,
	}
}
