package civil

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDateArithmeticMatchesTheTimePackage(t *testing.T) {
	start := time.Date(1969, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 25000; i += 13 {
		tm := start.AddDate(0, 0, i)
		d := Of(tm)
		if d.String() != tm.Format("2006-01-02") {
			t.Fatalf("%v formats as %s", tm, d)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: weekday %v, want %v", d, d.Weekday(), tm.Weekday())
		}
		y1, w1 := tm.ISOWeek()
		y2, w2 := tm.AddDate(0, 0, 1).ISOWeek()
		if same := y1 == y2 && w1 == w2; same != (d.ISOWeek() == d.AddDays(1).ISOWeek()) {
			t.Fatalf("%s: ISO week boundary wrong", d)
		}
	}
}

func TestParseRejectsImpossibleDates(t *testing.T) {
	for _, s := range []string{"2027-02-30", "2027-13-01", "27-01-01", "2027-1-1", "", "2027-01-01T00:00:00Z"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
	if d, err := Parse("2028-02-29"); err != nil || d.String() != "2028-02-29" {
		t.Fatalf("leap day: %v %v", d, err)
	}
}

func TestAmsterdamOffsets(t *testing.T) {
	winter := MustParse("2027-01-12").At(10 * 60)
	summer := MustParse("2027-07-13").At(10 * 60)
	if got := winter.Format(time.RFC3339); got != "2027-01-12T10:00:00+01:00" {
		t.Fatalf("winter: %s", got)
	}
	if got := summer.Format(time.RFC3339); got != "2027-07-13T10:00:00+02:00" {
		t.Fatalf("summer: %s", got)
	}
	// A civil date is not midnight UTC: 23:30 UTC on 31 March is 1 April in Amsterdam.
	if got := Today(time.Date(2027, 3, 31, 23, 30, 0, 0, time.UTC)); got.String() != "2027-04-01" {
		t.Fatalf("Today = %s", got)
	}
}

func TestJSONAndClock(t *testing.T) {
	var v struct {
		D Date  `json:"d"`
		C Clock `json:"c"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2027-04-27","c":"09:30"}`), &v); err != nil || v.D.String() != "2027-04-27" || v.C != 570 {
		t.Fatalf("%+v %v", v, err)
	}
	for _, bad := range []string{"24:30", "24:00", "-1:30", "+1:30", " 9:30", "9:30 ", "09:60", "0930", "09.30", "0a:30", "", "09:3O"} {
		if c, err := ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) = %s, want an error", bad, c)
		}
	}
	for _, good := range []string{"00:00", "09:05", "23:59", "12:00"} {
		c, err := ParseClock(good)
		if err != nil || c.String() != good || !c.Valid() {
			t.Errorf("ParseClock(%q) = %s, %v; want it back", good, c, err)
		}
	}
	if p := ValidateWeekly([]Weekly{{1, 540, 600}, {1, 590, 700}, {8, 1, 2}, {2, 600, 600}}); len(p) != 3 || p[1] == "" || p[2] == "" || p[3] == "" {
		t.Fatalf("ValidateWeekly = %v", p)
	}
}
