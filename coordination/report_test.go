package coordination

import (
	"fmt"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
)

// A report counted by hand: one group of three families with eight weekly
// sessions, six held; family A present at all six, B at five (absent once
// with notice), C at the first only and then left.
func TestReportCountsByHand(t *testing.T) {
	start := time.Date(2027, 3, 2, 9, 0, 0, 0, civil.Amsterdam)
	now := start.AddDate(0, 0, 7*5).Add(3 * time.Hour) // after session 6
	in := &store.ReportInput{Groups: []store.Group{{ID: "g1", OrganisationID: "o1", LocationID: "l1"}, {ID: "g2", OrganisationID: "o1", LocationID: "l1"}}}
	left := civil.Today(start.AddDate(0, 0, 8))
	in.Members = []store.ReportMember{{GroupID: "g1", BabyID: "A", Language: "ar", FromSession: 1}, {GroupID: "g1", BabyID: "B", Language: "ti", FromSession: 1},
		{GroupID: "g1", BabyID: "C", Language: "ti", FromSession: 1, LeftOn: &left}}
	for n := 1; n <= 8; n++ {
		at := start.AddDate(0, 0, 7*(n-1))
		id := fmt.Sprintf("s%d", n)
		in.Sessions = append(in.Sessions, store.Session{ID: id, GroupID: "g1", OrganisationID: "o1", Number: n, StartsAt: at, EndsAt: at.Add(2 * time.Hour), Status: store.SessionPublished})
		if at.After(now) {
			continue
		}
		in.Attendance = append(in.Attendance, store.Attendance{SessionID: id, BabyID: "A", Status: store.Present})
		b := store.Present
		if n == 3 {
			b = store.AbsentNotice
		}
		in.Attendance = append(in.Attendance, store.Attendance{SessionID: id, BabyID: "B", Status: b})
		if n == 1 {
			in.Attendance = append(in.Attendance, store.Attendance{SessionID: id, BabyID: "C", Status: store.Present})
		}
	}
	// g2 has one session ahead and none held: forming.
	in.Sessions = append(in.Sessions, store.Session{ID: "x1", GroupID: "g2", Number: 1, StartsAt: now.AddDate(0, 0, 7), EndsAt: now.AddDate(0, 0, 7).Add(2 * time.Hour), Status: store.SessionPlanned})

	r := CountReport(in, civil.Today(start), civil.Today(now), now)
	line := func(kind, key string) ReportLine {
		for _, l := range r.Lines {
			if l.Kind == kind && l.Key == key {
				return l
			}
		}
		t.Fatalf("no %s line %s", kind, key)
		return ReportLine{}
	}
	org := line("organisation", "o1")
	// 6 sessions held; recorded: A 6 + B 6 + C 1 = 13, present 6 + 5 + 1 = 12.
	if org.Held != 6 || org.Recorded != 13 || org.Present != 12 || org.Started != 3 || org.LeftAfterFirst != 1 || org.Completed5 != 2 {
		t.Fatalf("the organisation's line: %+v", org)
	}
	if got := fmt.Sprintf("%.2f", org.Rate); got != "92.31" {
		t.Fatalf("the rate %s, want 92.31 (12 of 13)", got)
	}
	ti := line("language", "ti")
	if ti.Recorded != 7 || ti.Present != 6 || ti.Started != 2 || ti.LeftAfterFirst != 1 || ti.Completed5 != 1 {
		t.Fatalf("the Tigrinya line: %+v", ti)
	}
	if r.Groups[GroupRunning] != 1 || r.Groups[GroupForming] != 1 {
		t.Fatalf("groups by status: %v", r.Groups)
	}
}
