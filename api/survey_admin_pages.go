package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The admin's survey pages: start a round, read every answer in full, see
// and resend each organisation's link, download the results.

// surveyStart is POST /surveys: a new round for every organisation.
func (s *Server) surveyStart(c *gin.Context) {
	a := actor(c)
	if !a.IsAdmin() {
		s.fail(c, store.Errorf(store.EForbidden, "survey rounds are started by an administrator"))
		return
	}
	v := postValues(c)
	var f store.Fields
	sv := &store.Survey{Title: strings.TrimSpace(v.Get("title"))}
	date := func(field string) civil.Date {
		d, err := civil.ParseDutch(strings.TrimSpace(v.Get(field)))
		if err != nil {
			f.Add(field, "date", "%s", err.Error())
		}
		return d
	}
	sv.OpensOn, sv.Deadline = date("opens_on"), date("deadline")
	err := f.Err()
	if err == nil {
		_, err = s.db.CreateSurvey(c.Request.Context(), a, sv, nil)
	}
	if err != nil {
		form, ok := s.refusedForm(c, err, v, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showSurveys(c, http.StatusUnprocessableEntity, form)
		return
	}
	done(c, "/surveys/"+url.PathEscape(sv.ID), "survey_started")
}

// answerRow is one organisation's answer in words.
type answerRow struct {
	store.ResponseRow
	Interest, Quarter, Locations, Link string
	Answered                           time.Time
}

// surveyAnswers puts a round's rows into words, with each organisation's link.
func (s *Server) surveyAnswers(c *gin.Context, rows []store.ResponseRow) ([]answerRow, error) {
	l := lang(c)
	locs, _, err := s.db.Locations(c.Request.Context(), actor(c), store.LocationFilter{Page: store.Page{Limit: 2000}})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, loc := range locs {
		names[loc.ID] = loc.Name
	}
	svc := s.surveyService()
	invs := map[string]string{}
	out := make([]answerRow, len(rows))
	for i, r := range rows {
		out[i] = answerRow{ResponseRow: r}
		if r.InvitationID != "" {
			out[i].Link = svc.Link(r.InvitationID)
			invs[r.OrganisationID] = r.InvitationID
		}
		if a := r.Response; a != nil {
			out[i].Interest = translate(l, "survey."+a.Interested)
			out[i].Quarter = quarterWords(l, a.StartQuarter)
			var ls []string
			for _, id := range a.LocationIDs {
				if n := names[id]; n != "" {
					ls = append(ls, n)
				}
			}
			out[i].Locations = messages.List(l, ls)
			out[i].Answered = a.AnsweredAt
		}
	}
	return out, nil
}

// surveyResend is POST /surveys/{id}/resend: the invitation of one
// organisation again, now.
func (s *Server) surveyResend(c *gin.Context) {
	a := actor(c)
	if !a.IsAdmin() {
		s.fail(c, store.Errorf(store.EForbidden, "the results are for administrators"))
		return
	}
	_, err := s.surveyService().Resend(c.Request.Context(), c.Param("id"), postValues(c).Get("organisation_id"), civil.Today(s.now()))
	if err != nil {
		if store.ErrorCode(err) == store.EConflict || store.ErrorCode(err) == store.EInvalid {
			done(c, "/surveys/"+url.PathEscape(c.Param("id")), "survey_not_resent")
			return
		}
		s.fail(c, err)
		return
	}
	done(c, "/surveys/"+url.PathEscape(c.Param("id")), "survey_resent")
}

// surveyDownload is /surveys/{id}/results.csv and .xlsx.
func (s *Server) surveyDownload(c *gin.Context) {
	a := actor(c)
	if !a.IsAdmin() {
		s.fail(c, store.Errorf(store.EForbidden, "the results are for administrators"))
		return
	}
	rows, err := s.db.Responses(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	answers, err := s.surveyAnswers(c, rows)
	if err != nil {
		s.fail(c, err)
		return
	}
	sh := responseSheet(lang(c), rows)
	sh.cols = append(sh.cols, "locations", "start_quarter_name")
	for i := range sh.rows {
		sh.rows[i] = append(sh.rows[i], answers[i].Locations, answers[i].Quarter)
	}
	if strings.HasSuffix(c.Request.URL.Path, ".xlsx") {
		writeXLSX(c, sh)
		return
	}
	writeCSV(c, sh)
}
