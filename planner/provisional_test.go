package planner_test

import (
	"reflect"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
)

func TestProvisionalCohortsByDueDate(t *testing.T) {
	d := func(s string) civil.Date { return civil.MustParse(s) }
	due := []planner.Due{{"a", "L", d("2027-05-01")}, {"b", "L", d("2027-05-03")}, {"c", "L", d("2027-05-10")}, {"d", "L", d("2027-05-12")},
		{"e", "L", d("2027-05-20")}, {"f", "L", d("2027-05-25")}, {"g", "L", d("2027-05-28")}, // 7 within 27 days
		{"h", "L", d("2027-08-01")}, // alone
		{"x", "M", d("2027-05-01")}} // another location, alone
	got := planner.ProvisionalCohorts(due, 6, 8, 28)
	if want := [][]string{{"a", "b", "c", "d", "e", "f", "g"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("cohorts = %v, want %v", got, want)
	}
	// Born: five of the seven so far, then six; one born outside the window stays out.
	born := func(s string) *civil.Date { x := d(s); return &x }
	births := map[string]*civil.Date{"a": born("2027-04-28"), "b": born("2027-05-02"), "c": born("2027-05-09"), "d": born("2027-05-14"), "e": born("2027-05-19"), "f": nil, "g": nil}
	if _, ok := planner.ReadyToStart(births, 6, 28); ok {
		t.Fatal("five born is not yet a group")
	}
	births["f"], births["g"] = born("2027-05-24"), born("2027-06-20")
	ids, ok := planner.ReadyToStart(births, 6, 28)
	if !ok || !reflect.DeepEqual(ids, []string{"a", "b", "c", "d", "e", "f"}) {
		t.Fatalf("ready = %v %v", ids, ok)
	}
}

// No session falls in the Christmas holiday by default; an organisation
// that plans through it says so with an empty avoid_periods.
func TestNoSessionsInChristmasWeek(t *testing.T) {
	d := func(s string) civil.Date { return civil.MustParse(s) }
	r := planner.DefaultAvoidPeriods[0]
	if _, m, day := r.From.Parts(); m != 12 || day != 24 || !r.Yearly {
		t.Fatalf("default quiet period %+v", r)
	}
	for _, day := range []string{"2027-12-24", "2027-12-28", "2027-12-31", "2028-01-01"} {
		if !planner.Closed(nil, d(day)) {
			t.Errorf("%s is not closed", day)
		}
	}
	for _, day := range []string{"2027-12-23", "2028-01-03"} {
		if planner.Closed(nil, d(day)) {
			t.Errorf("%s is closed", day)
		}
	}
	none := []planner.AvoidPeriod{}
	if planner.Closed(&planner.Rules{AvoidPeriods: &none}, d("2027-12-28")) {
		t.Error("an empty avoid_periods still closes 28 December")
	}
	if !planner.Closed(&planner.Rules{AvoidPeriods: &none}, d("2027-12-25")) {
		t.Error("Christmas Day is a public holiday whatever the quiet periods")
	}
}
