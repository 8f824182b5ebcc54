package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// userRow is one user as the users page shows them: role and scope in words.
type userRow struct {
	ID, Name, Email, Role, Scope string
	Active                       bool
}

// usersPage lists the people of the organisation (all of them for an admin)
// with the invitation form.
func (s *Server) usersPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.renderUsers(c, http.StatusOK, &pageForm{Values: url.Values{"role": {string(store.RoleNurse)}}})
}

func (s *Server) renderUsers(c *gin.Context, status int, form *pageForm) {
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	users, err := s.db.Users(ctx, a, store.UserFilter{})
	if err != nil {
		s.fail(c, err)
		return
	}
	choices, err := s.scopeChoices(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: translate(l, "role."+string(u.Role)),
			Scope: choices.name(u), Active: u.Active}
	}
	roles := []choice{{string(store.RoleNurse), translate(l, "role.nurse")}, {string(store.RoleCoordinator), translate(l, "role.coordinator")},
		{string(store.RoleLocation), translate(l, "role.location")}}
	if a.IsAdmin() {
		roles = append(roles, choice{string(store.RoleAdmin), translate(l, "role.admin")})
	}
	s.render(c, status, "users", "users.title", gin.H{"Users": rows, "Form": form, "Roles": roles,
		"Organisations": choices.organisations, "Facilitators": choices.facilitators, "Locations": choices.locations, "Admin": a.IsAdmin()})
}

// scopes are what a user's scope can be, by name.
type scopes struct {
	organisations, facilitators, locations []choice
	names                                  map[string]string
}

func (sc scopes) name(u store.User) string {
	switch u.Role {
	case store.RoleNurse:
		return sc.names[u.FacilitatorID]
	case store.RoleLocation:
		return sc.names[u.LocationID]
	case store.RoleCoordinator:
		return sc.names[u.OrganisationID]
	}
	return ""
}

func (s *Server) scopeChoices(c *gin.Context) (scopes, error) {
	ctx, a := c.Request.Context(), actor(c)
	sc := scopes{names: map[string]string{}}
	orgs, _, err := s.db.Organisations(ctx, a, store.Page{Limit: 500})
	if err != nil {
		return sc, err
	}
	for _, o := range orgs {
		sc.organisations = append(sc.organisations, choice{o.ID, o.Name})
		sc.names[o.ID] = o.Name
	}
	facs, _, err := s.db.Facilitators(ctx, a, store.FacilitatorFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return sc, err
	}
	for _, f := range facs {
		sc.facilitators = append(sc.facilitators, choice{f.ID, f.DisplayName})
		sc.names[f.ID] = f.DisplayName
	}
	locs, err := s.locationChoices(c)
	if err != nil {
		return sc, err
	}
	for _, l := range locs {
		sc.locations = append(sc.locations, choice{l.ID, l.Name})
		sc.names[l.ID] = l.Name
	}
	return sc, nil
}

