package civil

import (
	"fmt"
	"sort"
	"time"
)

// Clock is a wall-clock time of day in minutes after midnight, written "HH:MM".
type Clock int

// ParseClock reads exactly "HH:MM": two digits 00-23, a colon, two digits
// 00-59. No sign, no spaces, no 24:00; anything else is an error, so that
// every stored time reads back as itself.
func ParseClock(s string) (Clock, error) {
	digit := func(i int) (int, bool) { return int(s[i] - '0'), s[i] >= '0' && s[i] <= '9' }
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of the form HH:MM", s)
	}
	h1, ok1 := digit(0)
	h2, ok2 := digit(1)
	m1, ok3 := digit(3)
	m2, ok4 := digit(4)
	h, m := 10*h1+h2, 10*m1+m2
	if !ok1 || !ok2 || !ok3 || !ok4 || h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a valid time (HH:MM, 00:00 to 23:59)", s)
	}
	return Clock(h*60 + m), nil
}

// Valid reports whether c is a time of day, 00:00 to 23:59.
func (c Clock) Valid() bool { return c >= 0 && c < 24*60 }

// String formats as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalJSON writes "HH:MM".
func (c Clock) MarshalJSON() ([]byte, error) { return []byte(`"` + c.String() + `"`), nil }

// UnmarshalJSON reads "HH:MM".
func (c *Clock) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("%s is not a time string of the form HH:MM", b)
	}
	v, err := ParseClock(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Weekly is a recurring interval on one weekday (1 = Monday ... 7 = Sunday),
// such as a room's opening hours or a facilitator's availability.
type Weekly struct {
	Weekday int   `json:"weekday"`
	From    Clock `json:"from"`
	To      Clock `json:"to"`
}

// ValidateWeekly checks each interval and that intervals on one weekday do not
// overlap. It returns one message per problem, keyed by the index of the interval.
func ValidateWeekly(ws []Weekly) map[int]string {
	problems := map[int]string{}
	idx := make([]int, len(ws))
	for i, w := range ws {
		idx[i] = i
		switch {
		case w.Weekday < 1 || w.Weekday > 7:
			problems[i] = fmt.Sprintf("weekday %d is not 1 (Monday) to 7 (Sunday)", w.Weekday)
		case w.From >= w.To:
			problems[i] = fmt.Sprintf("from %s is not before to %s", w.From, w.To)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		wa, wb := ws[idx[a]], ws[idx[b]]
		if wa.Weekday != wb.Weekday {
			return wa.Weekday < wb.Weekday
		}
		return wa.From < wb.From
	})
	for k := 1; k < len(idx); k++ {
		prev, cur := ws[idx[k-1]], ws[idx[k]]
		if prev.Weekday == cur.Weekday && cur.From < prev.To {
			if _, seen := problems[idx[k]]; !seen {
				problems[idx[k]] = fmt.Sprintf("overlaps another interval on weekday %d", cur.Weekday)
			}
		}
	}
	return problems
}

// ValidateRanges checks that each range starts on or before its end.
func ValidateRanges(rs []Range) map[int]string {
	problems := map[int]string{}
	for i, r := range rs {
		if r.From > r.To {
			problems[i] = fmt.Sprintf("from %s is after to %s", r.From, r.To)
		}
	}
	return problems
}

// Covers reports whether one of the weekly intervals holds [from, to) on weekday.
func Covers(ws []Weekly, weekday int, from, to Clock) bool {
	for _, w := range ws {
		if w.Weekday == weekday && w.From <= from && to <= w.To {
			return true
		}
	}
	return false
}

// WallClock returns the Amsterdam date and minutes after midnight of t.
func WallClock(t time.Time) (Date, Clock) {
	a := t.In(Amsterdam)
	return Of(a), Clock(a.Hour()*60 + a.Minute())
}
