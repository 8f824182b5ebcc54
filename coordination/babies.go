package coordination

import (
	"context"
	"fmt"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// Proposal is a running group a waiting baby could join, for the
// coordinator to decide: the group, its name and the first session.
type Proposal struct {
	planner.JoinOption
	GroupName  string `json:"group_name"`
	LocationID string `json:"location_id"`
}

// BabyChange is a changed baby record with what follows from it: the groups
// it left and, for a family waiting for a group, the running groups it fits.
type BabyChange struct {
	Baby       *store.Baby `json:"baby"`
	LeftGroups []string    `json:"left_groups"`
	Proposals  []Proposal  `json:"proposals"`
}

// ChangeBaby applies change to a baby record. A family that is no longer
// enrolled (withdrawn, declined, left reception) leaves its groups' future
// sessions at once; a newly enrolled one gets its proposals.
func (s *Service) ChangeBaby(ctx context.Context, a store.Actor, id string, change func(*store.Baby)) (*BabyChange, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionUpdate, id); err != nil {
		return nil, err
	}
	out := &BabyChange{LeftGroups: []string{}, Proposals: []Proposal{}}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		_, after, err := tx.UpdateBaby(a, id, change)
		if err != nil {
			return err
		}
		out.Baby = after
		return out.follow(tx, after)
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionUpdate, id, err)
	}
	return out, nil
}

// follow does what a change of b's record means for groups: leave those it
// no longer fits, then propose the running groups it fits when it waits.
func (out *BabyChange) follow(tx *store.Tx, b *store.Baby) error {
	if err := tx.LockOrganisation(b.OrganisationID); err != nil {
		return err
	}
	left, err := leaveGroupsThatNoLongerFit(tx, b)
	if err != nil {
		return err
	}
	if left != nil {
		out.LeftGroups = left
	}
	out.Proposals, err = proposals(tx, nil, b)
	return err
}

// proposals lists the running groups b fits now, best first, when it is an
// enrolled, born family of its organisation that is in no group; otherwise
// none. With a non-nil reader the proposals are an answer of their own and
// audited as a read of b; after a change of b they go with its audit row.
func proposals(tx *store.Tx, reader *store.Actor, b *store.Baby) ([]Proposal, error) {
	out := []Proposal{}
	if b.Status != store.StatusEnrolled || b.BirthDate == nil || b.Arriving() {
		return out, nil
	}
	st, err := loadStored(tx, b.OrganisationID)
	if err != nil {
		return nil, err
	}
	opts, err := planner.LateJoins(st.in, b.ID)
	if err != nil {
		return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", b.OrganisationID, err)
	}
	for _, o := range opts {
		g := st.groups[o.GroupID]
		out = append(out, Proposal{JoinOption: o, GroupName: g.Name, LocationID: g.LocationID})
	}
	if reader == nil {
		return out, nil
	}
	return out, tx.Audit(*reader, b.OrganisationID, store.ActionRead, "baby", store.OutcomeSuccess, "late-join proposals", b.ID)
}

// Proposals lists the running groups baby id could join now (see proposals).
func (s *Service) Proposals(ctx context.Context, a store.Actor, id string) ([]Proposal, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionRead, id); err != nil {
		return nil, err
	}
	var out []Proposal
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.BabyForUpdate(a, id)
		if err != nil {
			return err
		}
		out, err = proposals(tx, &a, b)
		return err
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionRead, id, err)
	}
	return out, nil
}

// Enrolled is a new baby record with the running groups it fits.
type Enrolled struct {
	*store.Baby
	Proposals []Proposal `json:"proposals"`
}

// EnrolBaby stores a new baby record; an enrolled, born family gets its
// proposals at once.
func (s *Service) EnrolBaby(ctx context.Context, a store.Actor, b *store.Baby) (*Enrolled, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionCreate, ""); err != nil {
		return nil, err
	}
	out := &Enrolled{Baby: b, Proposals: []Proposal{}}
	// One transaction: a record is never written without its answer (a
	// failure after the commit would leave a retry nothing to replay).
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateBaby(a, b); err != nil {
			return err
		}
		var err error
		out.Proposals, err = proposals(tx, nil, b)
		return err
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionCreate, "", err)
	}
	return out, nil
}

