package coordination

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// MergeGroup moves every member of group fromID into group intoID, of the
// same location, each from the first of into's remaining sessions that fits
// it; from's future sessions are cancelled and from ends. It is refused,
// naming the rule and each baby, when one member cannot join (into is full,
// the births are too far apart, no session fits its age) or the merged
// group breaks a rule on the stored plan.
func (s *Service) MergeGroup(ctx context.Context, a store.Actor, fromID, intoID string) (*store.Group, error) {
	var out *store.Group
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		from, into, err := lockPair(tx, a, fromID, intoID)
		if err != nil {
			return err
		}
		st, err := loadStored(tx, from.OrganisationID)
		if err != nil {
			return err
		}
		if err := st.merge(tx, a, from, into); err != nil {
			return err
		}
		out = into
		return nil
	})
	return out, err
}

// lockPair loads and locks the two groups of a merge, in id order so that
// two merges cannot wait for each other, and refuses a pair that cannot merge.
func lockPair(tx *store.Tx, a store.Actor, fromID, intoID string) (from, into *store.Group, err error) {
	into404 := func(err error) error {
		if store.ErrorCode(err) == store.ENotFound {
			return &store.Error{Code: store.EInvalid, Message: "the request has invalid fields", Fields: []store.FieldError{{Field: "into", Code: "unknown", Detail: err.Error()}}}
		}
		return err
	}
	if fromID == intoID {
		return nil, nil, &store.Error{Code: store.EUnprocessable, Message: "a group cannot merge into itself", Fields: []store.FieldError{{Field: "into", Code: "merge_itself", Detail: "is the group itself"}}}
	}
	first, second := fromID, intoID
	if second < first {
		first, second = second, first
	}
	groups := map[string]*store.Group{}
	for _, id := range []string{first, second} {
		g, err := tx.GroupForUpdate(a, id)
		if err != nil && id == intoID {
			return nil, nil, into404(err)
		}
		if err != nil {
			return nil, nil, err
		}
		groups[id] = g
	}
	from, into = groups[fromID], groups[intoID]
	if err := tx.LockOrganisation(from.OrganisationID); err != nil {
		return nil, nil, err
	}
	refuse := func(field, code, detail string) error {
		return &store.Error{Code: store.EUnprocessable, Message: "the groups cannot be merged", Fields: []store.FieldError{{Field: field, Code: code, Detail: detail}}}
	}
	switch {
	case from.EndedOn != nil:
		return nil, nil, refuse("id", "group_ended", "the group has ended")
	case into.EndedOn != nil:
		return nil, nil, refuse("into", "group_ended", "the group has ended")
	case into.LocationID != from.LocationID || into.OrganisationID != from.OrganisationID:
		return nil, nil, refuse("into", "other_location", "meets at another location; groups merge within one location")
	}
	return from, into, nil
}

// merge moves from's members into into and ends from, in tx.
func (st *stored) merge(tx *store.Tx, a store.Actor, from, into *store.Group) error {
	members := st.byBirth(st.members[from.ID])
	joins, err := st.mergeJoins(from.ID, into.ID, members)
	if err != nil {
		return err
	}
	today := civil.Today(st.now)
	sizeInto := len(st.members[into.ID])
	for _, id := range members {
		if err := tx.EndMembership(from.ID, id, today); err != nil {
			return err
		}
		if err := tx.StartMembership(into.ID, id, today, joins[id]); err != nil {
			return err
		}
		detail := fmt.Sprintf("moved from group %s into group %s from session %d (merge)", from.ID, into.ID, joins[id])
		if err := tx.Audit(a, from.OrganisationID, store.ActionUpdate, "baby", store.OutcomeSuccess, detail, id); err != nil {
			return err
		}
	}
	if err := st.endGroup(tx, from, into.ID); err != nil {
		return err
	}
	return st.refresh(tx, into.ID, sizeInto)
}

