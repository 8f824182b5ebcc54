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
