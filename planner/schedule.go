package planner

import (
	"slices"
	"sort"

	"github.com/coplan/coplan/civil"
)

// startStep is the granularity of session start times.
const startStep = 30

// prepare computes, for every room of o, the start times at which a session
// fits inside the opening hours, and books the fixed sessions of o's groups
// into the rooms' and facilitators' calendars.
func (w *world) prepare(o *org) {
	dur := civil.Clock(o.rules.sessionMinutes)
	for _, l := range o.locs {
		for _, rm := range l.rooms {
			for wd := 1; wd <= 7; wd++ {
				rm.starts[wd] = nil
			}
			open := append([]civil.Weekly{}, rm.open...)
			sort.Slice(open, func(i, j int) bool { return open[i].From < open[j].From })
			for _, iv := range open {
				for t := iv.From; t+dur <= iv.To; t += startStep {
					rm.starts[iv.Weekday] = append(rm.starts[iv.Weekday], t)
				}
			}
		}
	}
	for _, g := range o.existing {
		for _, s := range g.sessions {
			if s.cancelled {
				continue
			}
			if s.room != nil {
				s.room.busy.add(s.date, span{s.start, s.end})
			}
			for _, f := range s.facs {
				if f != nil {
					f.busy.add(s.date, span{s.start, s.end})
					f.week[s.date.ISOWeek()]++
					f.load++
				}
			}
		}
	}
}

// schedule plans the sessions of every group of o, the group with the oldest
// babies first, because its sessions come soonest. Existing and new groups share
// this order, so re-planning unchanged data reproduces the plan it came from.
func (w *world) schedule(o *org, groups []*group) {
	w.prepare(o)
	oldest := func(g *group) civil.Date {
		if len(g.babies) == 0 {
			return 0
		}
		return g.babies[0].birth
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if oldest(a) != oldest(b) {
			return oldest(a) < oldest(b)
		}
		return a.id < b.id
	})
	for _, g := range groups {
		w.scheduleGroup(o, g)
	}
}

func (w *world) scheduleGroup(o *org, g *group) {
	r := &o.rules
	g.unplanned = map[int]string{}
	if len(g.babies) == 0 {
		return
	}
	earliest := w.today.AddDays(r.notice)
	// An existing group keeps the weekday, time, room and pair of its last held session.
	if last := lastHeld(g); last > 0 {
		s := g.sessions[last]
		g.anchorDay, g.anchorAt = s.date.ISOWeekday(), s.start
		if g.room == nil {
			g.room = s.room
		}
		if g.pair[0] == nil && validPair(s.facs) {
			g.pair = s.facs
		}
	}
	var prev civil.Date
	havePrev := false
	for k := 1; k <= len(r.sessions); k++ {
		if g.fixed[k] {
			if !g.sessions[k].cancelled {
				prev, havePrev = g.sessions[k].date, true
			}
			continue
		}
		g.att = g.attendanceCached(k)
		if len(g.att.babies) == 0 {
			continue // nobody attends yet: every member joined later
		}
		oldest, youngest := g.att.oldest(), g.att.youngest()
		rule := r.sessions[k-1]
		lo, hi := window(rule, oldest, youngest)
		if hi < w.today {
			continue // the babies have outgrown this session: history, not a gap
		}
		// Two sessions of a group are never on one day, even with
		// min_days_between_sessions 0: on one day they could fall out of order.
		gap := max(r.minGap, 1)
		if next := nextFixed(g, k); next != nil {
			hi = min(hi, next.date.AddDays(-gap))
		}
		ageLo := lo
		lo = max(lo, earliest)
		if havePrev {
			lo = max(lo, prev.AddDays(gap))
		}
		if lo > hi {
			switch {
			case earliest > hi:
				g.unplanned[k] = ReasonTooSoon
			case ageLo > hi:
				g.unplanned[k] = ReasonNoSlot
			default:
				g.unplanned[k] = ReasonOutOfOrder
			}
			continue
		}
		target := oldest.AddDays(youngest.Sub(oldest)/2 + rule.TargetAgeDays)
		s, reason := w.findSlot(o, g, lo, hi, target)
		if s == nil {
			g.unplanned[k] = reason
			continue
		}
		s.number = k
		w.book(s)
		g.sessions[k] = s
		prev, havePrev = s.date, true
		if g.pair[0] == nil {
			g.pair, g.room = s.facs, s.room
		}
		if g.anchorDay == 0 {
			g.anchorDay, g.anchorAt = s.date.ISOWeekday(), s.start
		}
	}
}

