package api

import (
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
)

var (
	weekdaysNL = []string{"zo", "ma", "di", "wo", "do", "vr", "za"}
	weekdaysEN = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	monthsNL   = []string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
	monthsEN   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// when formats a session's time in Amsterdam: "di 9 feb 2027 10:00–12:00".
func when(lang string, start, end time.Time) string {
	s, e := start.In(civil.Amsterdam), end.In(civil.Amsterdam)
	return dateLabel(lang, civil.Of(s)) + " " + s.Format("15:04") + "–" + e.Format("15:04")
}

// dateLabel formats a date: "di 9 feb 2027".
func dateLabel(lang string, d civil.Date) string {
	days, months := weekdaysNL, monthsNL
	if lang == "en" {
		days, months = weekdaysEN, monthsEN
	}
	y, m, day := d.Parts()
	return fmt.Sprintf("%s %d %s %d", days[d.Weekday()], day, months[m-1], y)
}

// stamp formats an instant in Amsterdam: "22 nov 2026 16:05".
func stamp(lang string, t time.Time) string {
	a := t.In(civil.Amsterdam)
	months := monthsNL
	if lang == "en" {
		months = monthsEN
	}
	return fmt.Sprintf("%d %s %d %s", a.Day(), months[a.Month()-1], a.Year(), a.Format("15:04"))
}
