package planfile

import (
	"fmt"
	"time"

	"github.com/coplan/coplan/planner"
)

// The file's shapes. Dates, clock times and instants are strings here so that
// a malformed one is reported with its JSON path; typed() turns them into the
// planner's values. Parts without such values are the planner's own types.

type input struct {
	Today         string                  `json:"today"`
	Rules         *planner.Rules          `json:"rules"`
	Organisations []organisation          `json:"organisations"`
	Locations     []location              `json:"locations"`
	Facilitators  []facilitator           `json:"facilitators"`
	Babies        []baby                  `json:"babies"`
	Groups        []planner.ExistingGroup `json:"groups"`
	FixedSessions []fixedSession          `json:"fixed_sessions"`
	Expected      []expectedBirth         `json:"expected"`
}

type organisation struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Rules    *planner.Rules `json:"rules"`
	Training []training     `json:"training"`
}

type training struct {
	From         string  `json:"from"`
	Facilitators int     `json:"facilitators"`
	HoursPerWeek float64 `json:"hours_per_week"`
}

type location struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	OrganisationID string   `json:"organisation_id"`
	Catchment      []string `json:"catchment"`
	ShortStay      bool     `json:"short_stay"`
	Rooms          []room   `json:"rooms"`
}

type room struct {
	ID       string      `json:"id"`
	Capacity int         `json:"capacity"`
	Open     []weekly    `json:"open"`
	Closed   []dateRange `json:"closed"`
	Blocks   []timeRange `json:"blocks"`
}

type weekly struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

type dateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type timeRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type facilitator struct {
	ID                 string      `json:"id"`
	OrganisationID     string      `json:"organisation_id"`
	Role               string      `json:"role"`
	COTrained          bool        `json:"co_trained"`
	Available          []weekly    `json:"available"`
	Absent             []dateRange `json:"absent"`
	MaxSessionsPerWeek *int        `json:"max_sessions_per_week"`
	Languages          []string    `json:"languages"`
}

type baby struct {
	ID         string   `json:"id"`
	BirthDate  string   `json:"birth_date"`
	LocationID string   `json:"location_id"`
	Language   string   `json:"language"`
	Weight     *float64 `json:"weight"`
}

type expectedBirth struct {
	ID           string  `json:"id"`
	ExpectedDate string  `json:"expected_date"`
	LocationID   string  `json:"location_id"`
	Language     string  `json:"language"`
	Weight       float64 `json:"weight"`
}

type session struct {
	Number               int      `json:"number"`
	Start                string   `json:"start"`
	End                  string   `json:"end"`
	RoomID               string   `json:"room_id"`
	FacilitatorIDs       []string `json:"facilitator_ids"`
	InterpreterLanguages []string `json:"interpreter_languages"`
}

type fixedSession struct {
	GroupID   string `json:"group_id"`
	Cancelled bool   `json:"cancelled"`
	session
}

// typed converts the file into the planner's input.
func (f *input) typed(p *parser) *planner.Input {
	in := &planner.Input{Today: p.date("$.today", f.Today), Rules: f.Rules, Groups: f.Groups,
		Organisations: make([]planner.Organisation, len(f.Organisations)), Locations: make([]planner.Location, len(f.Locations)),
		Facilitators: make([]planner.Facilitator, len(f.Facilitators)), Babies: make([]planner.Baby, len(f.Babies)),
		FixedSessions: make([]planner.FixedSession, len(f.FixedSessions))}
	if in.Groups == nil {
		in.Groups = []planner.ExistingGroup{}
	}
	for i, o := range f.Organisations {
		in.Organisations[i] = o.typed(p, fmt.Sprintf("$.organisations[%d]", i))
	}
	for i, l := range f.Locations {
		in.Locations[i] = l.typed(p, fmt.Sprintf("$.locations[%d]", i))
	}
	for i, fc := range f.Facilitators {
		path := fmt.Sprintf("$.facilitators[%d]", i)
		in.Facilitators[i] = planner.Facilitator{ID: fc.ID, OrganisationID: fc.OrganisationID, Role: fc.Role, COTrained: fc.COTrained,
			Available: p.weekly(path+".available", fc.Available), Absent: p.ranges(path+".absent", fc.Absent),
			MaxSessionsPerWeek: fc.MaxSessionsPerWeek, Languages: fc.Languages}
	}
	for i, b := range f.Babies {
		in.Babies[i] = planner.Baby{ID: b.ID, BirthDate: p.date(fmt.Sprintf("$.babies[%d].birth_date", i), b.BirthDate),
			LocationID: b.LocationID, Language: b.Language, Weight: b.Weight}
	}
	for i, s := range f.FixedSessions {
		in.FixedSessions[i] = planner.FixedSession{GroupID: s.GroupID, Cancelled: s.Cancelled, Session: p.session(fmt.Sprintf("$.fixed_sessions[%d]", i), s.session)}
	}
	for i, e := range f.Expected {
		in.Expected = append(in.Expected, planner.ExpectedBirth{ID: e.ID, LocationID: e.LocationID, Language: e.Language, Weight: e.Weight,
			ExpectedDate: p.date(fmt.Sprintf("$.expected[%d].expected_date", i), e.ExpectedDate)})
	}
	return in
}

