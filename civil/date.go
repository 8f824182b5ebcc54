// Package civil owns calendar dates without a time of day and the Europe/Amsterdam
// wall clock. A birth date or a closure day is a civil date, not midnight UTC; it
// gets its own small package because the planner, the store, the API and the
// calendars all need the same type, and the planner may import none of the others.
package civil

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on machines without zoneinfo.
)

// Amsterdam is the zone of every wall-clock time in coplan.
var Amsterdam = mustLoad("Europe/Amsterdam")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Date is a calendar date, stored as days since 1970-01-01. The zero value is
// 1970-01-01; use a *Date or IsZero checks where "no date" matters.
type Date int32

const layout = "2006-01-02"

// New returns the date y-m-d; out-of-range values normalise like time.Date.
func New(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date(t.Unix() / 86400)
}

// Parse reads a YYYY-MM-DD date and rejects impossible ones such as 2027-02-30.
func Parse(s string) (Date, error) {
	if len(s) != len(layout) {
		return 0, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a valid date (YYYY-MM-DD)", s)
	}
	return Of(t), nil
}

// MustParse is Parse for constants in tests and demo data.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the civil date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return New(y, m, d)
}

// Today returns the Amsterdam date at instant t.
func Today(t time.Time) Date { return Of(t.In(Amsterdam)) }

// Time returns the date as midnight UTC, for arithmetic only.
func (d Date) utc() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// At returns the instant of the wall-clock time hh:mm (minutes after midnight) on
// this date in Amsterdam.
func (d Date) At(minutes int) time.Time {
	y, m, dd := d.utc().Date()
	return time.Date(y, m, dd, minutes/60, minutes%60, 0, 0, Amsterdam)
}

// Parts returns year, month and day.
func (d Date) Parts() (int, time.Month, int) { return d.utc().Date() }

// String formats as YYYY-MM-DD.
func (d Date) String() string { return d.utc().Format(layout) }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddMonths returns the date n months later, normalising like time.AddDate.
func (d Date) AddMonths(n int) Date { return Of(d.utc().AddDate(0, n, 0)) }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d - e) }

// Weekday returns the day of the week; 1970-01-01 was a Thursday.
func (d Date) Weekday() time.Weekday {
	return time.Weekday((int(d)%7 + 7 + 4) % 7)
}

// ISOWeekday returns 1 for Monday through 7 for Sunday.
func (d Date) ISOWeekday() int {
	w := int(d.Weekday())
	if w == 0 {
		return 7
	}
	return w
}

// ISOWeek returns a number that is equal for dates in one ISO week (Monday based).
func (d Date) ISOWeek() int {
	// Days since the Monday 1969-12-29, integer-divided by 7.
	n := int(d) + 3
	if n < 0 {
		return (n - 6) / 7
	}
	return n / 7
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("%s is not a date string of the form YYYY-MM-DD", b)
	}
	v, err := Parse(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText and UnmarshalText let dates be map keys and CSV cells.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores a date as YYYY-MM-DD text, which PostgreSQL casts to DATE and
// SQLite keeps as sortable text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a DATE column (PostgreSQL gives time.Time) or text (SQLite).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = Of(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	case nil:
		return errors.New("civil: NULL date; use a *civil.Date")
	}
	return fmt.Errorf("civil: cannot scan %T into a date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > len(layout) {
		s = s[:len(layout)]
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Range is an inclusive range of dates, such as a closure or an absence.
type Range struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Contains reports whether d lies in the range, both ends included.
func (r Range) Contains(d Date) bool { return d >= r.From && d <= r.To }

// ParseDutch reads a date as people type it in the Netherlands, dd-mm-jjjj
// (also with / or . and without leading zeros), or as YYYY-MM-DD (what a
// date field and a spreadsheet's ISO column send); impossible dates are
// rejected.
func ParseDutch(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if d, err := Parse(s); err == nil {
		return d, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2 {
		day, err1 := strconv.Atoi(parts[0])
		month, err2 := strconv.Atoi(parts[1])
		year, err3 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && err3 == nil && month >= 1 && month <= 12 && day >= 1 {
			d := New(year, time.Month(month), day)
			if _, m, dd := d.Parts(); m == time.Month(month) && dd == day {
				return d, nil
			}
		}
	}
	return 0, fmt.Errorf("%q is not a date (dd-mm-jjjj or YYYY-MM-DD)", s)
}

// Dutch writes the date as people in the Netherlands type it: 09-02-2027.
func (d Date) Dutch() string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%02d-%02d-%04d", day, m, y)
}
