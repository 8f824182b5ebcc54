package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// writeRoutes are every write route of the API, with the ids of a world.
var writeRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/organisations"},
	{"PATCH", "/api/v1/organisations/{org}"},
	{"DELETE", "/api/v1/organisations/{org}"},
	{"POST", "/api/v1/locations"},
	{"PATCH", "/api/v1/locations/{loc}"},
	{"DELETE", "/api/v1/locations/{loc}"},
	{"POST", "/api/v1/locations/{loc}/rooms"},
	{"PATCH", "/api/v1/locations/{loc}/rooms/{room}"},
	{"DELETE", "/api/v1/locations/{loc}/rooms/{room}"},
	{"POST", "/api/v1/locations/{loc}/rooms/{room}/blocks"},
	{"POST", "/api/v1/locations/{loc}/rooms/{room}/blocks?replan=true"},
	{"DELETE", "/api/v1/locations/{loc}/rooms/{room}/blocks/{block}"},
	{"POST", "/api/v1/facilitators"},
	{"PATCH", "/api/v1/facilitators/{fac}"},
	{"DELETE", "/api/v1/facilitators/{fac}"},
	{"POST", "/api/v1/facilitators/{fac}/absences"},
	{"POST", "/api/v1/facilitators/{fac}/absences?replan=true"},
	{"POST", "/api/v1/babies"},
	{"POST", "/api/v1/babies/import"},
	{"PATCH", "/api/v1/babies/{baby}"},
	{"DELETE", "/api/v1/babies/{baby}"},
	{"POST", "/api/v1/babies/{baby}/moves"},
	{"POST", "/api/v1/plan"},
	{"PATCH", "/api/v1/sessions/{session}"},
	{"POST", "/api/v1/feeds"},
	{"DELETE", "/api/v1/feeds/{feed}"},
	{"POST", "/api/v1/feeds/{feed}/rotate"},
	{"POST", "/api/v1/capacity/what-if"},
	{"POST", "/api/v1/surveys"},
	{"PUT", "/api/v1/surveys/{survey}/responses/{org}"},
	{"POST", "/api/v1/groups/{group}/members"},
	{"DELETE", "/api/v1/groups/{group}/members/{member}"},
	{"POST", "/api/v1/groups/{group}/merge"},
	{"POST", "/api/v1/groups/{group}/dissolve"},
	{"POST", "/api/v1/handovers/{handover}/accept"},
}

// writeWorld is the demo, planned and published, with one of each record to
// aim the routes at and a feed of each kind.
type writeWorld struct {
	db    *store.DB
	h     http.Handler
	coord string
	ids   map[string]string
	feeds []*store.Feed
	slot  time.Time
	mu    sync.Mutex
}

var (
	fuzzLog       syncBuffer // what the server logs, shown with a failure
	fuzzWorld     *writeWorld
	fuzzWorldErr  error
	fuzzWorldOnce sync.Once
)

