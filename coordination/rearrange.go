package coordination

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Rearrangement is what a block or an absence did to the sessions it hit.
type Rearrangement struct {
	Affected  []store.Session `json:"affected_sessions"`
	Moved     []store.Session `json:"moved_sessions"`
	Unplanned []store.Session `json:"unplanned_sessions"`
}

// conflictError refuses a change that would hit sessions, naming each.
func conflictError(what string, affected []store.Session) error {
	e := &store.Error{Code: store.EConflict, Message: fmt.Sprintf("%s overlaps %d planned sessions; repeat with ?replan=true to move them", what, len(affected)), Affected: affected}
	for _, s := range affected {
		e.Fields = append(e.Fields, store.FieldError{Field: "start", Code: "overlaps_session", Detail: fmt.Sprintf("overlaps session %s (group %s, session %d) at %s",
			s.ID, s.GroupID, s.Number, s.StartsAt.In(civil.Amsterdam).Format(time.RFC3339))})
	}
	return e
}

// BlockRoom books a room for something that is not CO. A block over planned
// or published sessions is refused with those sessions, unless replan is set:
// then each is re-planned (same group, the planner's nearest valid slot, the
// same facilitators where possible) or, when no slot exists, cancelled and
// listed as unplanned; the block and every move commit together or not at all.
func (s *Service) BlockRoom(ctx context.Context, a store.Actor, locationID, roomID string, b *store.Block, replan bool) (*Rearrangement, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator, store.RoleLocation); err != nil {
		return nil, err
	}
	var out *Rearrangement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		l, _, err := tx.RoomAt(a, locationID, roomID)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(l.OrganisationID); err != nil {
			return err
		}
		if err := b.Validate(tx.Now()); err != nil {
			return err
		}
		b.RoomID, b.LocationID = roomID, locationID
		sessions, err := tx.OpenSessions(store.OpenSessionFilter{RoomID: roomID, After: tx.Now()})
		if err != nil {
			return err
		}
		affected := blockedSessions(b, sessions)
		if len(affected) > 0 && !replan {
			return conflictError("the block", affected)
		}
		if err := tx.CreateBlock(a, b); err != nil {
			return err
		}
		out, err = rearrange(tx, a, l.OrganisationID, affected, "", "room blocked by "+b.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// blockedSessions are the sessions an occurrence of b overlaps.
func blockedSessions(b *store.Block, sessions []store.Session) []store.Session {
	var out []store.Session
	for _, s := range sessions {
		for _, o := range b.Occurrences(s.StartsAt, s.EndsAt) {
			if o.Start.Before(s.EndsAt) && s.StartsAt.Before(o.End) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// RecordAbsence records that a facilitator is absent in r (ill, on leave, in
// training: coplan keeps only the dates). Sessions of theirs
// then are refused with 409 unless replan is set: then another facilitator of
// the organisation takes each where possible, otherwise the session moves to
// another date, all in one transaction.
func (s *Service) RecordAbsence(ctx context.Context, a store.Actor, facilitatorID string, r civil.Range, replan bool) (*store.Facilitator, *Rearrangement, error) {
	// A coordinator records anyone's absence; a nurse her own.
	if a.Role != store.RoleNurse || a.FacilitatorID != facilitatorID {
		if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
			return nil, nil, err
		}
	}
	var (
		fac *store.Facilitator
		out *Rearrangement
	)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := tx.FacilitatorForUpdate(a, facilitatorID)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(f.OrganisationID); err != nil {
			return err
		}
		if r.From > r.To {
			return &store.Error{Code: store.EInvalid, Message: "the request has invalid fields", Fields: []store.FieldError{{Field: "to", Code: "after_from", Detail: "is before from"}}}
		}
		f.Absences = append(f.Absences, r)
		affected, err := sessionsOnDays(tx, store.OpenSessionFilter{FacilitatorID: facilitatorID, After: tx.Now()}, r)
		if err != nil {
			return err
		}
		if len(affected) > 0 && !replan {
			return conflictError("the absence", affected)
		}
		if err := tx.SaveFacilitator(f); err != nil {
			return err
		}
		fac = f
		out, err = rearrange(tx, a, f.OrganisationID, affected, f.ID, "facilitator absent")
		return err
	})
	return fac, out, err
}

// rearrange re-plans the affected sessions inside tx. For an absence it first
// tries the same slot with another facilitator of the organisation.
func rearrange(tx *store.Tx, a store.Actor, organisationID string, affected []store.Session, absentID, why string) (*Rearrangement, error) {
	out := &Rearrangement{Affected: append([]store.Session{}, affected...), Moved: []store.Session{}, Unplanned: []store.Session{}}
	var rest []store.Session
	for i := range affected {
		s := affected[i]
		if absentID != "" {
			moved, err := substitute(tx, a, &s, absentID, why)
			if err != nil {
				return nil, err
			}
			if moved != nil {
				out.Moved = append(out.Moved, *moved)
				continue
			}
		}
		rest = append(rest, s)
	}
	if len(rest) == 0 {
		return out, nil
	}
	st, err := loadStored(tx, organisationID)
	if err != nil {
		return nil, err
	}
	planned, err := replanOnly(st, rest)
	if err != nil {
		return nil, err
	}
	for _, s := range rest {
		moved, err := applyReplan(tx, a, organisationID, s, planned, why)
		if err != nil {
			return nil, err
		}
		if moved.Status == store.SessionCancelled {
			out.Unplanned = append(out.Unplanned, *moved)
		} else {
			out.Moved = append(out.Moved, *moved)
		}
	}
	return out, nil
}

// replanOnly plans the given sessions again with every other stored session
// fixed, and with babies outside groups waiting, so that nothing else moves.
// It returns the new slots by group and number.
func replanOnly(st *stored, open []store.Session) (map[planner.SessionRef]planner.Session, error) {
	in := *st.in
	target := map[string]bool{}
	for _, s := range open {
		target[s.ID] = true
	}
	members := map[string]bool{}
	for _, ids := range st.members {
		for _, id := range ids {
			members[id] = true
		}
	}
	in.Babies = nil
	for _, b := range st.in.Babies {
		if members[b.ID] {
			in.Babies = append(in.Babies, b)
		}
	}
	in.FixedSessions = nil
	for gid, byNumber := range st.sessions {
		for _, s := range byNumber {
			if s.Status != store.SessionCancelled && !target[s.ID] {
				in.FixedSessions = append(in.FixedSessions, planner.FixedSession{GroupID: gid, Session: plannerSession(s)})
			}
		}
	}
	sort.Slice(in.FixedSessions, func(i, j int) bool {
		a, b := in.FixedSessions[i], in.FixedSessions[j]
		return a.GroupID < b.GroupID || (a.GroupID == b.GroupID && a.Number < b.Number)
	})
	plan, err := planner.Run(&in)
	if err != nil {
		return nil, fmt.Errorf("coordination: re-plan: %w", err)
	}
	out := map[planner.SessionRef]planner.Session{}
	for _, g := range plan.Groups {
		for _, ps := range g.Sessions {
			out[planner.SessionRef{GroupID: g.ID, Number: ps.Number}] = ps
		}
	}
	return out, nil
}

// applyReplan moves one session to its new slot, or cancels it when none
// was found, and audits and notices the change.
func applyReplan(tx *store.Tx, a store.Actor, organisationID string, s store.Session, planned map[planner.SessionRef]planner.Session, why string) (*store.Session, error) {
	before := s
	detail := "cancelled, no other slot: " + why
	if ps, ok := planned[planner.SessionRef{GroupID: s.GroupID, Number: s.Number}]; ok {
		s.StartsAt, s.EndsAt, s.RoomID = ps.Start.UTC(), ps.End.UTC(), ps.RoomID
		s.LeadFacilitatorID, s.SecondFacilitatorID = ps.FacilitatorIDs[0], ps.FacilitatorIDs[1]
		s.InterpreterLanguages = ps.InterpreterLanguages
		detail = "moved: " + why
	} else {
		s.Status = store.SessionCancelled
	}
	s.Sequence++
	s.ChangedAt = tx.Now()
	if err := tx.SaveSession(&s); err != nil {
		return nil, err
	}
	if err := tx.Audit(a, organisationID, store.ActionUpdate, "session", store.OutcomeSuccess, detail, s.ID); err != nil {
		return nil, err
	}
	if err := noticeFacilitators(tx, &before, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// substitute tries the same slot with another facilitator in place of the
// absent one, the least booked first; it returns the changed session or nil.
func substitute(tx *store.Tx, a store.Actor, s *store.Session, absentID, why string) (*store.Session, error) {
	facs, err := tx.Facilitators(s.OrganisationID)
	if err != nil {
		return nil, err
	}
	load, err := tx.SessionLoads(s.OrganisationID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(facs, func(i, j int) bool { return load[facs[i].ID] < load[facs[j].ID] })
	st, err := loadStored(tx, s.OrganisationID)
	if err != nil {
		return nil, err
	}
	before := *s
	for _, f := range facs {
		if f.ID == s.LeadFacilitatorID || f.ID == s.SecondFacilitatorID {
			continue
		}
		after := before
		if after.LeadFacilitatorID == absentID {
			after.LeadFacilitatorID = f.ID
		} else {
			after.SecondFacilitatorID = f.ID
		}
		after.FacilitatorIDs = []string{after.LeadFacilitatorID, after.SecondFacilitatorID}
		broken, err := st.newlyBroken(&before, &after)
		if err != nil {
			return nil, err
		}
		if len(broken) > 0 {
			continue
		}
		after.InterpreterLanguages = st.interpreterNeeds(after.GroupID, &after)
		after.Sequence++
		after.ChangedAt = tx.Now()
		if err := tx.SaveSession(&after); err != nil {
			return nil, err
		}
		if err := tx.Audit(a, s.OrganisationID, store.ActionUpdate, "session", store.OutcomeSuccess, "facilitator replaced: "+why, s.ID); err != nil {
			return nil, err
		}
		if err := noticeFacilitators(tx, &before, &after); err != nil {
			return nil, err
		}
		return &after, nil
	}
	return nil, nil
}

// CloseRoom closes a room for the days of r (the location's holidays, a
// renovation). The sessions planned in it on those days are named and the
// closure refused unless replan, which re-plans them in the same
// transaction: nothing is closed with sessions left in it.
func (s *Service) CloseRoom(ctx context.Context, a store.Actor, locationID, roomID string, r civil.Range, replan bool) (*Rearrangement, error) {
	var out *Rearrangement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		l, _, err := tx.RoomAt(a, locationID, roomID)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(l.OrganisationID); err != nil {
			return err
		}
		if r.From > r.To {
			return store.Field("to", "after_from", "is before from")
		}
		if _, err := tx.UpdateRoom(a, locationID, roomID, func(room *store.Room) { room.Closures = append(room.Closures, r) }); err != nil {
			return err
		}
		affected, err := sessionsOnDays(tx, store.OpenSessionFilter{RoomID: roomID, After: tx.Now()}, r)
		if err != nil {
			return err
		}
		if len(affected) > 0 && !replan {
			return conflictError("the closure", affected)
		}
		out, err = rearrange(tx, a, l.OrganisationID, affected, "", "room closed")
		return err
	})
	return out, err
}

// sessionsOnDays are the open sessions of f that fall on the days of r: what
// an absence or a closure would hit.
func sessionsOnDays(tx *store.Tx, f store.OpenSessionFilter, r civil.Range) ([]store.Session, error) {
	sessions, err := tx.OpenSessions(f)
	if err != nil {
		return nil, err
	}
	var out []store.Session
	for _, s := range sessions {
		if r.Contains(civil.Today(s.StartsAt)) {
			out = append(out, s)
		}
	}
	return out, nil
}
