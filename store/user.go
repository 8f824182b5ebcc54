package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// User is a person who signs in: an admin, a coordinator, a nurse or COA
// location staff, with the scope the role needs. Staff, not families: a user
// record never describes a baby or a parent.
type User struct {
	ID             string     `gorm:"primaryKey" json:"id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	Role           Role       `json:"role"`
	OrganisationID string     `json:"organisation_id,omitempty"`
	FacilitatorID  string     `json:"facilitator_id,omitempty"`
	LocationID     string     `json:"location_id,omitempty"`
	Active         bool       `json:"active"`
	InvitedBy      string     `json:"invited_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
}

// Lifetimes and limits of signing in.
const (
	SignInLinkTTL    = 15 * time.Minute   // a link asked for on /login
	InvitationTTL    = 7 * 24 * time.Hour // a link in an invitation
	SessionIdle      = 12 * time.Hour     // a page session ends after this long without a request
	SignInsPerHour   = 5                  // sign-in links mailed per address per hour at most
	DefaultTokenTTL  = 90 * 24 * time.Hour
	MaxTokenTTL      = 366 * 24 * time.Hour
	sessionTouchStep = time.Minute // how stale last_seen_at may get before a request writes it
)

// Purposes of a sign-in link.
const (
	LinkInvitation = "invitation"
	LinkSignIn     = "signin"
)

// Actions on accounts in the access log.
const (
	ActionSignIn  = "sign_in"
	ActionSignOut = "sign_out"
	ActionDisable = "disable"
	ActionEnable  = "enable"
	ActionRevoke  = "revoke"
)

// NormalEmail is how addresses are compared and stored: trimmed, lower case.
func NormalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the fields of u as an invitation would set them.
func (u *User) Validate() error {
	var f Fields
	validateName(&f, "name", u.Name)
	if u.Email == "" {
		f.Add("email", "required", "is required")
	} else {
		validateEmail(&f, "email", u.Email)
	}
	switch u.Role {
	case RoleAdmin:
	case RoleCoordinator:
		if u.OrganisationID == "" {
			f.Add("organisation_id", "required", "a coordinator needs an organisation")
		}
	case RoleNurse:
		if u.FacilitatorID == "" {
			f.Add("facilitator_id", "required", "a nurse needs a facilitator record")
		}
	case RoleLocation:
		if u.LocationID == "" {
			f.Add("location_id", "required", "location staff need a location")
		}
	default:
		f.Add("role", "choice", "must be admin, coordinator, nurse or location")
	}
	return f.Err()
}

// actor is the access u has now: the organisation of a nurse or of location
// staff is their facilitator's or location's as it is stored now.
func (u *User) actor(g *gorm.DB) (Actor, error) {
	if !u.Active {
		return Actor{}, Errorf(EUnauthorized, "the user is disabled")
	}
	a := Actor{UserID: u.ID, Role: u.Role, OrganisationID: u.OrganisationID, FacilitatorID: u.FacilitatorID, LocationID: u.LocationID}
	return scopeNow(g, a)
}

// scopeNow fills in the organisation a nurse or location staff act for from
// their facilitator or location record; one that is gone grants nothing.
func scopeNow(g *gorm.DB, a Actor) (Actor, error) {
	var org []string
	var err error
	switch a.Role {
	case RoleNurse:
		err = g.Model(&Facilitator{}).Where("id = ? AND deleted_at IS NULL", a.FacilitatorID).Pluck("organisation_id", &org).Error
	case RoleLocation:
		err = g.Model(&Location{}).Where("id = ?", a.LocationID).Pluck("organisation_id", &org).Error
	case RoleAdmin:
		a.OrganisationID = ""
		return a, nil
	default:
		return a, nil
	}
	if err != nil {
		return Actor{}, fmt.Errorf("store: the scope of a %s: %w", a.Role, err)
	}
	if len(org) == 0 {
		return Actor{}, Errorf(EUnauthorized, "the %s's record no longer exists", a.Role)
	}
	a.OrganisationID = org[0]
	return a, nil
}