func nextFixed(g *group, k int) *session {
	for n := k + 1; n <= len(g.org.rules.sessions); n++ {
		if g.fixed[n] && !g.sessions[n].cancelled {
			return g.sessions[n]
		}
	}
	return nil
}

func (w *world) book(s *session) {
	sp := span{s.start, s.end}
	s.room.busy.add(s.date, sp)
	for _, f := range s.facs {
		f.busy.add(s.date, sp)
		f.week[s.date.ISOWeek()]++
		f.load++
	}
}

// candidateDates lists the days in [lo, hi] the organisation meets on that are not holidays,
// nearest to target first.
func (w *world) candidateDates(o *org, lo, hi, target civil.Date) []civil.Date {
	target = min(max(target, lo), hi)
	out := make([]civil.Date, 0, hi.Sub(lo)+1)
	for d := lo; d <= hi; d++ {
		if o.rules.weekdays[d.ISOWeekday()] && !o.rules.holidays[d] {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := abs(out[i].Sub(target)), abs(out[j].Sub(target))
		if di != dj {
			return di < dj
		}
		return out[i] < out[j]
	})
	return out
}

// findSlot finds a date, start, room and pair of facilitators for one session
// of g in [lo, hi]. It tries, in order of the soft rules: the group's own pair,
// room, weekday and time; then its pair at another room or time; then any pair.
// Within each tier the date nearest to the target age wins.
func (w *world) findSlot(o *org, g *group, lo, hi, target civil.Date) (*session, string) {
	dur := civil.Clock(o.rules.sessionMinutes)
	dates := w.candidateDates(o, lo, hi, target)
	rooms := w.roomOrder(g)
	if g.pair[0] != nil && g.room != nil && g.anchorDay != 0 {
		for _, d := range dates {
			if d.ISOWeekday() == g.anchorDay {
				if s := w.try(g, d, g.anchorAt, dur, g.room, g.pair); s != nil {
					return s, ""
				}
			}
		}
	}
	if g.pair[0] != nil {
		for _, d := range dates {
			for _, rm := range rooms {
				for _, t := range w.startsOn(rm, d, g) {
					if s := w.try(g, d, t, dur, rm, g.pair); s != nil {
						return s, ""
					}
				}
			}
		}
	}
	roomUsable := false
	for _, d := range dates {
		for _, rm := range rooms {
			if !w.roomOpenOn(rm, d) {
				continue
			}
			for _, t := range w.startsOn(rm, d, g) {
				sp := span{t, t + dur}
				if !rm.busy.free(d, sp) || rm.capacity < 2*len(g.att.babies)+2 {
					continue
				}
				roomUsable = true
				if pair, ok := w.bestPair(o, g, d, sp, rm); ok {
					return w.session(g, d, sp, rm, pair), ""
				}
			}
		}
	}
	if !roomUsable {
		return nil, ReasonNoRoom
	}
	return nil, ReasonNoFacilitators
}

// roomOrder is the group's own room first, then the location's other rooms that
// can seat it, largest first.
func (w *world) roomOrder(g *group) []*room {
	rooms := append([]*room{}, g.loc.rooms...)
	sort.SliceStable(rooms, func(i, j int) bool {
		if (rooms[i] == g.room) != (rooms[j] == g.room) {
			return rooms[i] == g.room
		}
		if rooms[i].capacity != rooms[j].capacity {
			return rooms[i].capacity > rooms[j].capacity
		}
		return rooms[i].id < rooms[j].id
	})
	return rooms
}

// startsOn lists a room's start times on d, the group's usual time first.
func (w *world) startsOn(rm *room, d civil.Date, g *group) []civil.Clock {
	starts := rm.starts[d.ISOWeekday()]
	if g.anchorDay == 0 || len(starts) == 0 {
		return starts
	}
	for i, t := range starts {
		if t == g.anchorAt && i > 0 {
			out := make([]civil.Clock, 0, len(starts))
			out = append(out, t)
			out = append(out, starts[:i]...)
			return append(out, starts[i+1:]...)
		}
	}
	return starts
}

func (w *world) roomOpenOn(rm *room, d civil.Date) bool {
	return len(rm.starts[d.ISOWeekday()]) > 0 && !inRanges(rm.closed, d)
}

