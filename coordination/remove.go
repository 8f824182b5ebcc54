package coordination

import (
	"context"
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
)

// RemoveFacilitator deletes a facilitator. Sessions still ahead that they
// facilitate are refused with 409, naming each, unless replan is set: then
// each gets another facilitator or another slot, or is cancelled, as for an
// absence without end, in the same transaction. The record is kept, marked
// deleted, for the past sessions that name them; their tokens stop working.
func (s *Service) RemoveFacilitator(ctx context.Context, a store.Actor, id string, replan bool) (*Rearrangement, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
		return nil, err
	}
	var out *Rearrangement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := tx.FacilitatorForUpdate(a, id)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(f.OrganisationID); err != nil {
			return err
		}
		ahead, err := tx.OpenSessions(store.OpenSessionFilter{FacilitatorID: id, After: tx.Now()})
		if err != nil {
			return err
		}
		if len(ahead) > 0 && !replan {
			return stillUsedError("the facilitator", ahead)
		}
		if err := tx.MarkFacilitatorDeleted(id); err != nil {
			return err
		}
		if err := tx.ForgetGroupFacilitator(id); err != nil {
			return err
		}
		out, err = rearrange(tx, a, f.OrganisationID, ahead, id, "facilitator deleted")
		return err
	})
	return out, err
}

// RemoveRoom deletes a room. Sessions still ahead in it are refused with 409,
// naming each, unless replan is set: then each moves to another room or slot,
// or is cancelled, as for a block without end, in the same transaction. The
// record is kept, marked deleted, for the past sessions that name it.
func (s *Service) RemoveRoom(ctx context.Context, a store.Actor, locationID, roomID string, replan bool) (*Rearrangement, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
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
		ahead, err := tx.OpenSessions(store.OpenSessionFilter{RoomID: roomID, After: tx.Now()})
		if err != nil {
			return err
		}
		if len(ahead) > 0 && !replan {
			return stillUsedError("the room", ahead)
		}
		if err := tx.MarkRoomDeleted(roomID); err != nil {
			return err
		}
		out, err = rearrange(tx, a, l.OrganisationID, ahead, "", "room deleted")
		return err
	})
	return out, err
}

// stillUsedError refuses to delete what sessions ahead still use, naming each.
func stillUsedError(what string, sessions []store.Session) error {
	e := &store.Error{Code: store.EConflict, Affected: sessions,
		Message: fmt.Sprintf("%s is still needed by %d sessions ahead; repeat with ?replan=true to re-plan them", what, len(sessions))}
	for _, s := range sessions {
		e.Fields = append(e.Fields, store.FieldError{Field: "id", Code: "used_by_session", Detail: fmt.Sprintf("session %s (group %s, session %d) at %s",
			s.ID, s.GroupID, s.Number, s.StartsAt.In(civil.Amsterdam).Format(time.RFC3339))})
	}
	return e
}
