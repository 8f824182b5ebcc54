package planner

import (
	"slices"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
)

// Check verifies every hard rule of a plan against its input, independently of
// how the plan was made, and returns one Violation per broken rule and thing it
// is about, in a stable order. The property tests run it on random inputs; the
// service runs it on what is stored. An invalid input is an error (Problems).
func Check(in *Input, p *Plan) ([]Violation, error) {
	w, err := build(in)
	if err != nil {
		return nil, err
	}
	c := newPlanCheck(w, in, p)
	c.babiesAccounted()
	for i := range p.Groups {
		c.group(&p.Groups[i])
	}
	c.unplannedGroupsExist()
	c.doubleBookings(RuleRoomDoubleBooked, c.roomBookings, func(v *Violation, id string) { v.RoomID = id })
	c.doubleBookings(RuleFacilitatorDoubleBooked, c.facBookings, func(v *Violation, id string) { v.FacilitatorID = id })
	c.weeklyMaxima()
	c.stats()
	return c.out, nil
}

// planCheck is the state of one Check: the input's world, what the plan books,
// and the violations found so far.
type planCheck struct {
	w         *world
	in        *Input
	p         *Plan
	fixed     map[string]map[int]FixedSession
	existing  map[string]bool
	unplanned map[string]map[int]bool
	holidays  map[*org]map[civil.Date]bool

	roomBookings map[string][]booking
	facBookings  map[string][]booking
	weekly       map[string]map[int]int // facilitator -> ISO week -> sessions
	placed       int
	sessions     int

	out []Violation
}

// booking is one session holding a room or a person.
type booking struct {
	ref        SessionRef
	start, end time.Time
}

func newPlanCheck(w *world, in *Input, p *Plan) *planCheck {
	c := &planCheck{w: w, in: in, p: p, fixed: map[string]map[int]FixedSession{}, existing: map[string]bool{},
		unplanned: map[string]map[int]bool{}, holidays: map[*org]map[civil.Date]bool{},
		roomBookings: map[string][]booking{}, facBookings: map[string][]booking{}, weekly: map[string]map[int]int{}}
	for _, g := range in.Groups {
		c.existing[g.ID] = true
	}
	for _, f := range in.FixedSessions {
		if c.fixed[f.GroupID] == nil {
			c.fixed[f.GroupID] = map[int]FixedSession{}
		}
		c.fixed[f.GroupID][f.Number] = f
	}
	for _, u := range p.UnplannedSessions {
		if c.unplanned[u.GroupID] == nil {
			c.unplanned[u.GroupID] = map[int]bool{}
		}
		c.unplanned[u.GroupID][u.Number] = true
	}
	return c
}

func (c *planCheck) fail(v Violation) { c.out = append(c.out, v) }

func (c *planCheck) holidaysOf(o *org) map[civil.Date]bool {
	if h, ok := c.holidays[o]; ok {
		return h
	}
	y, _, _ := c.w.today.Parts()
	h := o.rules.closedDays(y-1, y+3)
	c.holidays[o] = h
	return h
}

// babiesAccounted: every baby of the input is placed once or listed once, and
// only a baby too old for the programme is listed as too old.
func (c *planCheck) babiesAccounted() {
	seen := map[string]string{} // baby -> group, or "" when unplaced
	for _, g := range c.p.Groups {
		for _, id := range g.BabyIDs {
			if prev, ok := seen[id]; ok {
				c.fail(Violation{Rule: RuleBabyPlacedTwice, BabyID: id, GroupID: g.ID, Other: otherGroup(prev)})
			}
			seen[id] = g.ID
		}
	}
	for _, u := range c.p.Unplaced {
		if prev, ok := seen[u.BabyID]; ok {
			c.fail(Violation{Rule: RuleBabyPlacedTwice, BabyID: u.BabyID, Other: otherGroup(prev)})
		}
		seen[u.BabyID] = ""
		if b, ok := c.w.babies[u.BabyID]; ok {
			age, last := c.w.today.Sub(b.birth), b.loc.org.rules.lastMaxAge()
			if (u.Reason == ReasonTooOld) != (age > last) {
				c.fail(Violation{Rule: RuleUnplacedReason, BabyID: u.BabyID, Value: age, Max: last})
			}
		}
	}
	for _, b := range c.in.Babies {
		if _, ok := seen[b.ID]; !ok {
			c.fail(Violation{Rule: RuleBabyNotAccounted, BabyID: b.ID})
		}
	}
}

