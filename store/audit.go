package store

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Audit actions on baby records.
const (
	ActionCreate = "create"
	ActionRead   = "read"
	ActionList   = "list"
	ActionSearch = "search"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionExport = "export"
	ActionMove   = "move"
	ActionPlan   = "plan"
)

// Audit outcomes.
const (
	OutcomeSuccess  = "success"
	OutcomeNotFound = "not_found"
	OutcomeDenied   = "denied"
	OutcomeRejected = "rejected" // invalid input, a broken rule or a conflict; detail names the code
)

// AuditEntry is one append-only row of the access log. Detail never holds
// personal data: it names fields that changed, never their values.
type AuditEntry struct {
	ID             int64     `gorm:"primaryKey" json:"id"`
	At             time.Time `json:"at"`
	TokenID        string    `json:"token_id"` // the token or page session used
	UserID         string    `json:"user_id,omitempty"`
	UserName       string    `gorm:"-" json:"user_name,omitempty"` // filled in on reading, for the log review
	Client         string    `json:"client,omitempty"`             // the client address
	Role           Role      `json:"role"`
	OrganisationID string    `json:"organisation_id"`
	Action         string    `json:"action"`
	Entity         string    `json:"entity"`
	RecordID       string    `json:"record_id"`
	Outcome        string    `json:"outcome"`
	Detail         string    `json:"detail"`
}

// TableName is the audit table.
func (AuditEntry) TableName() string { return "audit_log" }

// audit appends one row per record id in tx; organisation is the organisation the
// actor acted for (for an admin, the record's own organisation).
func (db *DB) audit(tx *gorm.DB, a Actor, organisationID, action, entity, outcome, detail string, recordIDs ...string) error {
	if len(recordIDs) == 0 {
		recordIDs = []string{""}
	}
	if mark, ok := tx.Statement.Context.Value(auditMarkKey{}).(*atomic.Bool); ok {
		mark.Store(true)
	}
	at := db.Now()
	rows := make([]AuditEntry, len(recordIDs))
	for i, id := range recordIDs {
		rows[i] = AuditEntry{At: at, TokenID: a.TokenID, UserID: a.UserID, Client: a.Client, Role: a.Role, OrganisationID: organisationID,
			Action: action, Entity: entity, RecordID: id, Outcome: outcome, Detail: detail}
	}
	return tx.CreateInBatches(rows, 500).Error
}

// auditFailure records a refused or failed attempt outside the failed
// transaction and returns the error the caller answers: err itself, or, when
// the attempt cannot be audited, an internal error, so that nothing about a
// baby's record goes unlogged quietly.
// AuditFailure audits a refused access to a baby record (see auditFailure)
// for the use cases that run their own transaction, and returns err.
func (db *DB) AuditFailure(ctx context.Context, a Actor, action, recordID string, err error) error {
	return db.auditFailure(ctx, a, action, "baby", recordID, err)
}

func (db *DB) auditFailure(ctx context.Context, a Actor, action, entity, recordID string, err error) error {
	outcome := "error"
	switch ErrorCode(err) {
	case ENotFound:
		outcome = OutcomeNotFound
	case EForbidden, EUnauthorized:
		outcome = OutcomeDenied
	case EInvalid, EUnprocessable, EConflict:
		outcome = OutcomeRejected
	}
	org := a.OrganisationID
	if auditErr := db.audit(db.gorm.WithContext(context.WithoutCancel(ctx)), a, org, action, entity, outcome, string(ErrorCode(err)), recordID); auditErr != nil {
		return fmt.Errorf("store: audit the refused %s of %s %q (%v): %w", action, entity, recordID, err, auditErr)
	}
	return err
}

type auditMarkKey struct{}

// WithAuditMark returns a context whose store calls report, through audited,
// whether they wrote an audit row: the API audits the refusals the store
// never saw (a malformed body, a bad query parameter) itself.
func WithAuditMark(ctx context.Context) (_ context.Context, audited func() bool) {
	mark := &atomic.Bool{}
	return context.WithValue(ctx, auditMarkKey{}, mark), mark.Load
}

