package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// LocationKind is the kind of COA reception location.
type LocationKind string

// Kinds of COA location.
const (
	KindAZC              LocationKind = "azc"              // regular asylum seekers' centre
	KindAC               LocationKind = "ac"               // application centre (Ter Apel, Budel)
	KindNoodopvang       LocationKind = "noodopvang"       // emergency shelter
	KindCrisisNoodopvang LocationKind = "crisisnoodopvang" // crisis emergency shelter
)

// Location is a COA reception location served by one GGD/JGZ organisation.
type Location struct {
	ID             string       `gorm:"primaryKey" json:"id"`
	OrganisationID string       `json:"organisation_id"`
	Kind           LocationKind `json:"kind"`
	Name           string       `json:"name"`
	Municipality   string       `json:"municipality"`
	// ShortStay locations form no groups of their own (application centres,
	// crisis shelters); their babies join a hub's group through its catchment.
	ShortStay bool `json:"short_stay"`
	// Catchment names nearby locations whose babies may join this location's groups.
	Catchment []string  `gorm:"serializer:json" json:"catchment"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultShortStay is the short-stay default of a kind: application centres and
// crisis shelters keep families for days or weeks, too short for a CO group.
func DefaultShortStay(k LocationKind) bool {
	return k == KindAC || k == KindCrisisNoodopvang
}

// Validate checks the fields of l that need no database.
func (l *Location) Validate() error {
	var f Fields
	f.Limit("catchment", len(l.Catchment), MaxCatchment)
	switch l.Kind {
	case KindAZC, KindAC, KindNoodopvang, KindCrisisNoodopvang:
	default:
		f.Add("kind", "choice", "must be azc, ac, noodopvang or crisisnoodopvang")
	}
	validateName(&f, "name", l.Name)
	if len(l.Municipality) > 200 {
		f.Add("municipality", "too_long_200", "is longer than 200 characters")
	}
	if l.OrganisationID == "" {
		f.Add("organisation_id", "required", "is required")
	}
	for i, c := range l.Catchment {
		if c == l.ID && c != "" {
			f.Add(fmt.Sprintf("catchment[%d]", i), "own_catchment", "a location cannot be in its own catchment")
		} else if slices.Index(l.Catchment, c) != i {
			f.Add(fmt.Sprintf("catchment[%d]", i), "twice", "is listed twice")
		}
	}
	if l.Catchment == nil {
		l.Catchment = []string{}
	}
	return f.Err()
}

// scopeLocations limits a query on locations to those a may see.
func (a Actor) scopeLocations(q *gorm.DB, idColumn, orgColumn string) *gorm.DB {
	switch a.Role {
	case RoleAdmin:
		return q
	case RoleLocation:
		return q.Where(idColumn+" = ?", a.LocationID)
	default:
		return q.Where(orgColumn+" = ?", a.OrganisationID)
	}
}

// noSessionsAhead refuses a change while sessions ahead (not cancelled) that
// match where still need what it changes, naming each.
func (db *DB) noSessionsAhead(tx *gorm.DB, what, where string, args ...any) error {
	var ahead []Session
	if err := tx.Where(where, args...).Where("status <> ? AND ends_at > ?", SessionCancelled, db.Now()).Order("starts_at, id").Find(&ahead).Error; err != nil {
		return wrapRead(err, "sessions")
	}
	if len(ahead) == 0 {
		return nil
	}
	e := &Error{Code: EConflict, Affected: ahead, Message: fmt.Sprintf("the %s is still needed by %d sessions ahead; re-plan, move or cancel them first", what, len(ahead))}
	for _, s := range ahead {
		e.Fields = append(e.Fields, FieldError{Field: "id", Code: "used_by_session", Detail: fmt.Sprintf("session %s (group %s, session %d)", s.ID, s.GroupID, s.Number)})
	}
	return e
}

// locationUnused refuses to delete a location that babies live at, sessions
// ahead meet at, or other locations name in their catchments, naming each.
func (db *DB) locationUnused(tx *gorm.DB, id string) error {
	n, err := count(tx.Model(&Baby{}).Where("location_id = ?", id))
	if err != nil {
		return err
	}
	if n != 0 {
		return Errorf(EConflict, "location %s still has %d babies; move them first", id, n)
	}
	if err := db.noSessionsAhead(tx, "location", "location_id = ?", id); err != nil {
		return err
	}
	var hubs []Location
	if err := tx.Where("id <> ?", id).Find(&hubs).Error; err != nil {
		return wrapRead(err, "locations")
	}
	var f Fields
	for _, h := range hubs {
		if slices.Contains(h.Catchment, id) {
			f.Add("id", "in_catchment", "is in the catchment of %s (%s)", h.Name, h.ID)
		}
	}
	if len(f.list) > 0 {
		return &Error{Code: EConflict, Message: "other locations name this location in their catchment; change those first", Fields: f.list}
	}
	return nil
}

// checkReferences checks that l's organisation and catchment exist and are visible.
func (db *DB) checkLocationReferences(tx *gorm.DB, a Actor, l *Location) error {
	var f Fields
	known, err := exists(tx.Model(&Organisation{}).Where("id = ?", l.OrganisationID))
	if err != nil {
		return err
	}
	if !a.CanSeeOrganisation(l.OrganisationID) || !known {
		f.Add("organisation_id", "unknown", "unknown organisation %q", l.OrganisationID)
	}
	for i, c := range l.Catchment {
		// A catchment names the same organisation's locations: each is planned on its own.
		known, err := exists(tx.Model(&Location{}).Where("id = ? AND organisation_id = ?", c, l.OrganisationID))
		if err != nil {
			return err
		}
		if !known {
			f.Add(fmt.Sprintf("catchment[%d]", i), "unknown", "unknown location %q of the organisation", c)
		}
	}
	return f.Err()
}

// count counts the rows of q; a database error is an error, never a count.
func count(q *gorm.DB) (int64, error) {
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	return n, nil
}

// exists reports whether q selects a row.
func exists(q *gorm.DB) (bool, error) {
	n, err := count(q)
	return n > 0, err
}

// CreateLocation stores a new location (admin, or a coordinator for its own organisation).
func (db *DB) CreateLocation(ctx context.Context, a Actor, l *Location) error {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return err
	}
	l.ID = NewID("loc")
	if err := l.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := db.checkLocationReferences(tx, a, l); err != nil {
			return err
		}
		return wrapWrite(tx.Create(l).Error, "location", "name")
	})
}

// Location returns location id if a may see it.
func (db *DB) Location(ctx context.Context, a Actor, id string) (*Location, error) {
	q := a.scopeLocations(db.gorm.WithContext(ctx).Where("id = ?", id), "id", "organisation_id")
	return first[Location](q, "location", id)
}

// LocationFilter selects locations.
type LocationFilter struct {
	OrganisationID string
	Page
}

// Locations lists the locations a may see, by name.
func (db *DB) Locations(ctx context.Context, a Actor, f LocationFilter) ([]Location, int64, error) {
	q := a.scopeLocations(db.gorm.WithContext(ctx).Model(&Location{}), "id", "organisation_id")
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	return page[Location](q, f.Page, "name, id", "locations")
}

// UpdateLocation applies change to location id. Only an admin may hand a location
// over to another organisation; its babies then belong to that organisation.
func (db *DB) UpdateLocation(ctx context.Context, a Actor, id string, change func(*Location)) (*Location, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	var out *Location
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := a.scopeLocations(tx.Where("id = ?", id), "id", "organisation_id")
		l, err := first[Location](db.forUpdate(q), "location", id)
		if err != nil {
			return err
		}
		oldOrg := l.OrganisationID
		change(l)
		l.ID = id
		if err := l.Validate(); err != nil {
			return err
		}
		if err := db.checkLocationReferences(tx, a, l); err != nil {
			return err
		}
		if l.OrganisationID != oldOrg {
			if err := db.noSessionsAhead(tx, "location", "location_id = ?", id); err != nil {
				return err
			}
		}
		if err := tx.Save(l).Error; err != nil {
			return wrapWrite(err, "location", "name")
		}
		if l.OrganisationID != oldOrg {
			if err := tx.Model(&Baby{}).Where("location_id = ?", id).
				Update("organisation_id", l.OrganisationID).Error; err != nil {
				return wrapWrite(err, "baby", "ref")
			}
		}
		out = l
		return nil
	})
	return out, err
}

// DeleteLocation removes a location where no baby lives; its rooms go with it.
func (db *DB) DeleteLocation(ctx context.Context, a Actor, id string) error {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		q := a.scopeLocations(tx.Where("id = ?", id), "id", "organisation_id")
		if _, err := first[Location](db.forUpdate(q), "location", id); err != nil {
			return err
		}
		if err := db.locationUnused(tx, id); err != nil {
			return err
		}
		if err := tx.Where("location_id = ?", id).Delete(&Room{}).Error; err != nil {
			return err
		}
		return wrapWrite(tx.Delete(&Location{}, "id = ?", id).Error, "location", "id")
	})
}