func otherGroup(id string) *SessionRef {
	if id == "" {
		return nil
	}
	return &SessionRef{GroupID: id}
}

// groupCheck is one group of the plan with what its checks need.
type groupCheck struct {
	*planCheck
	g        *Group
	o        *org
	l        *loc
	r        *rules
	babies   []*baby
	holidays map[civil.Date]bool
}

func (c *planCheck) group(g *Group) {
	for _, s := range g.Sessions {
		c.sessions++
		if !c.fixed[g.ID][s.Number].Cancelled {
			c.book(g.ID, s)
		}
	}
	c.placed += len(g.BabyIDs)
	gc, ok := c.placeOf(g)
	if !ok {
		return
	}
	gc.members()
	gc.size()
	gc.birthWindow()
	gc.sessionsInOrder()
	for i := range g.Sessions {
		gc.session(&g.Sessions[i])
	}
	gc.sessionsAccounted()
}

// book records the room, facilitators and week a session holds, for the
// checks across sessions.
func (c *planCheck) book(groupID string, s Session) {
	b := booking{SessionRef{groupID, s.Number}, s.Start, s.End}
	c.roomBookings[s.RoomID] = append(c.roomBookings[s.RoomID], b)
	d, _ := civil.WallClock(s.Start)
	for i, id := range s.FacilitatorIDs {
		if slices.Contains(s.FacilitatorIDs[:i], id) {
			continue // one person named twice is facilitator_count, not a double booking
		}
		c.facBookings[id] = append(c.facBookings[id], b)
		if c.weekly[id] == nil {
			c.weekly[id] = map[int]int{}
		}
		c.weekly[id][d.ISOWeek()]++
	}
}

// placeOf checks that the group's organisation and location exist and belong
// together, and that the location may form groups.
func (c *planCheck) placeOf(g *Group) (*groupCheck, bool) {
	o, ok := c.w.orgs[g.OrganisationID]
	if !ok {
		c.fail(Violation{Rule: RuleWrongOrganisation, GroupID: g.ID, LocationID: g.LocationID})
		return nil, false
	}
	l := c.w.locs[g.LocationID]
	if l == nil || l.org != o {
		c.fail(Violation{Rule: RuleWrongOrganisation, GroupID: g.ID, LocationID: g.LocationID})
		return nil, false
	}
	if l.shortStay {
		c.fail(Violation{Rule: RuleShortStay, GroupID: g.ID, LocationID: l.id})
	}
	if len(g.Sessions) == 0 {
		c.fail(Violation{Rule: RuleNoSessions, GroupID: g.ID})
	}
	return &groupCheck{planCheck: c, g: g, o: o, l: l, r: &o.rules, holidays: c.holidaysOf(o)}, true
}

// members: every member is known and lives at the group's location or in
// its catchment, and a late joiner has enough of the programme left.
func (gc *groupCheck) members() {
	for _, id := range sortedKeys(gc.g.JoinedFrom) {
		from := gc.g.JoinedFrom[id]
		switch {
		case !slices.Contains(gc.g.BabyIDs, id):
			gc.fail(Violation{Rule: RuleUnknownBaby, GroupID: gc.g.ID, BabyID: id})
		case from < 1 || from > len(gc.r.sessions):
			gc.fail(Violation{Rule: RuleNotInProgramme, GroupID: gc.g.ID, BabyID: id, Session: from, Max: len(gc.r.sessions)})
		case len(gc.r.sessions)-from+1 < gc.r.minLateJoin:
			gc.fail(Violation{Rule: RuleLateJoin, GroupID: gc.g.ID, BabyID: id, Session: from, Value: len(gc.r.sessions) - from + 1, Min: gc.r.minLateJoin})
		}
	}
	for _, id := range gc.g.BabyIDs {
		b := gc.w.babies[id]
		if b == nil {
			gc.fail(Violation{Rule: RuleUnknownBaby, GroupID: gc.g.ID, BabyID: id})
			continue
		}
		if b.loc != gc.l && !containsLoc(gc.l.catchment, b.loc) {
			gc.fail(Violation{Rule: RuleOutsideCatchment, GroupID: gc.g.ID, BabyID: id, LocationID: b.loc.id})
		}
		gc.babies = append(gc.babies, b)
	}
}

