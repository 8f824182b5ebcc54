package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/emersion/go-ical"
)

// A location blocks a room on the date of a published session: without replan
// 409 with the session and nothing stored; with replan the session moves, keeps
// its UID and has a higher SEQUENCE in the next feed, and the audit log and the
// response name the change.
func TestBlockingABookedSlot(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		demo.Fill(ctx, db)
		demo.PlanAndPublish(ctx, db)
		org := groningen(t, db)
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		var sessions struct{ Items []store.Session }
		json.Unmarshal(e.do("GET", "/api/v1/sessions?limit=500", coord, nil).body, &sessions)
		s := sessions.Items[len(sessions.Items)/3]
		staff, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s.LocationID})
		feed := e.do("POST", "/api/v1/feeds", staff, map[string]any{"kind": "location", "subject_id": s.LocationID}).json(t)
		path := feedPath(t, feed["url"].(string))

		blocks := "/api/v1/locations/" + s.LocationID + "/rooms/" + s.RoomID + "/blocks"
		body := map[string]any{"title": "Renovatie", "start": s.StartsAt.Add(-time.Hour).Format(time.RFC3339), "end": s.EndsAt.Format(time.RFC3339)}
		a := e.do("POST", blocks, staff, body)
		problem(t, a, 409, "start")
		if !strings.Contains(string(a.body), s.ID) {
			t.Fatalf("the 409 does not name the session: %s", a.body)
		}
		if list := e.do("GET", blocks, staff, nil).json(t); list["total"].(float64) != 0 {
			t.Fatalf("a refused block was stored: %v", list)
		}
		a = e.do("POST", blocks+"?replan=true", staff, body)
		if a.status != 201 {
			t.Fatalf("block with replan: %d %s", a.status, a.body)
		}
		var res struct {
			Block    store.Block     `json:"block"`
			Affected []store.Session `json:"affected_sessions"`
			Moved    []store.Session `json:"moved_sessions"`
		}
		json.Unmarshal(a.body, &res)
		if len(res.Affected) != 1 || res.Affected[0].ID != s.ID || len(res.Moved) != 1 || res.Moved[0].StartsAt.Equal(s.StartsAt) && res.Moved[0].RoomID == s.RoomID {
			t.Fatalf("response: %s", a.body)
		}
		audit := e.do("GET", "/api/v1/audit?record_id="+s.ID, coord, nil)
		if !strings.Contains(string(audit.body), "room blocked by "+res.Block.ID) {
			t.Fatalf("audit: %s", audit.body)
		}
		p := &calendars.Publisher{DB: db, Renderer: calendars.Renderer{Host: "coplan.test"}, Replica: "test"}
		if _, err := p.Publish(ctx, time.Date(2027, 1, 4, 9, 10, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // past the serving cache
		feedBody := string(e.do("GET", path, "", nil).body)
		cal, err := ical.NewDecoder(strings.NewReader(feedBody)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(feedBody, "SUMMARY:Renovatie") {
			t.Fatal("the location feed does not show the block")
		}
		found := false
		for _, ev := range cal.Events() {
			if uid, _ := ev.Props.Text("UID"); uid == "session-"+s.ID+"@coplan.test" {
				found = true
				if seq := ev.Props.Get("SEQUENCE").Value; seq != "1" {
					t.Fatalf("SEQUENCE %s; want 1", seq)
				}
			}
		}
		if !found && res.Moved[0].LocationID == s.LocationID {
			t.Fatal("the moved session is not in the location feed")
		}
		// Location staff cannot see another location's bookings or any baby.
		var other string
		for _, x := range sessions.Items {
			if x.LocationID != s.LocationID {
				other = x.LocationID
			}
		}
		problem(t, e.do("GET", "/api/v1/locations/"+other+"/bookings", staff, nil), 404, "")
		problem(t, e.do("GET", "/api/v1/babies", staff, nil), 404, "")
		if a := e.do("GET", "/api/v1/locations/"+s.LocationID+"/bookings?from=2027-01-01&to=2028-01-01", staff, nil); a.status != 200 ||
			!strings.Contains(string(a.body), `"kind":"block"`) || strings.Contains(string(a.body), `"baby_`) || strings.Contains(string(a.body), `"ref"`) {
			t.Fatalf("bookings: %d %.300s", a.status, a.body)
		}
		if a := e.do("GET", "/api/v1/conflicts", coord, nil); a.status != 200 || a.json(t)["total"].(float64) != 0 {
			t.Fatalf("conflicts: %s", a.body)
		}
	})
}

// Location staff add a block through the week view and see it appear.
func TestBrowserWeekViewAddsABlock(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	demo.Fill(ctx, db)
	demo.PlanAndPublish(ctx, db)
	sessions, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{Page: store.Page{Limit: 1}})
	s := sessions[0]
	_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s.LocationID})
	code, _ := db.CreateLoginCode(ctx, staff.TokenID)
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.Click(chromedp.CSS("main button")),
		chromedp.WaitVisible(chromedp.CSS(`main form[action^="/logout"]`)))
	week := e.srv.URL + "/locations/" + s.LocationID + "/week?date=" + s.StartsAt.Format("2006-01-02")
	pagetest.Do(t, b, chromedp.Navigate(week), chromedp.WaitVisible(chromedp.CSS("table.week")))
	if txt := pagetest.Text(t, b, "main"); !strings.Contains(txt, "bijeenkomst") {
		t.Fatalf("the week shows no session: %s", txt)
	}
	pagetest.CheckAccessibility(t, b)
	// A block on the Friday afternoon of that week, where the demo plans nothing.
	friday := s.StartsAt.AddDate(0, 0, 5-int(s.StartsAt.Weekday())).Format("2006-01-02")
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#title"), "Brandoefening"))
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#date"), friday))
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#from"), "15:00"))
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#to"), "16:30"))
	pagetest.Do(t, b,
		chromedp.Click(chromedp.CSS(`form[action*="/week/blocks"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".box.block")))
	if txt := pagetest.Text(t, b, "main"); !strings.Contains(txt, "Brandoefening") {
		t.Fatalf("the block does not show: %s", txt)
	}
	pagetest.Screenshot(t, b, "week-view")
	// A block without a title (the form starts empty again) is refused at the field.
	pagetest.Do(t, b,
		chromedp.Click(chromedp.CSS(`form[action*="/week/blocks"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#title-err")))
	pagetest.CheckAccessibility(t, b)
}

func TestAbsenceThroughTheAPI(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	demo.Fill(context.Background(), db)
	demo.PlanAndPublish(context.Background(), db)
	sessions, _, _ := db.Sessions(context.Background(), store.System, store.SessionFilter{Page: store.Page{Limit: 1}})
	s := sessions[0]
	body := map[string]any{"from": s.StartsAt.Format("2006-01-02"), "to": s.StartsAt.Format("2006-01-02")}
	path := "/api/v1/facilitators/" + s.FacilitatorIDs[0] + "/absences"
	a := e.do("POST", path, e.admin, body)
	problem(t, a, 409, "start")
	if !strings.Contains(string(a.body), s.ID) {
		t.Fatalf("the 409 does not name the session: %s", a.body)
	}
	if a := e.do("POST", path+"?replan=true", e.admin, body); a.status != 201 || !strings.Contains(string(a.body), `"moved_sessions"`) {
		t.Fatalf("absence with replan: %d %.300s", a.status, a.body)
	}
	problem(t, e.do("POST", path, e.admin, map[string]any{"from": "2027-02-30", "to": "2027-03-01"}), 400, "from")
}
