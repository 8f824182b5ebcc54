package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
)

// Problem is one thing wrong with an input, at a JSON path of the plan file.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Problems is the error Run returns for invalid input: every problem found.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Limits on what one input may hold, checked before any work: the planner's
// cost grows with them, and its language sets have a fixed size.
const (
	MaxProgrammeLength  = 20 // sessions in a programme
	MaxGroupSize        = 30
	MaxAvoidPeriods     = 50
	MaxWindowDays       = 366
	maxSessionMinutes   = 480
	minSessionMinutes   = 15
	maxProgrammeAgeDays = 1000
)

// builder checks an Input and turns it into the planner's world, collecting
// every problem with its path.
type builder struct {
	w        *world
	problems Problems
	base     rules
}

func (b *builder) add(path, format string, args ...any) {
	b.problems = append(b.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks in as Run would, without planning: every problem with a
// reference, a range or a limit, by the JSON path of the plan file.
func Validate(in *Input) error {
	_, err := build(in)
	return err
}

// build checks in and turns it into the planner's world.
func build(in *Input) (*world, error) {
	b := &builder{w: newWorld(in.Today)}
	b.base = b.rules("$.rules", defaultRules(), in.Rules)
	b.organisations(in.Organisations)
	b.locations(in.Locations)
	b.catchments(in.Locations)
	b.facilitators(in.Facilitators)
	b.babies(in.Babies)
	b.groups(in.Groups)
	b.fixedSessions(in.FixedSessions)
	if len(b.problems) > 0 {
		return nil, b.problems
	}
	return b.w, nil
}

func newWorld(today civil.Date) *world {
	return &world{
		today:     today,
		locs:      map[string]*loc{},
		rooms:     map[string]*room{},
		facs:      map[string]*fac{},
		orgs:      map[string]*org{},
		babies:    map[string]*baby{},
		groups:    map[string]*group{},
		languages: map[string]int{},
	}
}

func (b *builder) unique(path string, seen map[string]bool, id string) {
	switch {
	case id == "":
		b.add(path, "is required")
	case seen[id]:
		b.add(path, "%q is used twice", id)
	}
	seen[id] = true
}

// weekly checks weekly intervals: weekdays, from before to, no overlaps.
func (b *builder) weekly(path string, ws []civil.Weekly) []civil.Weekly {
	problems := civil.ValidateWeekly(ws)
	idx := make([]int, 0, len(problems))
	for i := range problems {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		b.add(fmt.Sprintf("%s[%d]", path, i), "%s", problems[i])
	}
	return ws
}

func (b *builder) ranges(path string, rs []civil.Range) []civil.Range {
	for i, r := range rs {
		if r.From > r.To {
			b.add(fmt.Sprintf("%s[%d]", path, i), "from %s is after to %s", r.From, r.To)
		}
	}
	return rs
}

func (b *builder) rules(path string, base rules, r *Rules) rules {
	out := base.apply(r)
	if r == nil {
		return out
	}
	between := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			b.add(path+"."+field, "must be from %d to %d", lo, hi)
		}
	}
	if out.groupMin < 1 {
		b.add(path+".group_min", "must be at least 1")
	}
	if out.groupMax < out.groupMin || out.groupMax > MaxGroupSize {
		b.add(path+".group_max", "must be from group_min to %d", MaxGroupSize)
	}
	between("birth_window_days", out.birthWindow, 0, MaxWindowDays)
	between("session_minutes", out.sessionMinutes, minSessionMinutes, maxSessionMinutes)
	between("min_days_between_sessions", out.minGap, 0, MaxWindowDays)
	between("min_notice_days", out.notice, 0, MaxWindowDays)
	between("min_sessions_for_late_join", out.minLateJoin, 1, MaxProgrammeLength)
	if out.uptakeRate < 0 || out.uptakeRate > 1 {
		b.add(path+".uptake_rate", "must be from 0 to 1")
	}
	if out.prepMinutes < 0 {
		b.add(path+".prep_minutes", "must not be negative")
	}
	b.programme(path+".sessions", r.Sessions)
	for i, d := range r.Weekdays {
		if d < 1 || d > 7 {
			b.add(fmt.Sprintf("%s.weekdays[%d]", path, i), "must be a weekday from 1 (Monday) to 7 (Sunday)")
		}
	}
	if r.AvoidPeriods != nil {
		if len(*r.AvoidPeriods) > MaxAvoidPeriods {
			b.add(path+".avoid_periods", "at most %d periods", MaxAvoidPeriods)
		}
		for i, p := range *r.AvoidPeriods {
			if p.To < p.From || p.To.Sub(p.From) > 366 {
				b.add(fmt.Sprintf("%s.avoid_periods[%d].to", path, i), "must be from from to a year after it")
			}
		}
	}
	return out
}

