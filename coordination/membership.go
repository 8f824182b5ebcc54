package coordination

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Joined is a baby's place in a group after it joined: from which session.
type Joined struct {
	GroupID     string `json:"group_id"`
	BabyID      string `json:"baby_id"`
	FromSession int    `json:"from_session"`
}

// MemberField is the field of a membership change a violation is about:
// always the baby who joins.
func MemberField(planner.Violation) string { return "baby_id" }

// AddMember puts baby babyID into group groupID by hand, from the first
// remaining session that fits it (see planner.CanJoin), after checking on
// the organisation's whole stored plan that the join breaks no rule.
// Published sessions keep their time, room and facilitators; the group's
// future sessions take the new family count and interpreter languages.
func (s *Service) AddMember(ctx context.Context, a store.Actor, groupID, babyID string) (*Joined, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionUpdate, babyID); err != nil {
		return nil, err
	}
	var out *Joined
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.GroupForUpdate(a, groupID)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(g.OrganisationID); err != nil {
			return err
		}
		st, err := loadStored(tx, g.OrganisationID)
		if err != nil {
			return err
		}
		out, err = st.join(tx, a, g, babyID)
		return err
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionUpdate, babyID, err)
	}
	return out, nil
}

// join adds babyID to g in tx and brings g's sessions to its members.
func (st *stored) join(tx *store.Tx, a store.Actor, g *store.Group, babyID string) (*Joined, error) {
	if g.EndedOn != nil {
		return nil, &store.Error{Code: store.EConflict, Message: "the group has ended", Fields: []store.FieldError{{Field: "group_id", Code: "group_ended", Detail: "has ended"}}}
	}
	b, err := tx.BabyForUpdate(a, babyID)
	if store.ErrorCode(err) == store.ENotFound {
		return nil, &store.Error{Code: store.EInvalid, Message: "the request has invalid fields", Fields: []store.FieldError{{Field: "baby_id", Code: "unknown", Detail: err.Error()}}}
	}
	if err != nil {
		return nil, err
	}
	if err := joinable(b, g); err != nil {
		return nil, err
	}
	opt, v, err := planner.CanJoin(st.in, g.ID, babyID)
	if err != nil {
		return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", g.OrganisationID, err)
	}
	if v != nil {
		return nil, Refusal([]planner.Violation{*v}, MemberField)
	}
	broken, err := st.newlyBrokenByJoin(g.ID, babyID, opt.From)
	if err != nil {
		return nil, err
	}
	if err := Refusal(broken, MemberField); err != nil {
		return nil, err
	}
	size := len(st.members[g.ID])
	if err := tx.StartMembership(g.ID, babyID, civil.Today(st.now), opt.From); err != nil {
		return nil, err
	}
	st.addMember(g.ID, babyID, opt.From)
	if err := st.refresh(tx, g.ID, size); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("joined group %s from session %d", g.ID, opt.From)
	if err := tx.Audit(a, g.OrganisationID, store.ActionUpdate, "baby", store.OutcomeSuccess, detail, babyID); err != nil {
		return nil, err
	}
	return &Joined{GroupID: g.ID, BabyID: babyID, FromSession: opt.From}, nil
}

// joinable refuses, before any planning, a record that cannot join a group.
func joinable(b *store.Baby, g *store.Group) error {
	field := func(code store.Code, why, detail string) error {
		return &store.Error{Code: code, Message: "the baby cannot join a group", Fields: []store.FieldError{{Field: "baby_id", Code: why, Detail: detail}}}
	}
	switch {
	case b.Arriving():
		return field(store.EConflict, "arriving", "is arriving from another organisation; accept the handover first")
	case b.OrganisationID != g.OrganisationID:
		return Refusal([]planner.Violation{{Rule: planner.RuleWrongOrganisation, GroupID: g.ID, BabyID: b.ID, LocationID: b.LocationID}}, MemberField)
	case b.Status != store.StatusEnrolled:
		return field(store.EUnprocessable, "not_enrolled", fmt.Sprintf("has status %s; only an enrolled family joins a group", b.Status))
	case b.BirthDate == nil:
		return field(store.EUnprocessable, "not_born", "is not born yet; a baby joins a group once its birth date is known")
	}
	return nil
}

// newlyBrokenByJoin checks the stored plan without and with the join and
// returns what the join breaks.
func (st *stored) newlyBrokenByJoin(groupID, babyID string, from int) ([]planner.Violation, error) {
	was, err := st.check()
	if err != nil {
		return nil, err
	}
	st.addMember(groupID, babyID, from)
	now, err := st.check()
	st.removeMember(groupID, babyID)
	if err != nil {
		return nil, err
	}
	return newViolations(was, now), nil
}

// check runs the planner's checker on the stored plan, every session against
// every rule.
func (st *stored) check() ([]planner.Violation, error) {
	in := *st.in
	in.Groups = make([]planner.ExistingGroup, len(st.in.Groups))
	for i, g := range st.in.Groups {
		g.BabyIDs, g.JoinedFrom = append([]string{}, st.members[g.ID]...), st.joinedFrom(g.ID)
		in.Groups[i] = g
	}
	in.FixedSessions = nil
	vs, err := planner.Check(&in, st.plan(nil))
	if err != nil {
		return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", st.data.Organisation.ID, err)
	}
	return vs, nil
}

