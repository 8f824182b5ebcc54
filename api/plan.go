package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type planRequest struct {
	OrganisationID *string `json:"organisation_id"`
	Publish        *bool   `json:"publish"`
}

func (s *Server) runPlan(c *gin.Context) {
	var req planRequest
	if c.Request.ContentLength != 0 && !s.decode(c, &req) {
		return
	}
	org := ""
	if req.OrganisationID != nil {
		org = *req.OrganisationID
	}
	runs, skipped, err := s.uc.RunPlans(c.Request.Context(), actor(c), org, req.Publish != nil && *req.Publish)
	if err != nil {
		s.fail(c, err)
		return
	}
	answer := gin.H{"runs": runs}
	if len(skipped) > 0 {
		// The others were planned; these are in the log, by request id.
		var out []gin.H
		for _, sk := range skipped {
			s.log.Error("planning skipped an organisation", "request_id", requestID(c), "organisation_id", sk.OrganisationID, "err", sk.Err)
			out = append(out, gin.H{"organisation_id": sk.OrganisationID, "detail": "its records could not be planned; the request id is " + requestID(c)})
		}
		answer["skipped"] = out
	}
	c.JSON(http.StatusOK, answer)
}

func (s *Server) listGroups(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.Groups(c.Request.Context(), actor(c), store.GroupFilter{OrganisationID: c.Query("organisation_id"), LocationID: c.Query("location_id"), Page: p})
	s.reply(c, http.StatusOK, list[store.Group]{items, total}, err)
}

// timeRange reads from and to: dates (YYYY-MM-DD, Amsterdam midnight) or RFC 3339 times.
func timeRange(c *gin.Context) (from, to time.Time, err error) {
	var f store.Fields
	parse := func(name string) time.Time {
		v := c.Query(name)
		if v == "" {
			return time.Time{}
		}
		if d, err := civil.Parse(v); err == nil {
			return d.At(0)
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			f.Add(name, "date_or_time", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		return t
	}
	from, to = parse("from"), parse("to")
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		f.Add("to", "after_from", "must be after from")
	}
	return from, to, f.Err()
}

func (s *Server) listSessions(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	from, to, err := timeRange(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.SessionFilter{From: from, To: to, LocationID: c.Query("location_id"), FacilitatorID: c.Query("facilitator_id"),
		GroupID: c.Query("group_id"), Status: store.SessionStatus(c.Query("status")), Page: p}
	items, total, err := s.db.Sessions(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Written by hand: this is the hottest answer of the API (see store.Session.AppendJSON).
	buf := make([]byte, 0, 512*len(items)+32)
	buf = append(buf, `{"items":[`...)
	for i := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = items[i].AppendJSON(buf)
	}
	buf = append(buf, `],"total":`...)
	buf = strconv.AppendInt(buf, total, 10)
	buf = append(buf, '}')
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf)
}

func (s *Server) getSession(c *gin.Context) {
	sess, err := s.db.Session(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, sess, err)
}

type sessionRequest struct {
	Start          *string              `json:"start"`
	RoomID         *string              `json:"room_id"`
	FacilitatorIDs *[]string            `json:"facilitator_ids"`
	Status         *store.SessionStatus `json:"status"`
}

func (s *Server) updateSession(c *gin.Context) {
	var req sessionRequest
	if !s.decode(c, &req) {
		return
	}
	var ch coordination.SessionChange
	if req.Start != nil {
		t, err := time.Parse(time.RFC3339, *req.Start)
		if err != nil {
			s.fail(c, invalid("start", "must be an RFC 3339 time such as 2027-02-09T10:00:00+01:00"))
			return
		}
		ch.Start = &t
	}
	ch.RoomID, ch.Status = req.RoomID, req.Status
	if req.FacilitatorIDs != nil {
		ch.FacilitatorIDs = *req.FacilitatorIDs
	}
	sess, err := s.uc.ChangeSession(c.Request.Context(), actor(c), c.Param("id"), ch)
	s.reply(c, http.StatusOK, sess, err)
}

func (s *Server) interpreterNeeds(c *gin.Context) {
	from, to, err := timeRange(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	needs, err := s.db.InterpreterNeeds(c.Request.Context(), actor(c), from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	if strings.HasSuffix(c.FullPath(), ".csv") {
		l := lang(c)
		sh := &sheet{name: "interpreter-needs", cols: []string{"session_id", "group_id", "group", "number", "start", "end", "location", "room",
			"languages", "language_names", "families"}}
		for _, n := range needs {
			codes, names := languageWords(l, n.Languages)
			sh.add(n.SessionID, n.GroupID, n.GroupName, n.Number, n.Start, n.End, n.LocationName, n.RoomName, codes, names, n.Families)
		}
		writeCSV(c, sh)
		return
	}
	c.JSON(http.StatusOK, list[store.InterpreterNeed]{needs, int64(len(needs))})
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
