package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// ssoCookie keeps a single sign-on in progress (state, nonce and PKCE
// verifier), signed with the server's key, for ten minutes. It is Lax: the
// provider sends the browser back with a top-level GET from its own site.
const ssoCookie = "coplan_sso"

// ssoStart is GET /login/sso: off to the organisation's provider.
func (s *Server) ssoStart(c *gin.Context) {
	if s.sso == nil {
		s.fail(c, store.Errorf(store.ENotFound, "single sign-on is not configured"))
		return
	}
	to, flow := s.sso.Start()
	raw, _ := json.Marshal(struct {
		accounts.Flow
		Lang string
	}{flow, lang(c)})
	value := base64.RawURLEncoding.EncodeToString(raw)
	http.SetCookie(c.Writer, &http.Cookie{Name: ssoCookie, Value: value + "." + s.sign("sso", value), Path: "/login/sso", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: 600})
	c.Redirect(http.StatusSeeOther, to)
}

// ssoCallback is GET /login/sso/callback: the provider sends the person back
// with a code; a verified e-mail address of an active user opens a session.
func (s *Server) ssoCallback(c *gin.Context) {
	if s.sso == nil {
		s.fail(c, store.Errorf(store.ENotFound, "single sign-on is not configured"))
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: ssoCookie, Value: "", Path: "/login/sso", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies()})
	var flow struct {
		accounts.Flow
		Lang string
	}
	cookie, _ := c.Cookie(ssoCookie)
	value, mac, _ := strings.Cut(cookie, ".")
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if cookie == "" || err != nil || !hmac.Equal([]byte(mac), []byte(s.sign("sso", value))) || json.Unmarshal(raw, &flow) != nil ||
		!hmac.Equal([]byte(flow.State), []byte(c.Query("state"))) || c.Query("code") == "" {
		s.ssoRefused(c, "signin.sso.expired")
		return
	}
	if flow.Lang == "en" {
		q := c.Request.URL.Query()
		q.Set("lang", "en")
		c.Request.URL.RawQuery = q.Encode()
	}
	email, err := s.sso.Finish(c.Request.Context(), flow.Flow, c.Query("code"))
	switch {
	case errors.Is(err, accounts.ErrSSOUnverified):
		s.ssoRefused(c, "signin.sso.unverified")
		return
	case err != nil:
		s.log.Warn("single sign-on refused", "err", err)
		s.ssoRefused(c, "signin.sso.failed")
		return
	}
	secret, _, err := s.db.SignInVerified(c.Request.Context(), email, "oidc", s.sessionClient(c))
	if store.ErrorCode(err) == store.EForbidden {
		s.ssoRefused(c, "signin.sso.unknown")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.startSession(c, secret)
}

// ssoRefused shows the sign-in page with why single sign-on did not work.
func (s *Server) ssoRefused(c *gin.Context, key string) {
	s.signInForm(c, http.StatusForbidden, &pageForm{Problems: []string{translate(lang(c), key)}})
}

// sign is the server's HMAC of value for purpose.
func (s *Server) sign(purpose, value string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
