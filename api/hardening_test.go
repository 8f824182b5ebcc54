package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

// Class 3: every change is checked, whatever else it carries. A PATCH that
// cancels a session may not put another organisation's nurse and room on it
// (which would reach that nurse's calendar and mailbox); reinstating a
// cancelled session is checked in its slot; a catchment names the
// organisation's own locations only.
func TestEveryChangeIsCheckedWhateverElseItCarries(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newRuleWorld(t, db)
		ctx := context.Background()
		other := storetest.MustCreateOrganisation(t, db, "GGD Anders")
		otherLoc := storetest.MustCreateLocation(t, db, other.ID, "azc Anders")
		otherRoom := &store.Room{Name: "Andere zaal", Capacity: 30}
		if err := db.CreateRoom(ctx, store.System, otherLoc.ID, otherRoom); err != nil {
			t.Fatal(err)
		}
		otherNurse := &store.Facilitator{OrganisationID: other.ID, DisplayName: "Olga", Email: "olga@anders.example", Role: store.RoleNurseFacilitator,
			COTrained: true, MaxSessionsPerWeek: 5}
		if err := db.CreateFacilitator(ctx, store.System, otherNurse); err != nil {
			t.Fatal(err)
		}
		a1 := w.session(t, 0, 1)
		for _, body := range []map[string]any{
			{"status": "cancelled", "facilitator_ids": []string{a1.FacilitatorIDs[0], otherNurse.ID}},
			{"status": "cancelled", "room_id": otherRoom.ID},
			{"status": "cancelled", "room_id": "room_nowhere"},
		} {
			a := e.do("PATCH", "/api/v1/sessions/"+a1.ID, w.coord, body)
			if a.status != 422 {
				t.Fatalf("%v: %d %s; want 422", body, a.status, a.body)
			}
		}
		if s, _ := db.Session(ctx, store.System, a1.ID); s.Status != store.SessionPublished || s.SecondFacilitatorID == otherNurse.ID || s.RoomID != a1.RoomID {
			t.Fatalf("a refused change was stored: %+v", s)
		}
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: otherNurse.ID})
		if mine := e.do("GET", "/api/v1/sessions", nurse, nil).json(t); mine["total"].(float64) != 0 {
			t.Fatalf("another organisation's session reached its nurse: %v", mine)
		}
		if m, _ := db.MailsByKeyPrefix(ctx, "session:"+a1.ID); len(m) != 0 {
			for _, mail := range m {
				if mail.ToAddress == otherNurse.Email {
					t.Fatal("another organisation's nurse was mailed")
				}
			}
		}
		// Cancel a1; put b1 in its slot; reinstating a1 is now a double booking.
		b1 := w.session(t, 1, 1)
		if a := e.do("PATCH", "/api/v1/sessions/"+a1.ID, w.coord, map[string]any{"status": "cancelled"}); a.status != 200 {
			t.Fatalf("cancel: %d %s", a.status, a.body)
		}
		if a := e.do("PATCH", "/api/v1/sessions/"+b1.ID, w.coord, map[string]any{"start": a1.StartsAt.Format("2006-01-02T15:04:05Z07:00"),
			"room_id": a1.RoomID, "facilitator_ids": w.nurseLed(t, w.freeAt(a1.StartsAt, a1.EndsAt))}); a.status != 200 {
			t.Fatalf("move into the freed slot: %d %s", a.status, a.body)
		}
		problem(t, e.do("PATCH", "/api/v1/sessions/"+a1.ID, w.coord, map[string]any{"status": "published"}), 409, "room_id")
		// A catchment of another organisation's location.
		locs, _, _ := db.Locations(ctx, store.System, store.LocationFilter{OrganisationID: a1.OrganisationID})
		problem(t, e.do("PATCH", "/api/v1/locations/"+locs[0].ID, e.admin, map[string]any{"catchment": []string{otherLoc.ID}}), 400, "catchment[0]")
	})
}