// size: a new group has group_min to group_max members; an existing group may
// have shrunk below the minimum, never grown above the maximum.
func (gc *groupCheck) size() {
	n := len(gc.babies)
	tooFew := !gc.existing[gc.g.ID] && n < gc.r.groupMin
	if tooFew || n > gc.r.groupMax {
		gc.fail(Violation{Rule: RuleGroupSize, GroupID: gc.g.ID, Value: n, Min: gc.r.groupMin, Max: gc.r.groupMax})
	}
}

func (gc *groupCheck) birthWindow() {
	if len(gc.babies) == 0 {
		return
	}
	oldest, youngest := gc.babies[0].birth, gc.babies[0].birth
	for _, b := range gc.babies {
		oldest, youngest = min(oldest, b.birth), max(youngest, b.birth)
	}
	if days := youngest.Sub(oldest); days > gc.r.birthWindow {
		gc.fail(Violation{Rule: RuleBirthWindow, GroupID: gc.g.ID, Value: days, Max: gc.r.birthWindow})
	}
}

// sessionsInOrder: numbers rise and consecutive sessions are at least
// min_days_between_sessions apart, and in time order.
func (gc *groupCheck) sessionsInOrder() {
	for i := 1; i < len(gc.g.Sessions); i++ {
		prev, s := gc.g.Sessions[i-1], gc.g.Sessions[i]
		d0, _ := civil.WallClock(prev.Start)
		d1, _ := civil.WallClock(s.Start)
		v := Violation{GroupID: gc.g.ID, Session: s.Number, Date: d1}
		switch {
		case s.Number <= prev.Number || s.Start.Before(prev.End):
			v.Rule, v.Value = RuleOrder, prev.Number
			gc.fail(v)
		case d1.Sub(d0) < gc.r.minGap:
			v.Rule, v.Value, v.Min = RuleMinGap, d1.Sub(d0), gc.r.minGap
			gc.fail(v)
		}
	}
}

// sessionsAccounted: every session of the programme is planned, listed as
// unplanned, or outgrown by the group's oldest baby.
func (gc *groupCheck) sessionsAccounted() {
	if len(gc.babies) == 0 {
		return
	}
	planned := map[int]bool{}
	for _, s := range gc.g.Sessions {
		planned[s.Number] = true
	}
	for k, rule := range gc.r.sessions {
		n := k + 1
		att := gc.attendees(n)
		if len(att) == 0 || planned[n] || gc.unplanned[gc.g.ID][n] {
			continue
		}
		oldest := att[0].birth
		for _, b := range att {
			oldest = min(oldest, b.birth)
		}
		if oldest.AddDays(rule.MaxAgeDays) >= gc.w.today {
			gc.fail(Violation{Rule: RuleSessionNotAccounted, GroupID: gc.g.ID, Session: n})
		}
	}
}

// attendees are the members who attend session n (late joiners from theirs).
func (gc *groupCheck) attendees(n int) []*baby {
	out := make([]*baby, 0, len(gc.babies))
	for _, b := range gc.babies {
		if gc.g.Attends(b.id, n) {
			out = append(out, b)
		}
	}
	return out
}

// sessionCheck is one session of a group with its Amsterdam date and clock.
type sessionCheck struct {
	*groupCheck
	s        *Session
	d        civil.Date
	from, to civil.Clock
	room     *room
	pair     [2]*fac
	babies   []*baby // who attends it
}

func (sc *sessionCheck) violation(rule Rule) Violation {
	return Violation{Rule: rule, GroupID: sc.g.ID, Session: sc.s.Number, Date: sc.d}
}

func (sc *sessionCheck) fail(rule Rule, set func(*Violation)) {
	v := sc.violation(rule)
	if set != nil {
		set(&v)
	}
	sc.planCheck.fail(v)
}

