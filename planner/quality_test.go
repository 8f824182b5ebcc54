package planner_test

import (
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
)

// The quality figures of a small plan, counted by hand.
func TestMeasureCountsByHand(t *testing.T) {
	birth := civil.MustParse("2027-01-01")
	in := &planner.Input{Organisations: []planner.Organisation{{ID: "o"}},
		Locations:    []planner.Location{{ID: "l", OrganisationID: "o"}},
		Facilitators: []planner.Facilitator{{ID: "f1", OrganisationID: "o"}, {ID: "f2", OrganisationID: "o"}, {ID: "f3", OrganisationID: "o"}},
		Babies: []planner.Baby{{ID: "a", BirthDate: birth, LocationID: "l", Language: "ar"}, {ID: "b", BirthDate: birth, LocationID: "l", Language: "ar"},
			{ID: "c", BirthDate: birth.AddDays(-10), LocationID: "l", Language: "ti"}, {ID: "old", BirthDate: birth.AddDays(-700), LocationID: "l"}}}
	at := func(d civil.Date, hh int) time.Time { return d.At(hh * 60) }
	s1 := birth.AddDays(planner.DefaultSessions[0].TargetAgeDays) // the target day for a and b
	s2 := birth.AddDays(planner.DefaultSessions[1].TargetAgeDays + 1)
	p := &planner.Plan{Groups: []planner.Group{{ID: "g", OrganisationID: "o", LocationID: "l", BabyIDs: []string{"a", "b", "c"}, Sessions: []planner.Session{
		{Number: 1, Start: at(s1, 9), End: at(s1, 11), RoomID: "r1", FacilitatorIDs: []string{"f1", "f2"}, InterpreterLanguages: []string{"ti"}},
		{Number: 2, Start: at(s2, 9), End: at(s2, 11), RoomID: "r1", FacilitatorIDs: []string{"f1", "f3"}, InterpreterLanguages: []string{"ti", "ar"}}}}},
		UnplannedSessions: []planner.UnplannedSession{{GroupID: "g", Number: 3}},
		Unplaced:          []planner.Unplaced{{BabyID: "old", Reason: planner.ReasonTooOld}}}
	per, total := planner.Measure(in, p)
	q := per["o"]
	if q != total {
		t.Fatalf("one organisation: per %+v, total %+v", q, total)
	}
	// Age offsets: session 1: a, b 0 days, c 10; session 2: a, b 1, c 11: 23 / 6.
	want := planner.Quality{Groups: 1, Placed: 3, TooOld: 1, Sessions: 2, UnplannedSessions: 1, InterpreterSessions: 2, MultiLanguageSessions: 1,
		SingleLanguageGroups: 0, SameWeekday: 0.5, SameTime: 1, SameRoom: 1, SamePair: 0.5, MeanAgeOffsetDays: 3.83, LoadMin: 1, LoadMedian: 1, LoadMax: 2}
	if s1.Weekday() == s2.Weekday() {
		want.SameWeekday = 1
	}
	if q != want {
		t.Fatalf("quality\n got %+v\nwant %+v", q, want)
	}
}
