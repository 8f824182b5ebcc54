package coordination

import (
	"slices"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// startProvisional turns, in tx, each provisional group whose born members
// are enough and fit the birth window into a regular group of those
// members, before the planning run reads the organisation: the run then
// plans its sessions from the real birth dates.
func startProvisional(tx *store.Tx, organisationID string) error {
	groups, err := tx.ProvisionalGroups(organisationID)
	if err != nil {
		return err
	}
	in := &planner.Input{}
	min, window := planner.GroupMin(in, organisationID), planner.BirthWindow(in, organisationID)
	for _, g := range groups {
		if keep, ok := planner.ReadyToStart(g.Births, min, window); ok {
			if err := tx.StartProvisional(g.ID, keep); err != nil {
				return err
			}
		}
	}
	return nil
}

// formProvisional forms, in tx after the run, provisional groups by due
// date from the organisation's expected babies in no group.
func formProvisional(tx *store.Tx, st *stored, organisationID string) error {
	babies, err := tx.ProvisionalCandidates(organisationID)
	if err != nil || len(babies) == 0 {
		return err
	}
	existing, err := tx.ProvisionalGroups(organisationID)
	if err != nil {
		return err
	}
	for i := range existing { // their names are taken too
		st.groups[existing[i].ID] = &existing[i].Group
	}
	byID := map[string]store.Baby{}
	var due []planner.Due
	for _, b := range babies {
		byID[b.ID] = b
		due = append(due, planner.Due{ID: b.ID, LocationID: b.LocationID, Date: *b.ExpectedDate})
	}
	in := &planner.Input{}
	rules := struct{ min, max, window int }{planner.GroupMin(in, organisationID), planner.GroupMax(in, organisationID), planner.BirthWindow(in, organisationID)}
	for _, ids := range planner.ProvisionalCohorts(due, rules.min, rules.max, rules.window) {
		var dates []civil.Date
		var langs []string
		for _, id := range ids {
			dates = append(dates, *byID[id].ExpectedDate)
			if l := byID[id].Language; l != "" {
				langs = append(langs, l)
			}
		}
		slices.Sort(dates)
		loc := byID[ids[0]].LocationID
		parts := []string{placeName(st.locationName(loc)), messages.MonthYear(noticeLang, dates[len(dates)/2])}
		if main := mainLanguage(langs); main != "" {
			parts = append(parts, messages.LanguageName(noticeLang, main))
		}
		name := strings.Join(parts, " · ") + " · " + messages.Text(noticeLang, "group.provisional")
		g := &store.Group{OrganisationID: organisationID, LocationID: loc, Name: st.uniqueName(name)}
		if err := tx.CreateProvisionalGroup(g, ids); err != nil {
			return err
		}
		st.groups[g.ID] = g
	}
	return nil
}
