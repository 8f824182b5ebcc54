package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The session page: a coordinator moves a session (date, start, room),
// changes a facilitator, cancels or reinstates it. Every change is checked
// by the planner's rule checker; a refusal lists each broken rule in plain
// words, with the people and rooms by name, and the form keeps what was typed.

func (s *Server) sessionPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.showSession(c, nil, http.StatusOK)
}

func (s *Server) showSession(c *gin.Context, f *pageForm, status int) {
	ctx, a := c.Request.Context(), actor(c)
	sess, err := s.db.Session(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if f == nil {
		f = &pageForm{Values: sessionValues(sess)}
	}
	rooms, _, err := s.db.Rooms(ctx, a, sess.LocationID, store.Page{Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	staff, _, err := s.db.Facilitators(ctx, a, store.FacilitatorFilter{OrganisationID: sess.OrganisationID, Page: store.Page{Limit: 500}})
	if err != nil {
		s.fail(c, err)
		return
	}
	n := s.names(c, nil)
	row := sessionRows(lang(c), n, []store.Session{*sess})[0]
	s.render(c, status, "session", "session.title", gin.H{"Session": row, "Group": strings.TrimPrefix(n.Group(sess.GroupID), translate(lang(c), "word.group")+" "),
		"Location": n.Location(sess.LocationID), "Rooms": rooms, "Staff": staff, "Form": f, "Past": !sess.StartsAt.After(s.now())})
}

// sessionValues fills the form from the session, in Amsterdam time.
func sessionValues(sess *store.Session) url.Values {
	start := sess.StartsAt.In(civil.Amsterdam)
	return url.Values{"date": {civil.Of(start).Dutch()}, "start": {start.Format("15:04")}, "room_id": {sess.RoomID},
		"lead": {sess.LeadFacilitatorID}, "second": {sess.SecondFacilitatorID}}
}

// sessionUpdate changes the time, room or facilitators, or with action
// cancel, reinstate or publish the status.
func (s *Server) sessionUpdate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	ch, err := sessionChangeFromForm(values)
	if err == nil {
		_, err = s.uc.ChangeSession(c.Request.Context(), actor(c), c.Param("id"), ch)
	}
	if err != nil {
		babies := map[string]string{}
		if sess, serr := s.db.Session(c.Request.Context(), actor(c), c.Param("id")); serr == nil {
			if ms, merr := s.db.GroupMembers(c.Request.Context(), actor(c), sess.GroupID); merr == nil {
				for _, m := range ms {
					babies[m.BabyID] = m.Ref
				}
			}
		}
		f, ok := s.refusedForm(c, err, values, map[string]string{"start": "date", "facilitator_ids": "lead"}, s.names(c, babies))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showSession(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	what := "session_saved"
	switch values.Get("action") {
	case "cancel":
		what = "session_cancelled"
	case "reinstate":
		what = "session_reinstated"
	case "publish":
		what = "session_published"
	}
	done(c, "/sessions/"+url.PathEscape(c.Param("id")), what)
}

// sessionChangeFromForm reads the form: the date and start in Amsterdam,
// the room, the two facilitators; or one of the status actions alone.
func sessionChangeFromForm(v url.Values) (coordination.SessionChange, error) {
	var ch coordination.SessionChange
	status := func(st store.SessionStatus) (coordination.SessionChange, error) {
		ch.Status = &st
		return ch, nil
	}
	switch v.Get("action") {
	case "cancel":
		return status(store.SessionCancelled)
	case "reinstate":
		return status(store.SessionPlanned)
	case "publish":
		return status(store.SessionPublished)
	}
	var f store.Fields
	d, err := civil.ParseDutch(v.Get("date"))
	if err != nil {
		f.Add("date", "date", "%s", err.Error())
	}
	t, err := civil.ParseClock(strings.TrimSpace(v.Get("start")))
	if err != nil {
		f.Add("start", "clock", "%s", err.Error())
	}
	if err := f.Err(); err != nil {
		return ch, err
	}
	start := d.At(int(t))
	room := v.Get("room_id")
	ch.Start, ch.RoomID = &start, &room
	ch.FacilitatorIDs = []string{v.Get("lead"), v.Get("second")}
	return ch, nil
}
