package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// BenchmarkNurseSessions is the API's hottest read: a nurse's sessions.
func BenchmarkNurseSessions(b *testing.B) {
	db := storetest.Open(b, store.Postgres, clock)
	ctx := context.Background()
	demo.Fill(ctx, db)
	demo.PlanAndPublish(ctx, db)
	sessions, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{Page: store.Page{Limit: 1}})
	tok, _ := storetest.MustCreateToken(b, db, store.Token{Role: store.RoleNurse, FacilitatorID: sessions[0].FacilitatorIDs[0]})
	s, _ := api.New(api.Config{DB: db, Now: clock, BaseURL: "http://x", Secret: []byte(strings.Repeat("s", 32)), Logger: slog.New(slog.DiscardHandler)})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/v1/sessions?limit=20", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})
}
