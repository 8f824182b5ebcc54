package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func feedPath(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, "/feeds/") || !strings.HasSuffix(u.Path, ".ics") {
		t.Fatalf("feed URL %q", raw)
	}
	return u.Path
}

func TestFeedsThroughTheAPI(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		demo.Fill(ctx, db)
		demo.PlanAndPublish(ctx, db)
		org := groningen(t, db)
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		var sessions struct{ Items []store.Session }
		json.Unmarshal(e.do("GET", "/api/v1/sessions?limit=500", coord, nil).body, &sessions)
		nurseID := sessions.Items[0].FacilitatorIDs[0]
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: nurseID})
		otherNurse := sessions.Items[0].FacilitatorIDs[1]

		problem(t, e.do("POST", "/api/v1/feeds", nurse, map[string]any{"kind": "facilitator", "subject_id": otherNurse}), 403, "")
		problem(t, e.do("POST", "/api/v1/feeds", nurse, map[string]any{"kind": "organisation", "subject_id": org.ID}), 403, "")
		problem(t, e.do("POST", "/api/v1/feeds", coord, map[string]any{"kind": "weather", "subject_id": org.ID}), 400, "kind")
		problem(t, e.do("POST", "/api/v1/feeds", coord, map[string]any{"kind": "location"}), 400, "subject_id")
		loc, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: sessions.Items[0].LocationID})
		if a := e.do("POST", "/api/v1/feeds", loc, map[string]any{"kind": "location", "subject_id": sessions.Items[0].LocationID}); a.status != 201 {
			t.Fatalf("location staff subscribing to their location: %d %s", a.status, a.body)
		}

		a := e.do("POST", "/api/v1/feeds", nurse, map[string]any{"kind": "facilitator", "subject_id": nurseID})
		if a.status != 201 {
			t.Fatalf("create feed: %d %s", a.status, a.body)
		}
		feed := a.json(t)
		if !strings.HasPrefix(feed["webcal_url"].(string), "webcal://") {
			t.Fatalf("webcal URL %v", feed["webcal_url"])
		}
		path := feedPath(t, feed["url"].(string))
		res, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if res.StatusCode != 200 || h.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.HasPrefix(h.Get("ETag"), `"`) ||
			h.Get("Cache-Control") != "private, max-age=300" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Last-Modified") == "" {
			t.Fatalf("feed answer %d %v", res.StatusCode, h)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("If-None-Match", h.Get("ETag"))
		res, _ = http.DefaultClient.Do(req)
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Fatalf("If-None-Match: %d; want 304", res.StatusCode)
		}
		// A tampered token is a bare 404; so is an unknown one.
		for _, bad := range []string{strings.Replace(path, ".ics", "x.ics", 1), "/feeds/nope.ics", path[:len(path)-8] + "AAAA.ics"} {
			if a := e.do("GET", bad, "", nil); a.status != 404 || len(a.body) != 0 {
				t.Fatalf("GET %s = %d %q; want a bare 404", bad, a.status, a.body)
			}
		}
		// Rotating changes the URL and kills the old one at once.
		a = e.do("POST", "/api/v1/feeds/"+feed["id"].(string)+"/rotate", nurse, nil)
		newPath := feedPath(t, a.json(t)["url"].(string))
		if newPath == path {
			t.Fatal("rotating kept the URL")
		}
		if a := e.do("GET", path, "", nil); a.status != 404 {
			t.Fatalf("the rotated URL answers %d", a.status)
		}
		if a := e.do("GET", newPath, "", nil); a.status != 200 || !strings.Contains(string(a.body), "BEGIN:VCALENDAR") {
			t.Fatalf("the new URL answers %d", a.status)
		}
		// Revoking deletes the feed.
		if a := e.do("DELETE", "/api/v1/feeds/"+feed["id"].(string), nurse, nil); a.status != 204 {
			t.Fatalf("revoke: %d", a.status)
		}
		if a := e.do("GET", newPath, "", nil); a.status != 404 {
			t.Fatalf("a revoked feed answers %d", a.status)
		}
		if a := e.do("GET", "/robots.txt", "", nil); !strings.Contains(string(a.body), "Disallow: /feeds/") {
			t.Fatalf("robots.txt: %s", a.body)
		}
		if strings.Contains(e.logs.String(), strings.TrimSuffix(strings.TrimPrefix(newPath, "/feeds/"), ".ics")) {
			t.Fatal("a feed token was logged")
		}
	})
}

