package store

import (
	"context"
	"slices"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// ActionHandover is the audit action of a record handed from one
// organisation to another, and of its acceptance.
const ActionHandover = "handover"

// HandoverStatus is where a handover stands.
type HandoverStatus string

// Handover statuses.
const (
	HandoverPending  HandoverStatus = "pending"
	HandoverAccepted HandoverStatus = "accepted"
)

// Handover is a baby's record handed to another organisation by a move to a
// location it serves. The sender sees that it handed the record over, to whom
// and when, under its own ref; the receiver sees the arrival and accepts it,
// giving a ref of its own. BabyID is nil once the receiver deleted the record.
type Handover struct {
	ID                 string         `gorm:"primaryKey" json:"id"`
	BabyID             *string        `json:"baby_id,omitempty"`
	FromOrganisationID string         `json:"from_organisation_id"`
	ToOrganisationID   string         `json:"to_organisation_id"`
	FromLocationID     string         `json:"-"`
	ToLocationID       string         `json:"to_location_id"`
	MovedOn            civil.Date     `json:"moved_on"`
	SenderRef          string         `json:"-"`
	Status             HandoverStatus `json:"status"`
	CreatedAt          time.Time      `json:"created_at"`
	CreatedBy          string         `json:"-"`
	AcceptedAt         *time.Time     `json:"accepted_at,omitempty"`
	AcceptedBy         string         `json:"-"`
}

// SentHandover is what the sender keeps of a handover: its own ref, to which
// organisation and location, and when. Never what the receiver did with it.
type SentHandover struct {
	ID                 string     `json:"id"`
	Ref                string     `json:"ref"`
	ToOrganisationID   string     `json:"to_organisation_id"`
	ToOrganisationName string     `json:"to_organisation_name"`
	ToLocationName     string     `json:"to_location_name"`
	MovedOn            civil.Date `json:"moved_on"`
}

// Arrival is a handover as the receiving organisation sees it: the record it
// is getting, and the sessions the family already attended elsewhere.
type Arrival struct {
	Handover
	Baby                 *Baby  `json:"baby,omitempty"`
	FromOrganisationName string `json:"from_organisation_name"`
	// ProposedRef is the sender's ref, the default when accepting; the
	// receiver gives another when its own records already use it.
	ProposedRef string `json:"proposed_ref"`
	// AttendedSessions are the programme's session numbers the family's
	// earlier groups held while it was a member.
	AttendedSessions []int `json:"attended_sessions"`
}

// HandoverFilter selects handovers: those a receives (the arrivals), or with
// Sent those its organisation handed over.
type HandoverFilter struct {
	Sent   bool
	Status HandoverStatus
	Page
}

// SentHandovers lists what a's organisation handed over, newest first.
func (db *DB) SentHandovers(ctx context.Context, a Actor, f HandoverFilter) ([]SentHandover, int64, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, 0, err
	}
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Handover{}), "from_organisation_id")
	hs, total, err := page[Handover](q, f.Page, "moved_on DESC, id", "handovers")
	if err != nil {
		return nil, 0, err
	}
	out := make([]SentHandover, 0, len(hs))
	for _, h := range hs {
		s := SentHandover{ID: h.ID, Ref: h.SenderRef, ToOrganisationID: h.ToOrganisationID, MovedOn: h.MovedOn}
		if o, err := first[Organisation](db.gorm.WithContext(ctx).Where("id = ?", h.ToOrganisationID), "organisation", h.ToOrganisationID); err == nil {
			s.ToOrganisationName = o.Name
		}
		if l, err := first[Location](db.gorm.WithContext(ctx).Where("id = ?", h.ToLocationID), "location", h.ToLocationID); err == nil {
			s.ToLocationName = l.Name
		}
		out = append(out, s)
	}
	return out, total, nil
}

// Arrivals lists the handovers a's organisation receives, pending first,
// then newest; each record shown is a read of it and audited as one.
func (db *DB) Arrivals(ctx context.Context, a Actor, f HandoverFilter) ([]Arrival, int64, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionList, ""); err != nil {
		return nil, 0, err
	}
	var (
		out   []Arrival
		total int64
	)
	err := db.InTx(ctx, func(tx *Tx) error {
		q := a.scopeOrganisation(tx.g.Model(&Handover{}), "to_organisation_id")
		if f.Status != "" {
			q = q.Where("status = ?", f.Status)
		}
		hs, n, err := page[Handover](q, f.Page, "CASE WHEN status = 'pending' THEN 0 ELSE 1 END, moved_on DESC, id", "handovers")
		if err != nil {
			return err
		}
		total = n
		var babies []Baby
		for _, h := range hs {
			arr, err := tx.arrival(h)
			if err != nil {
				return err
			}
			if arr.Baby != nil {
				babies = append(babies, *arr.Baby)
			}
			out = append(out, *arr)
		}
		if len(babies) == 0 {
			return nil
		}
		return db.auditRecords(tx.g, a, ActionList, babies)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionList, "baby", "", err)
	}
	return out, total, err
}

