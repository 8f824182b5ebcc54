package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func groningen(t *testing.T, db *store.DB) store.Organisation {
	t.Helper()
	orgs, _, _ := db.Organisations(context.Background(), store.System, store.Page{Limit: 100})
	for _, o := range orgs {
		if o.Name == "GGD Groningen" {
			return o
		}
	}
	t.Fatal("no GGD Groningen in the demo data")
	return store.Organisation{}
}

func TestPlanThroughTheAPI(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := demo.Fill(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		org := groningen(t, db)
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		a := e.do("POST", "/api/v1/plan", coord, map[string]any{})
		if a.status != 200 {
			t.Fatalf("plan: %d %s", a.status, a.body)
		}
		var res struct {
			Runs []store.PlanRun `json:"runs"`
		}
		json.Unmarshal(a.body, &res)
		if len(res.Runs) != 1 || res.Runs[0].OrganisationID != org.ID || res.Runs[0].Placed == 0 {
			t.Fatalf("runs = %+v", res.Runs)
		}
		// An admin plans every organisation.
		if a := e.do("POST", "/api/v1/plan", e.admin, nil); a.status != 200 || strings.Count(string(a.body), `"organisation_id"`) != 4 {
			t.Fatalf("admin plan: %d %s", a.status, a.body)
		}
		problem(t, e.do("POST", "/api/v1/plan", coord, map[string]any{"organisation_id": "org_other"}), 404, "")

		var sessions struct {
			Items []store.Session `json:"items"`
			Total int             `json:"total"`
		}
		a = e.do("GET", "/api/v1/sessions?from=2027-01-01&to=2028-06-01&limit=500", coord, nil)
		json.Unmarshal(a.body, &sessions)
		if a.status != 200 || sessions.Total == 0 || !strings.Contains(string(a.body), "+01:00") {
			t.Fatalf("sessions: %d %s", a.status, a.body)
		}
		problem(t, e.do("GET", "/api/v1/sessions?from=yesterday", coord, nil), 400, "from")
		s0 := sessions.Items[0]
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: s0.FacilitatorIDs[0]})
		var mine struct{ Items []store.Session }
		json.Unmarshal(e.do("GET", "/api/v1/sessions?limit=500", nurse, nil).body, &mine)
		for _, s := range mine.Items {
			if s.FacilitatorIDs[0] != s0.FacilitatorIDs[0] && s.FacilitatorIDs[1] != s0.FacilitatorIDs[0] {
				t.Fatalf("the nurse lists a session it does not facilitate: %+v", s)
			}
		}
		if len(mine.Items) == 0 {
			t.Fatal("the nurse lists no sessions")
		}
		// A nurse sees the groups she facilitates, and no other.
		var hers struct{ Items []store.Group }
		json.Unmarshal(e.do("GET", "/api/v1/groups?limit=500", nurse, nil).body, &hers)
		if len(hers.Items) == 0 {
			t.Fatal("the nurse sees none of her groups")
		}
		for _, g := range hers.Items {
			ok := false
			for _, s := range mine.Items {
				ok = ok || s.GroupID == g.ID
			}
			if !ok {
				t.Fatalf("the nurse sees group %s, of none of her sessions", g.ID)
			}
		}
		loc, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s0.LocationID})
		problem(t, e.do("GET", "/api/v1/groups", loc, nil), 404, "")
		if a := e.do("GET", "/api/v1/groups", coord, nil); a.status != 200 || !strings.Contains(string(a.body), `"baby_ids":["baby_`) {
			t.Fatalf("groups: %d %s", a.status, a.body)
		}

		problem(t, e.do("PATCH", "/api/v1/sessions/"+s0.ID, coord, map[string]any{"start": "tomorrow"}), 400, "start")
		problem(t, e.do("PATCH", "/api/v1/sessions/"+s0.ID, coord, map[string]any{"facilitator_ids": []string{"x"}}), 400, "facilitator_ids")
		// Onto another session in the same room: 409 naming the room.
		for _, other := range sessions.Items[1:] {
			if other.RoomID == s0.RoomID && other.GroupID != s0.GroupID {
				problem(t, e.do("PATCH", "/api/v1/sessions/"+s0.ID, coord, map[string]any{"start": other.StartsAt.Format("2006-01-02T15:04:05Z07:00")}), 409, "room_id")
				break
			}
		}
		if a := e.do("PATCH", "/api/v1/sessions/"+s0.ID, coord, map[string]any{"status": "cancelled"}); a.status != 200 || a.json(t)["sequence"].(float64) != float64(s0.Sequence+1) {
			t.Fatalf("cancel: %d %s", a.status, a.body)
		}

		a = e.do("GET", "/api/v1/interpreter-needs.csv?from=2027-01-01&to=2028-06-01&excel=0", coord, nil)
		rows, err := csv.NewReader(strings.NewReader(string(a.body))).ReadAll()
		if a.status != 200 || err != nil || len(rows) < 2 || rows[0][0] != "session_id" || rows[0][2] != "group" || rows[0][9] != "language_names" {
			t.Fatalf("interpreter needs CSV: %d %v\n%s", a.status, err, a.body)
		}
		if !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV content type %q", a.header.Get("Content-Type"))
		}
		for _, r := range rows[1:] {
			if r[8] == "" || r[9] == "" || r[2] == "" {
				t.Fatalf("a row without languages in codes and words, or without the group's name: %v", r)
			}
		}
		// For Excel: semicolons, a byte-order mark and Dutch headers.
		if a := e.do("GET", "/api/v1/interpreter-needs.csv?from=2027-01-01&to=2028-06-01", coord, nil); !strings.HasPrefix(string(a.body), "\ufeffBijeenkomst-id;Groep-id;Groep;") {
			t.Fatalf("Excel CSV: %.120s", a.body)
		}
	})
}

// A coordinator opens the plan page in a browser, re-plans with the button and
// sees groups, sessions and unplaced babies; the page passes axe-core.
func TestBrowserPlanPage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	org := groningen(t, db)
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	code, _ := db.CreateLoginCode(ctx, coord.TokenID)
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.Click(chromedp.CSS("main button")),
		chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/plan"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if txt := pagetest.Text(t, b, "main"); !strings.Contains(txt, "Er is nog niet gepland") {
		t.Fatalf("before planning: %s", txt)
	}
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	txt := check(t, b, "plan-demo")
	for _, want := range []string{"GGD Groningen", "Locaties", "azc Musselkanaal", "Lopende groepen", "Niet geplaatste baby's", "gepland", "nieuwe groepen",
		"Waarom ze wachten", "Wat zou helpen"} {
		if !strings.Contains(txt, want) {
			t.Fatalf("the plan page lacks %q:\n%s", want, txt)
		}
	}
	// One line per location; its groups are a click away.
	click(t, b, "azc Musselkanaal", "#groups-h")
	txt = check(t, b, "plan-demo-location")
	if h := pagetest.Text(t, b, "#groups-h"); h != "Groepen in azc Musselkanaal" {
		t.Fatalf("the location's groups heading %q", h)
	}
	if !strings.Contains(txt, "Musselkanaal ·") || !strings.Contains(txt, "Volgende bijeenkomst") {
		t.Fatalf("the location's groups are not listed by name:\n%s", txt)
	}
	visit(t, e, b, "/plan?lang=en", "plan-demo-en")
	if h := pagetest.Text(t, b, "main h1"); !strings.HasPrefix(h, "Plan: GGD Groningen") {
		t.Fatalf("English heading %q", h)
	}
}
