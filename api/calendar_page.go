package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// myCalendar shows a nurse its next sessions and the links to subscribe to
// them in Outlook, Google, Apple or Thunderbird.
func (s *Server) myCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	if a.Role != store.RoleNurse {
		s.fail(c, store.Errorf(store.EForbidden, "this page is for facilitators"))
		return
	}
	sessions, _, err := s.db.Sessions(ctx, a, store.SessionFilter{From: s.now(), Page: store.Page{Limit: 20}})
	if err != nil {
		s.fail(c, err)
		return
	}
	me, err := s.db.Facilitator(ctx, a, a.FacilitatorID)
	if err != nil {
		s.fail(c, err)
		return
	}
	locations := map[string]string{}
	for _, sess := range sessions {
		if _, ok := locations[sess.LocationID]; !ok {
			if l, err := s.db.Location(ctx, store.System, sess.LocationID); err == nil {
				locations[l.ID] = l.Name
			}
		}
	}
	data := gin.H{"Me": me, "Sessions": sessions, "Locations": locations}
	feeds, _, err := s.db.Feeds(ctx, a, store.Page{Limit: 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(feeds) > 0 {
		data["Feed"] = s.feedResponse(&feeds[0])
	}
	s.render(c, http.StatusOK, "calendar", "calendar.title", data)
}

func (s *Server) myCalendarCreate(c *gin.Context) {
	a := actor(c)
	if a.Role != store.RoleNurse {
		s.fail(c, store.Errorf(store.EForbidden, "this page is for facilitators"))
		return
	}
	feeds, _, err := s.db.Feeds(c.Request.Context(), a, store.Page{Limit: 1})
	if err == nil && len(feeds) == 0 {
		_, err = s.db.CreateFeed(c.Request.Context(), a, store.FeedFacilitator, a.FacilitatorID, s.renderer.Render)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/me/calendar"+langQuery(c))
}

// myCalendarRotate renews the nurse's own calendar link, and no other feed:
// the page is a nurse's, whoever else holds a session.
func (s *Server) myCalendarRotate(c *gin.Context) {
	a := actor(c)
	if a.Role != store.RoleNurse {
		s.fail(c, store.Errorf(store.EForbidden, "this page is for facilitators"))
		return
	}
	feeds, _, err := s.db.Feeds(c.Request.Context(), a, store.Page{Limit: 1})
	if err == nil && len(feeds) == 0 {
		err = store.Errorf(store.ENotFound, "there is no calendar link to renew")
	}
	if err == nil {
		_, err = s.db.RotateFeed(c.Request.Context(), a, feeds[0].ID)
		s.feeds.forget(feeds[0].ID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/me/calendar"+langQuery(c))
}

func langQuery(c *gin.Context) string {
	if lang(c) == "en" {
		return "?lang=en"
	}
	return ""
}