// facFree reports whether f can facilitate during sp on d.
func facFree(f *fac, d civil.Date, sp span) bool {
	return f.maxWeek > 0 &&
		civil.Covers(f.avail, d.ISOWeekday(), sp.from, sp.to) &&
		f.week[d.ISOWeek()] < f.maxWeek &&
		!inRanges(f.absent, d) &&
		f.busy.free(d, sp)
}

// try checks one complete candidate and returns it as a session if valid.
func (w *world) try(g *group, d civil.Date, t, dur civil.Clock, rm *room, pair [2]*fac) *session {
	sp := span{t, t + dur}
	if !w.roomOpenOn(rm, d) || !containsClock(rm.starts[d.ISOWeekday()], t) || !rm.busy.free(d, sp) {
		return nil
	}
	if !facFree(pair[0], d, sp) || !facFree(pair[1], d, sp) {
		return nil
	}
	if rm.capacity < seats(len(g.att.babies), needsInterpreter(g, pair)) {
		return nil
	}
	return w.session(g, d, sp, rm, pair)
}

func containsClock(cs []civil.Clock, t civil.Clock) bool {
	for _, c := range cs {
		if c == t {
			return true
		}
	}
	return false
}

// seats: 2 per family, 2 facilitators and 1 interpreter when needed.
func seats(families int, interpreter bool) int {
	n := 2*families + 2
	if interpreter {
		n++
	}
	return n
}

func seatsNeeded(families int, langs []string) int { return seats(families, len(langs) > 0) }

func needsInterpreter(g *group, pair [2]*fac) bool {
	return missing(g.att.langSet, pair[0].langSet, pair[1].langSet) > 0
}

func (w *world) session(g *group, d civil.Date, sp span, rm *room, pair [2]*fac) *session {
	langs := []string{}
	for _, l := range g.att.langs {
		if bit := w.languages[l]; !pair[0].langSet.has(bit) && !pair[1].langSet.has(bit) {
			langs = append(langs, l)
		}
	}
	return &session{date: d, start: sp.from, end: sp.to, room: rm, facs: pair, langs: langs}
}

// bestPair picks two free facilitators for a session, one a CO-trained nurse:
// the group's own where possible, then those who leave fewest languages to
// an interpreter, then the least loaded (language coverage before load: a
// circle with one interpreter less is worth more than an even spread).
func (w *world) bestPair(o *org, g *group, d civil.Date, sp span, rm *room) ([2]*fac, bool) {
	var free []*fac
	for _, f := range o.facs {
		if facFree(f, d, sp) {
			free = append(free, f)
		}
	}
	var best [2]*fac
	found := false
	var bestKey [5]int
	for _, lead := range free {
		if !lead.nurse || !lead.coTrained {
			continue
		}
		for _, second := range free {
			if second == lead || (second.nurse && second.coTrained && second.id < lead.id) {
				continue // each pair of two CO-trained nurses once, the lower id leading
			}
			pair := [2]*fac{lead, second}
			missing := missing(g.att.langSet, lead.langSet, second.langSet)
			if rm.capacity < seats(len(g.att.babies), missing > 0) {
				continue
			}
			cont := 0
			for _, f := range pair {
				if f == g.pair[0] || f == g.pair[1] {
					cont++
				}
			}
			key := [5]int{-cont, missing, max(lead.load, second.load), lead.load + second.load, 0}
			if !found || lessKey(key, bestKey) || (key == bestKey && pairID(pair) < pairID(best)) {
				best, bestKey, found = pair, key, true
			}
		}
	}
	return best, found
}

func lessKey(a, b [5]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func pairID(p [2]*fac) string { return p[0].id + "\x00" + p[1].id }

// interpreterLanguages are the families' languages that neither facilitator
// speaks, sorted. The scheduler uses language bit sets; the checker this plain form.
func interpreterLanguages(babies []*baby, pair [2]*fac) []string {
	var out []string
	for _, b := range babies {
		if b.lang == "" || slices.Contains(pair[0].langs, b.lang) || slices.Contains(pair[1].langs, b.lang) {
			continue
		}
		i := sort.SearchStrings(out, b.lang)
		if i < len(out) && out[i] == b.lang {
			continue
		}
		out = append(out, "")
		copy(out[i+1:], out[i:])
		out[i] = b.lang
	}
	if out == nil {
		out = []string{}
	}
	return out
}
