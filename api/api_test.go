package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

var clock = storetest.FixedClock("2027-01-04 10:00")

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	t     testing.TB
	db    *store.DB
	h     http.Handler // the server itself, for requests that need a writer of their own
	srv   *httptest.Server
	admin string
	logs  *syncBuffer
}

type timeT = time.Time

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	return newEnvClock(t, db, clock)
}

func newEnvClock(t testing.TB, db *store.DB, now func() time.Time) *env {
	t.Helper()
	logs := &syncBuffer{}
	s, err := api.New(api.Config{DB: db, Now: now, BaseURL: "http://coplan.test", Secret: []byte("0123456789abcdef0123456789abcdef"),
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), MaxBodyBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	admin, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	return &env{t: t, db: db, h: s, srv: srv, admin: admin, logs: logs}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, a.body)
	}
	return m
}

func (e *env) do(method, path, token string, body any) answer {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, data}
}

// create POSTs body and returns the new record's id, failing unless 201.
func (e *env) create(path, token string, body any) string {
	e.t.Helper()
	a := e.do("POST", path, token, body)
	if a.status != http.StatusCreated {
		e.t.Fatalf("POST %s = %d: %s", path, a.status, a.body)
	}
	return a.json(e.t)["id"].(string)
}

// problem checks that a is a problem+json answer with status naming field.
func problem(t *testing.T, a answer, status int, field string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d; want %d: %.600s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q; want application/problem+json", ct)
	}
	if field == "" {
		return
	}
	var p api.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("problem does not name field %q: %s", field, a.body)
}

func TestResourcesScopingAndAudit(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		orgA := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Groningen", "contact_email": "co@ggd-groningen.example"})
		orgB := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Drenthe"})
		locA := e.create("/api/v1/locations", e.admin, map[string]any{"organisation_id": orgA, "kind": "azc", "name": "azc Musselkanaal", "municipality": "Stadskanaal"})
		locB := e.create("/api/v1/locations", e.admin, map[string]any{"organisation_id": orgB, "kind": "azc", "name": "azc Emmen"})
		ac := e.do("POST", "/api/v1/locations", e.admin, map[string]any{"organisation_id": orgA, "kind": "ac", "name": "AC Ter Apel"})
		if ac.json(t)["short_stay"] != true {
			t.Fatalf("an application centre is short stay by default: %s", ac.body)
		}
		room := e.create("/api/v1/locations/"+locA+"/rooms", e.admin, map[string]any{"name": "Groepsruimte 1", "capacity": 24,
			"opening_hours": []map[string]any{{"weekday": 2, "from": "09:00", "to": "17:00"}}, "closures": []map[string]any{{"from": "2027-07-19", "to": "2027-08-06"}}})
		e.create("/api/v1/facilitators", e.admin, map[string]any{"organisation_id": orgA, "display_name": "Anouk de Vries", "role": "nurse", "co_trained": true,
			"availability": []map[string]any{{"weekday": 2, "from": "08:30", "to": "16:30"}}, "max_sessions_per_week": 3, "languages": []string{"nl", "ar"}})
		babyA := e.create("/api/v1/babies", e.admin, map[string]any{"ref": "MK-001", "birth_date": "2026-12-30", "location_id": locA, "language": "ar"})
		babyB := e.create("/api/v1/babies", e.admin, map[string]any{"ref": "EM-001", "birth_date": "2026-12-01", "location_id": locB, "language": "ti"})

		if got := e.do("GET", "/api/v1/locations/"+locA+"/rooms/"+room, e.admin, nil); got.status != 200 {
			t.Fatalf("read room: %d %s", got.status, got.body)
		}
		coordA, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: orgA})
		problem(t, e.do("GET", "/api/v1/babies/"+babyB, coordA, nil), 404, "")
		problem(t, e.do("PATCH", "/api/v1/babies/"+babyB, coordA, map[string]any{"language": "ar"}), 404, "")
		problem(t, e.do("GET", "/api/v1/organisations/"+orgB, coordA, nil), 404, "")
		list := e.do("GET", "/api/v1/babies", coordA, nil).json(t)
		if list["total"].(float64) != 1 || list["items"].([]any)[0].(map[string]any)["id"] != babyA {
			t.Fatalf("coordinator A's list: %v", list)
		}
		if n := e.do("GET", "/api/v1/babies", e.admin, nil).json(t)["total"].(float64); n != 2 {
			t.Fatalf("admin sees %v babies; want 2", n)
		}
		problem(t, e.do("GET", "/api/v1/babies", "", nil), 401, "")
		problem(t, e.do("GET", "/api/v1/babies", "cpt_wrong", nil), 401, "")

		if a := e.do("PATCH", "/api/v1/babies/"+babyA, coordA, map[string]any{"status": "declined"}); a.status != 200 || a.json(t)["status"] != "declined" {
			t.Fatalf("update: %d %s", a.status, a.body)
		}
		if a := e.do("GET", "/api/v1/babies/"+babyA, coordA, nil); a.status != 200 || a.json(t)["birth_date"] != "2026-12-30" {
			t.Fatalf("read: %d %s", a.status, a.body)
		}
		audit := e.do("GET", "/api/v1/audit?record_id="+babyA, coordA, nil).json(t)
		var seen []string
		for _, it := range audit["items"].([]any) {
			row := it.(map[string]any)
			seen = append(seen, row["action"].(string))
		}
		// Two lists: the coordinator's own and the admin's, which is logged under the record's organisation.
		if got := strings.Join(seen, ","); got != "read,update,list,list,create" {
			t.Fatalf("audit of baby A = %s; want read,update,list,list,create", got)
		}
		// A nurse and location staff may not touch baby records at all.
		fac, _, _ := db.Facilitators(context.Background(), store.System, store.FacilitatorFilter{})
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: fac[0].ID})
		problem(t, e.do("GET", "/api/v1/babies", nurse, nil), 404, "")
		loc, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: locA})
		problem(t, e.do("GET", "/api/v1/babies/"+babyA, loc, nil), 404, "")
		problem(t, e.do("GET", "/api/v1/locations/"+locB, loc, nil), 404, "")
		if a := e.do("GET", "/api/v1/locations/"+locA+"/rooms", loc, nil); a.status != 200 {
			t.Fatalf("location staff reading their rooms: %d", a.status)
		}

		moved := e.do("POST", "/api/v1/babies/"+babyA+"/moves", coordA, map[string]any{"to_location_id": locB, "date": "2027-01-02"})
		if moved.status != 201 {
			t.Fatalf("move: %d %s", moved.status, moved.body)
		}
		problem(t, e.do("GET", "/api/v1/babies/"+babyA, coordA, nil), 404, "")
	})
}

