package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Outbox statuses.
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// Mail is one message in the outbox. Its Message-ID is fixed when it is
// queued, so a message sent twice after a crash is recognisably the same.
type Mail struct {
	ID            string     `gorm:"primaryKey" json:"id"`
	DedupeKey     string     `json:"dedupe_key"`
	ToAddress     string     `json:"to"`
	Subject       string     `json:"subject"`
	TextBody      string     `json:"-"`
	HTMLBody      string     `json:"-"`
	MessageID     string     `json:"message_id"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	ClaimedAt     *time.Time `json:"-"`
	ClaimedBy     string     `json:"-"`
	LastError     string     `json:"last_error,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// TableName is outbox.
func (Mail) TableName() string { return "outbox" }

// Enqueue adds m to the outbox in tx unless a message with its dedupe key is
// there already; it reports whether it was added.
func (t *Tx) Enqueue(m *Mail) (bool, error) {
	tx, now := t.g, t.Now()
	m.ID = NewID("mail")
	m.Status, m.NextAttemptAt, m.CreatedAt = MailPending, now, now
	if m.MessageID == "" {
		m.MessageID = "<" + m.ID + "@coplan>"
	}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, fmt.Errorf("store: enqueue mail: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ClaimMail claims up to n due messages for sender: pending ones whose time has
// come, and ones claimed longer than stale ago by a sender that did not finish
// (it crashed between claim and send; the message goes out again, with the same
// Message-ID). On PostgreSQL concurrent senders skip each other's rows.
func (db *DB) ClaimMail(ctx context.Context, sender string, n int, stale time.Duration) ([]Mail, error) {
	var claimed []Mail
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		q := tx.Where("(status = ? AND next_attempt_at <= ?) OR (status = ? AND claimed_at < ?)",
			MailPending, now, MailSending, now.Add(-stale)).Order("next_attempt_at, id").Limit(n)
		if db.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&claimed).Error; err != nil {
			return err
		}
		for i := range claimed {
			claimed[i].Status, claimed[i].ClaimedAt, claimed[i].ClaimedBy = MailSending, &now, sender
			if err := tx.Model(&Mail{}).Where("id = ?", claimed[i].ID).
				Updates(map[string]any{"status": MailSending, "claimed_at": now, "claimed_by": sender, "attempts": gorm.Expr("attempts + 1")}).Error; err != nil {
				return err
			}
			claimed[i].Attempts++
		}
		return nil
	})
	return claimed, err
}

// MarkMailSent records a delivery.
func (db *DB) MarkMailSent(ctx context.Context, id string) error {
	now := db.Now()
	return db.gorm.WithContext(ctx).Model(&Mail{}).Where("id = ?", id).
		Updates(map[string]any{"status": MailSent, "sent_at": now, "last_error": ""}).Error
}

// MarkMailRetry puts a message back to be tried again at next.
func (db *DB) MarkMailRetry(ctx context.Context, id string, next time.Time, reason string) error {
	return db.gorm.WithContext(ctx).Model(&Mail{}).Where("id = ?", id).
		Updates(map[string]any{"status": MailPending, "next_attempt_at": next.UTC(), "last_error": reason, "claimed_at": nil}).Error
}

// MarkMailFailed gives up on a message.
func (db *DB) MarkMailFailed(ctx context.Context, id string, reason string) error {
	return db.gorm.WithContext(ctx).Model(&Mail{}).Where("id = ?", id).
		Updates(map[string]any{"status": MailFailed, "last_error": reason}).Error
}

// MailsByKeyPrefix lists outbox messages whose dedupe key starts with prefix.
func (db *DB) MailsByKeyPrefix(ctx context.Context, prefix string) ([]Mail, error) {
	var out []Mail
	err := db.gorm.WithContext(ctx).Where("dedupe_key LIKE ?", prefix+"%").Order("created_at, id").Find(&out).Error
	return out, err
}

// PendingMail counts messages not yet sent or failed.
func (db *DB) PendingMail(ctx context.Context) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&Mail{}).Where("status IN ?", []string{MailPending, MailSending}).Count(&n).Error
	return n, err
}

// RecentMail is the newest n messages of the outbox (the demo's mail page).
func (db *DB) RecentMail(ctx context.Context, n int) ([]Mail, error) {
	var ms []Mail
	err := db.gorm.WithContext(ctx).Order("created_at DESC, id DESC").Limit(n).Find(&ms).Error
	return ms, wrapRead(err, "outbox")
}
