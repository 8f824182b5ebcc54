package planner

import (
	"sort"
	"strings"

	"github.com/coplan/coplan/civil"
)

// Quality is how a plan measures against what a CO practitioner accepts,
// per organisation and in total. Shares are from 0 to 1.
type Quality struct {
	Groups                int     `json:"groups"`
	Placed                int     `json:"placed"`
	TooOld                int     `json:"too_old"` // babies too old for the programme
	Sessions              int     `json:"sessions"`
	UnplannedSessions     int     `json:"unplanned_sessions"`
	InterpreterSessions   int     `json:"interpreter_sessions"`    // needing at least one interpreter language
	MultiLanguageSessions int     `json:"multi_language_sessions"` // needing two or more
	SingleLanguageGroups  int     `json:"single_language_groups"`  // every family speaks one language
	SameWeekday           float64 `json:"same_weekday"`            // sessions on their group's usual weekday
	SameTime              float64 `json:"same_time"`               // ... at its usual time of day
	SameRoom              float64 `json:"same_room"`               // ... in its usual room
	SamePair              float64 `json:"same_pair"`               // ... with its usual pair of facilitators
	MeanAgeOffsetDays     float64 `json:"mean_age_offset_days"`    // |age at the session - its target age|, over attendances
	LoadMin               int     `json:"load_min"`                // sessions per facilitator of the organisation
	LoadMedian            int     `json:"load_median"`
	LoadMax               int     `json:"load_max"`
}

// qualityAcc adds up one organisation's (or the total's) quality.
type qualityAcc struct {
	q                                 Quality
	day, clock, room, pair, offsetSum float64
	attendances                       int
	load                              map[string]int // sessions per facilitator
}

func (a *qualityAcc) finish() Quality {
	q := a.q
	if q.Sessions > 0 {
		n := float64(q.Sessions)
		q.SameWeekday, q.SameTime, q.SameRoom, q.SamePair = round2(a.day/n), round2(a.clock/n), round2(a.room/n), round2(a.pair/n)
	}
	if a.attendances > 0 {
		q.MeanAgeOffsetDays = round2(a.offsetSum / float64(a.attendances))
	}
	if len(a.load) > 0 {
		loads := make([]int, 0, len(a.load))
		for _, n := range a.load {
			loads = append(loads, n)
		}
		sort.Ints(loads)
		q.LoadMin, q.LoadMedian, q.LoadMax = loads[0], loads[len(loads)/2], loads[len(loads)-1]
	}
	return q
}

// babyFacts is what Measure needs of a baby: birth date, language and organisation.
type babyFacts func(id string) (civil.Date, string, string)

// Measure computes the plan's quality for in, per organisation (by id) and in total.
func Measure(in *Input, p *Plan) (map[string]Quality, Quality) {
	locOrg := map[string]string{}
	for _, l := range in.Locations {
		locOrg[l.ID] = l.OrganisationID
	}
	byID := make(map[string]*Baby, len(in.Babies))
	for i := range in.Babies {
		byID[in.Babies[i].ID] = &in.Babies[i]
	}
	return measure(in, p, func(id string) (civil.Date, string, string) {
		b := byID[id]
		if b == nil {
			return 0, "", ""
		}
		return b.BirthDate, b.Language, locOrg[b.LocationID]
	})
}