// mergeJoins decides, one member after the other (oldest first), where each
// joins into, as if the earlier ones had joined already; then checks the
// merged plan. Every member that cannot join is named at once.
func (st *stored) mergeJoins(fromID, intoID string, members []string) (map[string]int, error) {
	was, err := st.check()
	if err != nil {
		return nil, err
	}
	joins := map[string]int{}
	var refused []planner.Violation
	for _, id := range members {
		st.removeMember(fromID, id)
		st.setGroupMembers()
		opt, v, err := planner.CanJoin(st.in, intoID, id)
		if err != nil {
			return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", st.data.Organisation.ID, err)
		}
		if v != nil {
			refused = append(refused, *v)
			continue
		}
		joins[id] = opt.From
		st.addMember(intoID, id, opt.From)
	}
	if len(refused) == 0 {
		restore := st.dropFuture(fromID)
		now, err := st.check()
		restore()
		if err != nil {
			return nil, err
		}
		refused = newViolations(was, now)
	}
	st.setGroupMembers()
	return joins, Refusal(refused, MemberField)
}

// setGroupMembers writes the members held in memory into the planner's input.
func (st *stored) setGroupMembers() {
	for i, g := range st.in.Groups {
		st.in.Groups[i].BabyIDs, st.in.Groups[i].JoinedFrom = append([]string{}, st.members[g.ID]...), st.joinedFrom(g.ID)
	}
}

// dropFuture leaves a group's sessions ahead out of the plan in memory, as
// cancelling them would, until restore is called.
func (st *stored) dropFuture(groupID string) (restore func()) {
	all := st.sessions[groupID]
	kept := map[int]*store.Session{}
	for n, s := range all {
		if !s.StartsAt.After(st.now) {
			kept[n] = s
		}
	}
	st.sessions[groupID] = kept
	return func() { st.sessions[groupID] = all }
}

// byBirth orders baby ids by birth date, then id.
func (st *stored) byBirth(ids []string) []string {
	birth := map[string]civil.Date{}
	for _, b := range st.in.Babies {
		birth[b.ID] = b.BirthDate
	}
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(birth[a], birth[b]), cmp.Compare(a, b))
	})
	return out
}

// DissolveGroup ends a group: its future sessions are cancelled (their
// facilitators told when they are near) and its members go back to the
// waiting babies, whom the next planning run places again.
func (s *Service) DissolveGroup(ctx context.Context, a store.Actor, id string) (*store.Group, error) {
	var out *store.Group
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, err := tx.GroupForUpdate(a, id)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(g.OrganisationID); err != nil {
			return err
		}
		if g.EndedOn != nil {
			return &store.Error{Code: store.EConflict, Message: "the group has ended already", Fields: []store.FieldError{{Field: "id", Code: "group_ended", Detail: "has ended"}}}
		}
		st, err := loadStored(tx, g.OrganisationID)
		if err != nil {
			return err
		}
		today := civil.Today(st.now)
		for _, b := range st.members[g.ID] {
			if err := tx.EndMembership(g.ID, b, today); err != nil {
				return err
			}
			if err := tx.Audit(a, g.OrganisationID, store.ActionUpdate, "baby", store.OutcomeSuccess, "group "+g.ID+" dissolved", b); err != nil {
				return err
			}
		}
		st.members[g.ID] = nil
		if err := st.endGroup(tx, g, ""); err != nil {
			return err
		}
		out = g
		return nil
	})
	return out, err
}

// endGroup cancels g's future sessions (a planned one, never published, is
// removed), tells the facilitators of those within NoticeDays, and records
// that g ended, merged into into or dissolved.
func (st *stored) endGroup(tx *store.Tx, g *store.Group, into string) error {
	for _, s := range st.sortedSessions(g.ID) {
		if s.Status == store.SessionCancelled || !s.StartsAt.After(st.now) {
			continue
		}
		if s.Status == store.SessionPlanned {
			if err := tx.DeleteSession(s.ID); err != nil {
				return err
			}
			delete(st.sessions[g.ID], s.Number)
			continue
		}
		before := *s
		s.Status, s.Sequence, s.ChangedAt = store.SessionCancelled, s.Sequence+1, st.now
		if err := tx.SaveSession(s); err != nil {
			return err
		}
		if err := noticeFacilitators(tx, &before, s); err != nil {
			return err
		}
	}
	today := civil.Today(st.now)
	if err := tx.EndGroup(g.ID, today, into); err != nil {
		return err
	}
	g.EndedOn, g.MergedInto = &today, into
	return nil
}
