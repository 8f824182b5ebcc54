package jobs

import (
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
)

func TestSlotIsTheLatestScheduledTime(t *testing.T) {
	every5, err := Parse("*/5 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, civil.Amsterdam)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := map[string]string{
		"2027-01-04 10:05:00": "2027-01-04 10:05:00", // on time
		"2027-01-04 10:05:03": "2027-01-04 10:05:00", // a little late: the same slot on every replica
		"2027-01-04 10:09:59": "2027-01-04 10:05:00",
	}
	for now, want := range cases {
		if got := Slot(every5, at(now)); !got.Equal(at(want)) {
			t.Errorf("Slot at %s = %s; want %s", now, got.In(civil.Amsterdam), want)
		}
	}
	daily, _ := Parse("0 9 * * *")
	if got := Slot(daily, at("2027-03-28 08:59:00")); !got.Equal(at("2027-03-27 09:00:00")) {
		t.Errorf("daily slot across the clock change = %s", got.In(civil.Amsterdam))
	}
	if _, err := Parse("every five minutes"); err == nil {
		t.Error("a bad spec parsed")
	}
}
