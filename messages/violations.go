package messages

import (
	"strings"

	"github.com/coplan/coplan/planner"
)

// Names gives the words a reader knows for the ids a violation names: a
// group's name, a baby's ref, a person's or a room's name. The API's answers
// use the ids themselves (IDs); pages pass the names they have loaded.
type Names interface {
	Group(id string) string
	Baby(id string) string
	Facilitator(id string) string
	Room(id string) string
	Location(id string) string
}

// IDs names everything by its id.
type IDs struct{}

func (IDs) Group(id string) string       { return "group " + id }
func (IDs) Baby(id string) string        { return id }
func (IDs) Facilitator(id string) string { return "facilitator " + id }
func (IDs) Room(id string) string        { return id }
func (IDs) Location(id string) string    { return id }

// Violation renders a broken rule for people in lang: "rule." and its code in
// the catalogue, filled with the names of what it is about.
func Violation(lang string, v planner.Violation, n Names) string {
	if n == nil {
		n = IDs{}
	}
	name := func(id string, f func(string) string) string {
		if id == "" {
			return ""
		}
		return f(id)
	}
	data := map[string]any{
		"Group":       name(v.GroupID, n.Group),
		"Baby":        name(v.BabyID, n.Baby),
		"Facilitator": name(v.FacilitatorID, n.Facilitator),
		"Room":        name(v.RoomID, n.Room),
		"Location":    name(v.LocationID, n.Location),
		"Value":       v.Value,
		"Min":         v.Min,
		"Max":         v.Max,
	}
	if v.Date != 0 {
		data["Date"] = Date(lang, v.Date)
	}
	if v.GroupID != "" && v.Session > 0 {
		data["Session"] = session(lang, planner.SessionRef{GroupID: v.GroupID, Number: v.Session}, n)
	}
	if v.Other != nil {
		if v.Other.Number > 0 {
			data["Other"] = session(lang, *v.Other, n)
		} else {
			data["Other"] = n.Group(v.Other.GroupID)
		}
	}
	return strings.TrimSpace(Format(lang, "rule."+string(v.Rule), data))
}

func session(lang string, s planner.SessionRef, n Names) string {
	return Format(lang, "session.label", map[string]any{"Group": n.Group(s.GroupID), "Number": s.Number})
}

// Violations renders broken rules for people, one line each, except that the
// babies outside one session's age window share a line: a moved session can
// leave a whole group outside it.
func Violations(lang string, vs []planner.Violation, n Names) []string {
	if n == nil {
		n = IDs{}
	}
	type key struct {
		group   string
		session int
	}
	ages := map[key][]planner.Violation{}
	for _, v := range vs {
		if v.Rule == planner.RuleAgeWindow && v.Session > 0 {
			k := key{v.GroupID, v.Session}
			ages[k] = append(ages[k], v)
		}
	}
	var out []string
	done := map[key]bool{}
	for _, v := range vs {
		k := key{v.GroupID, v.Session}
		if v.Rule != planner.RuleAgeWindow || len(ages[k]) < 2 {
			out = append(out, Violation(lang, v, n))
			continue
		}
		if done[k] {
			continue
		}
		done[k] = true
		var refs []string
		for _, a := range ages[k] {
			refs = append(refs, n.Baby(a.BabyID))
		}
		data := map[string]any{"Babies": List(lang, refs), "Min": v.Min, "Max": v.Max,
			"Session": session(lang, planner.SessionRef{GroupID: v.GroupID, Number: v.Session}, n)}
		if v.Date != 0 {
			data["Date"] = Date(lang, v.Date)
		}
		out = append(out, Count(lang, "rule.age_window.many", len(refs), data))
	}
	return out
}
