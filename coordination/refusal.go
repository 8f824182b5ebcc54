package coordination

import (
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Refusal turns the rules a change would break into the one error people and
// clients read: a clash with another booking (a room or person booked twice, a
// weekly maximum) is a conflict (409), any other rule unprocessable (422). Each
// violation names a field by fieldOf and reads in English for the API; pages
// render the same violations, by code and ids, in the reader's language.
func Refusal(vs []planner.Violation, fieldOf func(planner.Violation) string) error {
	if len(vs) == 0 {
		return nil
	}
	e := &store.Error{Code: store.EUnprocessable, Message: "the change breaks a planning rule", Violations: vs}
	for _, v := range vs {
		if v.Rule.Clash() {
			e.Code, e.Message = store.EConflict, "the change clashes with another booking"
		}
	}
	// Clashes first: they are what the status says.
	for _, clash := range []bool{true, false} {
		for _, v := range vs {
			if v.Rule.Clash() == clash {
				e.Fields = append(e.Fields, store.FieldError{Field: fieldOf(v), Code: "rule", Args: map[string]any{"Rule": string(v.Rule)}, Detail: messages.Violation("en", v, messages.IDs{})})
			}
		}
	}
	return e
}

// SessionField is the field of a session change a violation is about: the
// room for the rules of rooms, the facilitators for the rules of people, the
// start for every rule of time.
func SessionField(v planner.Violation) string {
	switch v.Rule {
	case planner.RuleRoomDoubleBooked, planner.RuleWrongLocation, planner.RuleOutsideOpeningHours,
		planner.RuleClosed, planner.RuleBlocked, planner.RuleRoomTooSmall:
		return "room_id"
	case planner.RuleFacilitatorDoubleBooked, planner.RuleWeeklyMax, planner.RuleFacilitatorCount,
		planner.RuleOutsideAvailability, planner.RuleAbsent, planner.RuleNoCONurse:
		return "facilitator_ids"
	case planner.RuleWrongOrganisation:
		if v.FacilitatorID != "" {
			return "facilitator_ids"
		}
		return "room_id"
	}
	return "start"
}
