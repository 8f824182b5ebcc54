package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// reportRow is a report line in words.
type reportRow struct {
	coordination.ReportLine
	Name string
}

// reportQuery reads the period (default: the last twelve months up to
// today) and, for an admin, the organisation.
func (s *Server) reportQuery(c *gin.Context) (string, civil.Date, civil.Date, *pageForm, error) {
	today := civil.Today(s.now())
	v := url.Values{"from": {today.AddMonths(-12).AddDays(1).Dutch()}, "to": {today.Dutch()}}
	for _, k := range []string{"from", "to", "organisation_id"} {
		if x := strings.TrimSpace(c.Query(k)); x != "" {
			v.Set(k, x)
		}
	}
	var f store.Fields
	day := func(k string) civil.Date {
		d, err := civil.ParseDutch(v.Get(k))
		if err != nil {
			f.Add(k, "date", "%s", err.Error())
		}
		return d
	}
	from, to := day("from"), day("to")
	if err := f.Err(); err == nil && to < from {
		f.Add("to", "after_from", "is before from")
	}
	return v.Get("organisation_id"), from, to, &pageForm{Values: v}, f.Err()
}

func (s *Server) reportNames(c *gin.Context, r *coordination.Report) []reportRow {
	l, n := lang(c), s.names(c, nil)
	orgs := map[string]string{}
	if list, _, err := s.db.Organisations(c.Request.Context(), actor(c), store.Page{Limit: 500}); err == nil {
		for _, o := range list {
			orgs[o.ID] = o.Name
		}
	}
	out := make([]reportRow, len(r.Lines))
	for i, line := range r.Lines {
		name := line.Key
		switch line.Kind {
		case "organisation":
			name = orgs[line.Key]
		case "location":
			name = n.Location(line.Key)
		case "group":
			name = n.Group(line.Key)
		case "language":
			name = messages.LanguageName(l, line.Key)
		}
		out[i] = reportRow{ReportLine: line, Name: name}
	}
	return out
}

// reportPage is /reports: what CO did in a period, by organisation,
// location, group and language, and the groups by status. Counts only.
func (s *Server) reportPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	org, from, to, form, err := s.reportQuery(c)
	data := gin.H{"Form": form, "Admin": a.IsAdmin(), "Export": form.Values.Encode()}
	if a.IsAdmin() {
		orgs, _, oerr := s.db.Organisations(ctx, a, store.Page{Limit: 500})
		if oerr != nil {
			s.fail(c, oerr)
			return
		}
		var choices []choice
		for _, o := range orgs {
			choices = append(choices, choice{o.ID, o.Name})
		}
		data["Organisations"] = choices
	}
	if err != nil {
		pf, ok := s.refusedForm(c, err, form.Values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		data["Form"] = pf
		s.render(c, http.StatusBadRequest, "report", "report.title", data)
		return
	}
	r, err := s.uc.BuildReport(ctx, a, org, from, to)
	if err == nil {
		err = s.db.AuditReport(ctx, a, store.ActionRead, "report "+from.String()+".."+to.String()+", "+itoa(len(r.Lines))+" rows")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := s.reportNames(c, r)
	byKind := map[string][]reportRow{}
	for _, row := range rows {
		byKind[row.Kind] = append(byKind[row.Kind], row)
	}
	data["Kinds"] = []string{"organisation", "location", "group", "language"}
	data["ByKind"], data["GroupStatus"] = byKind, r.Groups
	data["Statuses"] = []string{coordination.GroupForming, coordination.GroupRunning, coordination.GroupCompleted, coordination.GroupDissolved}
	s.render(c, http.StatusOK, "report", "report.title", data)
}

// reportExport is /reports.csv: the same lines as a sheet.
func (s *Server) reportExport(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	org, from, to, _, err := s.reportQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.uc.BuildReport(ctx, a, org, from, to)
	if err == nil {
		err = s.db.AuditReport(ctx, a, store.ActionExport, "report "+from.String()+".."+to.String()+", "+itoa(len(r.Lines))+" rows")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	sh := &sheet{name: "report", cols: []string{"kind", "kind_name", "id", "name", "families_started", "sessions_held", "present", "recorded",
		"attendance_rate", "left_after_first", "completed_5"}}
	for _, row := range s.reportNames(c, r) {
		sh.add(row.Kind, translate(l, "report.kind."+row.Kind), row.Key, row.Name, row.Started, row.Held, row.Present, row.Recorded,
			row.Rate, row.LeftAfterFirst, row.Completed5)
	}
	writeCSV(c, sh)
}
