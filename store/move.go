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

// MoveBaby records that baby id moved to location to on date. The baby then
// belongs to the organisation serving that location, which may be another one.
func (db *DB) MoveBaby(ctx context.Context, a Actor, id, to string, date civil.Date, exceptionReason string) (*Move, *Baby, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionMove, id); err != nil {
		return nil, nil, err
	}
	var (
		move *Move
		baby *Baby
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		b, err := first[Baby](db.forUpdate(a.scopeOrganisation(tx.Where("id = ?", id), "organisation_id")), "baby", id)
		if err != nil {
			return err
		}
		// The receiving location may belong to another organisation: a warm
		// handover is the point of recording the move.
		dest, err := db.babyLocation(tx, System, "to_location_id", to)
		if err != nil {
			return err
		}
		if date > db.Today() {
			return &Error{Code: EInvalid, Message: "the request has invalid fields",
				Fields: []FieldError{{Field: "date", Detail: date.String() + " is in the future; record a move when it has happened"}}}
		}
		if dest.ID == b.LocationID {
			return &Error{Code: EUnprocessable, Message: "the baby already lives at this location",
				Fields: []FieldError{{Field: "to_location_id", Detail: "is the baby's current location"}}}
		}
		if b.BirthDate == nil && b.ExpectedDate != nil && b.ExpectedDate.Sub(date) <= LateMoveDays && strings.TrimSpace(exceptionReason) == "" {
			return &Error{Code: EUnprocessable, Message: "a pregnant woman is not moved at 36 weeks or later without an agreed exception",
				Fields: []FieldError{{Field: "exception_reason", Detail: "the pregnancy is 36 weeks or further along; give the reason agreed with GZA, the midwife and the woman"}}}
		}
		if len(exceptionReason) > 500 {
			return &Error{Code: EInvalid, Message: "the request has invalid fields", Fields: []FieldError{{Field: "exception_reason", Detail: "is longer than 500 characters"}}}
		}
		if b.BirthDate != nil && date < *b.BirthDate {
			return &Error{Code: EUnprocessable, Message: "a move cannot be dated before the birth",
				Fields: []FieldError{{Field: "date", Detail: "is before the birth date"}}}
		}
		var last Move
		if err := tx.Where("baby_id = ?", id).Order("date DESC, created_at DESC").Limit(1).Find(&last).Error; err != nil {
			return err
		}
		if last.ID != "" && date < last.Date {
			return &Error{Code: EUnprocessable, Message: "moves are recorded in date order",
				Fields: []FieldError{{Field: "date", Detail: "is before the previous move on " + last.Date.String()}}}
		}
		if err := db.checkRefFree(tx, dest.OrganisationID, b.Ref, b.ID); err != nil {
			return err
		}
		fromOrg := b.OrganisationID
		move = &Move{ID: NewID("move"), BabyID: id, FromLocationID: b.LocationID, ToLocationID: dest.ID, Date: date, CreatedBy: a.TokenID,
			ExceptionReason: strings.TrimSpace(exceptionReason)}
		if err := tx.Create(move).Error; err != nil {
			return wrapWrite(err, "move", "id")
		}
		b.LocationID, b.OrganisationID = dest.ID, dest.OrganisationID
		if err := tx.Save(b).Error; err != nil {
			return wrapWrite(err, "baby", "ref")
		}
		baby = b
		detail := "to location " + dest.ID
		if dest.OrganisationID != fromOrg {
			detail += ", handed over to organisation " + dest.OrganisationID
		}
		if move.ExceptionReason != "" {
			// The reason is free text about a pregnancy: it stays with the move
			// (and goes with it), the log only says that one was given.
			detail += "; late-pregnancy exception given"
		}
		return db.audit(tx, a, fromOrg, ActionMove, "baby", OutcomeSuccess, detail, id)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionMove, "baby", id, err)
	}
	return move, baby, err
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
