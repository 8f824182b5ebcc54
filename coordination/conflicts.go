package coordination

import (
	"context"
	"sort"
	"time"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Conflict is a stored future session that breaks a hard rule.
type Conflict struct {
	SessionID      string            `json:"session_id,omitempty"` // empty for a group below its minimum
	GroupID        string            `json:"group_id"`
	Number         int               `json:"number,omitempty"`
	OrganisationID string            `json:"organisation_id"`
	LocationID     string            `json:"location_id"`
	Start          time.Time         `json:"start"`
	Rule           planner.Rule      `json:"rule"`
	Violation      planner.Violation `json:"violation"`
	Detail         string            `json:"detail"` // the violation in English, for API clients
}

// GroupBelowMinimum is the conflicts report's code for a running group that
// has fewer than group_min families (after moves and leavings): it keeps
// running until the coordinator merges or dissolves it. It is not a planning
// rule, since a running group may shrink; it is something to decide.
const GroupBelowMinimum planner.Rule = "group_below_minimum"

// notConflicts are rules the report leaves out: the notice period binds the
// planner, not what is stored, and interpreter languages follow membership.
var notConflicts = map[planner.Rule]bool{planner.RuleNotice: true, planner.RuleInterpreterLangs: true}

// Conflicts runs the planner's checker on what is stored for each organisation
// a may see and lists the future sessions that break a hard rule: under a
// closure or block entered without re-planning, with an absent facilitator, in
// a room made too small, double booked. A double booking is listed under both
// of its sessions.
func (s *Service) Conflicts(ctx context.Context, a store.Actor) ([]Conflict, error) {
	orgs, err := s.db.PlanOrganisations(ctx, a, "")
	if err != nil {
		return nil, err
	}
	out := []Conflict{}
	for _, org := range orgs {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			st, err := loadStored(tx, org)
			if err != nil {
				return err
			}
			cs, err := st.conflicts()
			out = append(out, cs...)
			out = append(out, st.smallGroups()...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// conflicts checks the stored plan and lists each stored, not cancelled,
// future session each violation is about.
func (st *stored) conflicts() ([]Conflict, error) {
	in := *st.in
	in.FixedSessions = nil
	vs, err := planner.Check(&in, st.plan(nil))
	if err != nil {
		return nil, err
	}
	var out []Conflict
	seen := map[string]bool{}
	for _, v := range vs {
		if notConflicts[v.Rule] {
			continue
		}
		for _, ref := range v.Sessions() {
			s := st.sessions[ref.GroupID][ref.Number]
			key := v.String() + "@" + ref.GroupID
			if s == nil || s.Status == store.SessionCancelled || !s.StartsAt.After(st.now) || seen[key+s.ID] {
				continue
			}
			seen[key+s.ID] = true
			out = append(out, Conflict{SessionID: s.ID, GroupID: s.GroupID, Number: s.Number, OrganisationID: s.OrganisationID,
				LocationID: s.LocationID, Start: s.StartsAt, Rule: v.Rule, Violation: v, Detail: messages.Violation("en", v, messages.IDs{})})
		}
	}
	return out, nil
}

// smallGroups reports the running groups below group_min, at their next session.
func (st *stored) smallGroups() []Conflict {
	var out []Conflict
	min := planner.GroupMin(st.in, st.data.Organisation.ID)
	for _, id := range sortedKeys(st.groups) {
		g := st.groups[id]
		n := len(st.members[id])
		if g.EndedOn != nil || n >= min {
			continue
		}
		for _, s := range st.sortedSessions(id) {
			if s.Status == store.SessionCancelled || !s.StartsAt.After(st.now) {
				continue
			}
			v := planner.Violation{Rule: GroupBelowMinimum, GroupID: id, Value: n, Min: min}
			out = append(out, Conflict{GroupID: id, OrganisationID: g.OrganisationID, LocationID: g.LocationID, Start: s.StartsAt,
				Rule: v.Rule, Violation: v, Detail: messages.Violation("en", v, messages.IDs{})})
			break
		}
	}
	return out
}