// Class 4: no dangling references. A facilitator, room or location that
// sessions ahead, or another location's catchment, still use is not deleted
// (409 naming them) unless the caller asks to re-plan; a deleted or moved
// facilitator's token follows the record.
func TestNoDanglingReferences(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newRuleWorld(t, db)
		ctx := context.Background()
		a1 := w.session(t, 0, 1)
		fac, room := a1.FacilitatorIDs[1], a1.RoomID
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: fac})
		problem(t, e.do("DELETE", "/api/v1/facilitators/"+fac, w.coord, nil), 409, "id")
		problem(t, e.do("DELETE", "/api/v1/locations/"+a1.LocationID+"/rooms/"+room, w.coord, nil), 409, "id")
		problem(t, e.do("DELETE", "/api/v1/locations/"+a1.LocationID, w.coord, nil), 409, "")
		if a := e.do("GET", "/api/v1/facilitators/"+fac, w.coord, nil); a.status != 200 {
			t.Fatalf("a refused deletion deleted: %d", a.status)
		}
		// With a re-plan the sessions move; the records go; the organisation still plans and publishes.
		if a := e.do("DELETE", "/api/v1/facilitators/"+fac+"?replan=true", w.coord, nil); a.status != 200 || !strings.Contains(string(a.body), "moved_sessions") {
			t.Fatalf("delete with re-plan: %d %s\n%s", a.status, a.body, e.logs.String())
		}
		if a := e.do("DELETE", "/api/v1/locations/"+a1.LocationID+"/rooms/"+room+"?replan=true", w.coord, nil); a.status != 200 {
			t.Fatalf("delete a room with re-plan: %d %s", a.status, a.body)
		}
		problem(t, e.do("GET", "/api/v1/facilitators/"+fac, w.coord, nil), 404, "")
		ahead, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{From: clock(), Page: store.Page{Limit: 500}})
		for _, s := range ahead {
			if s.Status != store.SessionCancelled && (slices.Contains(s.FacilitatorIDs, fac) || s.RoomID == room) {
				t.Fatalf("a session ahead still names the deleted: %+v", s)
			}
		}
		if a := e.do("POST", "/api/v1/plan", w.coord, map[string]any{"publish": true}); a.status != 200 {
			t.Fatalf("plan after the deletions: %d %s", a.status, a.body)
		}
		// The deleted facilitator's token grants nothing any more.
		time.Sleep(2100 * time.Millisecond) // the token cache
		problem(t, e.do("GET", "/api/v1/sessions", nurse, nil), 401, "")
		// A facilitator moved to another organisation takes their token's scope along.
		other := storetest.MustCreateOrganisation(t, db, "GGD Elders bij")
		free := &store.Facilitator{OrganisationID: a1.OrganisationID, DisplayName: "Vrij", Role: store.RoleDoctor, MaxSessionsPerWeek: 3}
		if err := db.CreateFacilitator(ctx, store.System, free); err != nil {
			t.Fatal(err)
		}
		tok, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: free.ID})
		if a := e.do("PATCH", "/api/v1/facilitators/"+free.ID, e.admin, map[string]any{"organisation_id": other.ID}); a.status != 200 {
			t.Fatalf("move a facilitator: %d %s", a.status, a.body)
		}
		got, err := db.Authenticate(ctx, tok)
		if err != nil || got.OrganisationID != other.ID {
			t.Fatalf("the moved facilitator's token acts for %q (%v); want %s", got.OrganisationID, err, other.ID)
		}
		// One with sessions ahead is not moved.
		busy := w.session(t, 1, 2).FacilitatorIDs[0]
		problem(t, e.do("PATCH", "/api/v1/facilitators/"+busy, e.admin, map[string]any{"organisation_id": other.ID}), 409, "id")
	})
}

