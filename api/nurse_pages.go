package api

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// A nurse's pages: her next sessions, her groups (see the group pages), her
// calendar and her own absence.

func (s *Server) nurseOnly(c *gin.Context) bool {
	if actor(c).Role != store.RoleNurse {
		s.fail(c, store.Errorf(store.EForbidden, "this page is for facilitators"))
		return false
	}
	return true
}

// mySessionRow is a nurse's session in words: the group's name, the place,
// the colleague, the interpreters.
type mySessionRow struct {
	sessionRow
	Place     string
	Colleague string
}

func (s *Server) mySessions(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	rows, err := s.mySessionRows(c, 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	recent, follow, err := s.afterSessions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	reprints, err := s.db.Reprints(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "my_sessions", "nav.mysessions", gin.H{"Sessions": rows, "Recent": recent, "FollowUps": follow,
		"Reprints": sessionRows(lang(c), s.names(c, nil), reprints)})
}

func (s *Server) mySessionRows(c *gin.Context, limit int) ([]mySessionRow, error) {
	a := actor(c)
	sessions, _, err := s.db.Sessions(c.Request.Context(), a, store.SessionFilter{From: s.now(), Page: store.Page{Limit: limit}})
	if err != nil {
		return nil, err
	}
	l := lang(c)
	n := s.names(c, nil)
	rows := sessionRows(l, n, sessions)
	out := make([]mySessionRow, len(rows))
	for i, r := range rows {
		colleague := r.SecondFacilitatorID
		if colleague == a.FacilitatorID {
			colleague = r.LeadFacilitatorID
		}
		out[i] = mySessionRow{sessionRow: r, Place: n.Location(r.LocationID) + ", " + r.Room,
			Colleague: n.Facilitator(colleague)}
	}
	// sessionRows orders by number within a group; a nurse reads by time.
	sortByStart(out)
	return out, nil
}

func sortByStart(rows []mySessionRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].StartsAt.Before(rows[j-1].StartsAt); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// groupWords is a group's name without the word "group".
func groupWords(l string, n *names, id string) string {
	name := n.Group(id)
	prefix := translate(l, "word.group") + " "
	if len(name) > len(prefix) && name[:len(prefix)] == prefix {
		return name[len(prefix):]
	}
	return name
}

// myCalendar shows a nurse her calendar link, how to subscribe to it in
// Outlook, Google, Apple or Thunderbird, and her next sessions.
func (s *Server) myCalendar(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	me, err := s.db.Facilitator(ctx, a, a.FacilitatorID)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, err := s.mySessionRows(c, 5)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := gin.H{"Me": me, "Sessions": rows, "Confirm": c.Query("confirm") == "rotate"}
	feeds, _, err := s.db.Feeds(ctx, a, store.Page{Limit: 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(feeds) > 0 {
		f := s.feedResponse(&feeds[0])
		data["URL"] = f.URL
		// webcal: is the scheme calendar apps open a subscription with; it
		// is safe here (coplan's own feed URL), so it is marked as a URL.
		data["Webcal"] = template.URL(f.WebcalURL)
		data["Google"] = template.URL("https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(f.WebcalURL))
	}
	s.render(c, http.StatusOK, "calendar", "calendar.title", data)
}

func (s *Server) myCalendarCreate(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	a := actor(c)
	feeds, _, err := s.db.Feeds(c.Request.Context(), a, store.Page{Limit: 1})
	if err == nil && len(feeds) == 0 {
		_, err = s.db.CreateFeed(c.Request.Context(), a, store.FeedFacilitator, a.FacilitatorID, s.renderer.Render)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/me/calendar", "calendar_created")
}

// myCalendarRotate renews the nurse's own calendar link, and no other feed,
// once she confirmed it: the old link stops working at once.
func (s *Server) myCalendarRotate(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	if c.PostForm("confirm") != "yes" {
		c.Redirect(http.StatusSeeOther, withLang(c, "/me/calendar?confirm=rotate#renew"))
		return
	}
	a := actor(c)
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
	done(c, "/me/calendar", "calendar_renewed")
}

// myAbsence lets a nurse record that she is away (ill, on leave, in
// training): first the sessions it touches, then, confirmed, the re-plan,
// and what moved where.
func (s *Server) myAbsence(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	s.render(c, http.StatusOK, "absence", "absence.title", gin.H{"Form": &pageForm{}})
}

func (s *Server) myAbsenceSubmit(c *gin.Context) {
	if !s.nurseOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	values := postValues(c)
	var f store.Fields
	from, err := civil.ParseDutch(values.Get("from"))
	if err != nil {
		f.Add("from", "date", "%s", err.Error())
	}
	to, err := civil.ParseDutch(values.Get("to"))
	if values.Get("to") == "" {
		to, err = from, nil
	}
	if err != nil {
		f.Add("to", "date", "%s", err.Error())
	}
	err = f.Err()
	var moved *coordination.Rearrangement
	if err == nil {
		_, moved, err = s.uc.RecordAbsence(ctx, a, a.FacilitatorID, civil.Range{From: from, To: to}, values.Get("confirm") == "yes")
	}
	var e *store.Error
	if err != nil && asConflict(err, &e) && len(e.Affected) > 0 {
		// Sessions fall in the absence: show them and ask to go on.
		rows := sessionRows(lang(c), s.names(c, nil), e.Affected)
		s.render(c, http.StatusConflict, "absence", "absence.title", gin.H{"Form": &pageForm{Values: values}, "Affected": rows})
		return
	}
	if err != nil {
		form, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.render(c, statusOf(store.ErrorCode(err)), "absence", "absence.title", gin.H{"Form": form})
		return
	}
	data := gin.H{"Form": &pageForm{}, "Saved": true}
	if moved != nil {
		n := s.names(c, nil)
		data["Before"] = sessionRows(lang(c), n, moved.Affected)
		data["Moved"] = sessionRows(lang(c), n, moved.Moved)
		data["Unplanned"] = sessionRows(lang(c), n, moved.Unplanned)
	}
	s.render(c, http.StatusOK, "absence", "absence.title", data)
}

func asConflict(err error, e **store.Error) bool {
	return store.ErrorCode(err) == store.EConflict && errors.As(err, e)
}
