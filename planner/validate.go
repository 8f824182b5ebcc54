package planner

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
)

// Problem is one thing wrong with an input, at a JSON path.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Problems is the error Plan returns for invalid input: every problem found.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

type checker struct {
	problems Problems
}

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) date(path, s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		c.add(path, "%v", err)
	}
	return d
}

func (c *checker) weekly(path string, in []Weekly) []civil.Weekly {
	out := make([]civil.Weekly, 0, len(in))
	ok := true
	for i, w := range in {
		p := fmt.Sprintf("%s[%d]", path, i)
		from, err1 := civil.ParseClock(w.From)
		to, err2 := civil.ParseClock(w.To)
		if err1 != nil {
			c.add(p+".from", "%v", err1)
			ok = false
		}
		if err2 != nil {
			c.add(p+".to", "%v", err2)
			ok = false
		}
		out = append(out, civil.Weekly{Weekday: w.Weekday, From: from, To: to})
	}
	if ok {
		problems := civil.ValidateWeekly(out)
		idx := make([]int, 0, len(problems))
		for i := range problems {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			c.add(fmt.Sprintf("%s[%d]", path, i), "%s", problems[i])
		}
	}
	return out
}

func (c *checker) ranges(path string, in []DateRange) []civil.Range {
	out := make([]civil.Range, 0, len(in))
	for i, r := range in {
		p := fmt.Sprintf("%s[%d]", path, i)
		from := c.date(p+".from", r.From)
		to := c.date(p+".to", r.To)
		if from > to {
			c.add(p, "from %s is after to %s", r.From, r.To)
		}
		out = append(out, civil.Range{From: from, To: to})
	}
	return out
}

func (c *checker) rules(path string, base rules, r *Rules) rules {
	out := base.apply(r)
	if r == nil {
		return out
	}
	if out.groupMin < 1 {
		c.add(path+".group_min", "must be at least 1")
	}
	if out.groupMax < out.groupMin || out.groupMax > 30 {
		c.add(path+".group_max", "must be from group_min to 30")
	}
	if out.birthWindow < 0 || out.birthWindow > 366 {
		c.add(path+".birth_window_days", "must be from 0 to 366")
	}
	if out.sessionMinutes < 15 || out.sessionMinutes > 480 {
		c.add(path+".session_minutes", "must be from 15 to 480")
	}
	if out.minGap < 0 || out.minGap > 366 {
		c.add(path+".min_days_between_sessions", "must be from 0 to 366")
	}
	if out.notice < 0 || out.notice > 366 {
		c.add(path+".min_notice_days", "must be from 0 to 366")
	}
	if out.uptakeRate < 0 || out.uptakeRate > 1 {
		c.add(path+".uptake_rate", "must be from 0 to 1")
	}
	if out.prepMinutes < 0 {
		c.add(path+".prep_minutes", "must not be negative")
	}
	if len(r.Sessions) > 20 {
		c.add(path+".sessions", "a programme has at most 20 sessions")
	}
	for i, s := range r.Sessions {
		p := fmt.Sprintf("%s.sessions[%d]", path, i)
		if s.MinAgeDays < 0 || s.MinAgeDays > s.TargetAgeDays || s.TargetAgeDays > s.MaxAgeDays || s.MaxAgeDays > 1000 {
			c.add(p, "needs 0 <= min_age_days <= target_age_days <= max_age_days <= 1000")
		}
		if i > 0 && s.TargetAgeDays <= r.Sessions[i-1].TargetAgeDays {
			c.add(p+".target_age_days", "must be later than the session before")
		}
	}
	return out
}

// instant parses an RFC 3339 time and returns its Amsterdam date and clock.
func (c *checker) instant(path, s string) (civil.Date, civil.Clock, time.Time) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.add(path, "%q is not an RFC 3339 time such as 2027-02-09T10:00:00+01:00", s)
		return 0, 0, t
	}
	d, clk := civil.WallClock(t)
	return d, clk, t
}

func (c *checker) unique(path string, seen map[string]bool, id string) {
	switch {
	case id == "":
		c.add(path, "is required")
	case seen[id]:
		c.add(path, "%q is used twice", id)
	}
	seen[id] = true
}

