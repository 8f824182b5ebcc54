package store

import (
	"context"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Move is one relocation of a family between COA locations. About 70% of pregnant
// asylum seekers move at least once; the history is kept so that a group's past
// sessions stay with the group the baby left.
type Move struct {
	ID             string     `gorm:"primaryKey" json:"id"`
	BabyID         string     `json:"baby_id"`
	FromLocationID string     `json:"from_location_id"`
	ToLocationID   string     `json:"to_location_id"`
	Date           civil.Date `json:"date"`
	// ExceptionReason records why a pregnant woman was moved at 36 weeks or
	// later (agreed with GZA, the midwife and the woman).
	ExceptionReason string    `json:"exception_reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"-"`
}

// LateMoveDays: pregnant women are in principle not moved after 36 weeks of
// pregnancy, that is within 28 days of the due date.
const LateMoveDays = 28

// MoveBaby records that baby id moved (see Tx.MoveBaby); a refusal is audited.
func (db *DB) MoveBaby(ctx context.Context, a Actor, id, to string, date civil.Date, exceptionReason string) (*Move, *Baby, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionMove, id); err != nil {
		return nil, nil, err
	}
	var (
		move *Move
		baby *Baby
	)
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		move, baby, _, err = tx.MoveBaby(a, id, to, date, exceptionReason)
		return err
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionMove, "baby", id, err)
	}
	return move, baby, err
}

// MoveBaby records that baby id moved to location to on date, and audits it.
// A move within the organisation changes the baby's location. A move to a
// location another organisation serves is a warm handover: the record goes
// to that organisation at once, without a ref there until it accepts (the
// sender must not learn whether its ref is taken on the other side), and a
// Handover keeps for the sender that it handed the record over, to whom and
// when. The handover is nil for a move within the organisation.
func (tx *Tx) MoveBaby(a Actor, id, to string, date civil.Date, exceptionReason string) (*Move, *Baby, *Handover, error) {
	db := tx.db
	b, err := first[Baby](db.forUpdate(a.scopeOrganisation(tx.g.Where("id = ?", id), "organisation_id")), "baby", id)
	if err != nil {
		return nil, nil, nil, err
	}
	// The receiving location may belong to another organisation: a warm
	// handover is the point of recording the move.
	dest, err := db.babyLocation(tx.g, System, "to_location_id", to)
	if err != nil {
		return nil, nil, nil, err
	}
	exceptionReason = strings.TrimSpace(exceptionReason)
	if err := validateMove(tx, b, dest, date, exceptionReason); err != nil {
		return nil, nil, nil, err
	}
	fromOrg, fromLoc := b.OrganisationID, b.LocationID
	move := &Move{ID: NewID("move"), BabyID: id, FromLocationID: fromLoc, ToLocationID: dest.ID, Date: date, CreatedBy: a.Who(),
		ExceptionReason: exceptionReason}
	if err := tx.g.Create(move).Error; err != nil {
		return nil, nil, nil, wrapWrite(err, "move", "id")
	}
	var h *Handover
	if dest.OrganisationID != fromOrg {
		h = &Handover{ID: NewID("hov"), BabyID: &b.ID, FromOrganisationID: fromOrg, ToOrganisationID: dest.OrganisationID,
			FromLocationID: fromLoc, ToLocationID: dest.ID, MovedOn: date, SenderRef: b.Ref, Status: HandoverPending,
			CreatedAt: db.Now(), CreatedBy: a.Who()}
		if err := tx.g.Create(h).Error; err != nil {
			return nil, nil, nil, wrapWrite(err, "handover", "id")
		}
		b.Ref = ""
	} else if err := db.checkRefFree(tx.g, dest.OrganisationID, b.Ref, b.ID); err != nil {
		return nil, nil, nil, err
	}
	b.LocationID, b.OrganisationID = dest.ID, dest.OrganisationID
	if err := tx.g.Save(b).Error; err != nil {
		return nil, nil, nil, wrapWrite(err, "baby", "ref")
	}
	return move, b, h, auditMove(tx, a, move, h, fromOrg)
}

