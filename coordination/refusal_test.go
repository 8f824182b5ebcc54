package coordination_test

import (
	"errors"
	"testing"

	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Every rule code has its status (a clash is a conflict, anything else
// unprocessable) and the field of a session change it names, decided here once;
// a new code without a row fails the test.
func TestEachRuleHasItsStatusAndField(t *testing.T) {
	conflict, broken := store.EConflict, store.EUnprocessable
	want := map[planner.Rule]struct {
		code  store.Code
		field string
	}{
		planner.RuleRoomDoubleBooked:        {conflict, "room_id"},
		planner.RuleFacilitatorDoubleBooked: {conflict, "facilitator_ids"},
		planner.RuleWeeklyMax:               {conflict, "facilitator_ids"},
		planner.RuleWrongLocation:           {broken, "room_id"},
		planner.RuleOutsideOpeningHours:     {broken, "room_id"},
		planner.RuleClosed:                  {broken, "room_id"},
		planner.RuleBlocked:                 {broken, "room_id"},
		planner.RuleRoomTooSmall:            {broken, "room_id"},
		planner.RuleFacilitatorCount:        {broken, "facilitator_ids"},
		planner.RuleOutsideAvailability:     {broken, "facilitator_ids"},
		planner.RuleAbsent:                  {broken, "facilitator_ids"},
		planner.RuleNoCONurse:               {broken, "facilitator_ids"},
		planner.RuleWrongOrganisation:       {broken, "facilitator_ids"}, // as named below, with a facilitator
		planner.RuleOrder:                   {broken, "start"},
		planner.RuleMinGap:                  {broken, "start"},
		planner.RuleDuration:                {broken, "start"},
		planner.RuleWeekend:                 {broken, "start"},
		planner.RuleHoliday:                 {broken, "start"},
		planner.RuleNotice:                  {broken, "start"},
		planner.RuleAgeWindow:               {broken, "start"},
		planner.RuleNotInProgramme:          {broken, "start"},
		planner.RuleInterpreterLangs:        {broken, "start"},
		planner.RuleFixedChanged:            {broken, "start"},
		planner.RuleGroupSize:               {broken, "start"},
		planner.RuleBirthWindow:             {broken, "start"},
		planner.RuleLateJoin:                {broken, "start"},
		planner.RuleShortStay:               {broken, "start"},
		planner.RuleOutsideCatchment:        {broken, "start"},
		planner.RuleBabyPlacedTwice:         {conflict, "start"},
		planner.RuleBabyNotAccounted:        {broken, "start"},
		planner.RuleUnplacedReason:          {broken, "start"},
		planner.RuleUnknownBaby:             {broken, "start"},
		planner.RuleUnknownGroup:            {broken, "start"},
		planner.RuleStats:                   {broken, "start"},
		planner.RulePlannedAndUnplanned:     {broken, "start"},
		planner.RuleSessionNotAccounted:     {broken, "start"},
		planner.RuleNoSessions:              {broken, "start"},
	}
	for _, rule := range planner.AllRules {
		w, ok := want[rule]
		if !ok {
			t.Errorf("%s has no status and field decided", rule)
			continue
		}
		v := planner.Violation{Rule: rule, GroupID: "g-1", Session: 2, FacilitatorID: "f-1", RoomID: "r-1"}
		if rule != planner.RuleWrongOrganisation {
			v.FacilitatorID = ""
		}
		err := coordination.Refusal([]planner.Violation{v}, coordination.SessionField)
		var e *store.Error
		if !errors.As(err, &e) || e.Code != w.code || len(e.Fields) != 1 || e.Fields[0].Field != w.field ||
			len(e.Violations) != 1 || e.Violations[0].Rule != rule || e.Fields[0].Detail == "" {
			t.Errorf("%s: %+v; want %s naming %s", rule, e, w.code, w.field)
		}
	}
	// A room of another organisation's location is the room's field.
	if f := coordination.SessionField(planner.Violation{Rule: planner.RuleWrongOrganisation, RoomID: "r"}); f != "room_id" {
		t.Errorf("wrong_organisation of a room names %s", f)
	}
	// One clash among broken rules makes the whole refusal a conflict, clashes first.
	err := coordination.Refusal([]planner.Violation{{Rule: planner.RuleHoliday}, {Rule: planner.RuleRoomDoubleBooked}}, coordination.SessionField)
	var e *store.Error
	if !errors.As(err, &e) || e.Code != conflict || e.Fields[0].Field != "room_id" || e.Fields[1].Field != "start" {
		t.Fatalf("mixed refusal: %+v", e)
	}
	if coordination.Refusal(nil, coordination.SessionField) != nil {
		t.Fatal("nothing broken is no refusal")
	}
}