func (b *builder) programme(path string, sessions []SessionRule) {
	if len(sessions) > MaxProgrammeLength {
		b.add(path, "a programme has at most %d sessions", MaxProgrammeLength)
	}
	for i, s := range sessions {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s.MinAgeDays < 0 || s.MinAgeDays > s.TargetAgeDays || s.TargetAgeDays > s.MaxAgeDays || s.MaxAgeDays > maxProgrammeAgeDays {
			b.add(p, "needs 0 <= min_age_days <= target_age_days <= max_age_days <= %d", maxProgrammeAgeDays)
		}
		if i > 0 && s.TargetAgeDays <= sessions[i-1].TargetAgeDays {
			b.add(p+".target_age_days", "must be later than the session before")
		}
	}
}

func (b *builder) organisations(os []Organisation) {
	seen := map[string]bool{}
	for i, o := range os {
		p := fmt.Sprintf("$.organisations[%d]", i)
		b.unique(p+".id", seen, o.ID)
		og := &org{id: o.ID, rules: b.rules(p+".rules", b.base, o.Rules)}
		b.w.orgs[o.ID] = og
		b.w.orgOrder = append(b.w.orgOrder, og)
	}
}

func (b *builder) locations(ls []Location) {
	seen, roomSeen := map[string]bool{}, map[string]bool{}
	for i, l := range ls {
		p := fmt.Sprintf("$.locations[%d]", i)
		b.unique(p+".id", seen, l.ID)
		og, ok := b.w.orgs[l.OrganisationID]
		if !ok {
			b.add(p+".organisation_id", "unknown organisation %q", l.OrganisationID)
			og = &org{id: l.OrganisationID, rules: b.base}
		}
		lc := &loc{id: l.ID, org: og, shortStay: l.ShortStay}
		for j, r := range l.Rooms {
			rp := fmt.Sprintf("%s.rooms[%d]", p, j)
			b.unique(rp+".id", roomSeen, r.ID)
			rm := b.room(rp, r, lc)
			lc.rooms = append(lc.rooms, rm)
			b.w.rooms[r.ID] = rm
		}
		b.w.locs[l.ID] = lc
		b.w.locOrder = append(b.w.locOrder, lc)
		og.locs = append(og.locs, lc)
	}
}

func (b *builder) room(path string, r Room, lc *loc) *room {
	if r.Capacity < 1 {
		b.add(path+".capacity", "must be at least 1")
	}
	rm := &room{id: r.ID, loc: lc, capacity: r.Capacity, open: b.weekly(path+".open", r.Open),
		closed: b.ranges(path+".closed", r.Closed), busy: calendar{}}
	for k, bl := range r.Blocks {
		if !bl.End.After(bl.Start) {
			b.add(fmt.Sprintf("%s.blocks[%d]", path, k), "end is not after start")
			continue
		}
		rm.busy.addSpan(bl.Start, bl.End)
	}
	return rm
}

