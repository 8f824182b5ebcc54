package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/survey"
	"github.com/gin-gonic/gin"
)

// The answer page of the interest survey: no account, the link is the key.
// POSTs carry a CSRF token that must match a cookie set with the form
// (double submit), since there is no session to derive one from.

const surveyCSRFCookie = "coplan_survey_csrf"

type surveyForm struct {
	View     *store.InvitationView
	Token    string
	CSRF     string
	Answer   store.SurveyResponse
	Errors   map[string]string
	ReadOnly bool
	Saved    bool
	Quarters []string
	Deadline string
}

// invitation resolves a token to its invitation, or answers a plain 404.
func (s *Server) invitation(c *gin.Context) (*store.InvitationView, string, bool) {
	token := c.Param("token")
	c.Header("Referrer-Policy", "no-referrer")
	id, ok := survey.InvitationOf(s.secret, token)
	if !ok {
		s.errorPage(c, http.StatusNotFound, "")
		return nil, "", false
	}
	v, err := s.db.InvitationByID(c.Request.Context(), id)
	if err != nil || civil.Today(s.now()) > v.Survey.Deadline.AddDays(survey.LinkValidDays) {
		s.errorPage(c, http.StatusNotFound, "")
		return nil, "", false
	}
	return v, token, true
}

func (s *Server) surveyPage(c *gin.Context) {
	v, token, ok := s.invitation(c)
	if !ok {
		return
	}
	form := s.newSurveyForm(c, v, token)
	if v.Response != nil {
		form.Answer = *v.Response
	}
	form.Saved = c.Query("saved") == "1"
	s.render(c, http.StatusOK, "survey", "survey.title", form)
}

func (s *Server) newSurveyForm(c *gin.Context, v *store.InvitationView, token string) *surveyForm {
	csrf, err := c.Cookie(surveyCSRFCookie)
	if err != nil || len(csrf) < 20 {
		var b [24]byte
		_, _ = rand.Read(b[:])
		csrf = base64.RawURLEncoding.EncodeToString(b[:])
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: surveyCSRFCookie, Value: csrf, Path: "/survey/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteStrictMode})
	today := civil.Today(s.now())
	f := &surveyForm{View: v, Token: token, CSRF: csrf, Errors: map[string]string{}, ReadOnly: today > v.Survey.Deadline,
		Deadline: survey.DutchDate(v.Survey.Deadline)}
	y, m, _ := today.Parts()
	q := (int(m)-1)/3 + 1
	for i := 0; i < 8; i++ {
		f.Quarters = append(f.Quarters, fmt.Sprintf("%d-Q%d", y, q))
		if q++; q > 4 {
			q, y = 1, y+1
		}
	}
	return f
}

func (s *Server) surveySubmit(c *gin.Context) {
	v, token, ok := s.invitation(c)
	if !ok {
		return
	}
	cookie, err := c.Cookie(surveyCSRFCookie)
	if err != nil || cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(c.PostForm("csrf_token"))) != 1 {
		s.errorPage(c, http.StatusForbidden, "")
		return
	}
	form := s.newSurveyForm(c, v, token)
	atoi := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(name)))
		if err != nil && c.PostForm(name) != "" {
			form.Errors[name] = translate(lang(c), "survey.err.number")
			return -1
		}
		return n
	}
	form.Answer = store.SurveyResponse{
		Interested:          c.PostForm("interested"),
		LocationIDs:         c.PostFormArray("location_ids"),
		StartQuarter:        c.PostForm("start_quarter"),
		TrainedFacilitators: atoi("trained_facilitators"),
		ToTrain:             atoi("to_train"),
		ContactName:         strings.TrimSpace(c.PostForm("contact_name")),
		ContactEmail:        strings.TrimSpace(c.PostForm("contact_email")),
		Remarks:             c.PostForm("remarks"),
	}
	if len(form.Errors) == 0 {
		err := s.db.SaveResponse(c.Request.Context(), v.Survey.ID, v.Organisation.ID, &form.Answer)
		if err == nil {
			target := "/survey/" + token + "?saved=1"
			if lang(c) == "en" {
				target += "&lang=en"
			}
			c.Redirect(http.StatusSeeOther, target)
			return
		}
		var e *store.Error
		if !errors.As(err, &e) {
			s.fail(c, err)
			return
		}
		for _, fe := range e.Fields {
			name, _, _ := strings.Cut(fe.Field, "[")
			form.Errors[name] = translate(lang(c), "survey.err."+name)
		}
		if len(e.Fields) == 0 {
			form.Errors["form"] = e.Message
		}
	}
	s.render(c, http.StatusUnprocessableEntity, "survey", "survey.title", form)
}

// surveyResults shows an admin the response rate and every organisation's answer.
func (s *Server) surveyResults(c *gin.Context) {
	a := actor(c)
	if !a.IsAdmin() {
		s.fail(c, store.Errorf(store.EForbidden, "the results are for administrators"))
		return
	}
	sv, err := s.db.Survey(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, err := s.db.Responses(c.Request.Context(), a, sv.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	answered := 0
	for _, r := range rows {
		if r.Response != nil {
			answered++
		}
	}
	rate := 0
	if len(rows) > 0 {
		rate = answered * 100 / len(rows)
	}
	answers, err := s.surveyAnswers(c, rows)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "results", "results.title", gin.H{"Survey": sv, "Rows": answers, "Answered": answered, "Invited": len(rows), "Rate": rate,
		"Deadline": survey.DutchDate(sv.Deadline), "Open": civil.Today(s.now()) <= sv.Deadline})
}
