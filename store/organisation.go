package store

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrganisationKind says whether a youth-health-care organisation is a GGD or a
// separate JGZ organisation.
type OrganisationKind string

// Kinds of organisation.
const (
	KindGGD OrganisationKind = "ggd"
	KindJGZ OrganisationKind = "jgz"
)

// Organisation is a GGD or JGZ organisation that delivers youth health care at
// COA locations. Coordinators act for exactly one.
type Organisation struct {
	ID           string           `gorm:"primaryKey" json:"id"`
	Kind         OrganisationKind `json:"kind"`
	Name         string           `json:"name"`
	ContactEmail string           `json:"contact_email"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// Validate checks the fields of o.
func (o *Organisation) Validate() error {
	var f Fields
	if o.Kind != KindGGD && o.Kind != KindJGZ {
		f.Add("kind", "choice", "must be ggd or jgz")
	}
	validateName(&f, "name", o.Name)
	validateEmail(&f, "contact_email", o.ContactEmail)
	return f.Err()
}

func validateName(f *Fields, field, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		f.Add(field, "required", "is required")
	case len(v) > 200:
		f.Add(field, "too_long_200", "is longer than 200 characters")
	case strings.ContainsAny(v, "\r\n\x00"):
		f.Add(field, "one_line", "must be one line")
	}
}

func validateEmail(f *Fields, field, v string) {
	if v == "" {
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		f.Add(field, "email", "is not an email address")
	}
}

// CreateOrganisation stores a new organisation (admin only).
func (db *DB) CreateOrganisation(ctx context.Context, a Actor, o *Organisation) error {
	if err := a.Require(RoleAdmin); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	o.ID = NewID("org")
	return db.tx(ctx, func(tx *gorm.DB) error { return wrapWrite(tx.Create(o).Error, "organisation", "name") })
}

// Organisation returns the organisation id if a may see it.
func (db *DB) Organisation(ctx context.Context, a Actor, id string) (*Organisation, error) {
	if !a.CanSeeOrganisation(id) {
		return nil, notFound("organisation", id)
	}
	return first[Organisation](db.gorm.WithContext(ctx).Where("id = ?", id), "organisation", id)
}

// Organisations lists the organisations a may see, by name.
func (db *DB) Organisations(ctx context.Context, a Actor, p Page) ([]Organisation, int64, error) {
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Organisation{}), "id")
	return page[Organisation](q, p, "name, id", "organisations")
}

// UpdateOrganisation applies change to organisation id (admin, or its own coordinator).
func (db *DB) UpdateOrganisation(ctx context.Context, a Actor, id string, change func(*Organisation)) (*Organisation, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.CanSeeOrganisation(id) {
		return nil, notFound("organisation", id)
	}
	var out *Organisation
	err := db.tx(ctx, func(tx *gorm.DB) error {
		o, err := first[Organisation](db.forUpdate(tx.Where("id = ?", id)), "organisation", id)
		if err != nil {
			return err
		}
		change(o)
		o.ID = id
		if err := o.Validate(); err != nil {
			return err
		}
		out = o
		return wrapWrite(tx.Save(o).Error, "organisation", "name")
	})
	return out, err
}

// DeleteOrganisation removes an organisation that serves no location and employs
// no facilitator (admin only).
func (db *DB) DeleteOrganisation(ctx context.Context, a Actor, id string) error {
	if err := a.Require(RoleAdmin); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := first[Organisation](db.forUpdate(tx.Where("id = ?", id)), "organisation", id); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Location{}).Where("organisation_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		var m int64
		if err := tx.Model(&Facilitator{}).Where("organisation_id = ?", id).Count(&m).Error; err != nil {
			return err
		}
		if n+m > 0 {
			return Errorf(EConflict, "organisation %s still serves %d locations and employs %d facilitators", id, n, m)
		}
		return wrapWrite(tx.Delete(&Organisation{}, "id = ?", id).Error, "organisation", "id")
	})
}
