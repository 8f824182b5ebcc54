package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// auditRow is one line of the access log in words: who by name, what, which
// baby by ref.
type auditRow struct {
	At                                   time.Time
	Who, Role, Action, Entity, Record    string
	Outcome, Client, Credential, Comment string
}

// auditActions are the actions the review can filter on.
var auditActions = []string{store.ActionRead, store.ActionList, store.ActionSearch, store.ActionCreate, store.ActionUpdate,
	store.ActionDelete, store.ActionExport, store.ActionMove, store.ActionPlan, store.ActionSignIn, store.ActionSignOut,
	store.ActionDisable, store.ActionEnable, store.ActionRevoke}

const auditPageSize = 100

// auditPage is /audit: the access log with filters (period, user, action,
// baby ref), page by page, and its export, for the periodic log review NEN
// 7513 asks for.
func (s *Server) auditPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	f, form, err := s.auditQuery(c)
	users, uerr := s.db.Users(ctx, a, store.UserFilter{})
	if uerr != nil {
		s.fail(c, uerr)
		return
	}
	data := gin.H{"Form": form, "Users": userChoices(users), "Actions": actionChoices(l)}
	if err != nil {
		if pf, ok := s.refusedForm(c, err, form.Values, nil, s.names(c, nil)); ok {
			data["Form"] = pf
			s.render(c, http.StatusBadRequest, "audit", "audit.title", data)
			return
		}
		s.fail(c, err)
		return
	}
	page, _ := strconv.Atoi(c.Query("page"))
	page = max(page, 1)
	f.Limit, f.Offset = auditPageSize, (page-1)*auditPageSize
	rows, total, err := s.db.AuditLog(ctx, a, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	lines, err := s.auditLines(c, rows)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := form.Values
	pageLink := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return withLang(c, "/audit?"+v.Encode())
	}
	pages := max(1, int((total+auditPageSize-1)/auditPageSize))
	data["Rows"], data["Total"], data["Page"], data["Pages"] = lines, int(total), page, pages
	if page > 1 {
		data["Prev"] = pageLink(page - 1)
	}
	if page < pages {
		data["Next"] = pageLink(page + 1)
	}
	data["Export"] = q.Encode()
	s.render(c, http.StatusOK, "audit", "audit.title", data)
}

// auditQuery reads the review's filters; a bad date is a field problem.
func (s *Server) auditQuery(c *gin.Context) (store.AuditFilter, *pageForm, error) {
	v := url.Values{}
	for _, k := range []string{"from", "to", "user", "action", "ref"} {
		if x := strings.TrimSpace(c.Query(k)); x != "" {
			v.Set(k, x)
		}
	}
	form := &pageForm{Values: v}
	f, err := auditFilter(func(k string) string {
		if k == "user_id" {
			k = "user"
		}
		return v.Get(k)
	})
	if err != nil {
		return f, form, err
	}
	if ref := v.Get("ref"); ref != "" {
		ids, err := s.db.BabyIDsByRef(c.Request.Context(), actor(c), ref)
		if err != nil {
			return f, form, err
		}
		f.RecordIDs = ids
		if f.RecordIDs == nil {
			f.RecordIDs = []string{}
		}
	}
	return f, form, nil
}

// auditLines puts rows into words.
func (s *Server) auditLines(c *gin.Context, rows []store.AuditEntry) ([]auditRow, error) {
	l := lang(c)
	refs, err := s.db.AuditRefs(c.Request.Context(), actor(c), rows)
	if err != nil {
		return nil, err
	}
	var userIDs []string
	for _, r := range rows {
		if r.Entity == "user" && r.RecordID != "" {
			userIDs = append(userIDs, r.RecordID)
		}
	}
	people, err := s.db.UserNames(c.Request.Context(), userIDs)
	if err != nil {
		return nil, err
	}
	out := make([]auditRow, len(rows))
	for i, r := range rows {
		who := r.UserName
		if who == "" {
			who = translate(l, "audit.noperson")
		}
		record := ""
		switch {
		case r.Entity == "baby" && r.RecordID != "":
			record = refs[r.RecordID]
			if record == "" {
				record = translate(l, "audit.gone")
			}
		case r.Entity == "user":
			record = people[r.RecordID]
		}
		credential := translate(l, "audit.via.token")
		if strings.HasPrefix(r.TokenID, "web_") {
			credential = translate(l, "audit.via.session")
		} else if r.TokenID == "system" || strings.HasPrefix(r.TokenID, "cli:") {
			credential = translate(l, "audit.via.system")
		}
		out[i] = auditRow{At: r.At, Who: who, Role: translate(l, "role."+string(r.Role)), Action: auditWord(l, "audit.action.", r.Action),
			Entity: auditWord(l, "audit.entity.", r.Entity), Record: record, Outcome: auditWord(l, "audit.outcome.", r.Outcome),
			Client: r.Client, Credential: credential}
	}
	return out, nil
}

// auditWord is a code of the log in words, or the code when the catalogue
// has no word for it.
func auditWord(l, prefix, code string) string {
	if code == "" {
		return ""
	}
	if w := translate(l, prefix+code); w != prefix+code {
		return w
	}
	return code
}

func userChoices(users []store.User) []choice {
	out := make([]choice, len(users))
	for i, u := range users {
		out[i] = choice{u.ID, u.Name}
	}
	return out
}

func actionChoices(l string) []choice {
	out := make([]choice, len(auditActions))
	for i, a := range auditActions {
		out[i] = choice{a, translate(l, "audit.action."+a)}
	}
	return out
}

// auditExport is /audit.csv and /audit.xlsx: the filtered period, every
// row, itself logged with the period and the row count.
func (s *Server) auditExport(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	f, form, err := s.auditQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.Limit = store.MaxAuditExport
	rows, _, err := s.db.AuditLog(ctx, a, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	lines, err := s.auditLines(c, rows)
	if err != nil {
		s.fail(c, err)
		return
	}
	period := form.Value("from") + ".." + form.Value("to")
	if err := s.db.AuditExported(ctx, a, len(rows), period); err != nil {
		s.fail(c, err)
		return
	}
	sh := &sheet{name: "audit", cols: []string{"at", "user_id", "user", "role", "action", "action_name", "entity", "ref", "outcome", "client", "credential"}}
	for i, r := range lines {
		sh.add(rows[i].At.In(civil.Amsterdam), rows[i].UserID, r.Who, string(rows[i].Role), rows[i].Action, r.Action, rows[i].Entity, r.Record,
			rows[i].Outcome, r.Client, rows[i].TokenID)
	}
	if strings.HasSuffix(c.Request.URL.Path, ".xlsx") {
		writeXLSX(c, sh)
		return
	}
	writeCSV(c, sh)
}