// Class 1: clock times are exactly HH:MM on every route that takes one (no
// sign, no spaces, no 24:xx), each bad one named by its field, nothing
// stored; and what is accepted reads back as it was sent.
func TestClockTimesAreStrictOnEveryRoute(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := newHardWorld(t, e)
		fac := e.create("/api/v1/facilitators", e.admin, map[string]any{"organisation_id": w.org, "display_name": "Mila", "role": "nurse",
			"availability": []map[string]any{{"weekday": 2, "from": "08:30", "to": "16:30"}}})
		room := e.create("/api/v1/locations/"+w.loc+"/rooms", e.admin, map[string]any{"name": "Zaal", "capacity": 20,
			"opening_hours": []map[string]any{{"weekday": 2, "from": "09:00", "to": "17:00"}}})
		for _, bad := range []string{"-1:30", "24:00", "24:30", " 9:30", "9:30", "09:60", "+1:30", "09.30", "0930", ""} {
			interval := []map[string]any{{"weekday": 1, "from": bad, "to": "17:00"}}
			problem(t, e.do("PATCH", "/api/v1/facilitators/"+fac, e.admin, map[string]any{"availability": interval}), 400, "availability[0].from")
			problem(t, e.do("POST", "/api/v1/facilitators", e.admin, map[string]any{"organisation_id": w.org, "display_name": "X", "role": "nurse", "availability": interval}), 400, "availability[0].from")
			problem(t, e.do("PATCH", "/api/v1/locations/"+w.loc+"/rooms/"+room, e.admin, map[string]any{"opening_hours": interval}), 400, "opening_hours[0].from")
			if bad != "" { // an empty optional time is the default
				problem(t, e.do("POST", "/api/v1/capacity/what-if", e.admin, map[string]any{"organisation_id": w.org,
					"extra_room": map[string]any{"location_id": w.loc, "capacity": 20, "from": bad}}), 400, "extra_room.from")
			}
		}
		got := e.do("GET", "/api/v1/facilitators/"+fac, e.admin, nil).json(t)["availability"].([]any)[0].(map[string]any)
		if got["from"] != "08:30" || got["to"] != "16:30" {
			t.Fatalf("a refused change was stored: %v", got)
		}
		okay := []map[string]any{{"weekday": 1, "from": "00:00", "to": "23:59"}}
		e.do("PATCH", "/api/v1/facilitators/"+fac, e.admin, map[string]any{"availability": okay})
		back := e.do("GET", "/api/v1/facilitators/"+fac, e.admin, nil).json(t)["availability"].([]any)[0].(map[string]any)
		if back["from"] != "00:00" || back["to"] != "23:59" {
			t.Fatalf("the accepted times read back as %v", back)
		}
	})
}

// Class 5: lists have maxima, checked before anything else and named.
func TestListsHaveMaxima(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	w := newHardWorld(t, e)
	many := func(n int, f func(i int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	langs := many(store.MaxLanguages+1, func(i int) any { return string(rune('a'+i%26)) + string(rune('a'+i/26)) })
	problem(t, e.do("POST", "/api/v1/facilitators", e.admin, map[string]any{"organisation_id": w.org, "display_name": "X", "role": "nurse", "languages": langs}), 400, "languages")
	intervals := many(store.MaxWeekly+1, func(i int) any { return map[string]any{"weekday": 1, "from": "09:00", "to": "10:00"} })
	problem(t, e.do("POST", "/api/v1/locations/"+w.loc+"/rooms", e.admin, map[string]any{"name": "Y", "capacity": 10, "opening_hours": intervals}), 400, "opening_hours")
	catchment := many(store.MaxCatchment+1, func(i int) any { return "loc_x" })
	problem(t, e.do("PATCH", "/api/v1/locations/"+w.loc, e.admin, map[string]any{"catchment": catchment}), 400, "catchment")
	for i := 0; i < store.MaxRoomsPerLocation; i++ {
		e.create("/api/v1/locations/"+w.loc+"/rooms", e.admin, map[string]any{"name": "Kamer", "capacity": 10})
	}
	problem(t, e.do("POST", "/api/v1/locations/"+w.loc+"/rooms", e.admin, map[string]any{"name": "Te veel", "capacity": 10}), 422, "")
}
