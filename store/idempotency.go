package store

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IdempotentAnswer is the stored answer to a request with an Idempotency-Key.
type IdempotentAnswer struct {
	TokenID     string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	Status      int // 0 while the first request is still running, or its answer is not recorded yet
	ContentType string
	Body        string
	CreatedAt   time.Time
	// ClaimedAt is when the claim was taken by the machine's clock: a claim is
	// abandoned after idempotencyStale of real time, whatever the domain clock says.
	ClaimedAt *time.Time
	// Committed is set in the transaction of the request's write: a retry of a
	// committed request is never run again, only answered.
	Committed bool
	// BabyID names the baby the answer is about, so it goes with the record.
	BabyID string
}

type claimKey struct{}

type claim struct {
	tokenID, key string
	committed    *atomic.Bool // set once a write of the request has committed
}

// WithIdempotencyClaim marks ctx as the context of a request that holds the
// claim of an Idempotency-Key: its writes mark the claim committed.
func WithIdempotencyClaim(ctx context.Context, tokenID, key string) context.Context {
	return context.WithValue(ctx, claimKey{}, claim{tokenID, key, new(atomic.Bool)})
}

// ClaimCommitted reports whether a write of the request holding the claim
// in ctx has committed: its retries can only be answered, never run again.
func ClaimCommitted(ctx context.Context) bool {
	c, ok := ctx.Value(claimKey{}).(claim)
	return ok && c.committed.Load()
}

// claimCommitted notes, after a commit, that the request's write is in.
func claimCommitted(ctx context.Context) {
	if c, ok := ctx.Value(claimKey{}).(claim); ok {
		c.committed.Store(true)
	}
}

// markClaimCommitted records, inside a write's transaction, that the request
// holding the claim in ctx committed.
func markClaimCommitted(ctx context.Context, tx *gorm.DB) error {
	c, ok := ctx.Value(claimKey{}).(claim)
	if !ok {
		return nil
	}
	return wrapRead(tx.Model(&IdempotentAnswer{}).Where("token_id = ? AND key = ? AND NOT committed", c.tokenID, c.key).
		Update("committed", true).Error, "mark the idempotency claim")
}

// TableName is idempotency_keys.
func (IdempotentAnswer) TableName() string { return "idempotency_keys" }

// IdempotencyTTL is how long an answer is kept for replays.
const IdempotencyTTL = 24 * time.Hour

// idempotencyStale is when a claim without an answer counts as abandoned: its
// request died (a crash, or the database went away before the claim could be
// dropped), and a retry may run it again.
const idempotencyStale = 10 * time.Second

// ClaimIdempotencyKey records that a request with key starts. It returns the
// stored answer when the key was used before (Status 0: still running).
func (db *DB) ClaimIdempotencyKey(ctx context.Context, tokenID, key, hash string) (*IdempotentAnswer, error) {
	claimed := time.Now()
	a := &IdempotentAnswer{TokenID: tokenID, Key: key, RequestHash: hash, CreatedAt: db.Now(), ClaimedAt: &claimed}
	res := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(a)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	var old IdempotentAnswer
	err := db.gorm.WithContext(ctx).Where("token_id = ? AND key = ?", tokenID, key).Take(&old).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err == nil && old.Status == 0 && !old.Committed && old.RequestHash == hash && old.abandoned(claimed) {
		q := db.gorm.WithContext(ctx).Model(&IdempotentAnswer{}).Where("token_id = ? AND key = ? AND status = 0 AND NOT committed", tokenID, key)
		if old.ClaimedAt != nil { // only the claim read above: another retry may take it over at the same moment
			q = q.Where("claimed_at = ?", *old.ClaimedAt)
		} else {
			q = q.Where("claimed_at IS NULL")
		}
		res := q.Update("claimed_at", claimed)
		if res.Error == nil && res.RowsAffected == 1 {
			return nil, nil // taken over
		}
	}
	return &old, err
}

// abandoned reports whether the claim is old enough, by the machine's clock,
// that its request has died. A claim from before claimed_at was recorded
// counts as abandoned.
func (a *IdempotentAnswer) abandoned(now time.Time) bool {
	return a.ClaimedAt == nil || now.Sub(*a.ClaimedAt) > idempotencyStale
}

// SaveIdempotentAnswer stores the answer for later replays; babyID names the
// baby it is about, if any.
func (db *DB) SaveIdempotentAnswer(ctx context.Context, tokenID, key string, status int, contentType, body, babyID string) error {
	return db.gorm.WithContext(ctx).Model(&IdempotentAnswer{}).Where("token_id = ? AND key = ?", tokenID, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "body": body, "baby_id": babyID}).Error
}

// ForgetIdempotencyKey drops a claim whose request failed on our side, so a retry runs again.
func (db *DB) ForgetIdempotencyKey(ctx context.Context, tokenID, key string) error {
	return db.gorm.WithContext(ctx).Where("token_id = ? AND key = ?", tokenID, key).Delete(&IdempotentAnswer{}).Error
}
