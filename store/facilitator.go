package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// FacilitatorRole is a facilitator's profession.
type FacilitatorRole string

// Roles of facilitators. Every group needs a CO-trained nurse; the second
// facilitator is a youth doctor, a doctor's assistant or a second nurse.
const (
	RoleNurseFacilitator FacilitatorRole = "nurse"
	RoleDoctor           FacilitatorRole = "doctor"
	RoleAssistant        FacilitatorRole = "assistant"
)

// Facilitator is a member of staff of an organisation who can lead or co-lead CO
// sessions. Staff names and work emails are not health data and may be stored.
type Facilitator struct {
	ID                 string          `gorm:"primaryKey" json:"id"`
	OrganisationID     string          `json:"organisation_id"`
	DisplayName        string          `json:"display_name"`
	Email              string          `json:"email"`
	Role               FacilitatorRole `json:"role"`
	COTrained          bool            `gorm:"column:co_trained" json:"co_trained"`
	Availability       []civil.Weekly  `gorm:"serializer:json" json:"availability"`
	Absences           []civil.Range   `gorm:"serializer:json" json:"absences"`
	MaxSessionsPerWeek int             `json:"max_sessions_per_week"`
	Languages          []string        `gorm:"serializer:json" json:"languages"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	// DeletedAt marks a deleted facilitator, kept because past sessions name
	// them: invisible to the API, never planned.
	DeletedAt *time.Time `json:"-"`
}

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// ValidLanguage reports whether s looks like an ISO 639 code ("ar", "ti", "prs").
func ValidLanguage(s string) bool { return languageCode.MatchString(s) }

// Validate checks the fields of f.
func (fc *Facilitator) Validate() error {
	var f Fields
	f.Limit("languages", len(fc.Languages), MaxLanguages)
	f.Limit("availability", len(fc.Availability), MaxWeekly)
	f.Limit("absences", len(fc.Absences), MaxRanges)
	validateName(&f, "display_name", fc.DisplayName)
	validateEmail(&f, "email", fc.Email)
	switch fc.Role {
	case RoleNurseFacilitator, RoleDoctor, RoleAssistant:
	default:
		f.Add("role", "choice", "must be nurse, doctor or assistant")
	}
	if fc.OrganisationID == "" {
		f.Add("organisation_id", "required", "is required")
	}
	if fc.MaxSessionsPerWeek < 1 || fc.MaxSessionsPerWeek > 20 {
		f.Add("max_sessions_per_week", "range_1_20", "must be between 1 and 20")
	}
	f.AddIndexed("availability", civil.ValidateWeekly(fc.Availability))
	f.AddIndexed("absences", civil.ValidateRanges(fc.Absences))
	for i, l := range fc.Languages {
		if !ValidLanguage(l) {
			f.Add(fmt.Sprintf("languages[%d]", i), "language", "%q is not an ISO 639 language code such as nl, ar or ti", l)
		} else if slices.Index(fc.Languages, l) != i {
			f.Add(fmt.Sprintf("languages[%d]", i), "twice", "is listed twice")
		}
	}
	if fc.Availability == nil {
		fc.Availability = []civil.Weekly{}
	}
	if fc.Absences == nil {
		fc.Absences = []civil.Range{}
	}
	if fc.Languages == nil {
		fc.Languages = []string{}
	}
	return f.Err()
}

// scopeFacilitators limits a query to the facilitators a may see; nobody sees
// a deleted one.
func (a Actor) scopeFacilitators(q *gorm.DB) *gorm.DB {
	q = q.Where("deleted_at IS NULL")
	switch a.Role {
	case RoleAdmin:
		return q
	case RoleNurse:
		return q.Where("id = ?", a.FacilitatorID)
	case RoleCoordinator:
		return q.Where("organisation_id = ?", a.OrganisationID)
	default:
		return q.Where("1 = 0")
	}
}

func (db *DB) checkFacilitatorOrganisation(tx *gorm.DB, a Actor, fc *Facilitator) error {
	known, err := exists(tx.Model(&Organisation{}).Where("id = ?", fc.OrganisationID))
	if err != nil {
		return err
	}
	if !a.CanSeeOrganisation(fc.OrganisationID) || !known {
		return &Error{Code: EInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: "organisation_id", Code: "unknown", Detail: fmt.Sprintf("unknown organisation %q", fc.OrganisationID)}}}
	}
	return nil
}

// CreateFacilitator stores a new facilitator.
func (db *DB) CreateFacilitator(ctx context.Context, a Actor, fc *Facilitator) error {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return err
	}
	if err := fc.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := db.checkFacilitatorOrganisation(tx, a, fc); err != nil {
			return err
		}
		fc.ID = NewID("fac")
		return wrapWrite(tx.Create(fc).Error, "facilitator", "id")
	})
}

// Facilitator returns facilitator id if a may see it.
func (db *DB) Facilitator(ctx context.Context, a Actor, id string) (*Facilitator, error) {
	return first[Facilitator](a.scopeFacilitators(db.gorm.WithContext(ctx).Where("id = ?", id)), "facilitator", id)
}

// FacilitatorFilter selects facilitators.
type FacilitatorFilter struct {
	OrganisationID string
	Page
}

// Facilitators lists the facilitators a may see, by name.
func (db *DB) Facilitators(ctx context.Context, a Actor, f FacilitatorFilter) ([]Facilitator, int64, error) {
	q := a.scopeFacilitators(db.gorm.WithContext(ctx).Model(&Facilitator{}))
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	return page[Facilitator](q, f.Page, "display_name, id", "facilitators")
}

// UpdateFacilitator applies change to facilitator id.
func (db *DB) UpdateFacilitator(ctx context.Context, a Actor, id string, change func(*Facilitator)) (*Facilitator, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	var out *Facilitator
	err := db.tx(ctx, func(tx *gorm.DB) error {
		fc, err := first[Facilitator](db.forUpdate(a.scopeFacilitators(tx.Where("id = ?", id))), "facilitator", id)
		if err != nil {
			return err
		}
		oldOrg := fc.OrganisationID
		change(fc)
		fc.ID = id
		if err := fc.Validate(); err != nil {
			return err
		}
		if err := db.checkFacilitatorOrganisation(tx, a, fc); err != nil {
			return err
		}
		if fc.OrganisationID != oldOrg {
			if err := db.noSessionsAhead(tx, "facilitator", "(lead_facilitator_id = ? OR second_facilitator_id = ?)", id, id); err != nil {
				return err
			}
		}
		out = fc
		return wrapWrite(tx.Save(fc).Error, "facilitator", "id")
	})
	return out, err
}

// MarkFacilitatorDeleted deletes a facilitator: the record stays for the past
// sessions that name them, out of every list and plan.
func (tx *Tx) MarkFacilitatorDeleted(id string) error {
	return wrapRead(tx.g.Model(&Facilitator{}).Where("id = ?", id).Update("deleted_at", tx.Now()).Error, "delete facilitator")
}

// ForgetGroupFacilitator takes a facilitator's pair off the groups that keep
// it as their own: the next plan gives them a pair of people who are there.
func (tx *Tx) ForgetGroupFacilitator(id string) error {
	return wrapRead(tx.g.Model(&Group{}).Where("lead_facilitator_id = ? OR second_facilitator_id = ?", id, id).
		Updates(map[string]any{"lead_facilitator_id": "", "second_facilitator_id": ""}).Error, "forget group facilitator")
}
