package coordination

import (
	"context"
	"fmt"
	"sort"

	"github.com/coplan/coplan/store"
)

// Publication is what publishing would change for the facilitators'
// calendars: the planned sessions ahead, and how many each facilitator gets.
type Publication struct {
	Sessions []store.Session   `json:"sessions"`
	People   []PublishedPerson `json:"people"`
}

// PublishedPerson is a facilitator and the sessions publishing puts in their calendar.
type PublishedPerson struct {
	FacilitatorID string `json:"facilitator_id"`
	Name          string `json:"name"`
	Sessions      int    `json:"sessions"`
}

// PreviewPublication says what publishing the organisation's planned
// sessions (of one group when groupID is set) would put in whose calendar.
func (s *Service) PreviewPublication(ctx context.Context, a store.Actor, organisationID, groupID string) (*Publication, error) {
	var out *Publication
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = publication(tx, a, organisationID, groupID)
		return err
	})
	return out, err
}

func publication(tx *store.Tx, a store.Actor, organisationID, groupID string) (*Publication, error) {
	if err := a.Require(store.RoleAdmin, store.RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.CanSeeOrganisation(organisationID) {
		return nil, store.Errorf(store.ENotFound, "organisation %q does not exist", organisationID)
	}
	if groupID != "" {
		g, err := tx.GroupForUpdate(a, groupID)
		if err != nil {
			return nil, err
		}
		if g.OrganisationID != organisationID {
			return nil, store.Errorf(store.ENotFound, "group %q does not exist", groupID)
		}
	}
	sessions, err := tx.PlannedSessions(organisationID, groupID)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, s := range sessions {
		count[s.LeadFacilitatorID]++
		count[s.SecondFacilitatorID]++
	}
	out := &Publication{Sessions: sessions, People: []PublishedPerson{}}
	for id, n := range count {
		f, err := tx.Facilitator(id)
		if store.ErrorCode(err) == store.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.People = append(out.People, PublishedPerson{FacilitatorID: id, Name: f.DisplayName, Sessions: n})
	}
	sort.Slice(out.People, func(i, j int) bool { return out.People[i].Name < out.People[j].Name })
	return out, nil
}

// Publish makes the organisation's planned sessions ahead (of one group
// when groupID is set) published: the next publication of the feeds puts
// them in the facilitators' calendars. It returns how many it published.
func (s *Service) Publish(ctx context.Context, a store.Actor, organisationID, groupID string) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockOrganisation(organisationID); err != nil {
			return err
		}
		p, err := publication(tx, a, organisationID, groupID)
		if err != nil {
			return err
		}
		ids := make([]string, len(p.Sessions))
		for i, s := range p.Sessions {
			ids[i] = s.ID
		}
		n = len(ids)
		if err := tx.PublishSessions(ids); err != nil {
			return err
		}
		return tx.Audit(a, organisationID, "publish", "session", store.OutcomeSuccess, fmt.Sprintf("%d sessions published", n))
	})
	return n, err
}