// build checks in and turns it into the planner's world.
func build(in *Input) (*world, error) {
	c := &checker{}
	w := &world{
		locs:      map[string]*loc{},
		rooms:     map[string]*room{},
		facs:      map[string]*fac{},
		orgs:      map[string]*org{},
		babies:    map[string]*baby{},
		groups:    map[string]*group{},
		languages: map[string]int{},
	}
	w.today = c.date("$.today", in.Today)
	todayOK := len(c.problems) == 0
	base := c.rules("$.rules", defaultRules(), in.Rules)
	seen := map[string]bool{}
	for i, o := range in.Organisations {
		p := fmt.Sprintf("$.organisations[%d]", i)
		c.unique(p+".id", seen, o.ID)
		og := &org{id: o.ID, rules: c.rules(p+".rules", base, o.Rules)}
		w.orgs[o.ID] = og
		w.orgOrder = append(w.orgOrder, og)
	}
	seen = map[string]bool{}
	roomSeen := map[string]bool{}
	for i, l := range in.Locations {
		p := fmt.Sprintf("$.locations[%d]", i)
		c.unique(p+".id", seen, l.ID)
		og, ok := w.orgs[l.OrganisationID]
		if !ok {
			c.add(p+".organisation_id", "unknown organisation %q", l.OrganisationID)
			og = &org{id: l.OrganisationID, rules: base}
		}
		lc := &loc{id: l.ID, org: og, shortStay: l.ShortStay}
		for j, r := range l.Rooms {
			rp := fmt.Sprintf("%s.rooms[%d]", p, j)
			c.unique(rp+".id", roomSeen, r.ID)
			if r.Capacity < 1 {
				c.add(rp+".capacity", "must be at least 1")
			}
			rm := &room{id: r.ID, loc: lc, capacity: r.Capacity, open: c.weekly(rp+".open", r.Open),
				closed: c.ranges(rp+".closed", r.Closed), busy: calendar{}}
			for k, b := range r.Blocks {
				bp := fmt.Sprintf("%s.blocks[%d]", rp, k)
				d1, c1, t1 := c.instant(bp+".start", b.Start)
				d2, c2, t2 := c.instant(bp+".end", b.End)
				if !t2.After(t1) {
					c.add(bp, "end is not after start")
					continue
				}
				// A block over several days occupies each of them.
				for d := d1; d <= d2; d++ {
					from, to := civil.Clock(0), civil.Clock(24*60)
					if d == d1 {
						from = c1
					}
					if d == d2 {
						to = c2
					}
					if from < to {
						rm.busy.add(d, span{from, to})
					}
				}
			}
			lc.rooms = append(lc.rooms, rm)
			w.rooms[r.ID] = rm
		}
		w.locs[l.ID] = lc
		w.locOrder = append(w.locOrder, lc)
		og.locs = append(og.locs, lc)
	}
	for i, l := range in.Locations {
		lc := w.locs[l.ID]
		for j, id := range l.Catchment {
			p := fmt.Sprintf("$.locations[%d].catchment[%d]", i, j)
			m, ok := w.locs[id]
			switch {
			case !ok:
				c.add(p, "unknown location %q", id)
			case m == lc:
				c.add(p, "a location cannot be in its own catchment")
			case m.org != lc.org:
				c.add(p, "location %q is served by another organisation", id)
			default:
				lc.catchment = append(lc.catchment, m)
			}
		}
	}
	seen = map[string]bool{}
	for i, f := range in.Facilitators {
		p := fmt.Sprintf("$.facilitators[%d]", i)
		c.unique(p+".id", seen, f.ID)
		og, ok := w.orgs[f.OrganisationID]
		if !ok {
			c.add(p+".organisation_id", "unknown organisation %q", f.OrganisationID)
			og = &org{}
		}
		switch f.Role {
		case "nurse", "doctor", "assistant":
		default:
			c.add(p+".role", "must be nurse, doctor or assistant, not %q", f.Role)
		}
		maxWeek := 5
		if f.MaxSessionsPerWeek != nil {
			maxWeek = *f.MaxSessionsPerWeek
			if maxWeek < 0 {
				c.add(p+".max_sessions_per_week", "must not be negative")
			}
		}
		langs := append([]string{}, f.Languages...)
		sort.Strings(langs)
		fc := &fac{id: f.ID, org: og, nurse: f.Role == "nurse", coTrained: f.COTrained,
			avail: c.weekly(p+".available", f.Available), absent: c.ranges(p+".absent", f.Absent),
			maxWeek: maxWeek, langs: langs, busy: calendar{}, week: map[int]int{}}
		for _, l := range langs {
			fc.langSet.add(w.language(l))
		}
		w.facs[f.ID] = fc
		og.facs = append(og.facs, fc)
	}
	seen = map[string]bool{}
	for i, b := range in.Babies {
		p := fmt.Sprintf("$.babies[%d]", i)
		c.unique(p+".id", seen, b.ID)
		bb := &baby{id: b.ID, birth: c.date(p+".birth_date", b.BirthDate), lang: b.Language, langBit: -1}
		if b.Language != "" {
			bb.langBit = w.language(b.Language)
		}
		lc, ok := w.locs[b.LocationID]
		if !ok {
			c.add(p+".location_id", "unknown location %q", b.LocationID)
			continue
		}
		if todayOK && bb.birth > w.today {
			c.add(p+".birth_date", "%s is after today (%s)", b.BirthDate, in.Today)
		}
		bb.loc = lc
		w.babies[b.ID] = bb
		w.babyOrder = append(w.babyOrder, bb)
		lc.org.babies = append(lc.org.babies, bb)
	}
	seen = map[string]bool{}
	for i, g := range in.Groups {
		p := fmt.Sprintf("$.groups[%d]", i)
		c.unique(p+".id", seen, g.ID)
		og, ok := w.orgs[g.OrganisationID]
		if !ok {
			c.add(p+".organisation_id", "unknown organisation %q", g.OrganisationID)
			continue
		}
		lc, ok := w.locs[g.LocationID]
		if !ok || lc.org != og {
			c.add(p+".location_id", "unknown location %q of organisation %q", g.LocationID, g.OrganisationID)
			continue
		}
		gr := &group{id: g.ID, org: og, loc: lc, existing: true, sessions: map[int]*session{}, fixed: map[int]bool{}}
		if g.RoomID != "" {
			rm, ok := w.rooms[g.RoomID]
			if !ok || rm.loc != lc {
				c.add(p+".room_id", "unknown room %q at location %q", g.RoomID, g.LocationID)
			}
			gr.room = rm
		}
		if len(g.FacilitatorIDs) != 0 && len(g.FacilitatorIDs) != 2 {
			c.add(p+".facilitator_ids", "must name 2 facilitators")
		}
		for j, id := range g.FacilitatorIDs {
			fc, ok := w.facs[id]
			if !ok || fc.org != og {
				c.add(fmt.Sprintf("%s.facilitator_ids[%d]", p, j), "unknown facilitator %q of organisation %q", id, g.OrganisationID)
			} else if j < 2 {
				gr.pair[j] = fc
			}
		}
		gr.memberIDs = g.BabyIDs
		w.groups[g.ID] = gr
		og.existing = append(og.existing, gr)
	}
	for i, f := range in.FixedSessions {
		p := fmt.Sprintf("$.fixed_sessions[%d]", i)
		gr, ok := w.groups[f.GroupID]
		if !ok {
			c.add(p+".group_id", "unknown group %q", f.GroupID)
			continue
		}
		if f.Number < 1 || f.Number > len(gr.org.rules.sessions) {
			c.add(p+".number", "must be from 1 to %d", len(gr.org.rules.sessions))
			continue
		}
		if gr.fixed[f.Number] {
			c.add(p+".number", "session %d of group %q is fixed twice", f.Number, f.GroupID)
			continue
		}
		d, start, t1 := c.instant(p+".start", f.Start)
		_, end, t2 := c.instant(p+".end", f.End)
		if !t1.IsZero() && !t2.IsZero() && !t2.After(t1) {
			c.add(p+".end", "is not after start")
		}
		rm, ok := w.rooms[f.RoomID]
		if !ok {
			c.add(p+".room_id", "unknown room %q", f.RoomID)
		}
		s := &session{number: f.Number, date: d, start: start, end: end, room: rm, fixed: &f.Session}
		if len(f.FacilitatorIDs) != 2 {
			c.add(p+".facilitator_ids", "must name 2 facilitators")
		}
		for j, id := range f.FacilitatorIDs {
			fc, ok := w.facs[id]
			if !ok {
				c.add(fmt.Sprintf("%s.facilitator_ids[%d]", p, j), "unknown facilitator %q", id)
			} else if j < 2 {
				s.facs[j] = fc
			}
		}
		gr.sessions[f.Number] = s
		gr.fixed[f.Number] = true
	}
	if len(w.languages) > maxLanguages {
		c.add("$", "more than %d different languages", maxLanguages)
	}
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	return w, nil
}
