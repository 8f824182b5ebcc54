package planner

import (
	"github.com/coplan/coplan/civil"
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/nl"
)

// Dutch public holidays on which no session is held: New Year's Day, Easter
// Monday, King's Day (26 April when the 27th is a Sunday), Ascension Day, Whit
// Monday, Christmas and Boxing Day. Good Friday and Liberation Day are optional.
var publicHolidays = []*cal.Holiday{nl.Nieuwjaar, nl.TweedePaasdag, nl.Koningsdag, nl.Hemelvaart,
	nl.TweedePinksterDag, nl.EersteKerstdag, nl.TweedeKerstdag}

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
