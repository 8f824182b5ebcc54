package messages_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
)

// Both languages hold the same message ids: nothing falls back unnoticed.
func TestEveryMessageExistsInEveryLanguage(t *testing.T) {
	ids := map[string][]string{}
	for _, l := range messages.Languages {
		ids[l] = messages.MessageIDs(l)
		slices.Sort(ids[l])
	}
	for _, l := range messages.Languages[1:] {
		for _, id := range ids[messages.Languages[0]] {
			if !messages.Has(l, id) {
				t.Errorf("%s lacks %q", l, id)
			}
		}
		for _, id := range ids[l] {
			if !messages.Has(messages.Languages[0], id) {
				t.Errorf("%s lacks %q", messages.Languages[0], id)
			}
		}
	}
}

// Every rule code reads as a sentence in every language, with the names filled
// in and no template left over.
func TestEveryRuleReadsInEveryLanguage(t *testing.T) {
	v := planner.Violation{GroupID: "g-1", Session: 3, Other: &planner.SessionRef{GroupID: "g-2", Number: 1}, BabyID: "b-1",
		FacilitatorID: "f-1", RoomID: "r-1", LocationID: "l-1", Date: civil.New(2027, 2, 9), Value: 5, Min: 6, Max: 8}
	for _, rule := range planner.AllRules {
		for _, l := range messages.Languages {
			v.Rule = rule
			got := messages.Violation(l, v, names{})
			if got == "rule."+string(rule) || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s in %s reads %q", rule, l, got)
			}
			if !messages.Has(l, "rule."+string(rule)) {
				t.Errorf("%s has no %s text", l, rule)
			}
		}
	}
	v.Rule = planner.RuleRoomDoubleBooked
	if got := messages.Violation("nl", v, names{}); got != "ruimte Groepsruimte 1 is dubbel geboekt: Musselkanaal · feb 2027, bijeenkomst 3 en Emmen · jan 2027, bijeenkomst 1" {
		t.Fatalf("nl: %q", got)
	}
	v.Rule = planner.RuleAbsent
	if got := messages.Violation("en", v, names{}); got != "Anna de Vries is absent on Tue 9 Feb 2027" {
		t.Fatalf("en: %q", got)
	}
}

type names struct{}

func (names) Group(id string) string {
	return map[string]string{"g-1": "Musselkanaal · feb 2027", "g-2": "Emmen · jan 2027"}[id]
}
func (names) Baby(string) string        { return "MK-12" }
func (names) Facilitator(string) string { return "Anna de Vries" }
func (names) Room(string) string        { return "Groepsruimte 1" }
func (names) Location(string) string    { return "azc Musselkanaal" }

func TestDatesAreDutchByDefault(t *testing.T) {
	d := civil.New(2027, 2, 9)
	if got := messages.LongDate("nl", d); got != "dinsdag 9 februari 2027" {
		t.Fatal(got)
	}
	if got := messages.Date("xx", d); got != "di 9 feb 2027" {
		t.Fatal(got)
	}
}

// Every invitation language holds every text of the Dutch invitation in a
// catalogue of its own (no fallback), and its weekdays.
func TestEveryInvitationLanguageIsComplete(t *testing.T) {
	var ids []string
	for _, id := range messages.MessageIDs("nl") {
		if strings.HasPrefix(id, "invite.") {
			ids = append(ids, id)
		}
	}
	if len(ids) < 15 {
		t.Fatalf("%d invitation texts in Dutch", len(ids))
	}
	for _, l := range messages.InvitationLanguages {
		for _, id := range ids {
			got := messages.Invite(l.Tag, id, map[string]any{"Number": 3})
			if got == id || (l.Code != "en" && l.Code != "nl" && got == messages.Invite("en", id, map[string]any{"Number": 3}) && !strings.Contains(id, "session")) {
				t.Errorf("%s lacks %s (%q)", l.Code, id, got)
			}
		}
	}
}
