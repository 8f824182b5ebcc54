package planner

import (
	"fmt"

	"github.com/coplan/coplan/civil"
)

// Rule names one hard rule of a plan. The set is closed: Rules lists every
// code, and people read a violation through the message catalogue in their
// language, never through text made here.
type Rule string

// The hard rules Check verifies. A violation of the first group is about the
// plan as a whole (the planner's own bookkeeping); the others are about a group,
// one of its sessions, or a booking.
const (
	// The plan's bookkeeping.
	RuleBabyPlacedTwice     Rule = "baby_placed_twice"     // a baby is in two groups, or in a group and unplaced
	RuleBabyNotAccounted    Rule = "baby_not_accounted"    // a baby is neither placed nor listed as unplaced
	RuleUnplacedReason      Rule = "unplaced_reason"       // too_old given to a baby who is not, or withheld from one who is
	RuleUnknownBaby         Rule = "unknown_baby"          // a group names a baby the input does not have
	RuleUnknownGroup        Rule = "unknown_group"         // an unplanned session names a group that is not in the plan
	RuleStats               Rule = "stats"                 // the stats do not count the plan
	RulePlannedAndUnplanned Rule = "planned_and_unplanned" // a session is planned and listed as unplanned
	RuleSessionNotAccounted Rule = "session_not_accounted" // a session still ahead is neither planned nor listed
	RuleNoSessions          Rule = "no_sessions"           // a group in the plan has no session
	RuleFixedChanged        Rule = "fixed_changed"         // a fixed (published or held) session was changed
	RuleNotInProgramme      Rule = "not_in_programme"      // a session number the programme does not have
	RuleInterpreterLangs    Rule = "interpreter_languages" // the interpreter languages are not the families' languages neither facilitator speaks

	// A group.
	RuleWrongOrganisation Rule = "wrong_organisation" // a location or facilitator of another (or no) organisation
	RuleShortStay         Rule = "short_stay"         // a short-stay location forms a group
	RuleOutsideCatchment  Rule = "outside_catchment"  // a member lives outside the group's location and catchment
	RuleGroupSize         Rule = "group_size"         // a new group outside group_min..group_max, any group above group_max
	RuleBirthWindow       Rule = "birth_window"       // members born more than birth_window_days apart
	RuleLateJoin          Rule = "late_join"          // a member joined with fewer than min_sessions_for_late_join sessions left

	// A session.
	RuleOrder               Rule = "order"                 // sessions out of programme order
	RuleMinGap              Rule = "min_gap"               // fewer than min_days_between_sessions after the session before
	RuleDuration            Rule = "duration"              // not session_minutes long
	RuleWeekend             Rule = "weekend"               // on a Saturday or Sunday
	RuleHoliday             Rule = "holiday"               // on a public holiday, an optional one the organisation avoids, or in a quiet period (avoid_periods)
	RuleNotice              Rule = "notice"                // within min_notice_days of today
	RuleAgeWindow           Rule = "age_window"            // a member is outside the session's age window
	RuleWrongLocation       Rule = "wrong_location"        // the room is not at the group's location
	RuleOutsideOpeningHours Rule = "outside_opening_hours" // the room is not open then
	RuleClosed              Rule = "closed"                // the room is closed that day
	RuleBlocked             Rule = "blocked"               // the room is booked by others then
	RuleFacilitatorCount    Rule = "facilitator_count"     // not two different facilitators
	RuleOutsideAvailability Rule = "outside_availability"  // a facilitator does not work then
	RuleAbsent              Rule = "absent"                // a facilitator is absent that day
	RuleNoCONurse           Rule = "no_co_nurse"           // neither facilitator is a CO-trained nurse
	RuleRoomTooSmall        Rule = "room_too_small"        // the room does not seat 2 per family, 2 facilitators and an interpreter

	// Bookings across sessions.
	RuleRoomDoubleBooked        Rule = "room_double_booked"        // two sessions in one room at once
	RuleFacilitatorDoubleBooked Rule = "facilitator_double_booked" // a facilitator in two sessions at once
	RuleWeeklyMax               Rule = "weekly_max"                // a facilitator above max_sessions_per_week in an ISO week
)

