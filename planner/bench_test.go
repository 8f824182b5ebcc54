package planner_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/plantest"
)

var (
	national     *planner.Input
	nationalJSON []byte
	nationalOnce sync.Once
)

func nationalInput(b *testing.B) (*planner.Input, []byte) {
	nationalOnce.Do(func() {
		national = plantest.Generate(2027, plantest.National, civil.New(2027, 1, 4))
		nationalJSON, _ = json.Marshal(national)
	})
	return national, nationalJSON
}

// BenchmarkDecodeNational is the yardstick: encoding/json decoding the national
// input into the planner's typed structs.
func BenchmarkDecodeNational(b *testing.B) {
	_, data := nationalInput(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var in planner.Input
		if err := json.Unmarshal(data, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanNational plans 70,000 babies at 300 locations of 25
// organisations with 1,500 facilitators.
func BenchmarkPlanNational(b *testing.B) {
	in, _ := nationalInput(b)
	bounds, err := planner.Bound(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var p *planner.Plan
	for b.Loop() {
		if p, err = planner.Run(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.Stats.Placed), "placed")
	b.ReportMetric(float64(bounds.Cohorted), "cohorted")
	b.ReportMetric(float64(bounds.Eligible), "eligible")
	b.ReportMetric(float64(p.Stats.Groups), "groups")
	b.ReportMetric(float64(p.Stats.Sessions), "sessions")
}

// oneOrganisation is the national input's first organisation (about 2,800
// babies), planned, with its groups passed back and its sessions before
// fixedUntil fixed (published or held).
func oneOrganisation(b *testing.B, fixedUntil civil.Date) *planner.Input {
	all, _ := nationalInput(b)
	in := &planner.Input{Today: all.Today, Organisations: all.Organisations[:1]}
	org := in.Organisations[0].ID
	locs := map[string]bool{}
	for _, l := range all.Locations {
		if l.OrganisationID == org {
			in.Locations = append(in.Locations, l)
			locs[l.ID] = true
		}
	}
	for _, f := range all.Facilitators {
		if f.OrganisationID == org {
			in.Facilitators = append(in.Facilitators, f)
		}
	}
	for _, bb := range all.Babies {
		if locs[bb.LocationID] {
			in.Babies = append(in.Babies, bb)
		}
	}
	first, err := planner.Run(in)
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range first.Groups {
		in.Groups = append(in.Groups, planner.ExistingGroup{ID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID,
			RoomID: g.RoomID, FacilitatorIDs: g.FacilitatorIDs, BabyIDs: g.BabyIDs, JoinedFrom: g.JoinedFrom})
		for _, s := range g.Sessions {
			if s.Start.Before(fixedUntil.At(0)) {
				in.FixedSessions = append(in.FixedSessions, planner.FixedSession{GroupID: g.ID, Session: s})
			}
		}
	}
	return in
}

// BenchmarkReplanOneOrganisation re-plans one organisation after one new baby:
// its groups exist and their sessions of the coming weeks are published.
func BenchmarkReplanOneOrganisation(b *testing.B) {
	in := oneOrganisation(b, civil.New(2027, 2, 15))
	in.Babies = append(in.Babies, planner.Baby{ID: "b-new", BirthDate: civil.New(2026, 12, 20), LocationID: in.Locations[0].ID, Language: "ar"})
	b.ReportMetric(float64(len(in.Babies)), "babies")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planner.Run(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplanAfterOneMove re-plans one organisation whose every session is
// published after one member moved to another of its locations: the late-join
// path, where the mover joins a running group there.
func BenchmarkReplanAfterOneMove(b *testing.B) {
	in := oneOrganisation(b, civil.New(2030, 1, 1))
	mover := in.Groups[len(in.Groups)/2].BabyIDs[0]
	for i := range in.Babies {
		if in.Babies[i].ID == mover {
			for _, l := range in.Locations {
				if l.ID != in.Babies[i].LocationID && len(l.Rooms) > 0 {
					in.Babies[i].LocationID = l.ID
					break
				}
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planner.Run(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLateJoinProposals is what a coordinator waits for after recording
// a move: the running groups of a national-size organisation one baby fits.
func BenchmarkLateJoinProposals(b *testing.B) {
	in := oneOrganisation(b, civil.New(2030, 1, 1))
	in.Babies = append(in.Babies, planner.Baby{ID: "b-new", BirthDate: civil.New(2026, 12, 20), LocationID: in.Locations[0].ID, Language: "ti"})
	b.ReportAllocs()
	var n int
	for b.Loop() {
		opts, err := planner.LateJoins(in, "b-new")
		if err != nil {
			b.Fatal(err)
		}
		n = len(opts)
	}
	b.ReportMetric(float64(n), "options")
}

// BenchmarkMeasureNational is the cost of the quality figures Run adds to
// every plan.
func BenchmarkMeasureNational(b *testing.B) {
	in, _ := nationalInput(b)
	p, err := planner.Run(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		planner.Measure(in, p)
	}
}
