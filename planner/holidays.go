package planner

import (
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/nl"
)

// Dutch public holidays on which no session is held: New Year's Day, Easter
// Monday, King's Day (26 April when the 27th is a Sunday), Ascension Day, Whit
// Monday, Christmas and Boxing Day. Good Friday and Liberation Day are optional.
var publicHolidays = []*cal.Holiday{nl.Nieuwjaar, nl.TweedePaasdag, nl.Koningsdag, nl.Hemelvaart,
	nl.TweedePinksterDag, nl.EersteKerstdag, nl.TweedeKerstdag}

// closedDays are the days of the years from..to without sessions under r:
// the public holidays, the optional ones r avoids, and r's quiet periods.
func (r *rules) closedDays(fromYear, toYear int) map[civil.Date]bool {
	set := holidaySet(fromYear, toYear, r.avoidGoodFriday, r.avoidLiberationDay)
	for _, p := range r.avoidPeriods {
		for _, from := range periodStarts(p, fromYear, toYear) {
			for d := from; d <= from.AddDays(p.To.Sub(p.From)); d = d.AddDays(1) {
				set[d] = true
			}
		}
	}
	return set
}

// periodStarts are the first days of p in the years from..to (a yearly
// period also once in the year before, when it crosses New Year).
func periodStarts(p AvoidPeriod, fromYear, toYear int) []civil.Date {
	if !p.Yearly {
		return []civil.Date{p.From}
	}
	_, m, d := p.From.Parts()
	var out []civil.Date
	for y := fromYear - 1; y <= toYear; y++ {
		out = append(out, civil.Of(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
	}
	return out
}

// holidaySet returns the holidays of the years from..to under r's options.
func holidaySet(fromYear, toYear int, goodFriday, liberationDay bool) map[civil.Date]bool {
	hs := append([]*cal.Holiday{}, publicHolidays...)
	if goodFriday {
		hs = append(hs, nl.GoedeVrijdag)
	}
	if liberationDay {
		hs = append(hs, nl.BevrijdingsDag)
	}
	set := map[civil.Date]bool{}
	for y := fromYear; y <= toYear; y++ {
		for _, h := range hs {
			_, observed := h.Calc(y)
			if !observed.IsZero() {
				set[civil.Of(observed)] = true
			}
		}
	}
	return set
}

// Holiday reports whether d is a Dutch public holiday on which coplan plans no
// session (without the optional Good Friday and Liberation Day).
func Holiday(d civil.Date) bool {
	y, _, _ := d.Parts()
	return holidaySet(y, y, false, false)[d]
}

// Closed reports whether no session is planned on d under rules r (nil:
// the defaults): a public holiday, an optional one r avoids, or a quiet
// period.
func Closed(r *Rules, d civil.Date) bool {
	rs := defaultRules().apply(r)
	y, _, _ := d.Parts()
	return rs.closedDays(y, y)[d]
}