// AllRules lists every rule code, in the order of the constants.
var AllRules = []Rule{
	RuleBabyPlacedTwice, RuleBabyNotAccounted, RuleUnplacedReason, RuleUnknownBaby, RuleUnknownGroup, RuleStats,
	RulePlannedAndUnplanned, RuleSessionNotAccounted, RuleNoSessions, RuleFixedChanged, RuleNotInProgramme, RuleInterpreterLangs,
	RuleWrongOrganisation, RuleShortStay, RuleOutsideCatchment, RuleGroupSize, RuleBirthWindow, RuleLateJoin,
	RuleOrder, RuleMinGap, RuleDuration, RuleWeekend, RuleHoliday, RuleNotice, RuleAgeWindow, RuleWrongLocation,
	RuleOutsideOpeningHours, RuleClosed, RuleBlocked, RuleFacilitatorCount, RuleOutsideAvailability, RuleAbsent,
	RuleNoCONurse, RuleRoomTooSmall, RuleRoomDoubleBooked, RuleFacilitatorDoubleBooked, RuleWeeklyMax,
}

// Clash reports whether r is about bookings that clash (the same room or
// person twice at once, a person over their weekly maximum, a baby in two
// groups), as opposed to a rule a single session or group breaks on its own.
func (r Rule) Clash() bool {
	return r == RuleRoomDoubleBooked || r == RuleFacilitatorDoubleBooked || r == RuleWeeklyMax || r == RuleBabyPlacedTwice
}

// SessionRef names one session of a group.
type SessionRef struct {
	GroupID string `json:"group_id"`
	Number  int    `json:"number"`
}

// Violation is one broken hard rule: the rule and the ids it is about. Value,
// Min and Max carry the figures a message needs (an age and its window, a
// count and its maximum); which of them a rule sets is documented with the
// rule's message in the catalogue.
type Violation struct {
	Rule          Rule        `json:"rule"`
	GroupID       string      `json:"group_id,omitempty"`
	Session       int         `json:"session,omitempty"` // the session's number in its group's programme
	Other         *SessionRef `json:"other,omitempty"`   // the other session of a double booking
	BabyID        string      `json:"baby_id,omitempty"`
	FacilitatorID string      `json:"facilitator_id,omitempty"`
	RoomID        string      `json:"room_id,omitempty"`
	LocationID    string      `json:"location_id,omitempty"`
	Date          civil.Date  `json:"date,omitzero"` // the session's date; for weekly_max the Monday of the week
	Value         int         `json:"value,omitempty"`
	Min           int         `json:"min,omitempty"`
	Max           int         `json:"max,omitempty"`
}

// Sessions lists the sessions v is about: its own and, for a double booking,
// the other one.
func (v Violation) Sessions() []SessionRef {
	var out []SessionRef
	if v.GroupID != "" && v.Session > 0 {
		out = append(out, SessionRef{v.GroupID, v.Session})
	}
	if v.Other != nil {
		out = append(out, *v.Other)
	}
	return out
}

// String is for developers (test failures, logs): the code and its ids.
// People read violations through the message catalogue.
func (v Violation) String() string {
	s := string(v.Rule)
	add := func(k, val string) {
		if val != "" {
			s += " " + k + "=" + val
		}
	}
	add("group", v.GroupID)
	if v.Session > 0 {
		add("session", fmt.Sprint(v.Session))
	}
	if v.Other != nil {
		add("other", fmt.Sprintf("%s#%d", v.Other.GroupID, v.Other.Number))
	}
	add("baby", v.BabyID)
	add("facilitator", v.FacilitatorID)
	add("room", v.RoomID)
	add("location", v.LocationID)
	if v.Date != 0 {
		add("date", v.Date.String())
	}
	if v.Value != 0 || v.Min != 0 || v.Max != 0 {
		s += fmt.Sprintf(" value=%d min=%d max=%d", v.Value, v.Min, v.Max)
	}
	return s
}
