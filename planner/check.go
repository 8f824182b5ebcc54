package planner

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
)

// Check verifies every hard rule of a plan against its input, independently of
// how the plan was made, and returns one line per violation. The property tests
// run it on random inputs; the service can run it on what is stored.
func Check(in *Input, p *Plan) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	w, err := build(in)
	if err != nil {
		return []string{"input: " + err.Error()}
	}
	y, _, _ := w.today.Parts()
	existing := map[string]bool{}
	for _, g := range in.Groups {
		existing[g.ID] = true
	}
	fixed := map[string]map[int]Session{}
	for _, f := range in.FixedSessions {
		if fixed[f.GroupID] == nil {
			fixed[f.GroupID] = map[int]Session{}
		}
		fixed[f.GroupID][f.Number] = f.Session
	}

	// Every baby is placed once or listed once.
	seen := map[string]string{}
	for _, g := range p.Groups {
		for _, id := range g.BabyIDs {
			if prev, ok := seen[id]; ok {
				fail("baby %s is in %s and in %s", id, prev, g.ID)
			}
			seen[id] = "group " + g.ID
		}
	}
	for _, u := range p.Unplaced {
		if prev, ok := seen[u.BabyID]; ok {
			fail("baby %s is unplaced and in %s", u.BabyID, prev)
		}
		seen[u.BabyID] = "unplaced"
		if b, ok := w.babies[u.BabyID]; ok {
			tooOld := w.today.Sub(b.birth) > b.loc.org.rules.lastMaxAge()
			if (u.Reason == ReasonTooOld) != tooOld {
				fail("baby %s is unplaced as %s, but too old = %v", u.BabyID, u.Reason, tooOld)
			}
		}
	}
	for _, b := range in.Babies {
		if _, ok := seen[b.ID]; !ok {
			fail("baby %s is neither placed nor listed", b.ID)
		}
	}

	type booking struct {
		what  string
		start time.Time
		end   time.Time
	}
	roomBookings := map[string][]booking{}
	facBookings := map[string][]booking{}
	weekly := map[string]map[int]int{}
	placed, sessions := 0, 0
	unplanned := map[string]map[int]bool{}
	for _, u := range p.UnplannedSessions {
		if unplanned[u.GroupID] == nil {
			unplanned[u.GroupID] = map[int]bool{}
		}
		unplanned[u.GroupID][u.Number] = true
	}
	groupIDs := map[string]bool{}
	for _, g := range p.Groups {
		groupIDs[g.ID] = true
		o, ok := w.orgs[g.OrganisationID]
		if !ok {
			fail("group %s: unknown organisation", g.ID)
			continue
		}
		r := o.rules
		holidays := holidaySet(y-1, y+3, r.avoidGoodFriday, r.avoidLiberationDay)
		l := w.locs[g.LocationID]
		if l == nil || l.org != o {
			fail("group %s: location %s is not one of %s", g.ID, g.LocationID, o.id)
			continue
		}
		if l.shortStay {
			fail("group %s: short-stay location %s forms a group", g.ID, l.id)
		}
		var babies []*baby
		for _, id := range g.BabyIDs {
			b := w.babies[id]
			if b == nil {
				fail("group %s: unknown baby %s", g.ID, id)
				continue
			}
			if b.loc != l && !containsLoc(l.catchment, b.loc) {
				fail("group %s: baby %s lives at %s, outside the group's location and catchment", g.ID, id, b.loc.id)
			}
			babies = append(babies, b)
		}
		placed += len(g.BabyIDs)
		if !existing[g.ID] && (len(babies) < r.groupMin || len(babies) > r.groupMax) {
			fail("group %s has %d babies; want %d to %d", g.ID, len(babies), r.groupMin, r.groupMax)
		}
		if len(babies) > r.groupMax {
			fail("group %s has %d babies; more than %d", g.ID, len(babies), r.groupMax)
		}
		if len(babies) > 0 {
			oldest, youngest := babies[0].birth, babies[0].birth
			for _, b := range babies {
				oldest, youngest = min(oldest, b.birth), max(youngest, b.birth)
			}
			if youngest.Sub(oldest) > r.birthWindow {
				fail("group %s: births %d days apart; at most %d", g.ID, youngest.Sub(oldest), r.birthWindow)
			}
		}
		if len(g.Sessions) == 0 {
			fail("group %s has no session", g.ID)
		}
		var prev civil.Date
		prevNumber := 0
		planned := map[int]bool{}
		for _, s := range g.Sessions {
			sessions++
			planned[s.Number] = true
			what := fmt.Sprintf("group %s session %d", g.ID, s.Number)
			if unplanned[g.ID][s.Number] {
				fail("%s is planned and listed as unplanned", what)
			}
			start, err1 := time.Parse(time.RFC3339, s.Start)
			end, err2 := time.Parse(time.RFC3339, s.End)
			if err1 != nil || err2 != nil {
				fail("%s: bad times %q %q", what, s.Start, s.End)
				continue
			}
			d, from := civil.WallClock(start)
			_, to := civil.WallClock(end)
			if s.Number <= prevNumber {
				fail("%s comes after session %d", what, prevNumber)
			}
			if prevNumber > 0 && d.Sub(prev) < r.minGap {
				fail("%s is %d days after the session before; at least %d", what, d.Sub(prev), r.minGap)
			}
			prev, prevNumber = d, s.Number
			for _, fid := range s.FacilitatorIDs {
				facBookings[fid] = append(facBookings[fid], booking{what, start, end})
				if weekly[fid] == nil {
					weekly[fid] = map[int]int{}
				}
				weekly[fid][d.ISOWeek()]++
			}
			roomBookings[s.RoomID] = append(roomBookings[s.RoomID], booking{what, start, end})
			if f, ok := fixed[g.ID][s.Number]; ok {
				if fmt.Sprint(f) != fmt.Sprint(s) {
					fail("%s: fixed session changed: %+v became %+v", what, f, s)
				}
				continue
			}
			if _, off := start.Zone(); off != offsetAt(start) {
				fail("%s: start %s is not in Europe/Amsterdam time", what, s.Start)
			}
			if int(to-from) != r.sessionMinutes || !end.After(start) {
				fail("%s lasts %d minutes; want %d", what, to-from, r.sessionMinutes)
			}
			if wd := d.ISOWeekday(); wd > 5 {
				fail("%s is on a weekend (%s)", what, d)
			}
			if holidays[d] {
				fail("%s is on a holiday (%s)", what, d)
			}
			if d < w.today.AddDays(r.notice) {
				fail("%s on %s is within the notice period", what, d)
			}
			if s.Number < 1 || s.Number > len(r.sessions) {
				fail("%s: no such session in the programme", what)
				continue
			}
			rule := r.sessions[s.Number-1]
			for _, b := range babies {
				if age := d.Sub(b.birth); age < rule.MinAgeDays || age > rule.MaxAgeDays {
					fail("%s on %s: baby %s is %d days old, outside %d-%d", what, d, b.id, age, rule.MinAgeDays, rule.MaxAgeDays)
				}
			}
			rm := w.rooms[s.RoomID]
			if rm == nil || rm.loc != l {
				fail("%s: room %s is not at %s", what, s.RoomID, l.id)
				continue
			}
			if !civil.Covers(rm.open, d.ISOWeekday(), from, to) {
				fail("%s: room %s is not open %s %s-%s", what, rm.id, d, from, to)
			}
			if inRanges(rm.closed, d) {
				fail("%s: room %s is closed on %s", what, rm.id, d)
			}
			if !rm.busy.free(d, span{from, to}) { // the checker's world holds only the rooms' blocks
				fail("%s: room %s is blocked on %s %s-%s", what, rm.id, d, from, to)
			}
			if len(s.FacilitatorIDs) != 2 || s.FacilitatorIDs[0] == s.FacilitatorIDs[1] {
				fail("%s: facilitators %v; want 2 different", what, s.FacilitatorIDs)
				continue
			}
			lead := false
			var pair [2]*fac
			for i, fid := range s.FacilitatorIDs {
				f := w.facs[fid]
				if f == nil || f.org != o {
					fail("%s: facilitator %s is not of %s", what, fid, o.id)
					continue
				}
				pair[i] = f
				lead = lead || (f.nurse && f.coTrained)
				if !civil.Covers(f.avail, d.ISOWeekday(), from, to) {
					fail("%s: facilitator %s is not available %s %s-%s", what, fid, d, from, to)
				}
				if inRanges(f.absent, d) {
					fail("%s: facilitator %s is absent on %s", what, fid, d)
				}
			}
			if !lead {
				fail("%s: no CO-trained nurse among %v", what, s.FacilitatorIDs)
			}
			if pair[0] != nil && pair[1] != nil {
				want := interpreterLanguages(babies, pair)
				if !slices.Equal(want, s.InterpreterLanguages) {
					fail("%s: interpreter languages %v; want %v", what, s.InterpreterLanguages, want)
				}
			}
			if need := seatsNeeded(len(babies), s.InterpreterLanguages); rm.capacity < need {
				fail("%s: room %s seats %d; the session needs %d", what, rm.id, rm.capacity, need)
			}
		}
		// Every session of the programme is planned, listed, or outgrown.
		if len(babies) > 0 {
			oldest := babies[0].birth
			for _, b := range babies {
				oldest = min(oldest, b.birth)
			}
			for k, rule := range r.sessions {
				n := k + 1
				if planned[n] || unplanned[g.ID][n] {
					continue
				}
				if oldest.AddDays(rule.MaxAgeDays) >= w.today {
					fail("group %s session %d is neither planned nor listed", g.ID, n)
				}
			}
		}
	}
	for _, u := range p.UnplannedSessions {
		if !groupIDs[u.GroupID] {
			fail("unplanned session %d names group %s, which is not in the plan", u.Number, u.GroupID)
		}
	}
	overlaps := func(kind string, m map[string][]booking) {
		for id, bs := range m {
			sort.Slice(bs, func(i, j int) bool { return bs[i].start.Before(bs[j].start) })
			for i := 1; i < len(bs); i++ {
				if bs[i].start.Before(bs[i-1].end) {
					fail("%s %s is booked twice: %s and %s", kind, id, bs[i-1].what, bs[i].what)
				}
			}
		}
	}
	overlaps("room", roomBookings)
	overlaps("facilitator", facBookings)
	for fid, weeks := range weekly {
		f := w.facs[fid]
		if f == nil {
			continue
		}
		for week, n := range weeks {
			if n > f.maxWeek {
				fail("facilitator %s has %d sessions in one week (ISO week index %d); at most %d", fid, n, week, f.maxWeek)
			}
		}
	}
	if p.Stats.Placed != placed || p.Stats.Groups != len(p.Groups) || p.Stats.Sessions != sessions || p.Stats.Babies != len(in.Babies) {
		fail("stats %+v do not match the plan (placed %d, groups %d, sessions %d)", p.Stats, placed, len(p.Groups), sessions)
	}
	return bad
}

func offsetAt(t time.Time) int {
	_, off := t.In(civil.Amsterdam).Zone()
	return off
}
