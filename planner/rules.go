package planner

import "github.com/coplan/coplan/civil"

// DefaultSessions is the default programme: eight sessions with the age windows
// (in days) of the individual JGZ contacts that CO replaces.
var DefaultSessions = []SessionRule{
	{28, 42, 70},    // 6 weeks
	{70, 91, 112},   // 3 months
	{101, 122, 143}, // 4 months
	{162, 183, 204}, // 6 months
	{207, 228, 249}, // 7.5 months
	{253, 274, 295}, // 9 months
	{314, 335, 356}, // 11 months
	{405, 426, 447}, // 14 months
}

// rules are the resolved rules of one organisation.
type rules struct {
	groupMin, groupMax int
	birthWindow        int
	sessionMinutes     int
	minGap             int
	notice             int
	minLateJoin        int
	sessions           []SessionRule
	avoidGoodFriday    bool
	avoidLiberationDay bool
	avoidPeriods       []AvoidPeriod
	weekdays           [8]bool // by ISO weekday
	uptakeRate         float64
	prepMinutes        int
	holidays           map[civil.Date]bool
}

func defaultRules() rules {
	return rules{weekdays: [8]bool{1: true, 2: true, 3: true, 4: true, 5: true}, groupMin: 6, groupMax: 8, birthWindow: 28, sessionMinutes: 120, minGap: 14, notice: 7, minLateJoin: 3,
		sessions: DefaultSessions, uptakeRate: 0.4, prepMinutes: 30, avoidPeriods: DefaultAvoidPeriods}
}

// apply overrides r with the fields set in o.
func (r rules) apply(o *Rules) rules {
	if o == nil {
		return r
	}
	setInt := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setInt(&r.groupMin, o.GroupMin)
	setInt(&r.groupMax, o.GroupMax)
	setInt(&r.birthWindow, o.BirthWindowDays)
	setInt(&r.sessionMinutes, o.SessionMinutes)
	setInt(&r.minGap, o.MinDaysBetweenSessions)
	setInt(&r.notice, o.MinNoticeDays)
	setInt(&r.minLateJoin, o.MinSessionsForLateJoin)
	setInt(&r.prepMinutes, o.PrepMinutes)
	if len(o.Sessions) > 0 {
		r.sessions = o.Sessions
	}
	if o.AvoidGoodFriday != nil {
		r.avoidGoodFriday = *o.AvoidGoodFriday
	}
	if o.AvoidLiberationDay != nil {
		r.avoidLiberationDay = *o.AvoidLiberationDay
	}
	if o.AvoidPeriods != nil {
		r.avoidPeriods = *o.AvoidPeriods
	}
	if len(o.Weekdays) > 0 {
		r.weekdays = [8]bool{}
		for _, d := range o.Weekdays {
			if d >= 1 && d <= 7 {
				r.weekdays[d] = true
			}
		}
	}
	if o.UptakeRate != nil {
		r.uptakeRate = *o.UptakeRate
	}
	return r
}

// lastMaxAge is the oldest age at which any session of the programme is held.
func (r *rules) lastMaxAge() int {
	m := 0
	for _, s := range r.sessions {
		m = max(m, s.MaxAgeDays)
	}
	return m
}

// GroupMin is the smallest group organisation organisationID of in forms:
// its own rules, else the input's, else the default.
func GroupMin(in *Input, organisationID string) int { return rulesOf(in, organisationID).groupMin }

// GroupMax is the largest group organisationID of in forms (rooms may
// make it smaller).
func GroupMax(in *Input, organisationID string) int { return rulesOf(in, organisationID).groupMax }

// BirthWindow is the most days apart the members of one group of
// organisationID may be born, by the same rules as GroupMin.
func BirthWindow(in *Input, organisationID string) int {
	return rulesOf(in, organisationID).birthWindow
}

func rulesOf(in *Input, organisationID string) rules {
	r := defaultRules().apply(in.Rules)
	for _, o := range in.Organisations {
		if o.ID == organisationID {
			r = r.apply(o.Rules)
		}
	}
	return r
}