// session checks one session against every rule a session keeps on its own.
// A fixed session keeps its time, room and facilitators; one that is held or
// cancelled is history and checked for nothing else, while one still ahead
// must hold who attends it now: their ages, languages and seats.
func (gc *groupCheck) session(s *Session) {
	d, from := civil.WallClock(s.Start)
	_, to := civil.WallClock(s.End)
	sc := &sessionCheck{groupCheck: gc, s: s, d: d, from: from, to: to, babies: gc.attendees(s.Number)}
	if gc.unplanned[gc.g.ID][s.Number] {
		sc.fail(RulePlannedAndUnplanned, nil)
	}
	if f, ok := gc.fixed[gc.g.ID][s.Number]; ok {
		sc.unchanged(f.Session)
		if f.Cancelled || d <= gc.w.today || !sc.programme() {
			return
		}
		sc.room = gc.w.rooms[s.RoomID]
		sc.pairOf()
		sc.interpreters()
		sc.seats()
		return
	}
	sc.timing()
	if !sc.programme() {
		return
	}
	sc.inRoom()
	sc.staffed()
	sc.interpreters()
	sc.seats()
}

func (sc *sessionCheck) unchanged(f Session) {
	same := f.Number == sc.s.Number && f.Start.Equal(sc.s.Start) && f.End.Equal(sc.s.End) && f.RoomID == sc.s.RoomID &&
		slices.Equal(f.FacilitatorIDs, sc.s.FacilitatorIDs)
	if !same {
		sc.fail(RuleFixedChanged, nil)
	}
}

// timing: the length, the weekday, holidays and the notice period.
func (sc *sessionCheck) timing() {
	if minutes := int(sc.s.End.Sub(sc.s.Start) / time.Minute); minutes != sc.r.sessionMinutes {
		sc.fail(RuleDuration, func(v *Violation) { v.Value, v.Min, v.Max = minutes, sc.r.sessionMinutes, sc.r.sessionMinutes })
	}
	if !sc.r.weekdays[sc.d.ISOWeekday()] {
		sc.fail(RuleWeekend, nil)
	}
	if sc.holidays[sc.d] {
		sc.fail(RuleHoliday, nil)
	}
	if earliest := sc.w.today.AddDays(sc.r.notice); sc.d < earliest {
		sc.fail(RuleNotice, func(v *Violation) { v.Value, v.Min = sc.d.Sub(sc.w.today), sc.r.notice })
	}
}

// programme: the session is one of the programme and every member is inside
// its age window. It reports whether the number is known.
func (sc *sessionCheck) programme() bool {
	if sc.s.Number < 1 || sc.s.Number > len(sc.r.sessions) {
		sc.fail(RuleNotInProgramme, func(v *Violation) { v.Max = len(sc.r.sessions) })
		return false
	}
	rule := sc.r.sessions[sc.s.Number-1]
	for _, b := range sc.babies {
		if age := sc.d.Sub(b.birth); age < rule.MinAgeDays || age > rule.MaxAgeDays {
			sc.fail(RuleAgeWindow, func(v *Violation) { v.BabyID, v.Value, v.Min, v.Max = b.id, age, rule.MinAgeDays, rule.MaxAgeDays })
		}
	}
	return true
}

// inRoom: the room is at the group's location, open, not closed and not blocked.
func (sc *sessionCheck) inRoom() {
	rm := sc.w.rooms[sc.s.RoomID]
	if rm == nil || rm.loc != sc.l {
		sc.fail(RuleWrongLocation, func(v *Violation) { v.RoomID, v.LocationID = sc.s.RoomID, sc.l.id })
		return
	}
	sc.room = rm
	room := func(v *Violation) { v.RoomID = rm.id }
	if !civil.Covers(rm.open, sc.d.ISOWeekday(), sc.from, sc.to) {
		sc.fail(RuleOutsideOpeningHours, room)
	}
	if inRanges(rm.closed, sc.d) {
		sc.fail(RuleClosed, room)
	}
	if !rm.busy.free(sc.d, span{sc.from, sc.to}) { // the checker's world holds only the rooms' blocks
		sc.fail(RuleBlocked, room)
	}
}

