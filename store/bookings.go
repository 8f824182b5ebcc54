package store

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
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
	if err := a.require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
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
	for _, s := range sessions {
		out = append(out, Booking{Kind: "session", ID: s.ID, RoomID: s.RoomID, RoomName: names[s.RoomID], Start: s.StartsAt, End: s.EndsAt,
			Title: fmt.Sprintf("Centering Ouderschap, bijeenkomst %d/8", s.Number), GroupID: s.GroupID, Number: s.Number, Families: s.Families,
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

// Conflict is a stored session that breaks a hard rule.
type Conflict struct {
	SessionID      string    `json:"session_id"`
	GroupID        string    `json:"group_id"`
	Number         int       `json:"number"`
	OrganisationID string    `json:"organisation_id"`
	LocationID     string    `json:"location_id"`
	Start          time.Time `json:"start"`
	Detail         string    `json:"detail"`
}

var sessionRef = regexp.MustCompile(`group (\S+) session (\d+)`)

// Conflicts runs the planner's checker on what is stored for each organisation
// a may see and lists the future sessions that break a hard rule: under a
// closure or block entered without re-planning, with an absent facilitator, in
// a room made too small, double booked.
func (db *DB) Conflicts(ctx context.Context, a Actor) ([]Conflict, error) {
	orgs, err := db.PlanOrganisations(ctx, a, "")
	if err != nil {
		return nil, err
	}
	out := []Conflict{}
	now := db.Now()
	for _, org := range orgs {
		err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			pi, err := db.planInput(tx, org)
			if err != nil {
				return err
			}
			in := pi.input
			in.FixedSessions = nil
			byKey := map[string]*Session{}
			p := pi.storedPlan(func(s *Session, _ *planner.Session, _ []string) *Session {
				byKey[s.GroupID+"#"+strconv.Itoa(s.Number)] = s
				return s
			})
			seen := map[string]bool{}
			for _, v := range planner.Check(in, p) {
				if strings.Contains(v, "within the notice period") || strings.Contains(v, "interpreter languages") {
					continue
				}
				for _, m := range sessionRef.FindAllStringSubmatch(v, -1) {
					s := byKey[m[1]+"#"+m[2]]
					if s == nil || !s.StartsAt.After(now) || seen[s.ID+v] {
						continue
					}
					seen[s.ID+v] = true
					out = append(out, Conflict{SessionID: s.ID, GroupID: s.GroupID, Number: s.Number, OrganisationID: s.OrganisationID,
						LocationID: s.LocationID, Start: s.StartsAt, Detail: v})
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}