// measure is Measure with the babies looked up by facts (Run uses the
// world's index instead of building one).
func measure(in *Input, p *Plan, facts babyFacts) (map[string]Quality, Quality) {
	accs := map[string]*qualityAcc{}
	get := func(org string) *qualityAcc {
		if accs[org] == nil {
			accs[org] = &qualityAcc{load: map[string]int{}}
		}
		return accs[org]
	}
	for _, o := range in.Organisations {
		get(o.ID)
	}
	for _, f := range in.Facilitators {
		get(f.OrganisationID).load[f.ID] += 0
	}
	groupOrg := map[string]string{}
	programmes := map[string][]SessionRule{}
	counts := map[string]int{}
	for _, g := range p.Groups {
		groupOrg[g.ID] = g.OrganisationID
		prog, ok := programmes[g.OrganisationID]
		if !ok {
			prog = rulesOf(in, g.OrganisationID).sessions
			programmes[g.OrganisationID] = prog
		}
		measureGroup(get(g.OrganisationID), g, prog, facts, counts)
	}
	for _, u := range p.UnplannedSessions {
		if org, ok := groupOrg[u.GroupID]; ok {
			get(org).q.UnplannedSessions++
		}
	}
	for _, u := range p.Unplaced {
		if u.Reason == ReasonTooOld {
			_, _, org := facts(u.BabyID)
			get(org).q.TooOld++
		}
	}
	per := map[string]Quality{}
	total := &qualityAcc{load: map[string]int{}}
	for org, a := range accs {
		per[org] = a.finish()
		t := &total.q
		t.Groups, t.Placed, t.TooOld, t.Sessions = t.Groups+a.q.Groups, t.Placed+a.q.Placed, t.TooOld+a.q.TooOld, t.Sessions+a.q.Sessions
		t.UnplannedSessions, t.InterpreterSessions = t.UnplannedSessions+a.q.UnplannedSessions, t.InterpreterSessions+a.q.InterpreterSessions
		t.MultiLanguageSessions, t.SingleLanguageGroups = t.MultiLanguageSessions+a.q.MultiLanguageSessions, t.SingleLanguageGroups+a.q.SingleLanguageGroups
		total.day, total.clock, total.room, total.pair = total.day+a.day, total.clock+a.clock, total.room+a.room, total.pair+a.pair
		total.offsetSum, total.attendances = total.offsetSum+a.offsetSum, total.attendances+a.attendances
		for f, n := range a.load {
			total.load[org+"\x00"+f] = n
		}
	}
	return per, total.finish()
}

// measureGroup adds group g, of an organisation with programme, to a;
// counts is scratch space.
func measureGroup(a *qualityAcc, g Group, programme []SessionRule, facts babyFacts, counts map[string]int) {
	a.q.Groups++
	a.q.Placed += len(g.BabyIDs)
	births := make([]civil.Date, len(g.BabyIDs))
	one := true
	var first string
	for i, id := range g.BabyIDs {
		var lang string
		births[i], lang, _ = facts(id)
		if i == 0 {
			first = lang
		} else if lang != first {
			one = false
		}
	}
	if one && len(g.BabyIDs) > 0 {
		a.q.SingleLanguageGroups++
	}
	usual := func(key func(s Session) string) float64 {
		clear(counts)
		best := 0
		for _, s := range g.Sessions {
			k := key(s)
			counts[k]++
			best = max(best, counts[k])
		}
		return float64(best)
	}
	a.day += usual(func(s Session) string { return s.Start.In(civil.Amsterdam).Weekday().String() })
	a.clock += usual(func(s Session) string { return s.Start.In(civil.Amsterdam).Format("15:04") })
	a.room += usual(func(s Session) string { return s.RoomID })
	a.pair += usual(func(s Session) string { return pairKey(s.FacilitatorIDs) })
	for _, s := range g.Sessions {
		a.q.Sessions++
		if len(s.InterpreterLanguages) > 0 {
			a.q.InterpreterSessions++
		}
		if len(s.InterpreterLanguages) > 1 {
			a.q.MultiLanguageSessions++
		}
		for _, f := range s.FacilitatorIDs {
			a.load[f]++
		}
		if s.Number < 1 || s.Number > len(programme) {
			continue
		}
		target, day := programme[s.Number-1].TargetAgeDays, civil.Today(s.Start)
		for i, id := range g.BabyIDs {
			if g.Attends(id, s.Number) {
				a.offsetSum += float64(abs(day.Sub(births[i]) - target))
				a.attendances++
			}
		}
	}
}

func pairKey(ids []string) string {
	s := append([]string{}, ids...)
	sort.Strings(s)
	return strings.Join(s, "+")
}
