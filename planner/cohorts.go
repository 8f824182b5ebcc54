package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/coplan/coplan/civil"
)

// cohorts decides who is in which group for one organisation: existing groups
// keep their members, waiting babies are cut into new groups by birth date,
// and those still waiting join running groups late. It returns the groups to schedule and the
// unplaced babies with their reasons.
func (w *world) cohorts(o *org) (groups []*group, unplaced map[*baby]string) {
	r := &o.rules
	unplaced = map[*baby]string{}
	byBirth := func(bs []*baby) {
		sort.Slice(bs, func(i, j int) bool {
			if bs[i].birth != bs[j].birth {
				return bs[i].birth < bs[j].birth
			}
			return bs[i].id < bs[j].id
		})
	}

	w.seatMembers(o)
	groups = append(groups, o.existing...)

	staffed := canStaff(o)
	var waiting []*baby
	for _, b := range o.babies {
		if b.group != nil {
			continue
		}
		if w.today.Sub(b.birth) > r.lastMaxAge() {
			unplaced[b] = ReasonTooOld
			continue
		}
		if !staffed {
			unplaced[b] = ReasonNoFacilitators
			continue
		}
		waiting = append(waiting, b)
	}
	byBirth(waiting)

	for _, hub := range hubOrder(o.locs) {
		if hub.shortStay {
			continue
		}
		limit := sizeLimit(hub, r)
		if limit < r.groupMin && !hasExisting(o.existing, hub) {
			continue
		}
		var pool []*baby
		for _, b := range waiting {
			if b.group == nil && (b.loc == hub || containsLoc(hub.catchment, b.loc)) {
				pool = append(pool, b)
			}
		}
		// New groups first: a new group serves its families the whole
		// programme, and joining a running group could split a cohort that
		// would have made one. Who is left then joins a running group.
		if limit >= r.groupMin {
			groups = append(groups, w.formGroups(o, hub, pool, limit)...)
		}
		w.joinRunning(o, hub, pool)
	}

	for _, b := range waiting {
		if b.group == nil {
			unplaced[b] = leftoverReason(o, b)
		}
	}
	return groups, unplaced
}

// canStaff reports whether the organisation can put a CO-trained nurse and a
// second facilitator in a session at all.
func canStaff(o *org) bool {
	nurse := false
	for _, f := range o.facs {
		if f.nurse && f.coTrained && f.maxWeek > 0 {
			nurse = true
		}
	}
	n := 0
	for _, f := range o.facs {
		if f.maxWeek > 0 {
			n++
		}
	}
	return nurse && n >= 2
}

func containsLoc(ls []*loc, l *loc) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func hasExisting(gs []*group, hub *loc) bool {
	for _, g := range gs {
		if g.loc == hub {
			return true
		}
	}
	return false
}

// sizeLimit is the largest group a hub can seat: 2 seats per family, 2
// facilitators and an interpreter, in its largest room.
func sizeLimit(hub *loc, r *rules) int {
	best := 0
	for _, rm := range hub.rooms {
		best = max(best, (rm.capacity-3)/2)
	}
	return min(best, r.groupMax)
}

// hubOrder lists locations so that each comes after the locations in its
// catchment: a small location first tries to form groups of its own, and its
// babies who are left over then join the hub's.
func hubOrder(locs []*loc) []*loc {
	sorted := append([]*loc{}, locs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].id < sorted[j].id })
	seen := map[*loc]bool{}
	var out []*loc
	var visit func(l *loc)
	visit = func(l *loc) {
		if seen[l] {
			return
		}
		seen[l] = true
		members := append([]*loc{}, l.catchment...)
		sort.Slice(members, func(i, j int) bool { return members[i].id < members[j].id })
		for _, m := range members {
			visit(m)
		}
		out = append(out, l)
	}
	for _, l := range sorted {
		visit(l)
	}
	return out
}