// staffed: two different facilitators of the organisation, both working and
// present, one of them a CO-trained nurse.
func (sc *sessionCheck) staffed() {
	ids := sc.s.FacilitatorIDs
	if len(ids) != 2 || ids[0] == ids[1] {
		sc.fail(RuleFacilitatorCount, func(v *Violation) { v.Value = len(ids) })
		return
	}
	lead := false
	for i, id := range ids {
		f := sc.w.facs[id]
		person := func(v *Violation) { v.FacilitatorID = id }
		if f == nil || f.org != sc.o {
			sc.fail(RuleWrongOrganisation, person)
			continue
		}
		sc.pair[i] = f
		lead = lead || (f.nurse && f.coTrained)
		if !civil.Covers(f.avail, sc.d.ISOWeekday(), sc.from, sc.to) {
			sc.fail(RuleOutsideAvailability, person)
		}
		if inRanges(f.absent, sc.d) {
			sc.fail(RuleAbsent, person)
		}
	}
	if !lead && sc.pair[0] != nil && sc.pair[1] != nil {
		sc.fail(RuleNoCONurse, nil)
	}
}

// pairOf finds a fixed session's facilitators, checked when it was made.
func (sc *sessionCheck) pairOf() {
	if ids := sc.s.FacilitatorIDs; len(ids) == 2 {
		sc.pair = [2]*fac{sc.w.facs[ids[0]], sc.w.facs[ids[1]]}
	}
}

// interpreters: the session lists exactly the attending families' languages
// that neither facilitator speaks.
func (sc *sessionCheck) interpreters() {
	if sc.pair[0] == nil || sc.pair[1] == nil {
		return
	}
	if want := interpreterLanguages(sc.babies, sc.pair); !slices.Equal(want, sc.s.InterpreterLanguages) {
		sc.fail(RuleInterpreterLangs, nil)
	}
}

// seats: 2 per family, 2 facilitators and an interpreter when one is needed.
func (sc *sessionCheck) seats() {
	if sc.room == nil {
		return
	}
	if need := seatsNeeded(len(sc.babies), sc.s.InterpreterLanguages); sc.room.capacity < need {
		sc.fail(RuleRoomTooSmall, func(v *Violation) { v.RoomID, v.Value, v.Min = sc.room.id, sc.room.capacity, need })
	}
}

// unplannedGroupsExist: an unplanned session belongs to a group of the plan.
func (c *planCheck) unplannedGroupsExist() {
	inPlan := map[string]bool{}
	for _, g := range c.p.Groups {
		inPlan[g.ID] = true
	}
	for _, u := range c.p.UnplannedSessions {
		if !inPlan[u.GroupID] {
			c.fail(Violation{Rule: RuleUnknownGroup, GroupID: u.GroupID, Session: u.Number})
		}
	}
}

// doubleBookings: no room or person holds two sessions at once; touching ends
// do not overlap. Each clash names both sessions.
func (c *planCheck) doubleBookings(rule Rule, byID map[string][]booking, name func(*Violation, string)) {
	for _, id := range sortedKeys(byID) {
		bs := byID[id]
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].start.Before(bs[j].start) })
		latest := 0 // the booking so far that ends last
		for i := 1; i < len(bs); i++ {
			if bs[i].start.Before(bs[latest].end) {
				d, _ := civil.WallClock(bs[i].start)
				other := bs[latest].ref
				v := Violation{Rule: rule, GroupID: bs[i].ref.GroupID, Session: bs[i].ref.Number, Other: &other, Date: d}
				name(&v, id)
				c.fail(v)
			}
			if bs[i].end.After(bs[latest].end) {
				latest = i
			}
		}
	}
}

// weeklyMaxima: nobody facilitates more sessions in an ISO week than their maximum.
func (c *planCheck) weeklyMaxima() {
	for _, id := range sortedKeys(c.weekly) {
		f := c.w.facs[id]
		if f == nil {
			continue
		}
		weeks := c.weekly[id]
		for _, week := range sortedKeys(weeks) {
			if n := weeks[week]; n > f.maxWeek {
				c.fail(Violation{Rule: RuleWeeklyMax, FacilitatorID: id, Date: mondayOfISOWeek(week), Value: n, Max: f.maxWeek})
			}
		}
	}
}

// mondayOfISOWeek inverts civil.Date.ISOWeek.
func mondayOfISOWeek(week int) civil.Date { return civil.Date(week*7 - 3) }

func (c *planCheck) stats() {
	s := c.p.Stats
	if s.Placed != c.placed || s.Groups != len(c.p.Groups) || s.Sessions != c.sessions || s.Babies != len(c.in.Babies) {
		c.fail(Violation{Rule: RuleStats})
	}
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