// mayManage answers forbidden unless a may invite, change or disable users of
// organisation org with role: an admin anyone, a coordinator the people of
// its own organisation except admins.
func (a Actor) mayManage(org string, role Role) error {
	switch {
	case a.IsAdmin():
		return nil
	case a.Role == RoleCoordinator && role != RoleAdmin && org == a.OrganisationID:
		return nil
	case a.Role == RoleCoordinator && role == RoleAdmin:
		return Errorf(EForbidden, "only an admin may invite an admin")
	}
	return Errorf(EForbidden, "the %s role may not manage these users", a.Role)
}

// resolveScope checks that the scope u names exists and derives the
// organisation of a nurse or location staff from it.
func resolveScope(tx *gorm.DB, u *User) error {
	switch u.Role {
	case RoleAdmin:
		u.OrganisationID, u.FacilitatorID, u.LocationID = "", "", ""
	case RoleCoordinator:
		if _, err := first[Organisation](tx.Where("id = ?", u.OrganisationID), "organisation", u.OrganisationID); err != nil {
			return fieldErr("organisation_id", "a coordinator needs an existing organisation", err)
		}
		u.FacilitatorID, u.LocationID = "", ""
	case RoleNurse:
		fc, err := first[Facilitator](tx.Where("id = ? AND deleted_at IS NULL", u.FacilitatorID), "facilitator", u.FacilitatorID)
		if err != nil {
			return fieldErr("facilitator_id", "a nurse needs an existing facilitator", err)
		}
		u.OrganisationID, u.LocationID = fc.OrganisationID, ""
	case RoleLocation:
		l, err := first[Location](tx.Where("id = ?", u.LocationID), "location", u.LocationID)
		if err != nil {
			return fieldErr("location_id", "location staff need an existing location", err)
		}
		u.OrganisationID, u.FacilitatorID = l.OrganisationID, ""
	}
	return nil
}

// InviteUser stores a new user and, in the same transaction, an invitation
// link and the mail that carries it: invitation builds the mail from the
// link's secret (which is stored only as its hash). A nil invitation stores
// the user alone (the demo's admin, who gets a link on the terminal).
func (db *DB) InviteUser(ctx context.Context, a Actor, u *User, invitation func(secret string) *Mail) error {
	u.Email = NormalEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(t *Tx) error {
		tx := t.g
		if err := resolveScope(tx, u); err != nil {
			return err
		}
		if err := a.mayManage(u.OrganisationID, u.Role); err != nil {
			return err
		}
		u.ID, u.Active, u.InvitedBy, u.CreatedAt = NewID("usr"), true, a.Who(), db.Now()
		if err := wrapWrite(tx.Create(u).Error, "user", "email"); err != nil {
			return err
		}
		if invitation == nil {
			return db.audit(tx, a, u.OrganisationID, ActionCreate, "user", OutcomeSuccess, "added as "+string(u.Role), u.ID)
		}
		secret, err := db.createLink(tx, u.ID, LinkInvitation, InvitationTTL)
		if err != nil {
			return err
		}
		if _, err := t.Enqueue(invitation(secret)); err != nil {
			return err
		}
		return db.audit(tx, a, u.OrganisationID, ActionCreate, "user", OutcomeSuccess, "invited as "+string(u.Role), u.ID)
	})
}

