package planner

import (
	"slices"
	"sort"

	"github.com/coplan/coplan/civil"
)

// A late joiner is a baby who joins a running group: published, planned or
// not yet planned alike. It attends from the first remaining session that
// starts at least min_notice_days ahead and whose age window holds it, as long
// as min_sessions_for_late_join sessions remain for it; it is born within the
// birth window of the members, and every fixed session it would attend still
// seats the group. Fixed sessions keep their time, room and facilitators: only
// who attends them changes.

// seatMembers puts the members of o's existing groups in their groups: those
// still at the group's location or in its catchment. A member who moved away
// or withdrew is dropped for what is still to come.
func (w *world) seatMembers(o *org) {
	for _, g := range o.existing {
		for _, id := range g.memberIDs {
			b, ok := w.babies[id]
			if ok && b.group == nil && (b.loc == g.loc || containsLoc(g.loc.catchment, b.loc)) {
				w.join(g, b, max(1, g.joinedFrom[id]))
			}
		}
	}
}

// join makes b a member of g from session from on.
func (w *world) join(g *group, b *baby, from int) {
	b.group, b.from = g, from
	i := sort.Search(len(g.babies), func(i int) bool {
		o := g.babies[i]
		return o.birth > b.birth || (o.birth == b.birth && o.id > b.id)
	})
	g.babies = slices.Insert(g.babies, i, b)
	g.atts = nil
}

// joinRunning lets the babies of pool who still wait join the running groups
// at hub, each the best fitting one (see better).
func (w *world) joinRunning(o *org, hub *loc, pool []*baby) {
	for _, b := range pool {
		if b.group != nil {
			continue
		}
		if opts := w.joinOptions(o, hub, b); len(opts) > 0 {
			w.join(w.groups[opts[0].GroupID], b, opts[0].From)
		}
	}
}

// joinOptions lists the running groups at hub that b can join, best first:
// a group that speaks the family's language (a member or a facilitator), then
// the one whose births are nearest to b's, then the most sessions left.
func (w *world) joinOptions(o *org, hub *loc, b *baby) []JoinOption {
	type option struct {
		JoinOption
		distance int
	}
	var opts []option
	for _, g := range o.existing {
		if hub != nil && g.loc != hub {
			continue
		}
		if opt, why := w.joinPoint(g, b); why == "" {
			opts = append(opts, option{opt, abs(b.birth.Sub(g.middleBirth()))})
		}
	}
	sort.Slice(opts, func(i, j int) bool {
		a, c := opts[i], opts[j]
		switch {
		case a.SameLanguage != c.SameLanguage:
			return a.SameLanguage
		case a.distance != c.distance:
			return a.distance < c.distance
		case a.Sessions != c.Sessions:
			return a.Sessions > c.Sessions
		}
		return a.GroupID < c.GroupID
	})
	out := make([]JoinOption, len(opts))
	for i, o := range opts {
		out[i] = o.JoinOption
	}
	return out
}

func (g *group) middleBirth() civil.Date {
	first, last := g.babies[0].birth, g.babies[len(g.babies)-1].birth
	return first.AddDays(last.Sub(first) / 2)
}

// joinPoint is where b would join g, or the rule that keeps it out.
func (w *world) joinPoint(g *group, b *baby) (JoinOption, Rule) {
	r := &g.org.rules
	switch {
	case b.loc != g.loc && !containsLoc(g.loc.catchment, b.loc):
		return JoinOption{}, RuleOutsideCatchment
	case len(g.babies) == 0:
		return JoinOption{}, RuleNoSessions // a group that ended: nobody joins it
	case len(g.babies) >= groupLimit(g, r):
		return JoinOption{}, RuleGroupSize
	}
	oldest, youngest := min(g.babies[0].birth, b.birth), max(g.babies[len(g.babies)-1].birth, b.birth)
	if youngest.Sub(oldest) > r.birthWindow {
		return JoinOption{}, RuleBirthWindow
	}
	n, why := len(r.sessions), RuleAgeWindow
	for k := 1; k <= n; k++ {
		rule := w.attendsFrom(g, b, k)
		if rule == RuleRoomTooSmall {
			why = rule
		}
		if rule != "" {
			continue
		}
		if n-k+1 < r.minLateJoin {
			return JoinOption{}, RuleLateJoin
		}
		return JoinOption{GroupID: g.id, From: k, Sessions: n - k + 1, SameLanguage: g.speaks(b)}, ""
	}
	return JoinOption{}, why
}

