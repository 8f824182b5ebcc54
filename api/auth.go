package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// sessionCookie is the page-session cookie set by a login link.
const sessionCookie = "coplan_session"

func bearer(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// requireToken authenticates API requests by bearer token only. The per-IP
// limit applies before authentication only: a token known valid goes on at
// once, and only what needs a lookup (a new token, a wrong one, none) counts
// against the client's address, so that guessing is slow and a busy
// authenticated client is never cut off by it.
func (s *Server) requireToken(c *gin.Context) {
	tok, ok := bearer(c)
	if ok {
		if a, cached := s.auth.cached(tok); cached {
			a.Client = s.clientOf(c)
			c.Set(ctxActor, a)
			c.Next()
			return
		}
	}
	if !s.allowIP(c) {
		return
	}
	if !ok {
		s.fail(c, store.Errorf(store.EUnauthorized, "send a bearer token: Authorization: Bearer <token>"))
		return
	}
	a, err := s.auth.authenticate(c.Request.Context(), s.db, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	a.Client = s.clientOf(c)
	c.Set(ctxActor, a)
	c.Next()
}

// page marks a request as a page request, so errors answer in HTML.
func page(c *gin.Context) {
	c.Set(ctxIsPage, true)
	c.Next()
}

// sameOrigin refuses a page POST that a browser sent from another site (by
// Sec-Fetch-Site or Origin, with net/http's CrossOriginProtection): no login
// CSRF, and a second guard beside the forms' CSRF tokens.
func (s *Server) sameOrigin(c *gin.Context) {
	if err := s.origin.Check(c.Request); err != nil {
		c.Set(ctxIsPage, true)
		s.fail(c, store.Errorf(store.EForbidden, "this form was sent from another site"))
		return
	}
	c.Next()
}

// pageAuth authenticates page requests by bearer token or session cookie. A
// POST made with the cookie must carry the session's CSRF token.
func (s *Server) pageAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxIsPage, true)
		if !s.allowIP(c) { // pages are limited per client address like the login
			return
		}
		if tok, ok := bearer(c); ok {
			a, err := s.db.Authenticate(c.Request.Context(), tok)
			if err != nil {
				s.fail(c, err)
				return
			}
			a.Client = s.clientOf(c)
			c.Set(ctxActor, a)
			c.Next()
			return
		}
		if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
			if a, err := s.sessionActor(c.Request.Context(), cookie); err == nil {
				a.Client = s.clientOf(c)
				c.Set(ctxActor, a)
				c.Set(ctxSession, cookie)
				if c.Request.Method == http.MethodPost && !s.validCSRF(c, cookie) {
					s.fail(c, store.Errorf(store.EForbidden, "the form's security token is missing or wrong; reload the page and try again"))
					return
				}
			}
		}
		if _, ok := c.Get(ctxActor); !ok {
			if c.Request.Method == http.MethodGet {
				s.signInPage(c) // a person who is not signed in is asked to, not shown an error
				return
			}
			s.fail(c, store.Errorf(store.EUnauthorized, "log in through the login link you were given, or send a bearer token"))
			return
		}
		c.Next()
	}
}

// optionalPageAuth notes a page session when the request has a valid one
// (the sign-in page then sends a signed-in person on) and goes on either way.
func (s *Server) optionalPageAuth(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if a, err := s.sessionActor(c.Request.Context(), cookie); err == nil {
			c.Set(ctxActor, a)
		}
	}
	c.Next()
}

// sessionActor is the actor of a session cookie: a person's page session,
// or a service token's opened by a command-line login link.
func (s *Server) sessionActor(ctx context.Context, cookie string) (store.Actor, error) {
	if store.IsUserSession(cookie) {
		return s.db.UserSessionActor(ctx, cookie)
	}
	return s.db.SessionActor(ctx, cookie)
}

// signInPage asks a person to sign in: the start page answers 200, any
// other page 401 (with the same page), so links that need a session explain
// themselves.
func (s *Server) signInPage(c *gin.Context) {
	status := http.StatusUnauthorized
	if c.Request.URL.Path == "/" {
		status = http.StatusOK
	}
	s.signInForm(c, status, nil)
	c.Abort()
}

// csrfToken is derived from the session, so it needs no storage.
func (s *Server) csrfToken(session string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("csrf\x00" + store.HashSecret(session)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) validCSRF(c *gin.Context, session string) bool {
	return s.validToken(c, s.csrfToken(session))
}

// validToken reports whether the request carries the CSRF token want.
func (s *Server) validToken(c *gin.Context, want string) bool {
	got := c.GetHeader("X-CSRF-Token")
	if got == "" {
		got = c.PostForm("csrf_token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// actor returns the authenticated caller.
func actor(c *gin.Context) store.Actor {
	a, _ := c.Get(ctxActor)
	act, _ := a.(store.Actor)
	return act
}