func TestBadInputGetsProblemNamingTheField(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		org := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Fryslân"})
		loc := e.create("/api/v1/locations", e.admin, map[string]any{"organisation_id": org, "kind": "azc", "name": "azc Sneek"})
		e.create("/api/v1/babies", e.admin, map[string]any{"ref": "SN-1", "birth_date": "2026-12-01", "location_id": loc})
		cases := []struct {
			name, path, body string
			status           int
			field            string
		}{
			{"malformed", "/api/v1/babies", `{"ref": "x",`, 400, "body"},
			{"not an object", "/api/v1/babies", `[1,2]`, 400, "body"},
			{"empty", "/api/v1/babies", ``, 400, "body"},
			{"trailing", "/api/v1/babies", `{"ref":"a"} {}`, 400, "body"},
			{"wrong type", "/api/v1/babies", `{"ref": 12}`, 400, "ref"},
			{"unknown field", "/api/v1/babies", `{"ref":"a","name":"Jan"}`, 400, "name"},
			{"impossible date", "/api/v1/babies", `{"ref":"a","birth_date":"2026-02-30","location_id":"` + loc + `"}`, 400, "birth_date"},
			{"future birth", "/api/v1/babies", `{"ref":"a","birth_date":"2027-03-01","location_id":"` + loc + `"}`, 400, "birth_date"},
			{"too old", "/api/v1/babies", `{"ref":"a","birth_date":"2024-12-01","location_id":"` + loc + `"}`, 400, "birth_date"},
			{"unknown location", "/api/v1/babies", `{"ref":"a","birth_date":"2026-12-01","location_id":"loc_nope"}`, 400, "location_id"},
			{"bad status", "/api/v1/babies", `{"ref":"a","birth_date":"2026-12-01","location_id":"` + loc + `","status":"maybe"}`, 400, "status"},
			{"duplicate ref", "/api/v1/babies", `{"ref":"SN-1","birth_date":"2026-12-01","location_id":"` + loc + `"}`, 409, "ref"},
			{"bad kind", "/api/v1/organisations", `{"kind":"hospital","name":"X"}`, 400, "kind"},
			{"bad email", "/api/v1/organisations", `{"kind":"ggd","name":"X","contact_email":"nope"}`, 400, "contact_email"},
			{"bad clock", "/api/v1/locations/" + loc + "/rooms", `{"name":"R","capacity":10,"opening_hours":[{"weekday":1,"from":"25:00","to":"17:00"}]}`, 400, "opening_hours[0].from"},
			{"from after to", "/api/v1/locations/" + loc + "/rooms", `{"name":"R","capacity":10,"opening_hours":[{"weekday":1,"from":"17:00","to":"09:00"}]}`, 400, "opening_hours[0]"},
			{"bad weekday", "/api/v1/facilitators", `{"organisation_id":"` + org + `","display_name":"A","role":"nurse","availability":[{"weekday":8,"from":"09:00","to":"10:00"}]}`, 400, "availability[0]"},
			{"bad language", "/api/v1/facilitators", `{"organisation_id":"` + org + `","display_name":"A","role":"nurse","languages":["Arabic"]}`, 400, "languages[0]"},
			{"move without date", "/api/v1/babies/x/moves", `{"to_location_id":"` + loc + `"}`, 400, "date"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				problem(t, e.do("POST", c.path, e.admin, c.body), c.status, c.field)
			})
		}
		problem(t, e.do("GET", "/api/v1/babies?limit=0", e.admin, nil), 400, "limit")
		problem(t, e.do("GET", "/api/v1/babies?status=nope", e.admin, nil), 400, "status")
		big := `{"ref":"` + strings.Repeat("a", 70<<10) + `"}`
		problem(t, e.do("POST", "/api/v1/babies", e.admin, big), 413, "")
		// Nothing of the bad requests was written.
		if n := e.do("GET", "/api/v1/babies", e.admin, nil).json(t)["total"].(float64); n != 1 {
			t.Fatalf("%v babies after bad requests; want 1", n)
		}
		if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
			t.Fatalf("bad input caused an error log:\n%s", e.logs.String())
		}
	})
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		org := e.create("/api/v1/organisations", e.admin, map[string]any{"kind": "ggd", "name": "GGD Hollands Noorden"})
		loc := e.create("/api/v1/locations", e.admin, map[string]any{"organisation_id": org, "kind": "azc", "name": "azc Den Helder"})
		post := func(key, body string) answer {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/babies", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.admin)
			req.Header.Set("Idempotency-Key", key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return answer{res.StatusCode, res.Header, b}
		}
		body := `{"ref":"DH-1","birth_date":"2026-12-01","location_id":"` + loc + `"}`
		first := post("k-1", body)
		again := post("k-1", body)
		if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.header.Get("Idempotent-Replay") != "true" {
			t.Fatalf("first %d %s, again %d %s", first.status, first.body, again.status, again.body)
		}
		if n := e.do("GET", "/api/v1/babies", e.admin, nil).json(t)["total"].(float64); n != 1 {
			t.Fatalf("%v babies after a retried POST; want 1", n)
		}
		problem(t, post("k-1", `{"ref":"DH-2","birth_date":"2026-12-01","location_id":"`+loc+`"}`), 422, "Idempotency-Key")

		// A client that hangs up once its write has committed, as the answer
		// starts: the answer is still kept, so its retry replays it and the
		// baby is not created twice.
		ctx, hangUp := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/babies", strings.NewReader(`{"ref":"DH-3","birth_date":"2026-12-01","location_id":"`+loc+`"}`))
		req.Header.Set("Authorization", "Bearer "+e.admin)
		req.Header.Set("Idempotency-Key", "k-3")
		e.h.ServeHTTP(&hangUpWriter{ResponseRecorder: httptest.NewRecorder(), hangUp: hangUp}, req)
		retry := post("k-3", `{"ref":"DH-3","birth_date":"2026-12-01","location_id":"`+loc+`"}`)
		if retry.status != 201 || retry.header.Get("Idempotent-Replay") != "true" {
			t.Fatalf("the retry after a hang-up: %d %s; want the first answer replayed", retry.status, retry.body)
		}
		if n := e.do("GET", "/api/v1/babies?ref=DH-3", e.admin, nil).json(t)["total"].(float64); n != 1 {
			t.Fatalf("%v babies DH-3 after a retry; want 1", n)
		}
		// The kept answers hold the baby's data: they go with its record.
		id := retry.json(t)["id"].(string)
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE '%"+id+"%'"); n != 1 {
			t.Fatalf("%d kept answers about the baby; want 1", n)
		}
		if a := e.do("DELETE", "/api/v1/babies/"+id, e.admin, nil); a.status != 204 {
			t.Fatalf("delete: %d %s", a.status, a.body)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE '%"+id+"%'"); n != 0 {
			t.Fatalf("%d kept answers still hold the deleted baby's data", n)
		}
	})
}

// hangUpWriter cancels the request, as a client that goes away does, when the
// answer starts.
type hangUpWriter struct {
	*httptest.ResponseRecorder
	hangUp context.CancelFunc
}

func (w *hangUpWriter) WriteHeader(code int) {
	w.hangUp()
	w.ResponseRecorder.WriteHeader(code)
}

func (w *hangUpWriter) Write(b []byte) (int, error) {
	w.hangUp()
	return w.ResponseRecorder.Write(b)
}