// ResendInvitation mails user id a new invitation link; earlier unused links
// stop working.
func (db *DB) ResendInvitation(ctx context.Context, a Actor, id string, invitation func(secret string) *Mail) (*User, error) {
	var u *User
	err := db.InTx(ctx, func(t *Tx) error {
		var err error
		if u, err = db.managedUser(t.g, a, id); err != nil {
			return err
		}
		if !u.Active {
			return Field("active", "disabled", "the user is disabled; enable the user first")
		}
		now := db.Now()
		if err := t.g.Model(&signinLink{}).Where("user_id = ? AND used_at IS NULL", u.ID).Update("used_at", now).Error; err != nil {
			return err
		}
		secret, err := db.createLink(t.g, u.ID, LinkInvitation, InvitationTTL)
		if err != nil {
			return err
		}
		if _, err := t.Enqueue(invitation(secret)); err != nil {
			return err
		}
		return db.audit(t.g, a, u.OrganisationID, ActionCreate, "invitation", OutcomeSuccess, "", u.ID)
	})
	return u, err
}

// managedUser reads user id for a, who must be allowed to manage it; a user
// a may not see is not found.
func (db *DB) managedUser(g *gorm.DB, a Actor, id string) (*User, error) {
	u, err := first[User](g.Where("id = ?", id), "user", id)
	if err != nil {
		return nil, err
	}
	if err := a.mayManage(u.OrganisationID, u.Role); err != nil {
		if !a.IsAdmin() && u.OrganisationID != a.OrganisationID {
			return nil, notFound("user", id)
		}
		return nil, err
	}
	return u, nil
}

// UserFilter selects users.
type UserFilter struct {
	OrganisationID string
	Active         *bool
}

// Users lists the users a may manage, by name.
func (db *DB) Users(ctx context.Context, a Actor, f UserFilter) ([]User, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	q := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&User{}), "organisation_id")
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var us []User
	if err := q.Order("name, id").Find(&us).Error; err != nil {
		return nil, wrapRead(err, "users")
	}
	return us, nil
}

// User reads one user a may manage, or a's own record.
func (db *DB) User(ctx context.Context, a Actor, id string) (*User, error) {
	g := db.gorm.WithContext(ctx)
	if id != "" && id == a.UserID {
		return first[User](g.Where("id = ?", id), "user", id)
	}
	return db.managedUser(g, a, id)
}

// UserByEmail reads the user with address email (for the command line).
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	email = NormalEmail(email)
	return first[User](db.gorm.WithContext(ctx).Where("email = ?", email), "user", email)
}

// SetUserActive disables or enables user id. Disabling ends the user's page
// sessions, revokes its tokens and voids its unused links at once; a replica
// that cached a token's actor stops honouring it within two seconds.
func (db *DB) SetUserActive(ctx context.Context, a Actor, id string, active bool) (*User, error) {
	var u *User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if u, err = db.managedUser(tx, a, id); err != nil {
			return err
		}
		if id == a.UserID && !active {
			return Field("active", "self", "you cannot disable yourself")
		}
		now := db.Now()
		action, changes := ActionEnable, map[string]any{"active": true, "disabled_at": nil}
		if !active {
			action, changes = ActionDisable, map[string]any{"active": false, "disabled_at": now}
			if err := endAccess(tx, u.ID, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(changes).Error; err != nil {
			return err
		}
		u.Active = active
		if !active {
			u.DisabledAt = &now
		} else {
			u.DisabledAt = nil
		}
		return db.audit(tx, a, u.OrganisationID, action, "user", OutcomeSuccess, "", u.ID)
	})
	return u, err
}

