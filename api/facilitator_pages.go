package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The coordinator's facilitator pages: add, edit and deactivate the people
// who run the groups, with their CO training, languages by name, weekly
// hours, absences and weekly maximum.

// facilitatorWeekdays are the days a form asks hours for: Monday to Saturday.
var facilitatorWeekdays = []int{1, 2, 3, 4, 5, 6}

// facilitatorValues is a facilitator as the form shows it.
func facilitatorValues(l string, f *store.Facilitator) url.Values {
	v := url.Values{"display_name": {f.DisplayName}, "email": {f.Email}, "role": {string(f.Role)},
		"max_sessions_per_week": {strconv.Itoa(f.MaxSessionsPerWeek)}}
	if f.COTrained {
		v.Set("co_trained", "1")
	}
	var names []string
	for _, code := range f.Languages {
		names = append(names, messages.LanguageName(l, code))
	}
	v.Set("languages", strings.Join(names, ", "))
	weeklyValues(v, f.Availability) // one interval a day on the form; more come from the API
	var lines []string
	for _, r := range f.Absences {
		lines = append(lines, r.From.Dutch()+" - "+r.To.Dutch())
	}
	v.Set("absences", strings.Join(lines, "\n"))
	return v
}

// facilitatorFromForm reads the form into a change; every field that cannot
// be read is named, all at once.
func facilitatorFromForm(v url.Values) (func(*store.Facilitator), error) {
	var f store.Fields
	var langs []string
	for _, name := range strings.Split(v.Get("languages"), ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		code, ok := messages.LanguageCode(name)
		if !ok {
			f.AddArgs("languages", "language_name", map[string]any{"Name": name}, "%q is not a language coplan knows", name)
			continue
		}
		langs = append(langs, code)
	}
	avail := weeklyFromForm(&f, v, facilitatorWeekdays)
	var absences []civil.Range
	for _, line := range strings.Split(v.Get("absences"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		a, b, _ := strings.Cut(strings.ReplaceAll(line, "–", "-"), " - ")
		from, err := civil.ParseDutch(strings.TrimSpace(a))
		to := from
		if err == nil && strings.TrimSpace(b) != "" {
			to, err = civil.ParseDutch(strings.TrimSpace(b))
		}
		if err != nil || to < from {
			f.AddArgs("absences", "absence_line", map[string]any{"Line": line}, "%q is not a period such as 01-03-2027 - 14-03-2027", line)
			continue
		}
		absences = append(absences, civil.Range{From: from, To: to})
	}
	maxWeek, err := strconv.Atoi(strings.TrimSpace(v.Get("max_sessions_per_week")))
	if err != nil {
		f.Add("max_sessions_per_week", "integer", "is not a whole number")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(fc *store.Facilitator) {
		fc.DisplayName = strings.TrimSpace(v.Get("display_name"))
		fc.Email = strings.TrimSpace(v.Get("email"))
		fc.Role = store.FacilitatorRole(v.Get("role"))
		fc.COTrained = v.Get("co_trained") == "1"
		fc.Languages, fc.Availability, fc.Absences, fc.MaxSessionsPerWeek = langs, avail, absences, maxWeek
	}, nil
}

// facilitatorForm shows the add or edit form.
func (s *Server) facilitatorForm(c *gin.Context, status int, f *store.Facilitator, form *pageForm) {
	l := lang(c)
	days := dayChoices(l)
	roles := []choice{{string(store.RoleNurseFacilitator), translate(l, "facrole.nurse")}, {string(store.RoleDoctor), translate(l, "facrole.doctor")},
		{string(store.RoleAssistant), translate(l, "facrole.assistant")}}
	title := "facilitators.new"
	if f != nil {
		title = "facilitators.edit"
	}
	s.render(c, status, "facilitator", title, gin.H{"Facilitator": f, "Form": form, "Days": days, "Roles": roles, "Title": translate(l, title)})
}

func (s *Server) facilitatorNewPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.facilitatorForm(c, http.StatusOK, nil, &pageForm{Values: url.Values{"role": {string(store.RoleNurseFacilitator)}, "max_sessions_per_week": {"4"},
		"languages": {messages.LanguageName(lang(c), "nl")}}})
}

func (s *Server) facilitatorCreate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	v := postValues(c)
	change, err := facilitatorFromForm(v)
	if err == nil {
		a := actor(c)
		fc := store.Facilitator{OrganisationID: a.OrganisationID}
		if a.IsAdmin() {
			fc.OrganisationID = v.Get("organisation_id")
		}
		change(&fc)
		err = s.db.CreateFacilitator(c.Request.Context(), a, &fc)
	}
	if err != nil {
		s.facilitatorRefused(c, nil, v, err)
		return
	}
	done(c, "/facilitators", "facilitator_saved")
}

func (s *Server) facilitatorEditPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	f, err := s.db.Facilitator(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.facilitatorForm(c, http.StatusOK, f, &pageForm{Values: facilitatorValues(lang(c), f)})
}

func (s *Server) facilitatorUpdate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	f, err := s.db.Facilitator(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := postValues(c)
	change, err := facilitatorFromForm(v)
	if err == nil {
		_, err = s.db.UpdateFacilitator(ctx, a, f.ID, change)
	}
	if err != nil {
		s.facilitatorRefused(c, f, v, err)
		return
	}
	done(c, "/facilitators", "facilitator_saved")
}

// facilitatorRefused shows the form again with each field's problem.
func (s *Server) facilitatorRefused(c *gin.Context, f *store.Facilitator, v url.Values, err error) {
	form, ok := s.refusedForm(c, err, v, nil, s.names(c, nil))
	if !ok {
		s.fail(c, err)
		return
	}
	s.facilitatorForm(c, http.StatusUnprocessableEntity, f, form)
}

// facilitatorRemove deactivates a facilitator. Sessions ahead that still
// need the person are named first, with the offer to re-plan them
// (replan=1), which the second press sends.
func (s *Server) facilitatorRemove(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	f, err := s.db.Facilitator(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	replan := postValues(c).Get("replan") == "1"
	r, err := s.uc.RemoveFacilitator(ctx, a, f.ID, replan)
	var e *store.Error
	if err != nil && asConflict(err, &e) && len(e.Affected) > 0 {
		s.render(c, http.StatusConflict, "facilitator_remove", "facilitators.remove", gin.H{"Facilitator": f,
			"Affected": sessionRows(lang(c), s.names(c, nil), e.Affected)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if r != nil && len(r.Affected) > 0 {
		n := s.names(c, nil)
		s.render(c, http.StatusOK, "facilitator_remove", "facilitators.remove", gin.H{"Facilitator": f, "Done": true,
			"Moved": sessionRows(lang(c), n, r.Moved), "Unplanned": sessionRows(lang(c), n, r.Unplanned)})
		return
	}
	done(c, "/facilitators", "facilitator_removed")
}
