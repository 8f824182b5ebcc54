package api

import (
	"net/http"
	"net/url"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The login link is two steps: GET shows a button, POST uses the code. Mail
// scanners and link previews that fetch the link therefore cannot use it up.

func (s *Server) loginPage(c *gin.Context) {
	code := c.Param("code")
	usable := s.db.LoginCodeUsable(c.Request.Context(), code)
	status := http.StatusOK
	if !usable {
		status = http.StatusNotFound
	}
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, status, "login", "login.title", gin.H{"Usable": usable, "Code": code})
}

func (s *Server) login(c *gin.Context) {
	secret, _, err := s.db.RedeemLoginCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		if store.ErrorCode(err) == store.ENotFound {
			s.render(c, http.StatusNotFound, "login", "login.title", gin.H{"Usable": false})
			return
		}
		s.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(store.WebSessionTTL.Seconds()),
	})
	target := "/"
	if lang(c) == "en" {
		target += "?lang=en"
	}
	c.Redirect(http.StatusSeeOther, target)
}

func (s *Server) logout(c *gin.Context) {
	if sess := c.GetString(ctxSession); sess != "" {
		if err := s.db.EndSession(c.Request.Context(), sess); err != nil {
			s.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	c.Set(ctxSession, "")
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