// addSpan books [start, end) into the calendar, on each Amsterdam date it touches.
func (c calendar) addSpan(start, end time.Time) {
	d1, c1 := civil.WallClock(start)
	d2, c2 := civil.WallClock(end)
	for d := d1; d <= d2; d++ {
		from, to := civil.Clock(0), civil.Clock(24*60)
		if d == d1 {
			from = c1
		}
		if d == d2 {
			to = c2
		}
		if from < to {
			c.add(d, span{from, to})
		}
	}
}

func (b *builder) catchments(ls []Location) {
	for i, l := range ls {
		lc := b.w.locs[l.ID]
		for j, id := range l.Catchment {
			p := fmt.Sprintf("$.locations[%d].catchment[%d]", i, j)
			m, ok := b.w.locs[id]
			switch {
			case !ok:
				b.add(p, "unknown location %q", id)
			case m == lc:
				b.add(p, "a location cannot be in its own catchment")
			case m.org != lc.org:
				b.add(p, "location %q is served by another organisation", id)
			default:
				lc.catchment = append(lc.catchment, m)
			}
		}
	}
}

func (b *builder) facilitators(fs []Facilitator) {
	seen := map[string]bool{}
	for i, f := range fs {
		p := fmt.Sprintf("$.facilitators[%d]", i)
		b.unique(p+".id", seen, f.ID)
		og, ok := b.w.orgs[f.OrganisationID]
		if !ok {
			b.add(p+".organisation_id", "unknown organisation %q", f.OrganisationID)
			og = &org{}
		}
		switch f.Role {
		case "nurse", "doctor", "assistant":
		default:
			b.add(p+".role", "must be nurse, doctor or assistant, not %q", f.Role)
		}
		maxWeek := 5
		if f.MaxSessionsPerWeek != nil {
			maxWeek = *f.MaxSessionsPerWeek
			if maxWeek < 0 {
				b.add(p+".max_sessions_per_week", "must not be negative")
			}
		}
		langs := append([]string{}, f.Languages...)
		sort.Strings(langs)
		fc := &fac{id: f.ID, org: og, nurse: f.Role == "nurse", coTrained: f.COTrained,
			avail: b.weekly(p+".available", f.Available), absent: b.ranges(p+".absent", f.Absent),
			maxWeek: maxWeek, langs: langs, busy: calendar{}, week: map[int]int{}}
		for _, l := range langs {
			fc.langSet.add(b.w.language(l))
		}
		b.w.facs[f.ID] = fc
		og.facs = append(og.facs, fc)
	}
}

func (b *builder) babies(bs []Baby) {
	seen := map[string]bool{}
	for i, in := range bs {
		p := fmt.Sprintf("$.babies[%d]", i)
		b.unique(p+".id", seen, in.ID)
		bb := &baby{id: in.ID, birth: in.BirthDate, lang: in.Language, langBit: -1}
		if in.Language != "" {
			bb.langBit = b.w.language(in.Language)
		}
		lc, ok := b.w.locs[in.LocationID]
		if !ok {
			b.add(p+".location_id", "unknown location %q", in.LocationID)
			continue
		}
		if bb.birth > b.w.today {
			b.add(p+".birth_date", "%s is after today (%s)", bb.birth, b.w.today)
		}
		bb.loc = lc
		b.w.babies[in.ID] = bb
		b.w.babyOrder = append(b.w.babyOrder, bb)
		lc.org.babies = append(lc.org.babies, bb)
	}
}

