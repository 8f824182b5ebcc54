// Package planner is coplan's pure domain logic: it forms Centering Ouderschap
// cohorts from babies born in the same period, schedules each group's two-hour
// sessions against rooms, facilitators, holidays and age windows, checks a plan
// against every hard rule, and forecasts capacity. It reads no clock ("today"
// is an input), touches no database and imports no web framework, so the same
// input always gives the same plan.
//
// Its API is typed: civil dates, wall-clock times and instants, never strings.
// The JSON file format of `coplan plan` is an edge of its own (planfile); the
// JSON tags here name the same keys, so that a marshalled Input is a plan file.
package planner

import (
	"time"

	"github.com/coplan/coplan/civil"
)

// Input is a planning problem: what exists today and who is to be planned.
type Input struct {
	Today         civil.Date      `json:"today"`
	Rules         *Rules          `json:"rules,omitempty"`
	Organisations []Organisation  `json:"organisations"`
	Locations     []Location      `json:"locations"`
	Facilitators  []Facilitator   `json:"facilitators"`
	Babies        []Baby          `json:"babies"`
	Groups        []ExistingGroup `json:"groups"`
	FixedSessions []FixedSession  `json:"fixed_sessions"`
	// Expected births are read by the capacity forecast and ignored by Run.
	Expected []ExpectedBirth `json:"expected,omitempty"`
}

// Rules override the defaults; every field is optional. Top-level rules apply
// to every organisation, an organisation's own rules override those.
type Rules struct {
	GroupMin               *int `json:"group_min,omitempty"`
	GroupMax               *int `json:"group_max,omitempty"`
	BirthWindowDays        *int `json:"birth_window_days,omitempty"`
	SessionMinutes         *int `json:"session_minutes,omitempty"`
	MinDaysBetweenSessions *int `json:"min_days_between_sessions,omitempty"`
	MinNoticeDays          *int `json:"min_notice_days,omitempty"`
	// MinSessionsForLateJoin is how many sessions of the programme must
	// remain for a baby to join a running group (default 3).
	MinSessionsForLateJoin *int          `json:"min_sessions_for_late_join,omitempty"`
	Sessions               []SessionRule `json:"sessions,omitempty"`
	// AvoidGoodFriday and AvoidLiberationDay close those days too; many
	// organisations are closed then although they are not national holidays for all.
	AvoidGoodFriday    *bool `json:"avoid_good_friday,omitempty"`
	AvoidLiberationDay *bool `json:"avoid_liberation_day,omitempty"`
	// AvoidPeriods are quiet weeks without sessions; by default 24 December
	// to 1 January every year. An empty list (not null) has none.
	AvoidPeriods *[]AvoidPeriod `json:"avoid_periods,omitempty"`
	// Weekdays are the days sessions may fall on, 1 (Monday) to 7; by
	// default Monday to Friday (add 6 for an organisation open on Saturday).
	Weekdays []int `json:"weekdays,omitempty"`
	// UptakeRate and PrepMinutes are read by the capacity forecast.
	UptakeRate  *float64 `json:"uptake_rate,omitempty"`
	PrepMinutes *int     `json:"prep_minutes,omitempty"`
}

// AvoidPeriod is a period without sessions, both days included; Yearly
// repeats its day and month every year (a period may cross New Year).
type AvoidPeriod struct {
	From   civil.Date `json:"from"`
	To     civil.Date `json:"to"`
	Yearly bool       `json:"yearly,omitempty"`
}

// DefaultAvoidPeriods is the Christmas holiday: 24 December to 1 January.
var DefaultAvoidPeriods = []AvoidPeriod{{From: civil.MustParse("2000-12-24"), To: civil.MustParse("2001-01-01"), Yearly: true}}

// SessionRule is one session of the programme with its age window in days.
type SessionRule struct {
	MinAgeDays    int `json:"min_age_days"`
	TargetAgeDays int `json:"target_age_days"`
	MaxAgeDays    int `json:"max_age_days"`
}

// Organisation is a GGD or JGZ organisation; each is planned on its own.
type Organisation struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Rules *Rules `json:"rules,omitempty"`
	// Training is the facilitators the organisation will train (from the
	// interest survey); the capacity forecast counts them from the date given.
	Training []Training `json:"training,omitempty"`
}

// Training is a number of facilitators who will be CO-trained from a date on.
type Training struct {
	From         civil.Date `json:"from"`
	Facilitators int        `json:"facilitators"`
	HoursPerWeek float64    `json:"hours_per_week,omitempty"` // default 8
}

// Location is a COA location with its rooms.
type Location struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	OrganisationID string   `json:"organisation_id"`
	Catchment      []string `json:"catchment,omitempty"`
	ShortStay      bool     `json:"short_stay,omitempty"`
	Rooms          []Room   `json:"rooms"`
}

// Room is a room where a group can meet.
type Room struct {
	ID       string         `json:"id"`
	Capacity int            `json:"capacity"`
	Open     []civil.Weekly `json:"open"`
	Closed   []civil.Range  `json:"closed"`
	// Blocks are one-off bookings of the room by others.
	Blocks []TimeRange `json:"blocks,omitempty"`
}

// TimeRange is a span of time, end exclusive.
type TimeRange struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Facilitator is a member of staff who can facilitate sessions.
type Facilitator struct {
	ID                 string         `json:"id"`
	OrganisationID     string         `json:"organisation_id"`
	Role               string         `json:"role"` // nurse, doctor or assistant
	COTrained          bool           `json:"co_trained"`
	Available          []civil.Weekly `json:"available"`
	Absent             []civil.Range  `json:"absent"`
	MaxSessionsPerWeek *int           `json:"max_sessions_per_week,omitempty"` // default 5
	Languages          []string       `json:"languages"`
}