// attendsFrom reports the rule that keeps b from attending g's sessions from
// number k on, or "" when every one of them can hold it.
func (w *world) attendsFrom(g *group, b *baby, k int) Rule {
	r := &g.org.rules
	earliest := w.today.AddDays(r.notice)
	for j := k; j <= len(r.sessions); j++ {
		rule, att := r.sessions[j-1], g.attendanceCached(j)
		if g.fixed[j] {
			s := g.sessions[j]
			switch {
			case s.cancelled && j == k:
				return RuleAgeWindow // nobody starts at a session that will not meet
			case s.cancelled:
				continue
			case s.date < earliest:
				return RuleNotice
			}
			if age := s.date.Sub(b.birth); age < rule.MinAgeDays || age > rule.MaxAgeDays {
				return RuleAgeWindow
			}
			if s.room != nil && s.room.capacity < seats(len(att.babies)+1, needsInterpreterWith(att, b, s.facs)) {
				return RuleRoomTooSmall
			}
			continue
		}
		// A session still to be scheduled: its window must hold b and the others.
		lo, hi := max(b.birth.AddDays(rule.MinAgeDays), earliest), b.birth.AddDays(rule.MaxAgeDays)
		if len(att.babies) > 0 {
			alone, aloneHi := window(rule, att.oldest(), att.youngest())
			if max(alone, earliest) > aloneHi && j > k {
				continue // the group cannot hold this one anyway; b does not make it worse
			}
			lo, hi = max(lo, alone), min(hi, aloneHi)
		}
		if lo > hi {
			return RuleAgeWindow
		}
	}
	return ""
}

// attendanceCached is g.attendance(k), kept until the members change. A
// group without late joiners has one attendance for every session.
func (g *group) attendanceCached(k int) attendance {
	if g.atts == nil {
		g.atts = make([]*attendance, len(g.org.rules.sessions)+1)
	}
	if g.atts[k] == nil {
		if late := slices.ContainsFunc(g.babies, func(b *baby) bool { return b.from > 1 }); !late && k > 1 && g.atts[1] != nil {
			g.atts[k] = g.atts[1]
		} else {
			a := g.attendance(k)
			g.atts[k] = &a
		}
	}
	return *g.atts[k]
}

// needsInterpreterWith reports whether a session of pair needs an interpreter
// once b attends too.
func needsInterpreterWith(att attendance, b *baby, pair [2]*fac) bool {
	if pair[0] == nil || pair[1] == nil {
		return true
	}
	if missing(att.langSet, pair[0].langSet, pair[1].langSet) > 0 {
		return true
	}
	return b.langBit >= 0 && !pair[0].langSet.has(b.langBit) && !pair[1].langSet.has(b.langBit)
}

// speaks reports whether the family of b needs no new interpreter language
// in g: it speaks no language we know, a member speaks it, or one of the
// group's facilitators does.
func (g *group) speaks(b *baby) bool {
	if b.langBit < 0 {
		return true
	}
	for _, m := range g.babies {
		if m.langBit == b.langBit {
			return true
		}
	}
	for _, f := range g.pair {
		if f != nil && f.langSet.has(b.langBit) {
			return true
		}
	}
	return false
}

// LateJoins lists the running groups that baby babyID could join now, best
// first, with the session it would join at: the proposal a coordinator sees
// when a move or a new enrolment is recorded. A baby that is a member of a
// group already has none.
func LateJoins(in *Input, babyID string) ([]JoinOption, error) {
	w, b, err := worldFor(in, babyID)
	if err != nil || b.group != nil {
		return nil, err
	}
	return w.joinOptions(b.loc.org, nil, b), nil
}

// CanJoin is where baby babyID would join group groupID, or the violation
// that keeps it out (with the group, baby and, for the size, the figures).
func CanJoin(in *Input, groupID, babyID string) (JoinOption, *Violation, error) {
	w, b, err := worldFor(in, babyID)
	if err != nil {
		return JoinOption{}, nil, err
	}
	g := w.groups[groupID]
	if g == nil {
		return JoinOption{}, nil, Problems{{Path: "$.groups", Message: "unknown group " + groupID}}
	}
	v := &Violation{GroupID: groupID, BabyID: babyID}
	switch {
	case b.group == g:
		v.Rule = RuleBabyPlacedTwice
	case b.group != nil:
		v.Rule, v.Other = RuleBabyPlacedTwice, &SessionRef{GroupID: b.group.id}
	case g.org != b.loc.org:
		v.Rule, v.LocationID = RuleWrongOrganisation, b.loc.id
	}
	if v.Rule != "" {
		return JoinOption{}, v, nil
	}
	opt, why := w.joinPoint(g, b)
	if why == "" {
		return opt, nil, nil
	}
	v.Rule = why
	r := &g.org.rules
	switch why {
	case RuleGroupSize:
		v.Value, v.Min, v.Max = len(g.babies)+1, r.groupMin, groupLimit(g, r)
	case RuleLateJoin:
		v.Min = r.minLateJoin
	case RuleOutsideCatchment:
		v.LocationID = b.loc.id
	}
	return JoinOption{}, v, nil
}

// worldFor builds the world of in with the existing groups' members seated,
// and finds baby babyID in it.
func worldFor(in *Input, babyID string) (*world, *baby, error) {
	w, err := build(in)
	if err != nil {
		return nil, nil, err
	}
	b := w.babies[babyID]
	if b == nil {
		return nil, nil, Problems{{Path: "$.babies", Message: "unknown baby " + babyID}}
	}
	for _, o := range w.orgOrder {
		w.seatMembers(o)
	}
	return w, b, nil
}
