package planner

import (
	"fmt"

	"github.com/coplan/coplan/civil"
)

// WhatIf changes an input for a forecast without changing stored data.
type WhatIf struct {
	OrganisationID string
	UptakeRate     *float64
	// ExtraFacilitators are CO-trained nurses added from today, available
	// HoursPerWeek each (default 16, Monday to Friday).
	ExtraFacilitators int
	HoursPerWeek      float64
	// ExtraRoom adds a room at a location, open on working days.
	ExtraRoom *ExtraRoom
	// Catchment merges small locations into a hub's groups.
	Catchment *CatchmentChange
}

// ExtraRoom is a room to add in a what-if.
type ExtraRoom struct {
	LocationID string
	Capacity   int
	From, To   *civil.Clock // daily opening; default 09:00 to 17:00
}

// CatchmentChange names the locations whose babies may join a hub's groups.
type CatchmentChange struct {
	HubID       string
	LocationIDs []string
}

// Apply returns a copy of in with the what-if applied (in itself is unchanged).
func (wi WhatIf) Apply(in *Input) (*Input, error) {
	out := onlyOrganisation(in, wi.OrganisationID)
	if len(out.Organisations) == 0 {
		return nil, Problems{{Path: "$.organisation_id", Message: fmt.Sprintf("unknown organisation %q", wi.OrganisationID)}}
	}
	org := out.Organisations[0]
	if wi.UptakeRate != nil {
		if *wi.UptakeRate < 0 || *wi.UptakeRate > 1 {
			return nil, Problems{{Path: "$.uptake_rate", Message: "must be from 0 to 1"}}
		}
		r := Rules{}
		if org.Rules != nil {
			r = *org.Rules
		}
		r.UptakeRate = wi.UptakeRate
		org.Rules = &r
		// Babies that counted with the old uptake rate count with the new one.
		for i, b := range out.Babies {
			if b.Weight != nil && *b.Weight < 1 {
				out.Babies[i].Weight = wi.UptakeRate
			}
		}
		for i := range out.Expected {
			if out.Expected[i].Weight < 1 {
				out.Expected[i].Weight = *wi.UptakeRate
			}
		}
	}
	out.Organisations[0] = org
	if wi.ExtraFacilitators < 0 || wi.ExtraFacilitators > 200 {
		return nil, Problems{{Path: "$.extra_facilitators", Message: "must be from 0 to 200"}}
	}
	if wi.HoursPerWeek < 0 || wi.HoursPerWeek > 60 {
		return nil, Problems{{Path: "$.hours_per_week", Message: "must be from 0 to 60"}}
	}
	if r := wi.ExtraRoom; r != nil && (r.Capacity < 1 || r.Capacity > 500) {
		return nil, Problems{{Path: "$.extra_room.capacity", Message: "must be from 1 to 500"}}
	}
	if wi.ExtraFacilitators > 0 {
		h := wi.HoursPerWeek
		if h == 0 {
			h = 16
		}
		org.Training = append(append([]Training{}, org.Training...), Training{From: in.Today, Facilitators: wi.ExtraFacilitators, HoursPerWeek: h})
		out.Organisations[0] = org
	}
	if r := wi.ExtraRoom; r != nil {
		from, to := civil.Clock(9*60), civil.Clock(17*60)
		if r.From != nil {
			from = *r.From
		}
		if r.To != nil {
			to = *r.To
		}
		found := false
		for i, l := range out.Locations {
			if l.ID == r.LocationID {
				found = true
				room := Room{ID: "what-if-room", Capacity: r.Capacity}
				for d := 1; d <= 5; d++ {
					room.Open = append(room.Open, civil.Weekly{Weekday: d, From: from, To: to})
				}
				out.Locations[i].Rooms = append(append([]Room{}, l.Rooms...), room)
			}
		}
		if !found {
			return nil, Problems{{Path: "$.extra_room.location_id", Message: fmt.Sprintf("unknown location %q of the organisation", r.LocationID)}}
		}
	}
	if c := wi.Catchment; c != nil {
		found := false
		for i, l := range out.Locations {
			if l.ID == c.HubID {
				found = true
				out.Locations[i].Catchment = append([]string{}, c.LocationIDs...)
			}
		}
		if !found {
			return nil, Problems{{Path: "$.catchment.hub_id", Message: fmt.Sprintf("unknown location %q of the organisation", c.HubID)}}
		}
	}
	return out, nil
}
