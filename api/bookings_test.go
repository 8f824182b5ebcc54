package api_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/messages"
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

// Location staff block a room in the week view: over a session the block is
// refused, naming the session at the top on the week of the block; with
// "move sessions" it moves the session and the page says where; the block is
// removed from the page again.
func TestBrowserLocationStaffBlockARoom(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		demo.Fill(ctx, db)
		demo.PlanAndPublish(ctx, db)
		sessions, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{From: clock().AddDate(0, 0, 14), Page: store.Page{Limit: 1}})
		s := sessions[0]
		_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: s.LocationID})
		b := signIn(t, e, staff)
		day := civil.Today(s.StartsAt)
		text := visit(t, e, b, "/locations/"+s.LocationID+"/week?date="+day.String(), "week")
		if !strings.Contains(text, "bijeenkomst") || !strings.Contains(text, "Weekoverzicht") {
			t.Fatalf("the week shows no session: %s", text)
		}
		start := s.StartsAt.In(civil.Amsterdam)
		fill := func(title string) {
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#room_id"), s.RoomID), chromedp.SetValue(chromedp.CSS("#title"), title),
				chromedp.SetValue(chromedp.CSS("#date"), day.Dutch()), chromedp.SetValue(chromedp.CSS("#from"), start.Format("15:04")),
				chromedp.SetValue(chromedp.CSS("#to"), start.Add(time.Hour).Format("15:04")))
		}
		// Over the session, without moving it: refused, the session named at the top.
		visit(t, e, b, "/locations/"+s.LocationID+"/week", "week-today")
		fill("Brandoefening")
		click(t, b, "Blokkeren", "#problems")
		text = check(t, b, "week-block-refused")
		if !strings.Contains(text, "Het blok valt over deze bijeenkomsten") || !strings.Contains(text, "bijeenkomst "+strconv.Itoa(s.Number)+"/8") ||
			!strings.Contains(text, dateLabel(day)) {
			t.Fatalf("the refused block: %s", text)
		}
		// With "move sessions": saved, and the page says where the session went.
		pagetest.Do(t, b, chromedp.Click(chromedp.CSS("#replan")))
		click(t, b, "Blokkeren", ".flash")
		text = check(t, b, "week-block-moved")
		if !strings.Contains(text, "Het blok is opgeslagen") || !strings.Contains(text, "Wat het blok verplaatste") {
			t.Fatalf("after the block: %s", text)
		}
		pagetest.Do(t, b, chromedp.Click(chromedp.Search(`//main//form[contains(@action, "/week/blocks/remove")]//button`)))
		pagetest.WaitText(t, b, ".flash", "verwijderd")
		if text := check(t, b, "week-block-removed"); !strings.Contains(text, "Het blok is verwijderd") || strings.Contains(text, "Brandoefening") {
			t.Fatalf("after removing the block: %s", text)
		}
	})
}

func dateLabel(d civil.Date) string { return messages.Date("nl", d) }

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