// Relocation is a recorded move with what follows from it.
type Relocation struct {
	Move       *store.Move     `json:"move"`
	Baby       *store.Baby     `json:"baby"`
	Handover   *store.Handover `json:"handover,omitempty"`
	LeftGroups []string        `json:"left_groups"`
	Proposals  []Proposal      `json:"proposals"`
}

// RecordMove records that a family moved. It leaves the groups whose
// location and catchment it moved out of (their future sessions follow); a
// move within the organisation proposes the running groups at the new
// location; a move to a location another organisation serves hands the
// record over: the receiver's organisation is told, without personal data,
// and sees it in its arrivals (the sender's answer names no proposals and
// nothing about the receiver's records).
func (s *Service) RecordMove(ctx context.Context, a store.Actor, id, to string, date civil.Date, exceptionReason string) (*Relocation, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionMove, id); err != nil {
		return nil, err
	}
	out := &Relocation{LeftGroups: []string{}, Proposals: []Proposal{}}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		m, b, h, err := tx.MoveBaby(a, id, to, date, exceptionReason)
		if err != nil {
			return err
		}
		out.Move, out.Baby, out.Handover = m, b, h
		if out.LeftGroups, err = leaveGroupsThatNoLongerFit(tx, b); err != nil {
			return err
		}
		if out.LeftGroups == nil {
			out.LeftGroups = []string{}
		}
		if h != nil {
			out.Baby = nil // the record is the receiver's now
			return noticeArrival(tx, h, b, s.baseURL)
		}
		out.Proposals, err = proposals(tx, nil, b)
		return err
	})
	if err != nil {
		return nil, s.db.AuditFailure(ctx, a, store.ActionMove, id, err)
	}
	return out, nil
}

// RemoveBaby deletes a baby record on request; its groups' future sessions
// follow at once.
func (s *Service) RemoveBaby(ctx context.Context, a store.Actor, id string) error {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionDelete, id); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.BabyForUpdate(a, id)
		if err != nil {
			return err
		}
		if err := tx.LockOrganisation(b.OrganisationID); err != nil {
			return err
		}
		gone := *b
		gone.Status = store.StatusWithdrawn // for the groups: no longer a member of any
		if _, err := leaveGroupsThatNoLongerFit(tx, &gone); err != nil {
			return err
		}
		return tx.DeleteBaby(a, b)
	})
	if err != nil {
		return s.db.AuditFailure(ctx, a, store.ActionDelete, id, err)
	}
	return nil
}

// Arrival is a handover with the running groups the family fits.
type Arrival struct {
	store.Arrival
	Proposals []Proposal `json:"proposals"`
}

// Arrivals lists the handovers a's organisation receives, each pending one
// with the running groups it fits.
func (s *Service) Arrivals(ctx context.Context, a store.Actor, f store.HandoverFilter) ([]Arrival, int64, error) {
	arrivals, total, err := s.db.Arrivals(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Arrival, len(arrivals))
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		for i, arr := range arrivals {
			out[i] = Arrival{Arrival: arr, Proposals: []Proposal{}}
			if arr.Status != store.HandoverPending || arr.Baby == nil {
				continue
			}
			ps, err := arrivingProposals(tx, arr.Baby)
			if err != nil {
				return err
			}
			out[i].Proposals = ps
		}
		return nil
	})
	return out, total, err
}

