package api

import (
	"net/http"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/fhir"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// attendanceRequest is the body of PUT /api/v1/sessions/{id}/attendance.
type attendanceRequest struct {
	Attendance *[]struct {
		BabyID string `json:"baby_id"`
		Status string `json:"status"`
	} `json:"attendance"`
}

func (r *attendanceRequest) limits(f *store.Fields) { f.Limit("attendance", count(r.Attendance), 100) }

func (s *Server) putAttendance(c *gin.Context) {
	var req attendanceRequest
	if !s.decode(c, &req) {
		return
	}
	if req.Attendance == nil {
		s.fail(c, store.Field("attendance", "required", "is required: a list of {baby_id, status}"))
		return
	}
	entries := make([]store.AttendanceEntry, len(*req.Attendance))
	for i, e := range *req.Attendance {
		entries[i] = store.AttendanceEntry{BabyID: e.BabyID, Status: e.Status}
	}
	out, err := s.db.RecordAttendance(c.Request.Context(), actor(c), c.Param("id"), entries)
	s.reply(c, http.StatusOK, out, err)
}

func (s *Server) getAttendance(c *gin.Context) {
	out, err := s.db.SessionAttendance(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, out, err)
}

// periodQuery reads from and to (dates, both included; ISO or dd-mm-jjjj),
// naming each that cannot be read.
func periodQuery(c *gin.Context) (civil.Date, civil.Date, error) {
	var f store.Fields
	day := func(name string) civil.Date {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return 0
		}
		d, err := civil.ParseDutch(v)
		if err != nil {
			f.Add(name, "date", "%s", err.Error())
		}
		return d
	}
	from, to := day("from"), day("to")
	if from != 0 && to != 0 && to < from {
		f.Add("to", "after_from", "is before from")
	}
	return from, to, f.Err()
}

// contactMoments is GET /api/v1/contact-moments (JSON), .csv (for the JGZ
// file's import) and .fhir (a FHIR R4 Bundle of Encounters,
// application/fhir+json); each export is logged with its period and rows.
func (s *Server) contactMoments(c *gin.Context) {
	from, to, err := periodQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ms, err := s.db.ContactMoments(c.Request.Context(), actor(c), store.ContactMomentFilter{OrganisationID: c.Query("organisation_id"), From: from, To: to})
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	switch {
	case strings.HasSuffix(c.FullPath(), ".fhir"):
		body, err := fhir.Bundle(ms, func(code string) string { return translate(l, "contact."+code) }, s.now())
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Data(http.StatusOK, "application/fhir+json; charset=utf-8", body)
	case strings.HasSuffix(c.FullPath(), ".csv"):
		n := s.names(c, nil)
		sh := &sheet{name: "contact-moments", cols: []string{"ref", "date", "contact_type", "contact_type_name", "number", "session_id", "facilitators"}}
		for _, m := range ms {
			var names []string
			for _, f := range m.FacilitatorIDs {
				names = append(names, n.Facilitator(f))
			}
			sh.add(m.Ref, m.Date, m.Type, translate(l, "contact."+m.Type), m.Number, m.SessionID, strings.Join(names, ", "))
		}
		writeCSV(c, sh)
	default:
		c.JSON(http.StatusOK, list[store.ContactMoment]{ms, int64(len(ms))})
	}
}

func (s *Server) followUps(c *gin.Context) {
	out, err := s.db.FollowUps(c.Request.Context(), actor(c))
	s.reply(c, http.StatusOK, list[store.FollowUp]{out, int64(len(out))}, err)
}
