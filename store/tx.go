package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Tx is one database transaction: the use cases that combine several store
// calls with planning and notification (the coordination package) run them
// in one Tx, so that a change, its audit rows and its mails commit together or
// not at all. Its methods are persistence only; none of them plans.
type Tx struct {
	db *DB
	g  *gorm.DB
}

// InTx runs fn in one transaction on ctx; an error from fn rolls it back.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.tx(ctx, func(g *gorm.DB) error { return fn(&Tx{db: db, g: g}) })
}

// Reading runs fn's reads without a transaction: each statement on its own,
// for lookups that need no snapshot (a name by id), which saves the BEGIN
// and COMMIT round trips of InTx. fn must not write.
func (db *DB) Reading(ctx context.Context, fn func(tx *Tx) error) error {
	return fn(&Tx{db: db, g: db.gorm.WithContext(ctx)})
}

// Apart runs fn in a savepoint of tx: an error rolls back what fn wrote and
// leaves tx usable, so that a job can carry on with the next organisation.
func (tx *Tx) Apart(fn func(tx *Tx) error) error {
	return tx.g.Transaction(func(g *gorm.DB) error { return fn(&Tx{db: tx.db, g: g}) })
}

// Now is the store clock's time in UTC.
func (tx *Tx) Now() time.Time { return tx.db.Now() }

// Dialect names the database.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// LockOrganisation serialises, until the transaction ends, the writes that
// can meet within one organisation (plans, session edits, blocks, absences)
// across replicas; SQLite has one writer anyway.
func (tx *Tx) LockOrganisation(id string) error {
	return tx.db.lockOrganisation(tx.g, id)
}

func (db *DB) lockOrganisation(g *gorm.DB, id string) error {
	if db.dialect != Postgres {
		return nil
	}
	return g.Exec("SELECT pg_advisory_xact_lock(7261002, hashtext(?))", id).Error
}

// Audit appends one audit row per record id (see DB.audit).
func (tx *Tx) Audit(a Actor, organisationID, action, entity, outcome, detail string, recordIDs ...string) error {
	return tx.db.audit(tx.g, a, organisationID, action, entity, outcome, detail, recordIDs...)
}

// Organisation loads organisation id, whoever asks.
func (tx *Tx) Organisation(id string) (*Organisation, error) {
	return first[Organisation](tx.g.Where("id = ?", id), "organisation", id)
}

// Location loads location id, whoever asks (for names in notices).
func (tx *Tx) Location(id string) (*Location, error) {
	return first[Location](tx.g.Where("id = ?", id), "location", id)
}

// Group loads group id, whoever asks.
func (tx *Tx) Group(id string) (*Group, error) {
	return first[Group](tx.g.Where("id = ?", id), "group", id)
}

// Room loads room id, whoever asks (for names in notices).
func (tx *Tx) Room(id string) (*Room, error) {
	return first[Room](tx.g.Where("id = ?", id), "room", id)
}

// Facilitator loads facilitator id, whoever asks (for notices); a deleted one
// is not found.
func (tx *Tx) Facilitator(id string) (*Facilitator, error) {
	return first[Facilitator](tx.g.Where("id = ? AND deleted_at IS NULL", id), "facilitator", id)
}

// Facilitators lists an organisation's facilitators by id, not the deleted.
func (tx *Tx) Facilitators(organisationID string) ([]Facilitator, error) {
	var out []Facilitator
	err := tx.g.Where("organisation_id = ? AND deleted_at IS NULL", organisationID).Order("id").Find(&out).Error
	return out, wrapRead(err, "facilitators")
}

// FacilitatorForUpdate loads and locks a facilitator a may manage.
func (tx *Tx) FacilitatorForUpdate(a Actor, id string) (*Facilitator, error) {
	return first[Facilitator](tx.db.forUpdate(a.scopeFacilitators(tx.g.Where("id = ?", id))), "facilitator", id)
}

// SaveFacilitator writes a facilitator after validating it.
func (tx *Tx) SaveFacilitator(f *Facilitator) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return wrapWrite(tx.g.Save(f).Error, "facilitator", "id")
}

// SessionForUpdate loads and locks a session a may see.
func (tx *Tx) SessionForUpdate(a Actor, id string) (*Session, error) {
	return first[Session](tx.db.forUpdate(a.scopeSessions(tx.g.Where("id = ?", id))), "session", id)
}

// SaveSession inserts a new session or writes every column of a stored one.
func (tx *Tx) SaveSession(s *Session) error {
	res := tx.g.Select("*").Omit("created_at").Save(s)
	err := res.Error
	if err == nil && res.RowsAffected == 0 {
		err = tx.g.Create(s).Error // a new session: a selected update does not insert
	}
	if err != nil {
		return fmt.Errorf("store: save session %s: %w", s.ID, err)
	}
	s.loaded()
	return nil
}

// DeleteSession removes a session that was never published.
func (tx *Tx) DeleteSession(id string) error {
	return wrapRead(tx.g.Delete(&Session{}, "id = ?", id).Error, "session")
}

// OpenSessionFilter selects the sessions a change may hit: not cancelled and
// not yet over.
type OpenSessionFilter struct {
	RoomID        string
	FacilitatorID string
	After         time.Time
}

// OpenSessions lists sessions that are not cancelled and end after f.After, by start.
func (tx *Tx) OpenSessions(f OpenSessionFilter) ([]Session, error) {
	q := tx.g.Where("status <> ? AND ends_at > ?", SessionCancelled, f.After.UTC())
	if f.RoomID != "" {
		q = q.Where("room_id = ?", f.RoomID)
	}
	if f.FacilitatorID != "" {
		q = q.Where("(lead_facilitator_id = ? OR second_facilitator_id = ?)", f.FacilitatorID, f.FacilitatorID)
	}
	var out []Session
	err := q.Order("starts_at, id").Find(&out).Error
	return out, wrapRead(err, "sessions")
}

// SessionLoads counts, per facilitator of an organisation, the sessions they
// facilitate that are not cancelled.
func (tx *Tx) SessionLoads(organisationID string) (map[string]int, error) {
	var counts []struct {
		ID string
		N  int
	}
	err := tx.g.Raw(`SELECT f AS id, COUNT(*) AS n FROM (SELECT lead_facilitator_id AS f FROM sessions WHERE organisation_id = ? AND status <> ?
		UNION ALL SELECT second_facilitator_id FROM sessions WHERE organisation_id = ? AND status <> ?) x GROUP BY f`,
		organisationID, SessionCancelled, organisationID, SessionCancelled).Scan(&counts).Error
	if err != nil {
		return nil, wrapRead(err, "session loads")
	}
	load := map[string]int{}
	for _, c := range counts {
		load[c.ID] = c.N
	}
	return load, nil
}

// RoomAt loads a room of a location whose bookings a may manage.
func (tx *Tx) RoomAt(a Actor, locationID, roomID string) (*Location, *Room, error) {
	return tx.db.roomAt(tx.g, a, locationID, roomID)
}

// CreateBlock stores a block of a room, by a.
func (tx *Tx) CreateBlock(a Actor, b *Block) error {
	if err := b.Validate(tx.Now()); err != nil {
		return err
	}
	b.ID, b.CreatedBy, b.CreatedAt = NewID("blk"), a.Who(), tx.Now()
	b.StartsAt, b.EndsAt = b.StartsAt.UTC(), b.EndsAt.UTC()
	return wrapWrite(tx.g.Create(b).Error, "block", "id")
}

// wrapRead names what failed to load; a database error is never "not found".
func wrapRead(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