func leftoverReason(o *org, b *baby) string {
	var hubs []*loc
	if !b.loc.shortStay {
		hubs = append(hubs, b.loc)
	}
	for _, l := range o.locs {
		if !l.shortStay && containsLoc(l.catchment, b.loc) {
			hubs = append(hubs, l)
		}
	}
	if len(hubs) == 0 {
		return ReasonShortStay
	}
	for _, h := range hubs {
		if sizeLimit(h, &o.rules) >= o.rules.groupMin {
			return ReasonTooFewBabies
		}
	}
	return ReasonNoRoom
}

// window returns the dates on which session k suits every baby of a cohort
// whose oldest was born on oldest and youngest on youngest.
func window(s SessionRule, oldest, youngest civil.Date) (lo, hi civil.Date) {
	return youngest.AddDays(s.MinAgeDays), oldest.AddDays(s.MaxAgeDays)
}

// hasFutureSession reports whether a cohort born between oldest and youngest has
// a session after number `after` that can still be held (after the notice period).
func (w *world) hasFutureSession(r *rules, oldest, youngest civil.Date, after int) bool {
	earliest := w.today.AddDays(r.notice)
	for k := after; k < len(r.sessions); k++ {
		lo, hi := window(r.sessions[k], oldest, youngest)
		if max(lo, earliest) <= hi {
			return true
		}
	}
	return false
}

// lastHeld is the number of the group's last fixed session that was not
// cancelled, or 0.
func lastHeld(g *group) int {
	n := 0
	for k := range g.fixed {
		if !g.sessions[k].cancelled {
			n = max(n, k)
		}
	}
	return n
}

// groupLimit is the size limit of an existing group: its own room's seats.
func groupLimit(g *group, r *rules) int {
	if g.room != nil {
		return min(r.groupMax, (g.room.capacity-3)/2)
	}
	return sizeLimit(g.loc, r)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// score orders ways to cut a pool: more babies placed, then fewer groups, then
// families of one language kept together (the sum of squared language counts).
type score struct {
	placed, groups, language int
}

func (a score) better(b score) bool {
	if a.placed != b.placed {
		return a.placed > b.placed
	}
	if a.groups != b.groups {
		return a.groups < b.groups
	}
	return a.language > b.language
}

// formGroups cuts the birth-date order of pool into groups by dynamic
// programming: best[i] is the best way to plan babies i..n-1, either leaving
// baby i out or starting a group of size s at i. Only runs of babies born at
// most the birth window apart, with a session still to come, make a group.
func (w *world) formGroups(o *org, hub *loc, pool []*baby, limit int) []*group {
	r := &o.rules
	n := len(pool)
	if n < r.groupMin {
		return nil
	}
	best := make([]score, n+1)
	choice := make([]int, n+1) // 0: leave baby i out; s: a group of s babies from i
	counts := map[string]int{}
	for i := n - 1; i >= 0; i-- {
		best[i], choice[i] = best[i+1], 0
		for s := r.groupMin; s <= limit && i+s <= n; s++ {
			if pool[i+s-1].birth.Sub(pool[i].birth) > r.birthWindow {
				break
			}
			if !w.hasFutureSession(r, pool[i].birth, pool[i+s-1].birth, 0) {
				continue
			}
			clear(counts)
			lang := 0
			for _, b := range pool[i : i+s] {
				counts[b.lang]++
				lang += 2*counts[b.lang] - 1 // running sum of squares
			}
			c := score{best[i+s].placed + s, best[i+s].groups + 1, best[i+s].language + lang}
			if c.better(best[i]) {
				best[i], choice[i] = c, s
			}
		}
	}
	var out []*group
	for i := 0; i < n; {
		s := choice[i]
		if s == 0 {
			i++
			continue
		}
		members := append([]*baby{}, pool[i:i+s]...)
		g := &group{id: groupID(members), org: o, loc: hub, babies: members, sessions: map[int]*session{}, fixed: map[int]bool{}}
		for _, b := range members {
			b.group = g
		}
		out = append(out, g)
		i += s
	}
	return out
}

// groupID derives a new group's id from its founding members, so that the same
// cohort gets the same id in every run.
func groupID(members []*baby) string {
	ids := make([]string, len(members))
	for i, b := range members {
		ids[i] = b.id
	}
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\x00")))
	return "g-" + hex.EncodeToString(sum[:6])
}
