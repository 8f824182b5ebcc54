package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Token is a bearer token. Only the SHA-256 of its secret is stored: a stolen
// database does not hand out working tokens.
type Token struct {
	ID             string     `gorm:"primaryKey" json:"id"`
	Hash           string     `json:"-"`
	Role           Role       `json:"role"`
	OrganisationID string     `json:"organisation_id,omitempty"`
	FacilitatorID  string     `json:"facilitator_id,omitempty"`
	LocationID     string     `json:"location_id,omitempty"`
	Label          string     `json:"label,omitempty"`
	UserID         string     `json:"user_id,omitempty"` // a personal token's owner; empty for a service token
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
}

// Actor returns the access scope the token grants.
func (t *Token) Actor() Actor {
	return Actor{TokenID: t.ID, UserID: t.UserID, Role: t.Role, OrganisationID: t.OrganisationID, FacilitatorID: t.FacilitatorID, LocationID: t.LocationID}
}

// LoginCode is a one-time code in a login link; it opens one page session.
type LoginCode struct {
	Hash      string `gorm:"primaryKey"`
	TokenID   string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// WebSession is a browser session opened through a login link.
type WebSession struct {
	Hash      string `gorm:"primaryKey"`
	TokenID   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Lifetimes of login links and page sessions.
const (
	LoginCodeTTL  = 24 * time.Hour
	WebSessionTTL = 12 * time.Hour
)

// HashSecret is how token, login-code and session secrets are stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateToken stores a new token for role with its scope and returns its secret,
// which is shown once and never stored. The scope must name what the role needs:
// an organisation for a coordinator, a facilitator for a nurse, a location for
// location staff; the organisation of the last two is derived.
func (db *DB) CreateToken(ctx context.Context, t *Token) (string, error) {
	var f Fields
	if !t.Role.Valid() {
		f.Add("role", "choice", "must be admin, coordinator, nurse or location")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	secret := newSecret("cpt_")
	err := db.tx(ctx, func(tx *gorm.DB) error {
		switch t.Role {
		case RoleAdmin:
			t.OrganisationID, t.FacilitatorID, t.LocationID = "", "", ""
		case RoleCoordinator:
			if _, err := first[Organisation](tx.Where("id = ?", t.OrganisationID), "organisation", t.OrganisationID); err != nil {
				return fieldErr("organisation", "a coordinator token needs an existing organisation", err)
			}
			t.FacilitatorID, t.LocationID = "", ""
		case RoleNurse:
			fc, err := first[Facilitator](tx.Where("id = ? AND deleted_at IS NULL", t.FacilitatorID), "facilitator", t.FacilitatorID)
			if err != nil {
				return fieldErr("facilitator", "a nurse token needs an existing facilitator", err)
			}
			t.OrganisationID, t.LocationID = fc.OrganisationID, ""
		case RoleLocation:
			l, err := first[Location](tx.Where("id = ?", t.LocationID), "location", t.LocationID)
			if err != nil {
				return fieldErr("location", "a location token needs an existing location", err)
			}
			t.OrganisationID, t.FacilitatorID = l.OrganisationID, ""
		}
		t.ID = NewID("tok")
		t.Hash = HashSecret(secret)
		return wrapWrite(tx.Create(t).Error, "token", "id")
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

func fieldErr(field, detail string, cause error) error {
	if ErrorCode(cause) != ENotFound {
		return cause
	}
	return &Error{Code: EInvalid, Message: detail, Fields: []FieldError{{Field: field, Code: "unknown", Detail: cause.Error()}}}
}

// Authenticate returns the actor of a bearer token secret. A personal
// token acts with its user's role and scope as they are now, and stops with
// its user; any token stops at its expiry.
func (db *DB) Authenticate(ctx context.Context, secret string) (Actor, error) {
	var t Token
	g := db.gorm.WithContext(ctx)
	err := g.Where("hash = ? AND revoked_at IS NULL", HashSecret(secret)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Actor{}, Errorf(EUnauthorized, "the token is unknown or revoked")
	}
	if err != nil {
		return Actor{}, fmt.Errorf("store: authenticate: %w", err)
	}
	return db.currentScope(g, t)
}

// currentScope is the actor of a token with the scope its records have now:
// a personal token's user's, a nurse's organisation their facilitator
// record's, location staff's the location's; a token whose record is gone (a
// deleted facilitator or location, a disabled user) or that expired grants
// nothing.
func (db *DB) currentScope(g *gorm.DB, t Token) (Actor, error) {
	if t.ExpiresAt != nil && !db.Now().Before(*t.ExpiresAt) {
		return Actor{}, Errorf(EUnauthorized, "the token expired")
	}
	var until time.Time
	if t.ExpiresAt != nil {
		until = *t.ExpiresAt
	}
	if t.UserID == "" {
		a, err := scopeNow(g, t.Actor())
		a.Until = until
		return a, err
	}
	u, err := first[User](g.Where("id = ?", t.UserID), "user", t.UserID)
	if err != nil {
		return Actor{}, Errorf(EUnauthorized, "the token's user is gone")
	}
	a, err := u.actor(g)
	a.TokenID, a.Until = t.ID, until
	return a, err
}

// RevokeToken revokes token id and ends its page sessions.
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		res := tx.Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
		if res.Error != nil {
			return fmt.Errorf("store: revoke token: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("active token", id)
		}
		if err := tx.Where("token_id = ?", id).Delete(&WebSession{}).Error; err != nil {
			return err
		}
		return tx.Where("token_id = ?", id).Delete(&LoginCode{}).Error
	})
}

// Tokens lists all tokens, newest first (for the admin's command line).
func (db *DB) Tokens(ctx context.Context) ([]Token, error) {
	var ts []Token
	err := db.gorm.WithContext(ctx).Order("created_at DESC, id").Find(&ts).Error
	return ts, err
}

// CreateLoginCode returns a one-time login code for token id, valid for LoginCodeTTL.
func (db *DB) CreateLoginCode(ctx context.Context, tokenID string) (string, error) {
	code := newSecret("")
	lc := LoginCode{Hash: HashSecret(code), TokenID: tokenID, ExpiresAt: db.Now().Add(LoginCodeTTL)}
	if err := db.gorm.WithContext(ctx).Create(&lc).Error; err != nil {
		return "", fmt.Errorf("store: create login code: %w", err)
	}
	return code, nil
}

// LoginCodeUsable reports whether code would open a session now, without using it.
func (db *DB) LoginCodeUsable(ctx context.Context, code string) bool {
	var lc LoginCode
	err := db.gorm.WithContext(ctx).Where("hash = ?", HashSecret(code)).Take(&lc).Error
	return err == nil && lc.UsedAt == nil && db.Now().Before(lc.ExpiresAt)
}

// RedeemLoginCode uses code once and opens a page session; it returns the
// session secret for the cookie. A used, expired or unknown code is not found.
func (db *DB) RedeemLoginCode(ctx context.Context, code string) (string, Actor, error) {
	var (
		secret string
		actor  Actor
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		var lc LoginCode
		err := db.forUpdate(tx.Where("hash = ?", HashSecret(code))).Take(&lc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (lc.UsedAt != nil || !now.Before(lc.ExpiresAt))) {
			return Errorf(ENotFound, "the login link is unknown, used or expired")
		}
		if err != nil {
			return err
		}
		res := tx.Model(&LoginCode{}).Where("hash = ? AND used_at IS NULL", lc.Hash).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return Errorf(ENotFound, "the login link is unknown, used or expired")
		}
		var t Token
		if err := tx.Where("id = ? AND revoked_at IS NULL", lc.TokenID).Take(&t).Error; err != nil {
			return Errorf(ENotFound, "the login link is unknown, used or expired")
		}
		secret = newSecret("")
		actor = t.Actor()
		return tx.Create(&WebSession{Hash: HashSecret(secret), TokenID: t.ID, CreatedAt: now, ExpiresAt: now.Add(WebSessionTTL)}).Error
	})
	return secret, actor, err
}

// SessionActor returns the actor of a page session secret.
func (db *DB) SessionActor(ctx context.Context, secret string) (Actor, error) {
	var s WebSession
	err := db.gorm.WithContext(ctx).Where("hash = ?", HashSecret(secret)).Take(&s).Error
	if err != nil || !db.Now().Before(s.ExpiresAt) {
		return Actor{}, Errorf(EUnauthorized, "the session is unknown or expired")
	}
	var t Token
	if err := db.gorm.WithContext(ctx).Where("id = ? AND revoked_at IS NULL", s.TokenID).Take(&t).Error; err != nil {
		return Actor{}, Errorf(EUnauthorized, "the session's token is revoked")
	}
	return db.currentScope(db.gorm.WithContext(ctx), t)
}

// EndSession deletes a page session (log out).
func (db *DB) EndSession(ctx context.Context, secret string) error {
	return db.gorm.WithContext(ctx).Where("hash = ?", HashSecret(secret)).Delete(&WebSession{}).Error
}

// Setting returns the value of key, or "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v []string
	if err := db.gorm.WithContext(ctx).Table("settings").Where("key = ?", key).Pluck("value", &v).Error; err != nil {
		return "", fmt.Errorf("store: read setting %s: %w", key, err)
	}
	if len(v) == 0 {
		return "", nil
	}
	return v[0], nil
}

// EnsureSetting stores value under key unless a value is there already, and
// returns the stored value: replicas that start together agree on one.
func (db *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	row := map[string]any{"key": key, "value": value}
	if err := db.gorm.WithContext(ctx).Table("settings").Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error; err != nil {
		return "", fmt.Errorf("store: write setting %s: %w", key, err)
	}
	return db.Setting(ctx, key)
}

// GeneratedSecret returns a random hex key for EnsureSetting.
func GeneratedSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