// newViolations are those of now that were not in was, leaving out the rules
// that bind the planner, not a coordinator's hand.
func newViolations(was, now []planner.Violation) []planner.Violation {
	old := map[string]bool{}
	for _, v := range was {
		old[v.String()] = true
	}
	var out []planner.Violation
	for _, v := range now {
		if !old[v.String()] && !handRules[v.Rule] {
			out = append(out, v)
		}
	}
	return out
}

// removeMember forgets a member of a group in memory.
func (st *stored) removeMember(groupID, babyID string) {
	st.members[groupID] = slices.DeleteFunc(st.members[groupID], func(id string) bool { return id == babyID })
	delete(st.from[groupID], babyID)
}

// RemoveMember takes baby babyID out of group groupID by hand: it leaves
// every future session of the group; its past sessions stay its history.
func (s *Service) RemoveMember(ctx context.Context, a store.Actor, groupID, babyID string) error {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionUpdate, babyID); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.GroupForUpdate(a, groupID)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(g.OrganisationID); err != nil {
			return err
		}
		st, err := loadStored(tx, g.OrganisationID)
		if err != nil {
			return err
		}
		if !slices.Contains(st.members[g.ID], babyID) {
			return store.Errorf(store.ENotFound, "baby %q is not a member of group %q", babyID, g.ID)
		}
		if err := st.leave(tx, g.ID, babyID); err != nil {
			return err
		}
		return tx.Audit(a, g.OrganisationID, store.ActionUpdate, "baby", store.OutcomeSuccess, "left group "+g.ID, babyID)
	})
	if err != nil {
		return s.db.AuditFailure(ctx, a, store.ActionUpdate, babyID, err)
	}
	return nil
}

// leave ends babyID's membership of groupID today and brings the group's
// sessions to who is left.
func (st *stored) leave(tx *store.Tx, groupID, babyID string) error {
	size := len(st.members[groupID])
	if err := tx.EndMembership(groupID, babyID, civil.Today(st.now)); err != nil {
		return err
	}
	st.removeMember(groupID, babyID)
	return st.refresh(tx, groupID, size)
}

// refresh brings every future, not cancelled session of a group to who
// attends it now: the family count and exactly the families' languages that
// neither facilitator speaks. Time, room and facilitators stay, and so does
// the sequence; the change time moves, so feeds show the new content. The
// facilitators of a published session within NoticeDays whose interpreter
// languages changed are told, and a group that falls below group_min is
// reported to its facilitators and its organisation. sizeBefore is the number
// of members before the change.
func (st *stored) refresh(tx *store.Tx, groupID string, sizeBefore int) error {
	g := st.groups[groupID]
	for _, s := range st.sortedSessions(groupID) {
		if s.Status == store.SessionCancelled || !s.StartsAt.After(st.now) {
			continue
		}
		families, langs := len(st.attendees(groupID, s.Number)), st.interpreterNeeds(groupID, s)
		if families == s.Families && slices.Equal(langs, s.InterpreterLanguages) {
			continue
		}
		before := *s
		s.Families, s.InterpreterLanguages, s.ChangedAt = families, langs, st.now
		if err := tx.SaveSession(s); err != nil {
			return err
		}
		if s.Status == store.SessionPublished && !slices.Equal(before.InterpreterLanguages, langs) {
			if err := noticeInterpreters(tx, g, s); err != nil {
				return err
			}
		}
	}
	min := planner.GroupMin(st.in, g.OrganisationID)
	if n := len(st.members[groupID]); n < min && sizeBefore >= min && g.EndedOn == nil && st.hasFuture(groupID) {
		return noticeBelowMinimum(tx, st, g, n, min)
	}
	return nil
}

// sortedSessions are a group's stored sessions in programme order.
func (st *stored) sortedSessions(groupID string) []*store.Session {
	out := make([]*store.Session, 0, len(st.sessions[groupID]))
	for _, s := range st.sessions[groupID] {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// hasFuture reports whether a group still has a session ahead that meets.
func (st *stored) hasFuture(groupID string) bool {
	for _, s := range st.sessions[groupID] {
		if s.Status != store.SessionCancelled && s.StartsAt.After(st.now) {
			return true
		}
	}
	return false
}

// leaveGroupsThatNoLongerFit ends the memberships of b that its record no
// longer allows: every one when it is no longer enrolled (withdrawn,
// declined, left) or went to another organisation; those of groups whose
// location and catchment it moved out of. It returns the groups it left.
func leaveGroupsThatNoLongerFit(tx *store.Tx, b *store.Baby) ([]string, error) {
	ms, err := tx.MembershipsOf(b.ID)
	if err != nil {
		return nil, err
	}
	var left []string
	loaded := map[string]*stored{}
	for _, m := range ms {
		g, err := tx.Group(m.GroupID)
		if err != nil {
			return nil, err
		}
		st := loaded[g.OrganisationID]
		if st == nil {
			if st, err = loadStored(tx, g.OrganisationID); err != nil {
				return nil, err
			}
			loaded[g.OrganisationID] = st
		}
		if b.Status == store.StatusEnrolled && b.OrganisationID == g.OrganisationID && st.servesLocation(g, b.LocationID) {
			continue
		}
		if err := st.leave(tx, g.ID, b.ID); err != nil {
			return nil, err
		}
		left = append(left, g.ID)
	}
	return left, nil
}

// servesLocation reports whether families living at locationID belong to g:
// its own location or one in its catchment.
func (st *stored) servesLocation(g *store.Group, locationID string) bool {
	if g.LocationID == locationID {
		return true
	}
	for _, l := range st.in.Locations {
		if l.ID == g.LocationID {
			return slices.Contains(l.Catchment, locationID)
		}
	}
	return false
}
