package coordination

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
)

// nameFor is a new group's name as people say it: the location without its
// kind, the month of the members' middle birth date and their main language,
// "Musselkanaal · nov 2026 · Arabisch"; a number follows when the
// organisation has that name already. Names are Dutch, like the groups.
func (st *stored) nameFor(pg planner.Group) string {
	parts := []string{placeName(st.locationName(pg.LocationID))}
	births, langs := st.birthsAndLanguages(pg.BabyIDs)
	if len(births) > 0 {
		slices.Sort(births)
		mid := births[len(births)/2]
		parts = append(parts, messages.MonthYear(noticeLang, mid))
	}
	if main := mainLanguage(langs); main != "" {
		parts = append(parts, messages.LanguageName(noticeLang, main))
	}
	return st.uniqueName(strings.Join(parts, " · "))
}

// uniqueName is base, or base with a number when the organisation has that
// name already.
func (st *stored) uniqueName(base string) string {
	taken := map[string]bool{}
	for _, g := range st.groups {
		taken[g.Name] = true
	}
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s · %d", base, n)
	}
	return name
}

func (st *stored) locationName(id string) string {
	for _, l := range st.data.Locations {
		if l.ID == id {
			return l.Name
		}
	}
	return ""
}

func (st *stored) birthsAndLanguages(ids []string) ([]civil.Date, []string) {
	var births []civil.Date
	var langs []string
	for _, b := range st.in.Babies {
		if slices.Contains(ids, b.ID) {
			births = append(births, b.BirthDate)
			if b.Language != "" {
				langs = append(langs, b.Language)
			}
		}
	}
	return births, langs
}

// placeName drops the kind of reception from a location's name: "azc
// Musselkanaal" is "Musselkanaal" in a group's name.
func placeName(location string) string {
	for _, kind := range []string{"azc ", "ac ", "noodopvang ", "crisisnoodopvang ", "pop-up "} {
		if len(location) > len(kind) && strings.EqualFold(location[:len(kind)], kind) {
			return location[len(kind):]
		}
	}
	return location
}

// mainLanguage is the language most families speak, the first code on a tie.
func mainLanguage(langs []string) string {
	counts := map[string]int{}
	for _, l := range langs {
		counts[l]++
	}
	best := ""
	for l, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && cmp.Less(l, best)) {
			best = l
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