// arrival fills what the receiver sees of one handover.
func (tx *Tx) arrival(h Handover) (*Arrival, error) {
	arr := &Arrival{Handover: h, AttendedSessions: []int{}}
	if o, err := tx.Organisation(h.FromOrganisationID); err == nil {
		arr.FromOrganisationName = o.Name
	}
	if h.Status == HandoverPending {
		arr.ProposedRef = h.SenderRef
	}
	if h.BabyID == nil {
		return arr, nil
	}
	b, err := first[Baby](tx.g.Where("id = ?", *h.BabyID), "baby", *h.BabyID)
	if ErrorCode(err) == ENotFound {
		return arr, nil
	}
	if err != nil {
		return nil, err
	}
	arr.Baby = b
	arr.AttendedSessions, err = tx.attendedSessions(b.ID, h.MovedOn)
	return arr, err
}

// attendedSessions are the session numbers held, by the groups baby was a
// member of, while it was, before day.
func (tx *Tx) attendedSessions(babyID string, before civil.Date) ([]int, error) {
	var ms []GroupMember
	if err := tx.g.Where("baby_id = ?", babyID).Find(&ms).Error; err != nil {
		return nil, wrapRead(err, "memberships")
	}
	seen := map[int]bool{}
	out := []int{}
	for _, m := range ms {
		var ss []Session
		err := tx.g.Where("group_id = ? AND status <> ? AND number >= ?", m.GroupID, SessionCancelled, max(1, m.FromSession)).Order("number").Find(&ss).Error
		if err != nil {
			return nil, wrapRead(err, "sessions")
		}
		for _, s := range ss {
			d := civil.Of(s.StartsAt.In(civil.Amsterdam))
			if d >= m.JoinedOn && d < before && (m.LeftOn == nil || d <= *m.LeftOn) && !seen[s.Number] {
				seen[s.Number] = true
				out = append(out, s.Number)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// HandoverForUpdate loads and locks a handover a's organisation receives.
func (tx *Tx) HandoverForUpdate(a Actor, id string) (*Handover, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	return first[Handover](tx.db.forUpdate(a.scopeOrganisation(tx.g.Where("id = ?", id), "to_organisation_id")), "handover", id)
}

// AcceptHandover gives the arriving record ref in the receiving organisation
// (the sender's when ref is empty) and marks the handover accepted; both are
// audited in the receiver's log. A handover accepted before is a conflict, as
// is a ref the receiver's records already use (the receiver learns that of
// its own records; the sender never does).
func (tx *Tx) AcceptHandover(a Actor, h *Handover, ref string) (*Baby, error) {
	if h.Status != HandoverPending {
		return nil, &Error{Code: EConflict, Message: "the handover was accepted before", Fields: []FieldError{{Field: "id", Code: "accepted_already", Detail: "is accepted"}}}
	}
	if h.BabyID == nil {
		return nil, Errorf(ENotFound, "the record of handover %q was deleted", h.ID)
	}
	b, err := first[Baby](tx.db.forUpdate(tx.g.Where("id = ?", *h.BabyID)), "baby", *h.BabyID)
	if err != nil {
		return nil, err
	}
	if ref == "" {
		ref = h.SenderRef
	}
	b.Ref = ref
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if err := tx.db.lockRef(tx.g, b.OrganisationID, ref); err != nil {
		return nil, err
	}
	if err := tx.db.checkRefFree(tx.g, b.OrganisationID, ref, b.ID); err != nil {
		return nil, err
	}
	if err := tx.g.Model(b).Update("ref", ref).Error; err != nil {
		return nil, wrapWrite(err, "baby", "ref")
	}
	now := tx.Now()
	if err := tx.g.Model(h).Updates(map[string]any{"status": HandoverAccepted, "accepted_at": now, "accepted_by": a.Who()}).Error; err != nil {
		return nil, wrapRead(err, "handover")
	}
	h.Status, h.AcceptedAt, h.AcceptedBy = HandoverAccepted, &now, a.Who()
	return b, tx.db.audit(tx.g, a, b.OrganisationID, ActionHandover, "baby", OutcomeSuccess, "handover "+h.ID+" accepted", b.ID)
}

// forgetHandovers clears the record from the handovers that name it: the
// sender keeps that it handed a record over, not the record.
func forgetHandovers(tx *gorm.DB, babyID string) error {
	return tx.Model(&Handover{}).Where("baby_id = ?", babyID).Update("baby_id", nil).Error
}

// CountArrivals counts the handovers a's organisation has not accepted yet.
func (db *DB) CountArrivals(ctx context.Context, a Actor) (int64, error) {
	var n int64
	err := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Handover{}), "to_organisation_id").Where("status = ?", HandoverPending).Count(&n).Error
	return n, wrapRead(err, "handovers")
}