// endAccess ends everything that lets user id in.
func endAccess(tx *gorm.DB, id string, now time.Time) error {
	if err := tx.Where("user_id = ?", id).Delete(&UserSession{}).Error; err != nil {
		return err
	}
	if err := tx.Model(&Token{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
		return err
	}
	return tx.Model(&signinLink{}).Where("user_id = ? AND used_at IS NULL", id).Update("used_at", now).Error
}

// signinLink is a one-time link that opens a page session.
type signinLink struct {
	Hash      string `gorm:"primaryKey"`
	UserID    string
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (signinLink) TableName() string { return "signin_links" }

func (db *DB) createLink(tx *gorm.DB, userID, purpose string, ttl time.Duration) (string, error) {
	secret := newSecret("")
	now := db.Now()
	l := signinLink{Hash: HashSecret(secret), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.Create(&l).Error; err != nil {
		return "", fmt.Errorf("store: create sign-in link: %w", err)
	}
	return secret, nil
}

// SignInLink stores a one-time sign-in link for user id valid for ttl and
// returns its secret (for the command line and the demo, which show it on the
// terminal instead of mailing it).
func (db *DB) SignInLink(ctx context.Context, id string, ttl time.Duration) (string, error) {
	return db.createLink(db.gorm.WithContext(ctx), id, LinkSignIn, ttl)
}

// ErrSignInLimit reports a sign-in request over the limit per address; the
// person is answered as for any other request.
var ErrSignInLimit = errors.New("store: too many sign-in requests for this address")

// RequestSignIn records a request for a sign-in link for email and, when an
// active user has that address and the address has asked fewer than
// SignInsPerHour times in the last hour, stores a link and the mail that
// carries it. Unknown addresses do the same work up to the lookup: the
// answer never tells whether an address is known.
func (db *DB) RequestSignIn(ctx context.Context, email string, signIn func(u *User, secret string) *Mail) error {
	email = NormalEmail(email)
	hash := HashSecret("signin\x00" + email)
	return db.InTx(ctx, func(t *Tx) error {
		tx, now := t.g, db.Now()
		var n int64
		if err := tx.Table("signin_requests").Where("email_hash = ? AND at > ?", hash, now.Add(-time.Hour)).Count(&n).Error; err != nil {
			return wrapRead(err, "sign-in requests")
		}
		if err := tx.Table("signin_requests").Create(map[string]any{"email_hash": hash, "at": now}).Error; err != nil {
			return fmt.Errorf("store: record a sign-in request: %w", err)
		}
		if n >= SignInsPerHour {
			return ErrSignInLimit
		}
		var u User
		err := tx.Where("email = ? AND active = ?", email, true).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return wrapRead(err, "user")
		}
		secret, err := db.createLink(tx, u.ID, LinkSignIn, SignInLinkTTL)
		if err != nil {
			return err
		}
		_, err = t.Enqueue(signIn(&u, secret))
		return err
	})
}

// LinkUsable reports whether a sign-in link would open a session now,
// without using it.
func (db *DB) LinkUsable(ctx context.Context, secret string) bool {
	var l signinLink
	err := db.gorm.WithContext(ctx).Where("hash = ?", HashSecret(secret)).Take(&l).Error
	return err == nil && l.UsedAt == nil && db.Now().Before(l.ExpiresAt)
}

// errLinkGone is the one answer for a link that is unknown, used, expired or
// of a disabled user.
var errLinkGone = Errorf(ENotFound, "the sign-in link is unknown, used or expired")

// Client is where a person signs in from: the address (for the access log)
// and the browser (for "my sessions").
type Client struct{ Address, Browser string }

func (c Client) String() string {
	if c.Browser == "" {
		return c.Address
	}
	return c.Browser + " · " + c.Address
}

// RedeemLink uses a sign-in link once and opens a page session for its user
// from client; it returns the session's secret for the cookie.
func (db *DB) RedeemLink(ctx context.Context, secret string, client Client) (string, Actor, error) {
	var (
		session string
		actor   Actor
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		res := tx.Model(&signinLink{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", HashSecret(secret), now).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errLinkGone
		}
		var l signinLink
		if err := tx.Where("hash = ?", HashSecret(secret)).Take(&l).Error; err != nil {
			return err
		}
		var err error
		session, actor, err = db.openSession(tx, l.UserID, l.Purpose, client)
		if ErrorCode(err) == EUnauthorized || ErrorCode(err) == ENotFound {
			return errLinkGone
		}
		return err
	})
	return session, actor, err
}

// SignInVerified opens a page session for the active user whose address an
// identity provider verified (single sign-on); an unknown or disabled
// address is refused.
func (db *DB) SignInVerified(ctx context.Context, email, method string, client Client) (string, Actor, error) {
	var (
		session string
		actor   Actor
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var u User
		err := tx.Where("email = ? AND active = ?", NormalEmail(email), true).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Errorf(EForbidden, "no active coplan user has this e-mail address")
		}
		if err != nil {
			return err
		}
		session, actor, err = db.openSession(tx, u.ID, method, client)
		return err
	})
	return session, actor, err
}

