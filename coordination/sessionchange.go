package coordination

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// SessionChange is a coordinator's change of one session; nil fields stay.
type SessionChange struct {
	Start          *time.Time
	RoomID         *string
	FacilitatorIDs []string
	Status         *store.SessionStatus
}

// ChangeSession applies a coordinator's change to a session after checking
// every hard rule the planner keeps on the organisation's whole stored plan:
// what the change newly breaks is refused (see Refusal). Every change is
// checked, whatever else it carries: a session that is or stays cancelled
// still names only its own organisation's people and its group's rooms, and
// one that is reinstated is checked in its slot like any other. The change is
// audited, bumps the sequence and tells the facilitators of a session in the
// next two weeks.
func (s *Service) ChangeSession(ctx context.Context, a store.Actor, id string, ch SessionChange) (*store.Session, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
		return nil, err
	}
	var out *store.Session
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		sess, err := tx.SessionForUpdate(a, id)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(sess.OrganisationID); err != nil {
			return err
		}
		before := *sess
		changed, err := ch.apply(sess, tx.Now())
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			out = sess
			return nil
		}
		st, err := loadStored(tx, sess.OrganisationID)
		if err != nil {
			return err
		}
		broken := st.foreignReferences(sess)
		if len(broken) == 0 && sess.Status != store.SessionCancelled {
			if broken, err = st.newlyBroken(&before, sess); err != nil {
				return err
			}
		}
		if err := Refusal(broken, SessionField); err != nil {
			return err
		}
		if sess.Status != store.SessionCancelled {
			sess.InterpreterLanguages = st.interpreterNeeds(sess.GroupID, sess)
		}
		sess.Sequence++
		sess.ChangedAt = tx.Now()
		if err := tx.SaveSession(sess); err != nil {
			return err
		}
		if err := tx.Audit(a, sess.OrganisationID, store.ActionUpdate, "session", store.OutcomeSuccess, "changed: "+strings.Join(changed, ","), sess.ID); err != nil {
			return err
		}
		if err := noticeFacilitators(tx, &before, sess); err != nil {
			return err
		}
		out = sess
		return nil
	})
	return out, err
}

// apply changes sess and names the fields that changed.
func (ch SessionChange) apply(sess *store.Session, now time.Time) ([]string, error) {
	var changed []string
	if ch.Start != nil && !ch.Start.Equal(sess.StartsAt) {
		if !ch.Start.After(now) {
			return nil, &store.Error{Code: store.EUnprocessable, Message: "a session cannot be moved into the past",
				Fields: []store.FieldError{{Field: "start", Code: "past", Detail: "is not in the future"}}}
		}
		length := sess.EndsAt.Sub(sess.StartsAt)
		sess.StartsAt, sess.EndsAt = ch.Start.UTC(), ch.Start.Add(length).UTC()
		changed = append(changed, "start")
	}
	if ch.RoomID != nil && *ch.RoomID != sess.RoomID {
		sess.RoomID = *ch.RoomID
		changed = append(changed, "room_id")
	}
	if ch.FacilitatorIDs != nil && !slices.Equal(ch.FacilitatorIDs, sess.FacilitatorIDs) {
		if len(ch.FacilitatorIDs) != 2 {
			return nil, &store.Error{Code: store.EInvalid, Message: "the request has invalid fields",
				Fields: []store.FieldError{{Field: "facilitator_ids", Code: "two_facilitators", Detail: "must name exactly 2 facilitators"}}}
		}
		sess.LeadFacilitatorID, sess.SecondFacilitatorID = ch.FacilitatorIDs[0], ch.FacilitatorIDs[1]
		sess.FacilitatorIDs = []string{sess.LeadFacilitatorID, sess.SecondFacilitatorID}
		changed = append(changed, "facilitator_ids")
	}
	if ch.Status != nil && *ch.Status != sess.Status {
		switch *ch.Status {
		case store.SessionPublished, store.SessionCancelled, store.SessionPlanned:
		default:
			return nil, &store.Error{Code: store.EInvalid, Message: "the request has invalid fields",
				Fields: []store.FieldError{{Field: "status", Code: "choice", Detail: "must be planned, published or cancelled"}}}
		}
		sess.Status = *ch.Status
		changed = append(changed, "status")
	}
	return changed, nil
}

// foreignReferences are the rules a session breaks by what it names, whatever
// its status: two different facilitators of the organisation who are not
// deleted, and a room of its group's location that is not deleted.
func (st *stored) foreignReferences(s *store.Session) []planner.Violation {
	v := func(rule planner.Rule) planner.Violation {
		return planner.Violation{Rule: rule, GroupID: s.GroupID, Session: s.Number, Date: civil.Today(s.StartsAt)}
	}
	var out []planner.Violation
	if s.LeadFacilitatorID == "" || s.LeadFacilitatorID == s.SecondFacilitatorID || s.SecondFacilitatorID == "" {
		out = append(out, v(planner.RuleFacilitatorCount))
	}
	for _, id := range []string{s.LeadFacilitatorID, s.SecondFacilitatorID} {
		if id != "" && !slices.ContainsFunc(st.data.Facilitators, func(f store.Facilitator) bool { return f.ID == id && f.DeletedAt == nil }) {
			x := v(planner.RuleWrongOrganisation)
			x.FacilitatorID = id
			out = append(out, x)
		}
	}
	group := st.groups[s.GroupID]
	if !slices.ContainsFunc(st.data.Rooms, func(r store.Room) bool {
		return r.ID == s.RoomID && r.DeletedAt == nil && group != nil && r.LocationID == group.LocationID
	}) {
		x := v(planner.RuleWrongLocation)
		x.RoomID = s.RoomID
		if group != nil {
			x.LocationID = group.LocationID
		}
		out = append(out, x)
	}
	return out
}

// handRules are rules that bind the planner, not a coordinator's hand: the
// notice period, and the bookkeeping of a plan that the stored one, which
// lists no unplaced babies, never keeps.
var handRules = map[planner.Rule]bool{planner.RuleNotice: true, planner.RuleBabyNotAccounted: true}

// newlyBroken checks the stored plan with before and with after in the place
// of the session and returns what after breaks that before did not.
func (st *stored) newlyBroken(before, after *store.Session) ([]planner.Violation, error) {
	with := func(changed *store.Session) ([]planner.Violation, error) {
		p := st.plan(func(s *store.Session) *store.Session {
			if s.ID == changed.ID {
				return changed
			}
			return s
		})
		in := *st.in
		in.FixedSessions = nil // every session is checked against every rule
		vs, err := planner.Check(&in, p)
		if err != nil {
			return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", st.data.Organisation.ID, err)
		}
		return vs, nil
	}
	was, err := with(before)
	if err != nil {
		return nil, err
	}
	now, err := with(after)
	if err != nil {
		return nil, err
	}
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
	return out, nil
}
