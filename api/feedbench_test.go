package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// BenchmarkServeFeed is one feed poll through the server's handler, with and
// without gzip, 200 and 304: what a calendar client's poll costs besides the
// network.
func BenchmarkServeFeed(b *testing.B) {
	db := storetest.Open(b, store.SQLite, clock)
	ctx := context.Background()
	demo.Fill(ctx, db)
	demo.PlanAndPublish(ctx, db)
	e := newEnv(b, db)
	orgs, _, _ := db.Organisations(ctx, store.System, store.Page{Limit: 1})
	a := e.do("POST", "/api/v1/feeds", e.admin, map[string]any{"kind": "organisation", "subject_id": orgs[0].ID})
	path := feedPath(b, a.json(b)["url"].(string))
	probe := httptest.NewRecorder()
	e.h.ServeHTTP(probe, httptest.NewRequest("GET", path, nil))
	etag := probe.Header().Get("Etag")
	for _, c := range []struct {
		name string
		h    map[string]string
	}{{"plain-200", nil}, {"plain-304", map[string]string{"If-None-Match": etag}},
		{"gzip-200", map[string]string{"Accept-Encoding": "gzip"}}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			for k, v := range c.h {
				req.Header.Set(k, v)
			}
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				e.h.ServeHTTP(w, req)
			}
		})
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
