package planner_test

import (
	"fmt"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/plantest"
)

// sixteen is one location with 16 babies born within one 28-day window.
func sixteen(prep int) *planner.Input {
	in := tinyInput("2027-01-04", 2, "2026-12-20")
	in.Babies = nil
	for i := 0; i < 16; i++ {
		in.Babies = append(in.Babies, planner.Baby{ID: fmt.Sprintf("b%02d", i), BirthDate: civil.MustParse("2026-12-20").AddDays(i % 14), LocationID: "azc", Language: "nl"})
	}
	in.Rules = &planner.Rules{PrepMinutes: &prep, UptakeRate: ptrF(1.0)}
	return in
}

func ptrF(f float64) *float64 { return &f }

func totals(f planner.OrgForecast) (groups, sessions int, hours float64) {
	for _, p := range f.Periods {
		groups += p.GroupsStarting
		sessions += p.Sessions
		hours += p.FacilitatorHours
	}
	return
}

func TestForecastOfSixteenBabiesInOneWindow(t *testing.T) {
	for _, c := range []struct {
		prep  int
		hours float64
	}{{0, 64}, {15, 72}} {
		f, err := planner.Capacity(sixteen(c.prep), planner.ForecastOptions{Period: "week"})
		if err != nil {
			t.Fatal(err)
		}
		groups, sessions, hours := totals(f.Organisations[0])
		if groups != 2 || sessions != 16 || hours != c.hours {
			t.Fatalf("prep %d: %d groups, %d sessions, %.1f facilitator hours; want 2, 16, %.0f", c.prep, groups, sessions, hours, c.hours)
		}
	}
	// The same 16 as expected births with uptake 0.5 are 8 families: one group.
	in := sixteen(0)
	for _, b := range in.Babies {
		in.Expected = append(in.Expected, planner.ExpectedBirth{ID: b.ID, ExpectedDate: b.BirthDate.AddDays(60), LocationID: "azc", Weight: 0.5})
	}
	in.Babies = nil
	f, _ := planner.Capacity(in, planner.ForecastOptions{})
	if groups, sessions, _ := totals(f.Organisations[0]); groups != 1 || sessions != 8 {
		t.Fatalf("expected births at 0.5: %d groups, %d sessions; want 1 and 8", groups, sessions)
	}
}

func TestAnAbsentFacilitatorLowersSupplyInExactlyThoseWeeks(t *testing.T) {
	base, _ := planner.Capacity(sixteen(0), planner.ForecastOptions{Period: "week"})
	in := sixteen(0)
	in.Facilitators[0].Absent = []civil.Range{{From: date("2027-03-01"), To: date("2027-03-28")}} // ISO weeks 9 to 12
	absent, _ := planner.Capacity(in, planner.ForecastOptions{Period: "week"})
	for i, p := range base.Organisations[0].Periods {
		q := absent.Organisations[0].Periods[i]
		inAbsence := p.Period >= "2027-W09" && p.Period <= "2027-W12"
		lower := q.SupplyFacilitatorHours < p.SupplyFacilitatorHours
		if inAbsence != lower {
			t.Fatalf("%s: supply %.1f with the absence, %.1f without", p.Period, q.SupplyFacilitatorHours, p.SupplyFacilitatorHours)
		}
		if inAbsence && p.SupplyFacilitatorHours-q.SupplyFacilitatorHours != 8 {
			t.Fatalf("%s: the absence takes %.1f hours; the nurse offers 8 (Tuesdays 09-17)", p.Period, p.SupplyFacilitatorHours-q.SupplyFacilitatorHours)
		}
	}
}

