package coordination

import (
	"context"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
)

// Report counts what CO did over a period, per organisation, location,
// group and language. Nothing in it identifies a family: only counts.
type Report struct {
	From, To civil.Date
	Lines    []ReportLine
	Groups   map[string]int // groups by status: forming, running, completed, dissolved
}

// ReportLine is one row of the report: Kind is organisation, location,
// group or language, Key its id (or language code).
type ReportLine struct {
	Kind, Key      string
	OrganisationID string
	// Started counts the families whose first session was held in the period.
	Started int
	// Held counts the sessions held in the period (not for a language).
	Held int
	// Present and Recorded count attendance at the sessions held in the
	// period; Rate is Present/Recorded in percent (0 when nothing is recorded).
	Present, Recorded int
	Rate              float64
	// LeftAfterFirst counts families who left after attending at most their
	// first session; Completed5 those present at 5 or more of the 8.
	LeftAfterFirst, Completed5 int
}

// Group statuses in a report.
const (
	GroupForming   = "forming"
	GroupRunning   = "running"
	GroupCompleted = "completed"
	GroupDissolved = "dissolved"
)

// BuildReport reads the organisation's data and counts the period [from, to]
// (both days included) as of now.
func (s *Service) BuildReport(ctx context.Context, a store.Actor, organisationID string, from, to civil.Date) (*Report, error) {
	in, err := s.db.ReportInput(ctx, a, organisationID)
	if err != nil {
		return nil, err
	}
	return CountReport(in, from, to, s.db.Now()), nil
}

// CountReport is the report of in over [from, to] as of now.
func CountReport(in *store.ReportInput, from, to civil.Date, now time.Time) *Report {
	r := &Report{From: from, To: to, Groups: map[string]int{}}
	inPeriod := func(t time.Time) bool { d := civil.Today(t); return d >= from && d <= to }
	groups := map[string]store.Group{}
	for _, g := range in.Groups {
		groups[g.ID] = g
	}
	all := make(map[string]store.Session, len(in.Sessions))
	for _, ss := range in.Sessions {
		all[ss.ID] = ss
	}
	held := map[string]store.Session{} // sessions held in the period
	byGroupNumber := map[string]map[int]store.Session{}
	for _, ss := range in.Sessions {
		if ss.Status == store.SessionCancelled {
			continue
		}
		if byGroupNumber[ss.GroupID] == nil {
			byGroupNumber[ss.GroupID] = map[int]store.Session{}
		}
		byGroupNumber[ss.GroupID][ss.Number] = ss
		if ss.EndsAt.Before(now) && inPeriod(ss.StartsAt) {
			held[ss.ID] = ss
		}
	}
	language := map[string]string{} // baby -> language
	for _, m := range in.Members {
		language[m.BabyID] = m.Language
	}
	lines := map[string]*ReportLine{}
	line := func(kind, key, org string) *ReportLine {
		k := kind + "\x00" + key
		if lines[k] == nil {
			lines[k] = &ReportLine{Kind: kind, Key: key, OrganisationID: org}
		}
		return lines[k]
	}
	each := func(groupID, lang string, f func(l *ReportLine)) {
		g := groups[groupID]
		f(line("organisation", g.OrganisationID, g.OrganisationID))
		f(line("location", g.LocationID, g.OrganisationID))
		f(line("group", g.ID, g.OrganisationID))
		if lang != "" {
			f(line("language", lang, g.OrganisationID))
		}
	}
	for _, ss := range held {
		g := groups[ss.GroupID]
		for _, l := range []*ReportLine{line("organisation", g.OrganisationID, g.OrganisationID), line("location", g.LocationID, g.OrganisationID), line("group", g.ID, g.OrganisationID)} {
			l.Held++
		}
	}
	presentCount := map[string]int{} // group+baby -> sessions present, all time up to the period's end
	presentDays := map[string][]civil.Date{}
	for _, at := range in.Attendance {
		ss, ok := held[at.SessionID]
		if ok {
			each(ss.GroupID, language[at.BabyID], func(l *ReportLine) {
				l.Recorded++
				if at.Status == store.Present {
					l.Present++
				}
			})
		}
		if at.Status == store.Present {
			if s2, ok := all[at.SessionID]; ok && civil.Today(s2.StartsAt) <= to {
				k := s2.GroupID + "\x00" + at.BabyID
				presentCount[k]++
				presentDays[k] = append(presentDays[k], civil.Today(s2.StartsAt))
			}
		}
	}
	for _, m := range in.Members {
		first, ok := byGroupNumber[m.GroupID][max(1, m.FromSession)]
		if ok {
			if _, wasHeld := held[first.ID]; wasHeld {
				each(m.GroupID, m.Language, func(l *ReportLine) { l.Started++ })
			}
		}
		n := presentCount[m.GroupID+"\x00"+m.BabyID]
		if m.LeftOn != nil && *m.LeftOn >= from && *m.LeftOn <= to && n <= 1 {
			each(m.GroupID, m.Language, func(l *ReportLine) { l.LeftAfterFirst++ })
		}
		if n >= 5 && fifthIn(presentDays[m.GroupID+"\x00"+m.BabyID], from, to) {
			each(m.GroupID, m.Language, func(l *ReportLine) { l.Completed5++ })
		}
	}
	for _, g := range in.Groups {
		r.Groups[groupStatus(g, byGroupNumber[g.ID], now)]++
	}
	for _, l := range lines {
		if l.Recorded > 0 {
			l.Rate = 100 * float64(l.Present) / float64(l.Recorded)
		}
		r.Lines = append(r.Lines, *l)
	}
	order := map[string]int{"organisation": 0, "location": 1, "group": 2, "language": 3}
	sort.Slice(r.Lines, func(i, j int) bool {
		a, b := r.Lines[i], r.Lines[j]
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] < order[b.Kind]
		}
		return a.Key < b.Key
	})
	return r
}

// fifthIn reports whether the fifth of the days a family was present lies
// in [from, to]: a family is counted in the period in which it reached five.
func fifthIn(days []civil.Date, from, to civil.Date) bool {
	if len(days) < 5 {
		return false
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	return days[4] >= from && days[4] <= to
}

// groupStatus is where a group stands now: dissolved (ended by a merge or
// dissolution before its programme was done), forming (nothing held yet),
// completed (nothing ahead), running.
func groupStatus(g store.Group, sessions map[int]store.Session, now time.Time) string {
	held, ahead := 0, false
	for _, s := range sessions {
		if s.EndsAt.Before(now) {
			held++
		} else {
			ahead = true
		}
	}
	switch {
	case g.EndedOn != nil && held < 8:
		return GroupDissolved
	case held == 0:
		return GroupForming
	case !ahead:
		return GroupCompleted
	}
	return GroupRunning
}