func (b *builder) groups(gs []ExistingGroup) {
	seen := map[string]bool{}
	for i, g := range gs {
		p := fmt.Sprintf("$.groups[%d]", i)
		b.unique(p+".id", seen, g.ID)
		og, ok := b.w.orgs[g.OrganisationID]
		if !ok {
			b.add(p+".organisation_id", "unknown organisation %q", g.OrganisationID)
			continue
		}
		lc, ok := b.w.locs[g.LocationID]
		if !ok || lc.org != og {
			b.add(p+".location_id", "unknown location %q of organisation %q", g.LocationID, g.OrganisationID)
			continue
		}
		gr := &group{id: g.ID, org: og, loc: lc, existing: true, sessions: map[int]*session{}, fixed: map[int]bool{}}
		if g.RoomID != "" {
			rm, ok := b.w.rooms[g.RoomID]
			if !ok || rm.loc != lc {
				b.add(p+".room_id", "unknown room %q at location %q", g.RoomID, g.LocationID)
			}
			gr.room = rm
		}
		if len(g.FacilitatorIDs) != 0 && len(g.FacilitatorIDs) != 2 {
			b.add(p+".facilitator_ids", "must name 2 facilitators")
		}
		for j, id := range g.FacilitatorIDs {
			fc, ok := b.w.facs[id]
			if !ok || fc.org != og {
				b.add(fmt.Sprintf("%s.facilitator_ids[%d]", p, j), "unknown facilitator %q of organisation %q", id, g.OrganisationID)
			} else if j < 2 {
				gr.pair[j] = fc
			}
		}
		if !validPair(gr.pair) { // re-staffed by the scheduler, never kept as it is
			gr.pair = [2]*fac{}
		}
		gr.memberIDs, gr.joinedFrom = g.BabyIDs, g.JoinedFrom
		b.joinedFrom(p, g, len(og.rules.sessions))
		b.w.groups[g.ID] = gr
		og.existing = append(og.existing, gr)
	}
}

// joinedFrom checks that only members joined late, each from a session of the programme.
func (b *builder) joinedFrom(path string, g ExistingGroup, sessions int) {
	for _, id := range sortedKeys(g.JoinedFrom) {
		p := fmt.Sprintf("%s.joined_from.%s", path, id)
		if !slices.Contains(g.BabyIDs, id) {
			b.add(p, "%q is not a member of the group", id)
		}
		if n := g.JoinedFrom[id]; n < 1 || n > sessions {
			b.add(p, "must be from 1 to %d", sessions)
		}
	}
}

func (b *builder) fixedSessions(fs []FixedSession) {
	for i := range fs {
		f := &fs[i]
		p := fmt.Sprintf("$.fixed_sessions[%d]", i)
		gr, ok := b.w.groups[f.GroupID]
		if !ok {
			b.add(p+".group_id", "unknown group %q", f.GroupID)
			continue
		}
		if f.Number < 1 || f.Number > len(gr.org.rules.sessions) {
			b.add(p+".number", "must be from 1 to %d", len(gr.org.rules.sessions))
			continue
		}
		if gr.fixed[f.Number] {
			b.add(p+".number", "session %d of group %q is fixed twice", f.Number, f.GroupID)
			continue
		}
		if !f.End.After(f.Start) {
			b.add(p+".end", "is not after start")
		}
		d, start := civil.WallClock(f.Start)
		_, end := civil.WallClock(f.End)
		rm, ok := b.w.rooms[f.RoomID]
		if !ok {
			b.add(p+".room_id", "unknown room %q", f.RoomID)
		}
		s := &session{number: f.Number, date: d, start: start, end: end, room: rm, fixed: &f.Session, cancelled: f.Cancelled}
		if len(f.FacilitatorIDs) != 2 {
			b.add(p+".facilitator_ids", "must name 2 facilitators")
		}
		for j, id := range f.FacilitatorIDs {
			fc, ok := b.w.facs[id]
			if !ok {
				b.add(fmt.Sprintf("%s.facilitator_ids[%d]", p, j), "unknown facilitator %q", id)
			} else if j < 2 {
				s.facs[j] = fc
			}
		}
		gr.sessions[f.Number] = s
		gr.fixed[f.Number] = true
	}
}

// validPair reports whether p may staff sessions as the rules are now: two
// different facilitators, one of them a CO-trained nurse. A group's pair
// from before (a nurse no longer CO-trained, one person named twice) is not
// kept.
func validPair(p [2]*fac) bool {
	return p[0] != nil && p[1] != nil && p[0] != p[1] && (p[0].nurse && p[0].coTrained || p[1].nurse && p[1].coTrained)
}