// validateMove checks a move's date and the late-pregnancy rule.
func validateMove(tx *Tx, b *Baby, dest *Location, date civil.Date, exceptionReason string) error {
	if date > tx.db.Today() {
		return &Error{Code: EInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: "date", Code: "date_future", Detail: date.String() + " is in the future; record a move when it has happened"}}}
	}
	if dest.ID == b.LocationID {
		return &Error{Code: EUnprocessable, Message: "the baby already lives at this location",
			Fields: []FieldError{{Field: "to_location_id", Code: "same_location", Detail: "is the baby's current location"}}}
	}
	if b.BirthDate == nil && b.ExpectedDate != nil && b.ExpectedDate.Sub(date) <= LateMoveDays && exceptionReason == "" {
		return &Error{Code: EUnprocessable, Message: "a pregnant woman is not moved at 36 weeks or later without an agreed exception",
			Fields: []FieldError{{Field: "exception_reason", Code: "exception_required", Detail: "the pregnancy is 36 weeks or further along; give the reason agreed with GZA, the midwife and the woman"}}}
	}
	if len(exceptionReason) > 500 {
		return &Error{Code: EInvalid, Message: "the request has invalid fields", Fields: []FieldError{{Field: "exception_reason", Code: "too_long_500", Detail: "is longer than 500 characters"}}}
	}
	if b.BirthDate != nil && date < *b.BirthDate {
		return &Error{Code: EUnprocessable, Message: "a move cannot be dated before the birth",
			Fields: []FieldError{{Field: "date", Code: "before_birth", Detail: "is before the birth date"}}}
	}
	var last Move
	if err := tx.g.Where("baby_id = ?", b.ID).Order("date DESC, created_at DESC").Limit(1).Find(&last).Error; err != nil {
		return wrapRead(err, "moves")
	}
	if last.ID != "" && date < last.Date {
		return &Error{Code: EUnprocessable, Message: "moves are recorded in date order",
			Fields: []FieldError{{Field: "date", Code: "before_previous_move", Args: map[string]any{"Date": last.Date}, Detail: "is before the previous move on " + last.Date.String()}}}
	}
	return nil
}

// auditMove writes the move into the sender's log and, for a handover, the
// arrival into the receiver's. The exception's reason is free text about a
// pregnancy: it stays with the move (and goes with it), the log only says
// that one was given.
func auditMove(tx *Tx, a Actor, m *Move, h *Handover, fromOrg string) error {
	detail := "to location " + m.ToLocationID
	if h != nil {
		detail += ", handed over to organisation " + h.ToOrganisationID + " (handover " + h.ID + ")"
	}
	if m.ExceptionReason != "" {
		detail += "; late-pregnancy exception given"
	}
	if err := tx.db.audit(tx.g, a, fromOrg, ActionMove, "baby", OutcomeSuccess, detail, m.BabyID); err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	return tx.db.audit(tx.g, a, h.ToOrganisationID, ActionHandover, "baby", OutcomeSuccess,
		"arrived from organisation "+fromOrg+" (handover "+h.ID+"), awaiting acceptance", m.BabyID)
}

// Moves returns the relocation history of baby id, oldest first; reading it is a
// read of the baby's record and is logged as one.
func (db *DB) Moves(ctx context.Context, a Actor, id string) ([]Move, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionRead, id); err != nil {
		return nil, err
	}
	moves := []Move{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		b, err := first[Baby](a.scopeOrganisation(tx.Where("id = ?", id), "organisation_id"), "baby", id)
		if err != nil {
			return err
		}
		if err := tx.Where("baby_id = ?", id).Order("date, created_at").Find(&moves).Error; err != nil {
			return err
		}
		return db.audit(tx, a, b.OrganisationID, ActionRead, "baby", OutcomeSuccess, "moves", id)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionRead, "baby", id, err)
	}
	return moves, err
}