// A nurse opens its login link, makes a calendar link on /me/calendar, the link
// serves its sessions, and renewing the link kills the old one.
func TestBrowserMyCalendar(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	demo.Fill(ctx, db)
	demo.PlanAndPublish(ctx, db)
	sessions, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{Page: store.Page{Limit: 1}})
	_, nurse := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleNurse, FacilitatorID: sessions[0].FacilitatorIDs[0]})
	code, _ := db.CreateLoginCode(ctx, nurse.TokenID)
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.Click(chromedp.CSS("main button")),
		chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/me/calendar"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if txt := pagetest.Text(t, b, "main"); !strings.Contains(txt, "Mijn volgende bijeenkomsten") || !strings.Contains(txt, "/8") {
		t.Fatalf("calendar page: %s", txt)
	}
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS(`form[action^="/me/calendar/feed"] button`)), chromedp.WaitVisible(chromedp.CSS("#feed-url")))
	pagetest.CheckAccessibility(t, b)
	pagetest.Screenshot(t, b, "my-calendar")
	first, err := chromedp.Run(b, chromedp.Value(chromedp.CSS("#feed-url")))
	if err != nil {
		t.Fatal(err)
	}
	if a := e.do("GET", feedPath(t, first), "", nil); a.status != 200 || strings.Count(string(a.body), "BEGIN:VEVENT") == 0 {
		t.Fatalf("the calendar link answers %d with %d events", a.status, strings.Count(string(a.body), "BEGIN:VEVENT"))
	}
	// Renewing without ticking the box asks for it, and keeps the link.
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS(`form[action^="/me/calendar/rotate"] button`)), chromedp.WaitVisible(chromedp.CSS("#renew .problems")))
	pagetest.CheckAccessibility(t, b)
	if kept, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#feed-url"))); kept != first {
		t.Fatal("renewing without the confirmation changed the link")
	}
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS(`#renew input[name=confirm]`)),
		chromedp.Click(chromedp.CSS(`form[action^="/me/calendar/rotate"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	second, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#feed-url")))
	if second == first {
		t.Fatal("renewing kept the link")
	}
	if a := e.do("GET", feedPath(t, first), "", nil); a.status != 404 {
		t.Fatalf("the old link answers %d", a.status)
	}
	if a := e.do("GET", feedPath(t, second), "", nil); a.status != 200 {
		t.Fatalf("the new link answers %d", a.status)
	}
}

// Class 10: a client that accepts gzip gets the feed compressed, with Vary
// and an ETag of its own; If-None-Match with a weak or either tag, and
// If-Modified-Since, answer 304; the path skips the router's middleware but
// keeps the security headers and is counted.
func TestFeedServingGzipAndConditionalRequests(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	demo.Fill(ctx, db)
	demo.PlanAndPublish(ctx, db)
	org := groningen(t, db)
	a := e.do("POST", "/api/v1/feeds", e.admin, map[string]any{"kind": "organisation", "subject_id": org.ID})
	path := feedPath(t, a.json(t)["url"].(string))
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(h map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	plain := get(nil)
	zipped := get(map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if plain.Header.Get("Content-Encoding") != "" || zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("encodings: plain %q, gzip %q, Vary %q", plain.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
	}
	if zipped.ContentLength <= 0 || zipped.ContentLength >= plain.ContentLength || zipped.Header.Get("Etag") == plain.Header.Get("Etag") {
		t.Fatalf("gzip: %d of %d bytes, ETags %s and %s", zipped.ContentLength, plain.ContentLength, zipped.Header.Get("Etag"), plain.Header.Get("Etag"))
	}
	if none := get(map[string]string{"Accept-Encoding": "gzip;q=0"}); none.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip;q=0 got gzip")
	}
	tag := strings.Trim(plain.Header.Get("Etag"), `"`)
	for _, h := range []map[string]string{
		{"If-None-Match": `W/"` + tag + `"`},
		{"If-None-Match": zipped.Header.Get("Etag"), "Accept-Encoding": "gzip"},
		{"If-None-Match": `"other", "` + tag + `"`},
		{"If-Modified-Since": plain.Header.Get("Last-Modified")},
	} {
		if res := get(h); res.StatusCode != http.StatusNotModified {
			t.Errorf("%v: %d; want 304", h, res.StatusCode)
		}
	}
	if res := get(map[string]string{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}); res.StatusCode != 200 {
		t.Errorf("an old If-Modified-Since: %d; want 200", res.StatusCode)
	}
	if plain.Header.Get("X-Content-Type-Options") != "nosniff" || plain.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the fast path lost the security headers: %v", plain.Header)
	}
	if m := string(e.do("GET", "/metrics", "", nil).body); !strings.Contains(m, `coplan_http_requests_total{method="GET",route="/feeds/:token",status="304"}`) {
		t.Fatal("feed answers are not counted")
	}
}
