package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// hardWorld is an organisation with a location and one baby, and its coordinator.
type hardWorld struct {
	org, loc, baby, coord string
}

func newHardWorld(t *testing.T, e *env) hardWorld {
	t.Helper()
	w := hardWorld{}
	w.org = e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Hollands Midden"})
	w.loc = e.create("/api/v1/locations", e.admin, map[string]any{"organisation_id": w.org, "kind": "azc", "name": "azc Katwijk"})
	w.baby = e.create("/api/v1/babies", e.admin, map[string]any{"ref": "KW-1", "birth_date": "2026-12-01", "location_id": w.loc})
	w.coord, _ = storetest.MustCreateToken(t, e.db, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org})
	return w
}

// auditRows counts the audit rows of an action and outcome, for one record or any.
func auditRows(t *testing.T, db *store.DB, action, outcome, record string) int {
	t.Helper()
	rows, _, err := db.AuditLog(context.Background(), store.System, store.AuditFilter{Action: action, RecordID: record, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Outcome == outcome {
			n++
		}
	}
	return n
}

// Class 6: a NUL byte or invalid UTF-8 in a path, a query or a body is a
// 400 naming where, never a 500 (PostgreSQL refuses them), and on the routes
// of baby records the refusal is audited. An empty date is "is required".
func TestOddBytesAndEmptyDatesAre400(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newHardWorld(t, e)
		fac := e.create("/api/v1/facilitators", e.admin, map[string]any{"organisation_id": w.org, "display_name": "Ilse", "role": "nurse"})
		cases := []struct {
			method, path string
			body         any
			field        string
			audit        string // the audit action of a baby route, or ""
		}{
			{"GET", "/api/v1/babies/%00", nil, "path", store.ActionRead},
			{"GET", "/api/v1/babies/%ff%fe", nil, "path", store.ActionRead},
			{"GET", "/api/v1/babies?ref=%00", nil, "ref", store.ActionSearch},
			{"GET", "/api/v1/babies?location_id=%C3%28", nil, "location_id", store.ActionList},
			{"POST", "/api/v1/babies", `{"ref":"KW-2","birth_date":"2026-12-01","location_id":"` + w.loc + `","language":"a\u0000r"}`, "body", store.ActionCreate},
			{"PATCH", "/api/v1/babies/" + w.baby, `{"ref":"KW\u00001"}`, "body", store.ActionUpdate},
			{"POST", "/api/v1/locations", `{"organisation_id":"` + w.org + `","kind":"azc","name":"azc Leiden","municipality":"Lei\u0000den"}`, "body", ""},
			{"GET", "/api/v1/sessions?status=%00", nil, "status", ""},
			{"POST", "/api/v1/facilitators/" + fac + "/absences", map[string]string{"from": "", "to": ""}, "from", ""},
			{"POST", "/api/v1/babies/" + w.baby + "/moves", map[string]string{"to_location_id": w.loc, "date": ""}, "date", store.ActionMove},
			{"POST", "/api/v1/surveys", map[string]string{"title": "Peiling", "opens_on": "", "deadline": ""}, "opens_on", ""},
		}
		for _, c := range cases {
			before := 0
			if c.audit != "" {
				before = auditRows(t, db, c.audit, store.OutcomeRejected, "")
			}
			problem(t, e.do(c.method, c.path, e.admin, c.body), 400, c.field)
			if c.audit != "" && auditRows(t, db, c.audit, store.OutcomeRejected, "") != before+1 {
				t.Errorf("%s %s: the refusal is not audited", c.method, c.path)
			}
		}
		// A CSV with a NUL byte names the row and the column.
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/babies/import", strings.NewReader("ref,birth_date,location,language\nKW-\x003,2026-12-01,"+w.loc+",ar\n"))
		req.Header.Set("Authorization", "Bearer "+e.admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Fatalf("a CSV with a NUL byte: %d", res.StatusCode)
		}
		if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
			t.Fatalf("odd bytes caused an error:\n%s", e.logs.String())
		}
	})
}