// AuditRequest records one access to baby records that the store did not
// see: a refusal before the store (outcome rejected, denied or not_found, the
// detail naming the problem's code), or an answer replayed for a retried
// request (a read).
func (db *DB) AuditRequest(ctx context.Context, a Actor, action, recordID, outcome, detail string) error {
	// A refused id may hold bytes no database stores: it is logged readable.
	recordID = strings.ToValidUTF8(strings.ReplaceAll(recordID, "\x00", "?"), "?")
	return db.audit(db.gorm.WithContext(context.WithoutCancel(ctx)), a, a.OrganisationID, action, "baby", outcome, detail, recordID)
}

// AuditFilter selects audit rows.
type AuditFilter struct {
	RecordID  string
	RecordIDs []string // any of these (the babies with one ref)
	Action    string
	UserID    string
	From, To  time.Time // zero: unbounded; To is exclusive
	Limit     int
	Offset    int
}

// AuditLog lists audit rows, newest first: all of them for an admin, those acting
// for their own organisation for a coordinator.
func (db *DB) AuditLog(ctx context.Context, a Actor, f AuditFilter) ([]AuditEntry, int64, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, 0, err
	}
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&AuditEntry{}), "organisation_id")
	if f.RecordID != "" {
		q = q.Where("record_id = ?", f.RecordID)
	}
	if f.RecordIDs != nil {
		q = q.Where("record_id IN ?", append(f.RecordIDs, "-")) // "-" is no id: an empty list matches nothing
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count audit log: %w", err)
	}
	var rows []AuditEntry
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list audit log: %w", err)
	}
	if err := db.nameUsers(ctx, rows); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// nameUsers fills in the name of each row's user.
func (db *DB) nameUsers(ctx context.Context, rows []AuditEntry) error {
	var ids []string
	for _, r := range rows {
		if r.UserID != "" {
			ids = append(ids, r.UserID)
		}
	}
	names, err := db.UserNames(ctx, ids)
	for i := range rows {
		rows[i].UserName = names[rows[i].UserID]
	}
	return err
}

// AuditRefs gives the refs of the babies audit rows name, for the log
// review: a person reads refs, not ids. A baby whose record is gone has
// none. Showing refs reads baby records, so the reading is logged too.
func (db *DB) AuditRefs(ctx context.Context, a Actor, rows []AuditEntry) (map[string]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, r := range rows {
		if r.Entity == "baby" && r.RecordID != "" && !seen[r.RecordID] {
			seen[r.RecordID] = true
			ids = append(ids, r.RecordID)
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var found []struct{ ID, Ref, OrganisationID string }
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Baby{}), "organisation_id")
	if err := q.Select("id, ref, organisation_id").Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, wrapRead(err, "babies")
	}
	shown := make([]string, 0, len(found))
	for _, b := range found {
		out[b.ID] = b.Ref
		shown = append(shown, b.ID)
	}
	if len(shown) > 0 {
		err := db.audit(db.gorm.WithContext(ctx), a, a.OrganisationID, ActionList, "baby", OutcomeSuccess, "audit review", shown...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BabyIDsByRef are the ids of the babies a may see with ref, for the log
// review's filter by ref.
func (db *DB) BabyIDsByRef(ctx context.Context, a Actor, ref string) ([]string, error) {
	var ids []string
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Baby{}), "organisation_id")
	err := q.Where("ref = ?", ref).Pluck("id", &ids).Error
	return ids, wrapRead(err, "babies")
}

// AuditExported logs an export of the access log: the period and how many
// rows it held.
func (db *DB) AuditExported(ctx context.Context, a Actor, rows int, period string) error {
	return db.audit(db.gorm.WithContext(ctx), a, a.OrganisationID, ActionExport, "audit_log", OutcomeSuccess,
		fmt.Sprintf("period %s, %d rows", period, rows))
}