// arrivingProposals are the running groups an arriving record fits, as if
// it were accepted: it is planned nowhere until then.
func arrivingProposals(tx *store.Tx, b *store.Baby) ([]Proposal, error) {
	out := []Proposal{}
	if b.BirthDate == nil || b.Status != store.StatusEnrolled {
		return out, nil
	}
	st, err := loadStored(tx, b.OrganisationID)
	if err != nil {
		return nil, err
	}
	st.in.Babies = append(st.in.Babies, planner.Baby{ID: b.ID, BirthDate: *b.BirthDate, LocationID: b.LocationID, Language: b.Language})
	opts, err := planner.LateJoins(st.in, b.ID)
	if err != nil {
		return nil, fmt.Errorf("coordination: the stored data of %s does not make a valid plan input: %w", b.OrganisationID, err)
	}
	for _, o := range opts {
		g := st.groups[o.GroupID]
		out = append(out, Proposal{JoinOption: o, GroupName: g.Name, LocationID: g.LocationID})
	}
	return out, nil
}

// Accepted is an accepted handover: the record with its new ref, and the
// group it joined when one was named.
type Accepted struct {
	Baby   *store.Baby `json:"baby"`
	Joined *Joined     `json:"joined,omitempty"`
}

// AcceptHandover takes an arriving record into a's organisation under ref
// (the sender's when empty, unless the receiver's records use it) and, when
// groupID is given, places it in that group in the same transaction.
func (s *Service) AcceptHandover(ctx context.Context, a store.Actor, id, ref, groupID string) (*Accepted, error) {
	var out *Accepted
	var babyID string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		h, err := tx.HandoverForUpdate(a, id)
		if err != nil {
			return err
		}
		if h.BabyID != nil {
			babyID = *h.BabyID
		}
		if err := tx.LockOrganisation(h.ToOrganisationID); err != nil {
			return err
		}
		b, err := tx.AcceptHandover(a, h, ref)
		if err != nil {
			return err
		}
		out = &Accepted{Baby: b}
		if groupID == "" {
			return nil
		}
		g, err := tx.GroupForUpdate(a, groupID)
		if store.ErrorCode(err) == store.ENotFound {
			return &store.Error{Code: store.EInvalid, Message: "the request has invalid fields", Fields: []store.FieldError{{Field: "group_id", Code: "unknown", Detail: err.Error()}}}
		}
		if err != nil {
			return err
		}
		st, err := loadStored(tx, g.OrganisationID)
		if err != nil {
			return err
		}
		out.Joined, err = st.join(tx, a, g, b.ID)
		return err
	})
	if err != nil && babyID != "" {
		return nil, s.db.AuditFailure(ctx, a, store.ActionHandover, babyID, err)
	}
	return out, err
}

// noticeArrival tells the receiving organisation that a family arrived: the
// baby's age and language, where and when, how many running groups fit;
// never a ref, a birth date or where it came from.
func noticeArrival(tx *store.Tx, h *store.Handover, b *store.Baby, baseURL string) error {
	o, err := tx.Organisation(h.ToOrganisationID)
	if err != nil {
		return err
	}
	l, err := tx.Location(h.ToLocationID)
	if err != nil {
		return err
	}
	fits, err := arrivingProposals(tx, b)
	if err != nil {
		return err
	}
	age := ""
	if b.BirthDate != nil {
		age = messages.Age(noticeLang, h.MovedOn.Sub(*b.BirthDate))
	}
	data := map[string]any{"Location": l.Name, "Date": messages.LongDate(noticeLang, h.MovedOn), "Age": age,
		"Language": messages.LanguageName(noticeLang, b.Language),
		"Fitting":  messages.Count(noticeLang, "mail.arrival.fitting", len(fits), nil)}
	subject := messages.Format(noticeLang, "mail.arrival.subject", data)
	body := messages.Format(noticeLang, "mail.arrival.body", data)
	if baseURL != "" {
		body += "\n\n" + messages.Format(noticeLang, "mail.arrival.open", map[string]any{"URL": strings.TrimRight(baseURL, "/") + "/arrivals"})
	}
	return mail(tx, o.ContactEmail, o.Name, subject, body, "arrival:"+h.ID)
}
