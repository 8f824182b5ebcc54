package api_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestRateLimitsAndMetrics(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	s, _ := api.New(api.Config{DB: db, Now: clock, BaseURL: "http://coplan.test", Secret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), RatePerToken: 2, RatePerIP: 50})
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := &env{t: t, db: db, srv: srv}
	tok, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	codes := map[int]int{}
	var retry string
	for i := 0; i < 10; i++ {
		a := e.do("GET", "/api/v1/organisations", tok, nil)
		codes[a.status]++
		if a.status == 429 {
			retry = a.header.Get("Retry-After")
			problem(t, a, 429, "")
		}
	}
	if codes[200] != 4 || codes[429] != 6 || retry == "" {
		t.Fatalf("answers %v (Retry-After %q); want a burst of 4, then 429", codes, retry)
	}
	// Another token has its own bucket.
	other, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	if a := e.do("GET", "/api/v1/organisations", other, nil); a.status != 200 {
		t.Fatalf("another token: %d", a.status)
	}
	m := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{`coplan_http_requests_total{method="GET",route="/api/v1/organisations",status="429"}`,
		"coplan_http_request_duration_seconds_bucket", `coplan_rate_limited_total{limit="token"}`, "coplan_outbox_backlog"} {
		if !strings.Contains(string(m.body), want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	if a := e.do("GET", "/readyz", "", nil); a.status != 200 || !strings.Contains(string(a.body), `"database":"sqlite"`) {
		t.Fatalf("readyz: %d %s", a.status, a.body)
	}
}

// Class 7: the per-IP limit applies before authentication only: a busy
// client with a valid token is never cut off by it, while guesses without one
// are; pages are limited per address too; a made-up HTTP method is counted as
// "other", so it cannot grow /metrics.
func TestPerIPLimitIsForUnauthenticatedRequestsOnly(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	s, _ := api.New(api.Config{DB: db, Now: clock, BaseURL: "http://coplan.test", Secret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), RatePerToken: 0, RatePerIP: 5})
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := &env{t: t, db: db, srv: srv}
	tok, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	for i := 0; i < 100; i++ {
		if a := e.do("GET", "/api/v1/organisations", tok, nil); a.status != 200 {
			t.Fatalf("request %d of an authenticated client: %d", i, a.status)
		}
	}
	limited := 0
	for i := 0; i < 30; i++ {
		if a := e.do("GET", "/api/v1/organisations", "cpt_guess", nil); a.status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("guessed tokens are never limited")
	}
	pages := 0
	for i := 0; i < 30; i++ {
		if a := e.do("GET", "/plan", "", nil); a.status == 429 {
			pages++
		}
	}
	if pages == 0 {
		t.Fatal("pages are not limited per address")
	}
	e.do("FROBNICATE", "/api/v1/organisations", tok, nil)
	m := string(e.do("GET", "/metrics", "", nil).body)
	if strings.Contains(m, "FROBNICATE") || !strings.Contains(m, `method="other"`) {
		t.Fatal("a made-up method is a metrics label of its own")
	}
}
