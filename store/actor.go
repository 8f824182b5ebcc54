package store

import (
	"time"

	"gorm.io/gorm"
)

// Role is what a bearer token may do.
type Role string

// The four roles of coplan.
const (
	RoleAdmin       Role = "admin"       // everything
	RoleCoordinator Role = "coordinator" // everything of its own organisation
	RoleNurse       Role = "nurse"       // its own sessions; no baby records
	RoleLocation    Role = "location"    // its own location's rooms and bookings; no baby records
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleCoordinator, RoleNurse, RoleLocation:
		return true
	}
	return false
}

// Actor is who is asking: the person, the credential used and the scope it
// grants. Every repository method takes one, filters by it and names it in
// the audit log.
type Actor struct {
	// TokenID is the credential the request came with: a token's id, or a
	// page session's ("web_..."); "system" or "cli:..." for coplan itself.
	TokenID string
	UserID  string // the person, when the credential belongs to one
	Client  string // the client address the request came from
	// Until is when the credential stops working by itself (a token's
	// expiry), for caches of the actor; zero when it has no end.
	Until          time.Time
	Role           Role
	OrganisationID string // coordinator and nurse: their organisation; location: the serving one
	FacilitatorID  string // nurse
	LocationID     string // location
}

// System is the actor of jobs the service runs by itself (demo data, cron).
var System = Actor{TokenID: "system", Role: RoleAdmin}

// Who names the actor in records it creates: the person, or the credential
// when there is no person (a service token, a job).
func (a Actor) Who() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.TokenID
}

// IsAdmin reports whether a sees every organisation.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// Require answers forbidden unless a has one of roles.
func (a Actor) Require(roles ...Role) error {
	for _, r := range roles {
		if a.Role == r {
			return nil
		}
	}
	return Errorf(EForbidden, "the %s role may not do this", a.Role)
}

// scopeOrganisation limits a query on a table with an organisation_id column.
func (a Actor) scopeOrganisation(q *gorm.DB, column string) *gorm.DB {
	if a.IsAdmin() {
		return q
	}
	return q.Where(column+" = ?", a.OrganisationID)
}

// CanSeeOrganisation reports whether records of organisation id are visible to a.
func (a Actor) CanSeeOrganisation(id string) bool {
	return a.IsAdmin() || a.OrganisationID == id
}