// UserSession is a person's page session; Hash is the SHA-256 of the secret
// in the cookie, ID what "my sessions" shows and ends.
type UserSession struct {
	ID         string    `gorm:"primaryKey" json:"id"`
	Hash       string    `json:"-"`
	UserID     string    `json:"user_id"`
	Method     string    `json:"method"` // invitation, signin or oidc
	Client     string    `json:"client"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func (db *DB) openSession(tx *gorm.DB, userID, method string, client Client) (string, Actor, error) {
	u, err := first[User](tx.Where("id = ?", userID), "user", userID)
	if err != nil {
		return "", Actor{}, err
	}
	a, err := u.actor(tx)
	if err != nil {
		return "", Actor{}, err
	}
	now, secret := db.Now(), newSecret("us_")
	s := UserSession{ID: NewID("web"), Hash: HashSecret(secret), UserID: u.ID, Method: method, Client: clip(client.String(), 200),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionIdle)}
	if err := tx.Create(&s).Error; err != nil {
		return "", Actor{}, fmt.Errorf("store: open a page session: %w", err)
	}
	a.TokenID, a.Client = s.ID, client.Address
	if err := db.audit(tx, a, u.OrganisationID, ActionSignIn, "session", OutcomeSuccess, method, s.ID); err != nil {
		return "", Actor{}, err
	}
	return secret, a, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// IsUserSession reports whether a cookie's secret is a person's page session
// (the other kind is a token's, opened by a login link of the command line).
func IsUserSession(secret string) bool { return strings.HasPrefix(secret, "us_") }

// UserSessionActor returns the actor of a person's page session. The
// session lives SessionIdle past its last request: a request more than a
// minute after the last recorded one moves that on. A disabled user's
// session is gone.
func (db *DB) UserSessionActor(ctx context.Context, secret string) (Actor, error) {
	g := db.gorm.WithContext(ctx)
	var s UserSession
	now := db.Now()
	if err := g.Where("hash = ?", HashSecret(secret)).Take(&s).Error; err != nil || !now.Before(s.ExpiresAt) {
		return Actor{}, Errorf(EUnauthorized, "the session is unknown or has ended")
	}
	u, err := first[User](g.Where("id = ?", s.UserID), "user", s.UserID)
	if err != nil {
		return Actor{}, Errorf(EUnauthorized, "the session's user is gone")
	}
	a, err := u.actor(g)
	if err != nil {
		return Actor{}, err
	}
	if now.Sub(s.LastSeenAt) > sessionTouchStep {
		if err := g.Model(&UserSession{}).Where("id = ?", s.ID).Updates(map[string]any{"last_seen_at": now, "expires_at": now.Add(SessionIdle)}).Error; err != nil {
			return Actor{}, fmt.Errorf("store: keep a page session: %w", err)
		}
	}
	a.TokenID = s.ID
	return a, nil
}

// UserSessions lists a's own page sessions, the latest first.
func (db *DB) UserSessions(ctx context.Context, a Actor) ([]UserSession, error) {
	if a.UserID == "" {
		return nil, nil
	}
	var ss []UserSession
	err := db.gorm.WithContext(ctx).Where("user_id = ? AND expires_at > ?", a.UserID, db.Now()).Order("last_seen_at DESC, id").Find(&ss).Error
	return ss, wrapRead(err, "sessions")
}

// EndUserSession ends one of a's own page sessions by id.
func (db *DB) EndUserSession(ctx context.Context, a Actor, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND user_id = ?", id, a.UserID).Delete(&UserSession{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || a.UserID == "" {
			return notFound("session", id)
		}
		return db.audit(tx, a, a.OrganisationID, ActionSignOut, "session", OutcomeSuccess, "", id)
	})
}

// EndSessionBySecret ends the page session of a cookie (log out).
func (db *DB) EndSessionBySecret(ctx context.Context, a Actor, secret string) error {
	if !IsUserSession(secret) {
		return db.EndSession(ctx, secret)
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("hash = ?", HashSecret(secret)).Delete(&UserSession{}).Error; err != nil {
			return err
		}
		return db.audit(tx, a, a.OrganisationID, ActionSignOut, "session", OutcomeSuccess, "", a.TokenID)
	})
}

// CreateUserToken gives user id a personal API token named name that
// expires after ttl (DefaultTokenTTL when 0, at most MaxTokenTTL); it returns
// the secret, shown once. A person creates their own; an admin or the
// command line (System) any user's.
func (db *DB) CreateUserToken(ctx context.Context, a Actor, userID, name string, ttl time.Duration) (string, *Token, error) {
	var f Fields
	validateName(&f, "name", name)
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Hour || ttl > MaxTokenTTL {
		f.Add("expires_in_days", "token_ttl", "must be between 1 and 366 days")
	}
	if err := f.Err(); err != nil {
		return "", nil, err
	}
	secret := newSecret("cpt_")
	var t *Token
	err := db.tx(ctx, func(tx *gorm.DB) error {
		g := tx
		u, err := first[User](g.Where("id = ?", userID), "user", userID)
		if err != nil {
			return err
		}
		if userID != a.UserID && !a.IsAdmin() {
			return Errorf(EForbidden, "a personal token is made by its owner")
		}
		if !u.Active {
			return Field("user", "disabled", "the user is disabled")
		}
		now := db.Now()
		exp := now.Add(ttl)
		t = &Token{ID: NewID("tok"), Hash: HashSecret(secret), Role: u.Role, OrganisationID: u.OrganisationID,
			FacilitatorID: u.FacilitatorID, LocationID: u.LocationID, Label: name, UserID: u.ID, CreatedAt: now, ExpiresAt: &exp}
		if err := tx.Create(t).Error; err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		return db.audit(tx, a, u.OrganisationID, ActionCreate, "token", OutcomeSuccess, "", t.ID)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// UserTokens lists the tokens of user id (a's own, or for an admin or
// coordinator a user they manage), the newest first.
func (db *DB) UserTokens(ctx context.Context, a Actor, userID string) ([]Token, error) {
	if userID != a.UserID {
		if _, err := db.managedUser(db.gorm.WithContext(ctx), a, userID); err != nil {
			return nil, err
		}
	}
	var ts []Token
	err := db.gorm.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&ts).Error
	return ts, wrapRead(err, "tokens")
}

// RevokeUserToken revokes token id of a's own (or, for an admin or
// coordinator, of a user they manage).
func (db *DB) RevokeUserToken(ctx context.Context, a Actor, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		t, err := first[Token](tx.Where("id = ? AND user_id <> ''", id), "token", id)
		if err != nil {
			return err
		}
		if t.UserID != a.UserID {
			if _, err := db.managedUser(tx, a, t.UserID); err != nil {
				return notFound("token", id)
			}
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&Token{}).Where("id = ?", id).Update("revoked_at", db.Now()).Error; err != nil {
			return err
		}
		return db.audit(tx, a, t.OrganisationID, ActionRevoke, "token", OutcomeSuccess, "", id)
	})
}

// UserNames maps user ids to names, for pages that show who did something.
func (db *DB) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []User
	if err := db.gorm.WithContext(ctx).Select("id, name").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, wrapRead(err, "users")
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}