func newWriteWorld(t testing.TB, db *store.DB) *writeWorld {
	ctx := context.Background()
	if _, err := demo.Fill(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		t.Fatal(err)
	}
	s, err := api.New(api.Config{DB: db, Now: clock, BaseURL: "http://coplan.test", Secret: []byte(strings.Repeat("k", 32)),
		Logger: slog.New(slog.NewTextHandler(&fuzzLog, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	w := &writeWorld{db: db, h: s, ids: map[string]string{}, slot: clock()}
	orgs, _, _ := db.Organisations(ctx, store.System, store.Page{Limit: 10})
	org := orgs[0]
	for _, o := range orgs {
		if o.Name == "GGD Groningen" {
			org = o
		}
	}
	w.coord, _ = storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
	coord := store.Actor{Role: store.RoleCoordinator, OrganisationID: org.ID}
	locs, _, _ := db.Locations(ctx, coord, store.LocationFilter{Page: store.Page{Limit: 10}})
	rooms, _, _ := db.Rooms(ctx, coord, locs[0].ID, store.Page{Limit: 10})
	facs, _, _ := db.Facilitators(ctx, coord, store.FacilitatorFilter{Page: store.Page{Limit: 10}})
	babies, _, _ := db.Babies(ctx, coord, store.BabyFilter{LocationID: locs[0].ID, Page: store.Page{Limit: 10}})
	sessions, _, _ := db.Sessions(ctx, coord, store.SessionFilter{From: clock(), Page: store.Page{Limit: 10}})
	w.ids = map[string]string{"org": org.ID, "loc": locs[0].ID, "room": rooms[0].ID, "fac": facs[0].ID, "baby": babies[0].ID,
		"session": sessions[0].ID, "sessionGroup": sessions[0].GroupID}
	start := sessions[0].StartsAt.AddDate(0, 0, 3)
	if _, err := coordination.New(db).BlockRoom(ctx, store.System, locs[0].ID, rooms[0].ID,
		&store.Block{Title: "Overleg", StartsAt: start, EndsAt: start.Add(time.Hour)}, true); err != nil {
		t.Fatal(err)
	}
	blocks, _ := db.Blocks(ctx, store.System, locs[0].ID, rooms[0].ID)
	w.ids["block"] = blocks[0].ID
	r := calendars.Renderer{Host: "coplan.test"}
	for _, f := range []struct {
		kind    store.FeedKind
		subject string
	}{{store.FeedOrganisation, org.ID}, {store.FeedLocation, locs[0].ID}, {store.FeedFacilitator, facs[0].ID}, {store.FeedGroup, sessions[0].GroupID}} {
		feed, err := db.CreateFeed(ctx, store.System, f.kind, f.subject, r.Render)
		if err != nil {
			t.Fatal(err)
		}
		w.feeds = append(w.feeds, feed)
	}
	w.ids["feed"] = w.feeds[0].ID
	invs, err := db.CreateSurvey(ctx, store.System, &store.Survey{Title: "Peiling", OpensOn: civil.Today(clock()), Deadline: civil.Today(clock()).AddDays(30)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.ids["survey"] = invs[0].SurveyID
	w.relocationIDs(t, coord)
	return w
}

// relocationIDs aims the membership routes at a group and its member, and
// the handover route at a record another organisation handed over.
func (w *writeWorld) relocationIDs(t testing.TB, coord store.Actor) {
	ctx := context.Background()
	w.ids["group"] = w.ids["sessionGroup"]
	groups, _, _ := w.db.Groups(ctx, coord, store.GroupFilter{Page: store.Page{Limit: 100}})
	for _, g := range groups {
		if g.ID == w.ids["group"] && len(g.BabyIDs) > 0 {
			w.ids["member"] = g.BabyIDs[0]
		}
	}
	orgs, _, _ := w.db.Organisations(ctx, store.System, store.Page{Limit: 10})
	for _, o := range orgs {
		if o.ID == w.ids["org"] {
			continue
		}
		theirs, _, _ := w.db.Locations(ctx, store.Actor{Role: store.RoleCoordinator, OrganisationID: o.ID}, store.LocationFilter{Page: store.Page{Limit: 1}})
		babies, _, _ := w.db.Babies(ctx, store.Actor{Role: store.RoleCoordinator, OrganisationID: o.ID}, store.BabyFilter{Page: store.Page{Limit: 1}})
		if len(theirs) == 0 || len(babies) == 0 {
			continue
		}
		// One of theirs moves here: this organisation receives it.
		r, err := coordination.New(w.db).RecordMove(ctx, store.System, babies[0].ID, w.ids["loc"], civil.Today(clock()), "")
		if err != nil {
			t.Fatal(err)
		}
		w.ids["handover"] = r.Handover.ID
		return
	}
	t.Fatal("no other organisation to hand a record over")
}

func (w *writeWorld) path(p string) string {
	for k, v := range w.ids {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

func (w *writeWorld) do(method, path string, body []byte) (int, []byte) {
	req := httptest.NewRequest(method, w.path(path), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+w.coord)
	if strings.HasSuffix(path, "/import") {
		req.Header.Set("Content-Type", "text/csv")
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	out, _ := io.ReadAll(rec.Body)
	return rec.Code, out
}

// stillWorks checks that the organisation can be listed, planned and
// published after a write was accepted, and that no read answers 5xx.
func (w *writeWorld) stillWorks(t testing.TB, after string) {
	t.Helper()
	for _, p := range []string{"/api/v1/babies", "/api/v1/facilitators", "/api/v1/locations", "/api/v1/locations/{loc}/rooms",
		"/api/v1/sessions", "/api/v1/groups", "/api/v1/conflicts", "/api/v1/capacity?period=month", "/api/v1/interpreter-needs",
		"/api/v1/locations/{loc}/bookings", "/api/v1/organisations/{org}", "/api/v1/handovers", "/api/v1/handovers?direction=sent",
		"/api/v1/groups/{group}/members"} {
		if st, body := w.do("GET", p, nil); st >= 500 {
			t.Fatalf("after %s, GET %s = %d: %s\n%s", after, p, st, body, fuzzLog.String())
		}
	}
	if st, body := w.do("POST", "/api/v1/plan", []byte(`{"organisation_id":"`+w.ids["org"]+`","publish":true}`)); st != 200 {
		t.Fatalf("after %s, the organisation cannot be planned: %d %s\n%s", after, st, body, fuzzLog.String())
	}
	w.slot = w.slot.Add(time.Minute)
	p := &calendars.Publisher{DB: w.db, Renderer: calendars.Renderer{Host: "coplan.test"}, Replica: "fuzz"}
	if _, err := p.Publish(context.Background(), w.slot); err != nil {
		t.Fatalf("after %s, publication fails: %v", after, err)
	}
}

// writeSeeds are bodies for the routes, good and bad, by route index.
var writeSeeds = map[int][]string{
	0:  {`{"kind":"ggd","name":"GGD Nieuw"}`, `{"kind":"x","name":""}`, "{\"kind\":\"ggd\",\"name\":\"A\u0000B\"}"},
	1:  {`{"name":"GGD Groningen en Drenthe"}`, `{"contact_email":"not an address"}`},
	2:  {``},
	3:  {`{"kind":"azc","name":"azc Nieuw","catchment":["loc_elsewhere"]}`, `{"kind":"azc","name":"azc Twee"}`},
	4:  {`{"name":"azc Musselkanaal-Noord"}`, `{"catchment":["{loc}"]}`, `{"short_stay":true}`},
	5:  {``},
	6:  {`{"name":"Lokaal 9","capacity":20,"opening_hours":[{"weekday":2,"from":"09:00","to":"17:00"}]}`, `{"name":"X","capacity":-3}`},
	7:  {`{"capacity":6}`, `{"opening_hours":[{"weekday":1,"from":"-1:30","to":"17:00"}]}`, `{"closures":[{"from":"2027-01-05","to":"2027-12-31"}]}`},
	8:  {``},
	9:  {`{"title":"Brandoefening","start":"2027-02-02T09:00:00+01:00","end":"2027-02-02T11:00:00+01:00"}`},
	10: {`{"title":"Verbouwing","start":"2027-01-12T08:00:00+01:00","end":"2027-01-15T18:00:00+01:00"}`},
	11: {``},
	12: {`{"display_name":"Nieuwe Collega","role":"nurse","co_trained":true,"availability":[{"weekday":3,"from":"08:30","to":"16:30"}],"languages":["nl","ti"]}`},
	13: {`{"availability":[{"weekday":1,"from":"-1:30","to":"17:00"}]}`, `{"availability":[{"weekday":1,"from":"24:00","to":"24:30"}]}`, `{"co_trained":false}`, `{"max_sessions_per_week":1}`, `{"languages":["ar","ar"]}`},
	14: {``},
	15: {`{"from":"2027-01-11","to":"2027-01-22"}`, `{"from":"","to":""}`, `{"from":"2027-02-01"}`},
	16: {`{"from":"2027-01-11","to":"2027-02-22"}`},
	17: {`{"ref":"NEW-1","birth_date":"2026-12-01","location_id":"{loc}","language":"ar"}`, `{"ref":"NEW-2","expected_date":"2027-03-01","location_id":"{loc}"}`},
	18: {"ref,birth_date,location,language\nIMP-1,2026-12-01,{loc},ar\n", "ref;birth_date;location;language\nIMP-2;2026-13-01;{loc};ar\n", "\x00\xff\xfe"},
	19: {`{"status":"withdrawn"}`, `{"birth_date":"2026-11-01"}`, `{"language":"ti"}`},
	20: {``},
	21: {`{"to_location_id":"{loc}","date":"2027-01-03"}`, `{"to_location_id":"","date":""}`},
	22: {`{"organisation_id":"{org}"}`, `{"organisation_id":"{org}","publish":true}`, ``},
	23: {`{"status":"cancelled"}`, `{"status":"planned"}`, `{"start":"2027-03-29T10:00:00+02:00"}`, `{"room_id":"room_none","status":"cancelled"}`, `{"facilitator_ids":["{fac}","{fac}"]}`},
	24: {`{"kind":"organisation","subject_id":"{org}"}`, `{"kind":"group","subject_id":"g-none"}`},
	25: {``},
	26: {``},
	27: {`{"organisation_id":"{org}","extra_facilitators":2,"hours_per_week":16}`, `{"organisation_id":"{org}","extra_room":{"location_id":"{loc}","capacity":20,"from":"-1:30"}}`, `{"organisation_id":"{org}","hours_per_week":-40}`},
	28: {`{"title":"Peiling 2","opens_on":"2027-01-04","deadline":"2027-02-01"}`, `{"title":"x","opens_on":"","deadline":""}`},
	29: {`{"interested":"yes","location_ids":["{loc}"],"start_quarter":"2027-Q3","trained_facilitators":2,"to_train":1,"contact_name":"Anna","contact_email":"anna@ggd.example"}`},
	30: {`{"baby_id":"{baby}"}`, `{"baby_id":"{member}"}`, `{"baby_id":""}`, `{}`},
	31: {``},
	32: {`{"into":"{group}"}`, `{"into":"g-none"}`, `{"into":""}`},
	33: {``},
	34: {`{}`, `{"ref":"OVER-1"}`, `{"ref":"bad ref"}`, `{"group_id":"{group}"}`},
}

func fuzzSeeds(f *testing.F, w *writeWorld) {
	for i := range writeRoutes {
		for _, b := range writeSeeds[i] {
			f.Add(uint8(i), []byte(w.path(b)))
		}
	}
}

// FuzzWriteRoutes drives every write route through the real router with a
// database behind it: no answer is a 5xx, and after each accepted write the
// organisation can still be listed, planned and published.
func FuzzWriteRoutes(f *testing.F) {
	fuzzWorldOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coplan-fuzz")
		if err != nil {
			fuzzWorldErr = err
			return
		}
		db, err := store.Open(context.Background(), filepath.Join(dir, "coplan.db"), store.Options{Now: clock})
		if err != nil {
			fuzzWorldErr = err
			return
		}
		fuzzWorld = newWriteWorld(f, db)
	})
	if fuzzWorldErr != nil {
		f.Fatal(fuzzWorldErr)
	}
	w := fuzzWorld
	fuzzSeeds(f, w)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		w.mu.Lock()
		defer w.mu.Unlock()
		r := writeRoutes[int(route)%len(writeRoutes)]
		st, answer := w.do(r.method, r.path, body)
		what := fmt.Sprintf("%s %s %q", r.method, r.path, body)
		if st >= 500 {
			t.Fatalf("%s = %d: %s\n%s", what, st, answer, fuzzLog.String())
		}
		if st < 300 {
			w.stillWorks(t, what)
		} else if !json.Valid(answer) {
			t.Fatalf("%s = %d with a body that is not JSON: %s", what, st, answer)
		}
	})
}
