package api

import (
	"context"
	"net/http"
	netmail "net/mail"
	"net/url"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The login link is two steps: GET shows a button, POST uses the code. Mail
// scanners and link previews that fetch the link therefore cannot use it up.
// A link is a person's (an invitation, or one asked for on /login) or, from
// the command line's `token create --role`, a service token's.

func (s *Server) loginPage(c *gin.Context) {
	ctx, code := c.Request.Context(), c.Param("code")
	usable := s.db.LinkUsable(ctx, code) || s.db.LoginCodeUsable(ctx, code)
	status := http.StatusOK
	if !usable {
		status = http.StatusNotFound
	}
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, status, "login", "login.title", gin.H{"Usable": usable, "Code": code})
}

func (s *Server) login(c *gin.Context) {
	ctx, code := c.Request.Context(), c.Param("code")
	secret, _, err := s.db.RedeemLink(ctx, code, s.sessionClient(c))
	if store.ErrorCode(err) == store.ENotFound {
		secret, _, err = s.db.RedeemLoginCode(ctx, code)
	}
	if err != nil {
		if store.ErrorCode(err) == store.ENotFound {
			c.Header("Referrer-Policy", "no-referrer")
			s.render(c, http.StatusNotFound, "login", "login.title", gin.H{"Usable": false})
			return
		}
		s.fail(c, err)
		return
	}
	s.startSession(c, secret)
}

// startSession sets the page-session cookie and goes to the start page.
func (s *Server) startSession(c *gin.Context, secret string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(store.SessionIdle.Seconds()),
	})
	c.Redirect(http.StatusSeeOther, withLang(c, "/"))
}

// preSessionCookie holds a random value for the sign-in form's CSRF token:
// before a session there is nothing else to bind the token to.
const preSessionCookie = "coplan_pre"

// signInForm shows the sign-in page with its form (e-mail address, and
// single sign-on where configured).
func (s *Server) signInForm(c *gin.Context, status int, form *pageForm) {
	pre, err := c.Cookie(preSessionCookie)
	if err != nil || len(pre) < 20 {
		pre = store.GeneratedSecret()
		http.SetCookie(c.Writer, &http.Cookie{Name: preSessionCookie, Value: pre, Path: "/login", HttpOnly: true,
			Secure: s.secureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	}
	c.Set(ctxPreSession, pre)
	s.render(c, status, "signin", "signin.title", gin.H{"Form": form, "SSO": s.sso != nil})
}

// signInAsk is GET /login.
func (s *Server) signInAsk(c *gin.Context) {
	if _, ok := c.Get(ctxActor); ok {
		c.Redirect(http.StatusSeeOther, withLang(c, "/"))
		return
	}
	s.signInForm(c, http.StatusOK, nil)
}

// signInRequest is POST /login: it mails a sign-in link to a known address.
// The answer is the same for every well-formed address, and it comes before
// the lookup is done (the work runs after the answer), so neither its words
// nor its timing tell whether the address is known.
func (s *Server) signInRequest(c *gin.Context) {
	pre, _ := c.Cookie(preSessionCookie)
	if pre == "" || !s.validToken(c, s.csrfToken("pre\x00"+pre)) {
		s.signInForm(c, http.StatusForbidden, &pageForm{Problems: []string{translate(lang(c), "signin.expired")}})
		return
	}
	values := postValues(c)
	email := store.NormalEmail(values.Get("email"))
	if addr, err := netmail.ParseAddress(email); err != nil || addr.Address != email {
		code := "email"
		if email == "" {
			code = "required"
		}
		s.signInForm(c, http.StatusBadRequest, &pageForm{Values: values,
			Errors: map[string]string{"email": fieldMessage(lang(c), store.FieldError{Field: "email", Code: code})}})
		return
	}
	l := lang(c)
	s.background(func(ctx context.Context) { s.accounts.RequestSignIn(ctx, email, l) })
	s.render(c, http.StatusOK, "signin_sent", "signin.title", gin.H{"Minutes": int(store.SignInLinkTTL.Minutes())})
}

// background runs fn after the answer, with a bound on how many run at once;
// when the bound is reached fn is dropped (and logged), never queued without end.
func (s *Server) background(fn func(ctx context.Context)) {
	select {
	case s.work <- struct{}{}:
	default:
		s.log.Warn("too many sign-in requests at once; one dropped")
		return
	}
	go func() {
		defer func() { <-s.work }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		fn(ctx)
	}()
}

func (s *Server) logout(c *gin.Context) {
	if sess := c.GetString(ctxSession); sess != "" {
		if err := s.db.EndSessionBySecret(c.Request.Context(), actor(c), sess); err != nil {
			s.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	c.Set(ctxSession, "")
	c.Set(ctxActor, nil)
	s.render(c, http.StatusOK, "error", "logout", translate(lang(c), "logout.done"))
}

// home is where each role starts: a nurse at her sessions, location staff
// at their week, a coordinator at what needs doing today.
func (s *Server) home(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	switch a.Role {
	case store.RoleNurse:
		c.Redirect(http.StatusSeeOther, withLang(c, "/me/sessions"))
		return
	case store.RoleLocation:
		c.Redirect(http.StatusSeeOther, withLang(c, "/locations/"+url.PathEscape(a.LocationID)+"/week"))
		return
	}
	var orgName string
	if a.OrganisationID != "" {
		if o, err := s.db.Organisation(ctx, a, a.OrganisationID); err == nil {
			orgName = o.Name
		}
	}
	data := gin.H{"Role": string(a.Role), "Organisation": orgName}
	waiting, err := s.db.CountBabies(ctx, a, store.BabyFilter{Status: store.StatusEnrolled, Grouped: "no"})
	if err == nil {
		data["Waiting"] = int(waiting)
	}
	if n, err := s.db.CountArrivals(ctx, a); err == nil {
		data["Arrivals"] = int(n)
	}
	if n, err := s.db.CountPlanned(ctx, a); err == nil {
		data["Planned"] = int(n)
	}
	s.render(c, http.StatusOK, "home", "home.title", data)
}