func TestShortfallAppearsInTheFirstWeekDemandExceedsSupply(t *testing.T) {
	in := sixteen(0)
	// Two facilitators with two hours on Tuesdays: 4 hours a week, and a
	// session week needs 2 groups x 2 facilitators x 2 hours.
	for i := range in.Facilitators {
		in.Facilitators[i].Available = []civil.Weekly{weekly(2, "09:00", "11:00")}
	}
	f, err := planner.Capacity(in, planner.ForecastOptions{Period: "week"})
	if err != nil {
		t.Fatal(err)
	}
	o := f.Organisations[0]
	first := ""
	for _, p := range o.Periods {
		if p.FacilitatorHours > p.SupplyFacilitatorHours {
			first = p.Period
			break
		}
	}
	if first == "" || o.FirstShortfall != first {
		t.Fatalf("first shortfall %q; the first week demand exceeds supply is %q", o.FirstShortfall, first)
	}
	for _, p := range o.Periods {
		if p.Period < first && len(p.Shortfall) > 0 {
			t.Fatalf("a shortfall in %s, before %s", p.Period, first)
		}
		if p.Period == first && p.Shortfall[0] != "facilitators" {
			t.Fatalf("shortfall of %v", p.Shortfall)
		}
	}
}

func TestWhereToOfferCO(t *testing.T) {
	in := sixteen(0)
	in.Babies = nil
	// Over the last year: 110 babies at the hub "azc" (8 per birth window), 45 at
	// "small" in its catchment (3 per window), 30 at "far", which no hub names.
	in.Locations = append(in.Locations, planner.Location{ID: "small", OrganisationID: "ggd", Rooms: []planner.Room{}},
		planner.Location{ID: "far", OrganisationID: "ggd", Rooms: []planner.Room{}})
	in.Locations[0].Catchment = []string{"small"}
	for loc, n := range map[string]int{"azc": 110, "small": 45, "far": 30} {
		for i := 0; i < n; i++ {
			in.Babies = append(in.Babies, planner.Baby{ID: fmt.Sprintf("%s-%d", loc, i), LocationID: loc,
				BirthDate: civil.MustParse("2027-01-03").AddDays(-i * 364 / n)})
		}
	}
	f, err := planner.Capacity(in, planner.ForecastOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]planner.LocationAdvice{}
	for _, a := range f.Locations {
		got[a.LocationID] = a
	}
	if got["azc"].Viable != "alone" || got["small"].Viable != "with_hub" || got["small"].HubID != "azc" || got["far"].Viable != "no" {
		t.Fatalf("advice: %+v", f.Locations)
	}
	if f.Locations[0].LocationID != "azc" {
		t.Fatal("the list is not ranked by expected babies")
	}
}

func BenchmarkForecastNational(b *testing.B) {
	in, _ := nationalInput(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planner.Capacity(in, planner.ForecastOptions{Period: "week"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWhatIfOneOrganisation(b *testing.B) {
	in, _ := nationalInput(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planner.Capacity(in, planner.ForecastOptions{Period: "week", Only: in.Organisations[3].ID}); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = plantest.National

func TestWhatIfChangesTheForecastNotTheInput(t *testing.T) {
	in := sixteen(0)
	for i := range in.Facilitators {
		in.Facilitators[i].Available = []civil.Weekly{weekly(2, "09:00", "11:00")}
	}
	base, _ := planner.Capacity(in, planner.ForecastOptions{})
	if base.Organisations[0].FirstShortfall == "" {
		t.Fatal("the base case should fall short")
	}
	// Two more facilitators, and a room open on every working day: the only
	// room is open on Tuesdays, and King's Day 2027 is a Tuesday.
	changed, err := planner.WhatIf{OrganisationID: "ggd", ExtraFacilitators: 2, HoursPerWeek: 16,
		ExtraRoom: &planner.ExtraRoom{LocationID: "azc", Capacity: 20}}.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	better, _ := planner.Capacity(changed, planner.ForecastOptions{})
	if better.Organisations[0].FirstShortfall != "" {
		t.Fatalf("two extra facilitators still fall short in %s", better.Organisations[0].FirstShortfall)
	}
	if len(in.Organisations[0].Training) != 0 {
		t.Fatal("the what-if changed its input")
	}
	if _, err := (planner.WhatIf{OrganisationID: "ggd", ExtraRoom: &planner.ExtraRoom{LocationID: "nowhere"}}).Apply(in); err == nil {
		t.Fatal("an unknown location in a what-if was accepted")
	}
}