// userInvite is POST /users: the invitation form.
func (s *Server) userInvite(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	v := postValues(c)
	a := actor(c)
	field := func(k string) *string { x := strings.TrimSpace(v.Get(k)); return &x }
	r := userRequest{Name: field("name"), Email: field("email"), Role: field("role")}
	switch store.Role(v.Get("role")) { // only the scope the chosen role needs
	case store.RoleCoordinator:
		if a.IsAdmin() {
			r.OrganisationID = field("organisation")
		}
	case store.RoleNurse:
		r.FacilitatorID = field("facilitator")
	case store.RoleLocation:
		r.LocationID = field("location")
	}
	u := r.user(a)
	err := s.accounts.Invite(c.Request.Context(), a, &u, lang(c))
	if err != nil {
		form, ok := s.refusedForm(c, err, v, map[string]string{"organisation_id": "organisation", "facilitator_id": "facilitator", "location_id": "location"}, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.renderUsers(c, http.StatusUnprocessableEntity, form)
		return
	}
	done(c, "/users", "user_invited")
}

// userActive is POST /users/{id}/active: disable (active=0) or enable.
func (s *Server) userActive(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	active := postValues(c).Get("active") == "1"
	if _, err := s.db.SetUserActive(c.Request.Context(), actor(c), c.Param("id"), active); err != nil {
		if form, ok := s.refusedForm(c, err, url.Values{}, nil, s.names(c, nil)); ok {
			s.renderUsers(c, http.StatusUnprocessableEntity, form)
			return
		}
		s.fail(c, err)
		return
	}
	if active {
		done(c, "/users", "user_enabled")
		return
	}
	done(c, "/users", "user_disabled")
}

// userResend is POST /users/{id}/invitation: a new invitation link.
func (s *Server) userResend(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	if _, err := s.accounts.Resend(c.Request.Context(), actor(c), c.Param("id"), lang(c)); err != nil {
		if form, ok := s.refusedForm(c, err, url.Values{}, nil, s.names(c, nil)); ok {
			s.renderUsers(c, http.StatusUnprocessableEntity, form)
			return
		}
		s.fail(c, err)
		return
	}
	done(c, "/users", "user_resent")
}

// pageSessionRow is one of "my sessions" (a page session, not a CO session).
type pageSessionRow struct {
	ID, Client, Method  string
	Started, LastActive time.Time
	Current             bool
}

// tokenRow is one of "my tokens".
type tokenRow struct {
	ID, Name           string
	Created            time.Time
	Expires, Revoked   *time.Time
	Expired, Revocable bool
}

// accountPage is /me/account: who I am, my page sessions and my API tokens.
func (s *Server) accountPage(c *gin.Context) {
	s.renderAccount(c, http.StatusOK, nil, "")
}

func (s *Server) renderAccount(c *gin.Context, status int, form *pageForm, newToken string) {
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	data := gin.H{"Form": form, "NewToken": newToken, "Role": translate(l, "role."+string(a.Role))}
	if a.UserID == "" { // a service token's session: there is no person to show
		s.render(c, status, "account", "account.title", data)
		return
	}
	u, err := s.db.User(ctx, a, a.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	sessions, err := s.db.UserSessions(ctx, a)
	if err != nil {
		s.fail(c, err)
		return
	}
	tokens, err := s.db.UserTokens(ctx, a, a.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var srows []pageSessionRow
	for _, ss := range sessions {
		srows = append(srows, pageSessionRow{ID: ss.ID, Client: ss.Client, Method: translate(l, "account.method."+ss.Method),
			Started: ss.CreatedAt, LastActive: ss.LastSeenAt, Current: ss.ID == a.TokenID})
	}
	now := s.now()
	var trows []tokenRow
	for _, t := range tokens {
		expired := t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
		trows = append(trows, tokenRow{ID: t.ID, Name: t.Label, Created: t.CreatedAt, Expires: t.ExpiresAt, Revoked: t.RevokedAt,
			Expired: expired, Revocable: t.RevokedAt == nil && !expired})
	}
	if form == nil {
		form = &pageForm{Values: url.Values{"days": {strconv.Itoa(int(store.DefaultTokenTTL.Hours() / 24))}}}
	}
	data["Form"], data["User"], data["Sessions"], data["Tokens"] = form, u, srows, trows
	s.render(c, status, "account", "account.title", data)
}

// accountEndSession is POST /me/account/sessions/{id}/end.
func (s *Server) accountEndSession(c *gin.Context) {
	a := actor(c)
	if err := s.db.EndUserSession(c.Request.Context(), a, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	if c.Param("id") == a.TokenID { // this very session: signed out
		s.logout(c)
		return
	}
	done(c, "/me/account", "session_ended")
}

// accountCreateToken is POST /me/account/tokens: a personal API token,
// shown once on the page that answers.
func (s *Server) accountCreateToken(c *gin.Context) {
	v := postValues(c)
	a := actor(c)
	ttl := -time.Hour // refused, naming the field
	if days, err := strconv.Atoi(strings.TrimSpace(v.Get("days"))); err == nil && days > 0 {
		ttl = time.Duration(days) * 24 * time.Hour
	}
	if a.UserID == "" {
		s.fail(c, store.Errorf(store.EForbidden, "a personal token needs a person's session"))
		return
	}
	secret, _, err := s.db.CreateUserToken(c.Request.Context(), a, a.UserID, strings.TrimSpace(v.Get("name")), ttl)
	if err != nil {
		form, ok := s.refusedForm(c, err, v, map[string]string{"expires_in_days": "days"}, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.renderAccount(c, http.StatusUnprocessableEntity, form, "")
		return
	}
	s.renderAccount(c, http.StatusCreated, nil, secret)
}

// accountRevokeToken is POST /me/account/tokens/{id}/revoke.
func (s *Server) accountRevokeToken(c *gin.Context) {
	if err := s.db.RevokeUserToken(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/me/account", "token_revoked")
}

// sessionClient is how "my sessions" names where a session was opened: the
// browser and the address.
func (s *Server) sessionClient(c *gin.Context) store.Client {
	return store.Client{Address: s.clientOf(c), Browser: browserOf(c.GetHeader("User-Agent"))}
}

// browserOf names the browser family of a User-Agent header; the order
// matters, since Edge and Chrome say "Safari" and Edge says "Chrome".
func browserOf(ua string) string {
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	return "?"
}

// devMail is one message of the demo's mail page, with the links it holds.
type devMail struct {
	To, Subject, Body string
	At                time.Time
	Links             []string
}

// devMailPage is /dev/mail: the outbox of a demo without an SMTP server, so
// that the demo's people can read their invitations and sign-in links.
func (s *Server) devMailPage(c *gin.Context) {
	ms, err := s.db.RecentMail(c.Request.Context(), 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	base := strings.TrimRight(s.baseURL.String(), "/")
	out := make([]devMail, len(ms))
	for i, m := range ms {
		out[i] = devMail{To: m.ToAddress, Subject: m.Subject, Body: m.TextBody, At: m.CreatedAt}
		for _, w := range strings.Fields(m.TextBody) {
			if strings.HasPrefix(w, base+"/") {
				out[i].Links = append(out[i].Links, w)
			}
		}
	}
	s.render(c, http.StatusOK, "devmail", "devmail.title", out)
}