func (o organisation) typed(p *parser, path string) planner.Organisation {
	out := planner.Organisation{ID: o.ID, Name: o.Name, Rules: o.Rules}
	for j, t := range o.Training {
		out.Training = append(out.Training, planner.Training{From: p.date(fmt.Sprintf("%s.training[%d].from", path, j), t.From),
			Facilitators: t.Facilitators, HoursPerWeek: t.HoursPerWeek})
	}
	return out
}

func (l location) typed(p *parser, path string) planner.Location {
	out := planner.Location{ID: l.ID, Name: l.Name, OrganisationID: l.OrganisationID, Catchment: l.Catchment, ShortStay: l.ShortStay,
		Rooms: make([]planner.Room, len(l.Rooms))}
	for j, r := range l.Rooms {
		rp := fmt.Sprintf("%s.rooms[%d]", path, j)
		out.Rooms[j] = planner.Room{ID: r.ID, Capacity: r.Capacity, Open: p.weekly(rp+".open", r.Open), Closed: p.ranges(rp+".closed", r.Closed)}
		for k, b := range r.Blocks {
			bp := fmt.Sprintf("%s.blocks[%d]", rp, k)
			out.Rooms[j].Blocks = append(out.Rooms[j].Blocks, planner.TimeRange{Start: p.instant(bp+".start", b.Start), End: p.instant(bp+".end", b.End)})
		}
	}
	return out
}

// plan is the output's shape, with times as text.
type plan struct {
	Groups            []group                    `json:"groups"`
	Unplaced          []planner.Unplaced         `json:"unplaced"`
	UnplannedSessions []planner.UnplannedSession `json:"unplanned_sessions"`
	Stats             planner.Stats              `json:"stats"`
}

type group struct {
	ID             string         `json:"id"`
	OrganisationID string         `json:"organisation_id"`
	LocationID     string         `json:"location_id"`
	RoomID         string         `json:"room_id"`
	FacilitatorIDs []string       `json:"facilitator_ids"`
	BabyIDs        []string       `json:"baby_ids"`
	JoinedFrom     map[string]int `json:"joined_from,omitempty"`
	Sessions       []session      `json:"sessions"`
}

func wirePlan(p *planner.Plan) plan {
	out := plan{Groups: make([]group, len(p.Groups)), Unplaced: p.Unplaced, UnplannedSessions: p.UnplannedSessions, Stats: p.Stats}
	for i, g := range p.Groups {
		wg := group{ID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID, RoomID: g.RoomID,
			FacilitatorIDs: g.FacilitatorIDs, BabyIDs: g.BabyIDs, JoinedFrom: g.JoinedFrom, Sessions: make([]session, len(g.Sessions))}
		for j, s := range g.Sessions {
			wg.Sessions[j] = session{Number: s.Number, Start: s.Start.Format(time.RFC3339Nano), End: s.End.Format(time.RFC3339Nano),
				RoomID: s.RoomID, FacilitatorIDs: s.FacilitatorIDs, InterpreterLanguages: s.InterpreterLanguages}
		}
		out.Groups[i] = wg
	}
	return out
}