// Class 8: refusals before the store on baby routes are audited with the
// person who made them; a replayed answer about a baby is audited as a read;
// a late-pregnancy exception is logged as given, its text kept with the move.
func TestRefusalsBeforeTheStoreAndReplaysAreAudited(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newHardWorld(t, e)
		for _, c := range []struct {
			method, path, body, action, record string
		}{
			{"POST", "/api/v1/babies", `{"ref": "KW-2",`, store.ActionCreate, ""},
			{"POST", "/api/v1/babies", `{"ref":"KW-2","name":"Jan"}`, store.ActionCreate, ""},
			{"PATCH", "/api/v1/babies/" + w.baby, `{"birth_date":"1-12-2026"}`, store.ActionUpdate, w.baby},
			{"GET", "/api/v1/babies?limit=0", "", store.ActionList, ""},
			{"GET", "/api/v1/babies?status=dead", "", store.ActionList, ""},
		} {
			before := auditRows(t, db, c.action, store.OutcomeRejected, c.record)
			var body any
			if c.body != "" {
				body = c.body
			}
			if a := e.do(c.method, c.path, w.coord, body); a.status != 400 {
				t.Fatalf("%s %s: %d", c.method, c.path, a.status)
			}
			if auditRows(t, db, c.action, store.OutcomeRejected, c.record) != before+1 {
				t.Fatalf("%s %s %s: the refusal is not audited", c.method, c.path, c.body)
			}
		}
		rows, _, _ := db.AuditLog(context.Background(), store.System, store.AuditFilter{Action: store.ActionUpdate, RecordID: w.baby, Limit: 5})
		if len(rows) == 0 || rows[0].Role != store.RoleCoordinator || rows[0].OrganisationID != w.org || rows[0].Detail != "invalid" {
			t.Fatalf("the refusal's row: %+v", rows)
		}
		// A replayed create is a read of the baby it created.
		post := func() answer {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/babies", strings.NewReader(`{"ref":"KW-9","birth_date":"2026-12-01","location_id":"`+w.loc+`"}`))
			req.Header.Set("Authorization", "Bearer "+w.coord)
			req.Header.Set("Idempotency-Key", "replay-1")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			return answer{status: res.StatusCode, header: res.Header}
		}
		post()
		babies, _, _ := db.Babies(context.Background(), store.System, store.BabyFilter{Ref: "KW-9"})
		reads := auditRows(t, db, store.ActionRead, store.OutcomeSuccess, babies[0].ID)
		if a := post(); a.header.Get("Idempotent-Replay") != "true" || auditRows(t, db, store.ActionRead, store.OutcomeSuccess, babies[0].ID) != reads+1 {
			t.Fatalf("a replay of the baby's answer is not audited as a read (%v)", a.header)
		}
	})
}

// Class 9: a login link used from another site (login CSRF) is refused and
// stays usable; the calendar-link renewal of the nurse page renews only a
// nurse's own feed.
func TestLoginFromAnotherSiteAndRenewalOfOthersFeeds(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Zeeland")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		code, _ := db.CreateLoginCode(ctx, coord.TokenID)
		for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
			req, _ := http.NewRequest("POST", e.srv.URL+"/login/"+code, nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden || res.Header.Get("Set-Cookie") != "" {
				t.Fatalf("a login from another site (%v): %d %q", h, res.StatusCode, res.Header.Get("Set-Cookie"))
			}
		}
		if !db.LoginCodeUsable(ctx, code) {
			t.Fatal("a refused cross-site login used up the link")
		}
		// A coordinator's session cannot renew the organisation's feed from the nurse page.
		r := calendarsRenderer()
		feed, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, org.ID, r.Render)
		if err != nil {
			t.Fatal(err)
		}
		client, csrf := pageSession(t, e, code)
		res, err := client.PostForm(e.srv.URL+"/me/calendar/rotate", url.Values{"csrf_token": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		after, _ := db.FeedForServing(ctx, feed.ID)
		if res.StatusCode != http.StatusForbidden || after.Version != feed.Version {
			t.Fatalf("a coordinator renewed a feed from the nurse page: %d, version %d -> %d", res.StatusCode, feed.Version, after.Version)
		}
	})
}

// pageSession logs in with a login code and returns the client with its
// session cookie and the session's CSRF token.
func pageSession(t *testing.T, e *env, code string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.PostForm(e.srv.URL+"/login/"+code, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token after login: %d %s", res.StatusCode, body)
	}
	return client, string(m[1])
}

func calendarsRenderer() calendars.Renderer { return calendars.Renderer{Host: "coplan.test"} }
