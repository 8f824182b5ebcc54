package coordination

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// RunPlans plans each organisation a covers: a coordinator its own, an admin
// the one named or all. Planning all, an organisation whose records cannot
// be planned is skipped (and counted) and the others are planned.
func (s *Service) RunPlans(ctx context.Context, a store.Actor, organisationID string, publish bool) ([]*store.PlanRun, []store.SkippedOrganisation, error) {
	orgs, err := s.db.PlanOrganisations(ctx, a, organisationID)
	if err != nil {
		return nil, nil, err
	}
	runs := []*store.PlanRun{}
	var skipped []store.SkippedOrganisation
	for _, id := range orgs {
		run, err := s.RunPlan(ctx, a, id, publish)
		switch {
		case err == nil:
			runs = append(runs, run)
		case len(orgs) == 1 || store.ErrorCode(err) != store.EInternal || ctx.Err() != nil:
			return nil, nil, err
		default:
			skipped = append(skipped, store.SkippedOrganisation{OrganisationID: id, Err: err})
		}
	}
	metrics.SkippedOrganisations.WithLabelValues("plan").Add(float64(len(skipped)))
	return runs, skipped, nil
}

// RunPlan plans one organisation and stores the groups, memberships and
// sessions in one transaction. Published, cancelled and past sessions are
// passed to the planner as fixed and stay exactly as they are. With publish,
// every planned session becomes published. The run is audited as one row
// naming how many baby records it read.
func (s *Service) RunPlan(ctx context.Context, a store.Actor, organisationID string, publish bool) (*store.PlanRun, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.CanSeeOrganisation(organisationID) {
		return nil, store.Errorf(store.ENotFound, "organisation %q does not exist", organisationID)
	}
	start := time.Now()
	defer func() { metrics.PlannerDuration.Observe(time.Since(start).Seconds()) }()
	var run *store.PlanRun
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockOrganisation(organisationID); err != nil {
			return err
		}
		if err := startProvisional(tx, organisationID); err != nil {
			return err
		}
		st, err := loadStored(tx, organisationID)
		if err != nil {
			return err
		}
		plan, err := planner.Run(st.in)
		if err != nil {
			return fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", organisationID, err)
		}
		before := st.snapshot()
		if err := savePlan(tx, st, plan); err != nil {
			return err
		}
		changes := st.changesSince(before)
		if err := formProvisional(tx, st, organisationID); err != nil {
			return err
		}
		if publish {
			if err := tx.PublishPlanned(organisationID); err != nil {
				return err
			}
		}
		run = &store.PlanRun{OrganisationID: organisationID, TokenID: a.TokenID, Babies: plan.Stats.Babies, Placed: plan.Stats.Placed,
			GroupsCount: plan.Stats.Groups, SessionsCount: plan.Stats.Sessions, Unplaced: plan.Unplaced, UnplannedSessions: plan.UnplannedSessions,
			Changes: changes}
		if q, ok := plan.Stats.Organisations[organisationID]; ok {
			run.Quality = &q
		}
		if err := tx.CreatePlanRun(run); err != nil {
			return err
		}
		return tx.Audit(a, organisationID, store.ActionPlan, "plan_run", store.OutcomeSuccess,
			fmt.Sprintf("read %d baby records", len(st.in.Babies)), run.ID)
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// savePlan writes a plan over what the store held for the organisation:
// groups and their memberships, then sessions; groups the plan no longer has
// go, unless they hold a fixed session.
func savePlan(tx *store.Tx, st *stored, plan *planner.Plan) error {
	today := civil.Today(st.now)
	kept := map[string]bool{}
	changed := map[string]int{} // groups whose members changed, with their size before
	for _, pg := range plan.Groups {
		kept[pg.ID] = true
		size := len(st.members[pg.ID])
		g, moved, err := saveGroup(tx, st, pg, today)
		if err != nil {
			return err
		}
		if moved {
			changed[pg.ID] = size
		}
		if err := saveSessions(tx, st, g, pg); err != nil {
			return err
		}
	}
	// Fixed sessions ahead take who attends them now; the planner chose
	// nothing else about them.
	for _, id := range sortedKeys(changed) {
		if err := st.refresh(tx, id, changed[id]); err != nil {
			return err
		}
	}
	for id := range st.groups {
		if !kept[id] && !st.hasFixed(id) {
			if err := tx.DeleteGroup(id); err != nil {
				return err
			}
			delete(st.groups, id)
			delete(st.members, id)
			delete(st.sessions, id)
		}
	}
	return nil
}

func (st *stored) hasFixed(groupID string) bool {
	for _, s := range st.sessions[groupID] {
		if s.Fixed(st.now) {
			return true
		}
	}
	return false
}

// saveGroup stores a planned group and brings its memberships to the plan's:
// a member who left gets a leaving day, a new member a joining day and its
// first session. It reports whether the members changed.
func saveGroup(tx *store.Tx, st *stored, pg planner.Group, today civil.Date) (*store.Group, bool, error) {
	g := st.groups[pg.ID]
	if g == nil {
		g = &store.Group{ID: pg.ID, OrganisationID: pg.OrganisationID, LocationID: pg.LocationID}
		st.groups[pg.ID] = g
	}
	if g.Name == "" {
		g.Name = st.nameFor(pg)
	}
	g.RoomID = pg.RoomID
	g.LeadFacilitatorID, g.SecondFacilitatorID = at(pg.FacilitatorIDs, 0), at(pg.FacilitatorIDs, 1)
	if err := tx.SaveGroup(g); err != nil {
		return nil, false, err
	}
	moved := false
	for _, id := range slices.Clone(st.members[pg.ID]) {
		if !slices.Contains(pg.BabyIDs, id) {
			if err := tx.EndMembership(pg.ID, id, today); err != nil {
				return nil, false, err
			}
			st.removeMember(pg.ID, id)
			moved = true
		}
	}
	for _, id := range pg.BabyIDs {
		if !slices.Contains(st.members[pg.ID], id) {
			from := max(1, pg.JoinedFrom[id])
			if err := tx.StartMembership(pg.ID, id, today, from); err != nil {
				return nil, false, err
			}
			st.addMember(pg.ID, id, from)
			moved = true
		}
	}
	return g, moved, nil
}

// saveSessions stores a group's planned sessions and removes the stored ones
// the plan no longer has, unless they are fixed.
func saveSessions(tx *store.Tx, st *stored, g *store.Group, pg planner.Group) error {
	planned := map[int]bool{}
	for _, ps := range pg.Sessions {
		planned[ps.Number] = true
		if err := saveSession(tx, st, g, ps, len(pg.Attendees(ps.Number))); err != nil {
			return err
		}
	}
	for n, s := range st.sessions[pg.ID] {
		if !planned[n] && !s.Fixed(st.now) {
			if err := tx.DeleteSession(s.ID); err != nil {
				return err
			}
			delete(st.sessions[pg.ID], n)
		}
	}
	return nil
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}

// saveSession inserts or updates one planned session. A change of time, room
// or facilitators bumps its sequence, so calendar clients take the update; an
// unchanged session is not written, so the feeds stay byte-identical.
func saveSession(tx *store.Tx, st *stored, g *store.Group, ps planner.Session, families int) error {
	old := st.sessions[g.ID][ps.Number]
	if old != nil && old.Fixed(st.now) {
		return nil
	}
	s := &store.Session{ID: store.NewID("ses"), GroupID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID,
		Number: ps.Number, Status: store.SessionPlanned, ChangedAt: st.now}
	if old != nil {
		s = old
	}
	moved := !s.StartsAt.Equal(ps.Start) || !s.EndsAt.Equal(ps.End) || s.RoomID != ps.RoomID ||
		s.LeadFacilitatorID != at(ps.FacilitatorIDs, 0) || s.SecondFacilitatorID != at(ps.FacilitatorIDs, 1)
	if old != nil && !moved && slices.Equal(s.InterpreterLanguages, ps.InterpreterLanguages) && s.Families == families {
		return nil
	}
	if old != nil && moved {
		s.Sequence++
	}
	s.StartsAt, s.EndsAt, s.RoomID = ps.Start.UTC(), ps.End.UTC(), ps.RoomID
	s.LeadFacilitatorID, s.SecondFacilitatorID = at(ps.FacilitatorIDs, 0), at(ps.FacilitatorIDs, 1)
	s.InterpreterLanguages, s.Families, s.ChangedAt = ps.InterpreterLanguages, families, st.now
	if st.sessions[g.ID] == nil {
		st.sessions[g.ID] = map[int]*store.Session{}
	}
	st.sessions[g.ID][s.Number] = s
	return tx.SaveSession(s)
}

// planSnapshot is what a run compares against: who was in a group, and where
// and with whom each planned session was.
type planSnapshot struct {
	groups   map[string]bool
	members  map[string]bool // baby ids in any group
	sessions map[string]store.Session
}

func sessionKey(groupID string, number int) string { return fmt.Sprintf("%s#%d", groupID, number) }

func (st *stored) snapshot() planSnapshot {
	sn := planSnapshot{groups: map[string]bool{}, members: map[string]bool{}, sessions: map[string]store.Session{}}
	for id := range st.groups {
		sn.groups[id] = true
	}
	for _, ids := range st.members {
		for _, id := range ids {
			sn.members[id] = true
		}
	}
	for gid, byNumber := range st.sessions {
		for n, s := range byNumber {
			sn.sessions[sessionKey(gid, n)] = *s
		}
	}
	return sn
}

// changesSince compares the stored plan after a run with the snapshot.
func (st *stored) changesSince(before planSnapshot) store.PlanChanges {
	ch := store.PlanChanges{NewGroups: []string{}, MovedSessions: []string{}, BelowMinimum: []string{}}
	now := map[string]bool{}
	for _, gid := range sortedKeys(st.groups) {
		if !before.groups[gid] {
			ch.NewGroups = append(ch.NewGroups, gid)
		}
		for _, id := range st.members[gid] {
			now[id] = true
			if !before.members[id] {
				ch.Placed++
			}
		}
	}
	for id := range before.members {
		if !now[id] {
			ch.Left++
		}
	}
	seen := map[string]bool{}
	for _, gid := range sortedKeys(st.sessions) {
		for _, s := range st.sortedSessions(gid) {
			key := sessionKey(gid, s.Number)
			seen[key] = true
			old, ok := before.sessions[key]
			switch {
			case !ok:
				ch.NewSessions++
			case !old.StartsAt.Equal(s.StartsAt) || old.RoomID != s.RoomID || old.LeadFacilitatorID != s.LeadFacilitatorID ||
				old.SecondFacilitatorID != s.SecondFacilitatorID:
				ch.MovedSessions = append(ch.MovedSessions, s.ID)
			}
		}
	}
	for key := range before.sessions {
		if !seen[key] {
			ch.RemovedSessions++
		}
	}
	min := planner.GroupMin(st.in, st.data.Organisation.ID)
	for _, gid := range sortedKeys(st.groups) {
		if st.groups[gid].EndedOn == nil && len(st.members[gid]) < min && st.hasFuture(gid) {
			ch.BelowMinimum = append(ch.BelowMinimum, gid)
		}
	}
	return ch
}
