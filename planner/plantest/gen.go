// Package plantest generates planner inputs: small random ones for the property
// tests and the national-scale one for the benchmarks (70,000 babies over 15
// months at 300 locations of 25 organisations with 1,500 facilitators).
package plantest

import (
	"fmt"
	"math/rand/v2"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
)

// Size says how big an input to generate.
type Size struct {
	Organisations      int
	LocationsPerOrg    int
	FacilitatorsPerOrg int
	Babies             int
	BirthMonths        int // babies are born over this many months before today
}

// National is the benchmark's size.
var National = Size{Organisations: 25, LocationsPerOrg: 12, FacilitatorsPerOrg: 60, Babies: 70000, BirthMonths: 15}

var familyLanguages = []string{"ti", "ti", "ti", "ar", "ar", "ar", "tr", "prs", "fa", "ku", "so", "ps", "en", "nl"}
var staffLanguages = []string{"en", "ar", "tr", "ti", "fa", "ps"}

// Generate makes a reproducible input of the given size planned on today.
func Generate(seed uint64, size Size, today civil.Date) *planner.Input {
	rng := rand.New(rand.NewPCG(seed, 77))
	in := &planner.Input{Today: today, Groups: []planner.ExistingGroup{}, FixedSessions: []planner.FixedSession{}}
	type locRef struct {
		id     string
		weight int
	}
	var locs []locRef
	totalWeight := 0
	for o := 0; o < size.Organisations; o++ {
		orgID := fmt.Sprintf("org-%02d", o+1)
		in.Organisations = append(in.Organisations, planner.Organisation{ID: orgID, Name: fmt.Sprintf("GGD %d", o+1)})
		var orgLocs []int
		for l := 0; l < size.LocationsPerOrg; l++ {
			id := fmt.Sprintf("%s-loc-%02d", orgID, l+1)
			loc := planner.Location{ID: id, Name: id, OrganisationID: orgID, ShortStay: rng.IntN(8) == 0}
			for r := 0; r < 1+rng.IntN(2); r++ {
				loc.Rooms = append(loc.Rooms, room(rng, fmt.Sprintf("%s-r%d", id, r+1), today))
			}
			orgLocs = append(orgLocs, len(in.Locations))
			in.Locations = append(in.Locations, loc)
			weight := 1 + rng.IntN(6)
			locs = append(locs, locRef{id, weight})
			totalWeight += weight
		}
		// Some locations are hubs for one or two neighbours.
		for _, i := range orgLocs {
			if rng.IntN(3) != 0 {
				continue
			}
			for n := 0; n < 1+rng.IntN(2); n++ {
				j := orgLocs[rng.IntN(len(orgLocs))]
				member := in.Locations[j].ID
				if j == i || contains(in.Locations[i].Catchment, member) {
					continue
				}
				in.Locations[i].Catchment = append(in.Locations[i].Catchment, member)
			}
		}
		for f := 0; f < size.FacilitatorsPerOrg; f++ {
			in.Facilitators = append(in.Facilitators, facilitator(rng, fmt.Sprintf("%s-f%03d", orgID, f+1), orgID, f, today))
		}
	}
	days := size.BirthMonths * 30
	for b := 0; b < size.Babies; b++ {
		pick := rng.IntN(totalWeight)
		var loc string
		for _, l := range locs {
			if pick < l.weight {
				loc = l.id
				break
			}
			pick -= l.weight
		}
		in.Babies = append(in.Babies, planner.Baby{
			ID:         fmt.Sprintf("b-%06d", b+1),
			BirthDate:  today.AddDays(-rng.IntN(days + 1)),
			LocationID: loc,
			Language:   familyLanguages[rng.IntN(len(familyLanguages))],
		})
	}
	return in
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func room(rng *rand.Rand, id string, today civil.Date) planner.Room {
	r := planner.Room{ID: id, Capacity: 14 + rng.IntN(17)}
	from := []civil.Clock{clock(8, 30), clock(9, 0)}[rng.IntN(2)]
	to := []civil.Clock{clock(16, 30), clock(17, 0)}[rng.IntN(2)]
	for wd := 1; wd <= 5; wd++ {
		if rng.IntN(5) != 0 {
			r.Open = append(r.Open, civil.Weekly{Weekday: wd, From: from, To: to})
		}
	}
	for c := 0; c < rng.IntN(3); c++ {
		start := today.AddDays(rng.IntN(500))
		r.Closed = append(r.Closed, civil.Range{From: start, To: start.AddDays(rng.IntN(20))})
	}
	return r
}

func facilitator(rng *rand.Rand, id, org string, i int, today civil.Date) planner.Facilitator {
	role, trained := "nurse", true
	switch n := rng.IntN(8); {
	case i%4 == 0: // every fourth is a CO-trained nurse, so every organisation has leads
	case n < 3:
		trained = rng.IntN(5) != 0
	case n < 5:
		role, trained = "doctor", rng.IntN(2) == 0
	default:
		role, trained = "assistant", false
	}
	maxWeek := 2 + rng.IntN(4)
	f := planner.Facilitator{ID: id, OrganisationID: org, Role: role, COTrained: trained, MaxSessionsPerWeek: &maxWeek,
		Languages: []string{"nl"}, Available: []civil.Weekly{}, Absent: []civil.Range{}}
	for _, l := range staffLanguages {
		if rng.IntN(6) == 0 {
			f.Languages = append(f.Languages, l)
		}
	}
	from, to := clock(8, 30), clock(17, 0)
	switch rng.IntN(3) {
	case 0:
		to = clock(13, 0)
	case 1:
		from = clock(12, 30)
	}
	for wd := 1; wd <= 5; wd++ {
		if rng.IntN(4) != 0 {
			f.Available = append(f.Available, civil.Weekly{Weekday: wd, From: from, To: to})
		}
	}
	for a := 0; a < rng.IntN(4); a++ {
		start := today.AddDays(rng.IntN(500))
		f.Absent = append(f.Absent, civil.Range{From: start, To: start.AddDays(rng.IntN(15))})
	}
	return f
}

func clock(h, m int) civil.Clock { return civil.Clock(h*60 + m) }
