package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Booking is a room booked at a location: a CO session or a block. It names no
// family: location staff see rooms and times, never babies.
type Booking struct {
	Kind                 string    `json:"kind"` // "session" or "block"
	ID                   string    `json:"id"`
	RoomID               string    `json:"room_id"`
	RoomName             string    `json:"room_name"`
	Start                time.Time `json:"start"`
	End                  time.Time `json:"end"`
	Title                string    `json:"title"`
	GroupID              string    `json:"group_id,omitempty"`
	GroupName            string    `json:"group_name,omitempty"`
	Number               int       `json:"number,omitempty"`
	Families             int       `json:"families,omitempty"`
	Facilitators         []string  `json:"facilitators,omitempty"`
	InterpreterLanguages []string  `json:"interpreter_languages,omitempty"`
	Status               string    `json:"status,omitempty"`
	Weekly               bool      `json:"weekly,omitempty"`
}

// Bookings lists what holds the rooms of a location in [from, to): sessions
// (not cancelled) and block occurrences, by start.
func (db *DB) Bookings(ctx context.Context, a Actor, locationID string, from, to time.Time) ([]Booking, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	out := []Booking{}
	g := db.gorm.WithContext(ctx)
	if _, err := db.roomLocation(g, a, locationID); err != nil {
		return nil, err
	}
	var rooms []Room
	if err := g.Where("location_id = ?", locationID).Find(&rooms).Error; err != nil {
		return nil, err
	}
	names := map[string]string{}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		names[r.ID], ids[i] = r.Name, r.ID
	}
	var sessions []Session
	if err := g.Where("location_id = ? AND status <> ? AND starts_at < ? AND ends_at > ?", locationID, SessionCancelled, to.UTC(), from.UTC()).
		Order("starts_at, id").Find(&sessions).Error; err != nil {
		return nil, err
	}
	var facs []Facilitator
	facIDs := []string{}
	for _, s := range sessions {
		facIDs = append(facIDs, s.LeadFacilitatorID, s.SecondFacilitatorID)
	}
	if err := g.Where("id IN ?", nonEmpty(facIDs)).Find(&facs).Error; err != nil {
		return nil, err
	}
	facName := map[string]string{}
	for _, f := range facs {
		facName[f.ID] = f.DisplayName
	}
	groupIDs := []string{}
	for _, s := range sessions {
		groupIDs = append(groupIDs, s.GroupID)
	}
	var groups []Group
	if err := g.Select("id", "name").Where("id IN ?", nonEmpty(groupIDs)).Find(&groups).Error; err != nil {
		return nil, err
	}
	groupName := map[string]string{}
	for _, gr := range groups {
		groupName[gr.ID] = gr.Name
	}
	for _, s := range sessions {
		out = append(out, Booking{Kind: "session", ID: s.ID, RoomID: s.RoomID, RoomName: names[s.RoomID], Start: s.StartsAt, End: s.EndsAt,
			Title: fmt.Sprintf("Centering Ouderschap, bijeenkomst %d/8", s.Number), GroupID: s.GroupID, GroupName: groupName[s.GroupID], Number: s.Number, Families: s.Families,
			Facilitators: []string{facName[s.LeadFacilitatorID], facName[s.SecondFacilitatorID]}, InterpreterLanguages: s.InterpreterLanguages,
			Status: string(s.Status)})
	}
	blocks, err := blocksOf(g, ids)
	if err != nil {
		return nil, err
	}
	for _, bs := range blocks {
		for _, b := range bs {
			for _, o := range b.Occurrences(from, to) {
				out = append(out, Booking{Kind: "block", ID: b.ID, RoomID: b.RoomID, RoomName: names[b.RoomID], Start: o.Start, End: o.End,
					Title: b.Title, Weekly: b.Weekly})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].RoomID < out[j].RoomID
	})
	return out, nil
}