// Baby is a baby whose family chose CO.
type Baby struct {
	ID         string     `json:"id"`
	BirthDate  civil.Date `json:"birth_date"`
	LocationID string     `json:"location_id"`
	Language   string     `json:"language,omitempty"`
	// Weight is how much the baby counts in the capacity forecast: 1 (the
	// default) for a family that chose CO, the uptake rate for one not yet asked.
	// The plan ignores it.
	Weight *float64 `json:"weight,omitempty"`
}

// ExpectedBirth is a pregnancy known to the organisation (capacity only).
type ExpectedBirth struct {
	ID           string     `json:"id"`
	ExpectedDate civil.Date `json:"expected_date"`
	LocationID   string     `json:"location_id"`
	Language     string     `json:"language,omitempty"`
	// Weight is how much this birth counts (the uptake rate); 0 means the
	// organisation's uptake rate.
	Weight float64 `json:"weight,omitempty"`
}

// ExistingGroup is a group that exists already, as the output writes it
// without its sessions.
type ExistingGroup struct {
	ID             string   `json:"id"`
	OrganisationID string   `json:"organisation_id"`
	LocationID     string   `json:"location_id"`
	RoomID         string   `json:"room_id"`
	FacilitatorIDs []string `json:"facilitator_ids"`
	BabyIDs        []string `json:"baby_ids"`
	// JoinedFrom names the members who joined the running group late, with
	// the first session each attends; the others attend from session 1.
	JoinedFrom map[string]int `json:"joined_from,omitempty"`
}

// FixedSession is a published, cancelled or held session that a re-plan keeps
// exactly: its time, room and facilitators never change. The interpreter
// languages of one still ahead follow its group's members.
type FixedSession struct {
	GroupID string `json:"group_id"`
	// Cancelled sessions keep their number in the programme but meet nobody:
	// they book no room or person and nobody joins at them.
	Cancelled bool `json:"cancelled,omitempty"`
	Session
}

// Plan is the planner's answer.
type Plan struct {
	Groups            []Group            `json:"groups"`
	Unplaced          []Unplaced         `json:"unplaced"`
	UnplannedSessions []UnplannedSession `json:"unplanned_sessions"`
	Stats             Stats              `json:"stats"`
}

// Group is a cohort of babies with its sessions.
type Group struct {
	ID             string   `json:"id"`
	OrganisationID string   `json:"organisation_id"`
	LocationID     string   `json:"location_id"`
	RoomID         string   `json:"room_id"`
	FacilitatorIDs []string `json:"facilitator_ids"`
	BabyIDs        []string `json:"baby_ids"`
	// JoinedFrom names the members who joined late, with the first session
	// each attends; every other member attends from session 1.
	JoinedFrom map[string]int `json:"joined_from,omitempty"`
	Sessions   []Session      `json:"sessions"`
}

// Attends reports whether member babyID of g attends session number n.
func (g *Group) Attends(babyID string, n int) bool {
	from, late := g.JoinedFrom[babyID]
	return !late || from <= n
}

// Attendees lists the members of g who attend session number n.
func (g *Group) Attendees(n int) []string {
	out := make([]string, 0, len(g.BabyIDs))
	for _, id := range g.BabyIDs {
		if g.Attends(id, n) {
			out = append(out, id)
		}
	}
	return out
}

// Session is one two-hour meeting of a group. The planner writes its times in
// Europe/Amsterdam; a fixed session keeps the times it was given.
type Session struct {
	Number               int       `json:"number"`
	Start                time.Time `json:"start"`
	End                  time.Time `json:"end"`
	RoomID               string    `json:"room_id"`
	FacilitatorIDs       []string  `json:"facilitator_ids"`
	InterpreterLanguages []string  `json:"interpreter_languages"`
}

// Unplaced is a baby the plan does not place, with why.
type Unplaced struct {
	BabyID string `json:"baby_id"`
	Reason string `json:"reason"`
}

// UnplannedSession is a session of a group for which no valid slot exists.
type UnplannedSession struct {
	GroupID string `json:"group_id"`
	Number  int    `json:"number"`
	Reason  string `json:"reason"`
}

// Stats counts the plan.
type Stats struct {
	Babies   int `json:"babies"`
	Placed   int `json:"placed"`
	Groups   int `json:"groups"`
	Sessions int `json:"sessions"`
	// Quality measures the plan in total and per organisation (Measure).
	Quality       *Quality           `json:"quality,omitempty"`
	Organisations map[string]Quality `json:"organisations,omitempty"`
}

// Reasons a baby is unplaced or a session unplanned.
const (
	ReasonTooFewBabies   = "too_few_babies"
	ReasonNoRoom         = "no_room"
	ReasonNoFacilitators = "no_facilitators"
	ReasonTooOld         = "too_old"
	ReasonShortStay      = "short_stay"
	ReasonTooSoon        = "too_soon"     // the window closes before the notice period ends
	ReasonNoSlot         = "no_slot"      // rooms and facilitators exist, but never together in the window
	ReasonOutOfOrder     = "out_of_order" // no date fits between the fixed sessions around it
)

// JoinOption is a running group that a waiting baby can join, and the first
// session it would attend there.
type JoinOption struct {
	GroupID string `json:"group_id"`
	From    int    `json:"from_session"`
	// Sessions is how many sessions of the programme remain for the baby.
	Sessions int `json:"sessions"`
	// SameLanguage: a member or a facilitator of the group speaks the
	// family's language, so joining needs no new interpreter language.
	SameLanguage bool `json:"same_language"`
}
