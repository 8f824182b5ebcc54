package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestCapacityThroughTheAPI(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		demo.Fill(context.Background(), db)
		org := groningen(t, db)
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		a := e.do("GET", "/api/v1/capacity?period=month", coord, nil)
		var f planner.Forecast
		if err := json.Unmarshal(a.body, &f); err != nil || a.status != 200 || len(f.Organisations) != 1 || f.Organisations[0].OrganisationID != org.ID {
			t.Fatalf("capacity: %d %v", a.status, err)
		}
		if len(f.Organisations[0].Periods) < 18 || len(f.Locations) != 3 {
			t.Fatalf("periods %d, locations %d", len(f.Organisations[0].Periods), len(f.Locations))
		}
		problem(t, e.do("GET", "/api/v1/capacity?period=year", coord, nil), 400, "period")
		problem(t, e.do("GET", "/api/v1/capacity?from=2027-02-30", coord, nil), 400, "from")
		if a := e.do("GET", "/api/v1/capacity.csv?excel=0", coord, nil); !strings.HasPrefix(string(a.body), "organisation_id,organisation,period,") {
			t.Fatalf("CSV: %.200s", a.body)
		}
		if a := e.do("GET", "/api/v1/capacity.csv", coord, nil); !strings.HasPrefix(string(a.body), "\ufeffOrganisatie-id;Organisatie;Periode;") || strings.Contains(string(a.body), "csv.") {
			t.Fatalf("CSV: %.200s", a.body)
		}
		// A what-if with ten more facilitators raises supply and stores nothing.
		w := e.do("POST", "/api/v1/capacity/what-if?period=month", coord, map[string]any{"organisation_id": org.ID, "extra_facilitators": 10})
		var g planner.Forecast
		json.Unmarshal(w.body, &g)
		if w.status != 200 || g.Organisations[0].Periods[1].SupplyFacilitatorHours <= f.Organisations[0].Periods[1].SupplyFacilitatorHours {
			t.Fatalf("what-if: %d %.300s", w.status, w.body)
		}
		again := e.do("GET", "/api/v1/capacity?period=month", coord, nil)
		if string(again.body) != string(a.body) {
			t.Fatal("a what-if changed the stored forecast")
		}
		problem(t, e.do("POST", "/api/v1/capacity/what-if", coord, map[string]any{"organisation_id": org.ID, "uptake_rate": 2}), 400, "uptake_rate")
		nurse, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: f.Locations[0].LocationID})
		problem(t, e.do("GET", "/api/v1/capacity", nurse, nil), 403, "")
		// The late-pregnancy rule through the API.
		loc := f.Locations[0].LocationID
		baby := e.create("/api/v1/babies", coord, map[string]any{"ref": "P-37", "expected_date": "2027-01-25", "location_id": loc, "status": "eligible"})
		problem(t, e.do("POST", "/api/v1/babies/"+baby+"/moves", coord, map[string]any{"to_location_id": f.Locations[1].LocationID, "date": "2027-01-04"}), 422, "exception_reason")
		if a := e.do("POST", "/api/v1/babies/"+baby+"/moves", coord, map[string]any{"to_location_id": f.Locations[1].LocationID, "date": "2027-01-04",
			"exception_reason": "Ter Apel: afgesproken met GZA, verloskundige en de vrouw"}); a.status != 201 || !strings.Contains(string(a.body), "Ter Apel: afgesproken") {
			t.Fatalf("move with a reason: %d %s", a.status, a.body)
		}
	})
}

// The capacity page shows a chart and a table for the demo data.
func TestBrowserCapacityPage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	demo.Fill(ctx, db)
	_, admin := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	code, _ := db.CreateLoginCode(ctx, admin.TokenID)
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/login/"+code), chromedp.Click(chromedp.CSS("main button")),
		chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/capacity"), chromedp.WaitVisible(chromedp.CSS("svg.chart")), chromedp.WaitVisible(chromedp.CSS("main table tbody tr")))
	bars, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect").length`))
	if err != nil || bars < 18 {
		t.Fatalf("%d bars in the chart (%v)", bars, err)
	}
	if txt := pagetest.Text(t, b, "main"); !strings.Contains(txt, "GGD Groningen") || !strings.Contains(txt, "Waar is CO haalbaar?") {
		t.Fatalf("capacity page: %.500s", txt)
	}
	pagetest.CheckAccessibility(t, b)
	pagetest.Screenshot(t, b, "capacity-page")
}

// The coordinator chooses the period and tries a what-if on the page: an
// unreadable field is named, the what-if shows without saving anything, and
// the same calculation downloads.
func TestBrowserCapacityWhatIf(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	ctx := context.Background()
	demo.Fill(ctx, db)
	gr := orgByName(t, db, "GGD Groningen")
	_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: gr.ID})
	b := signIn(t, e, coord)
	visit(t, e, b, "/capacity", "capacity-coordinator")
	if text := pagetest.Text(t, b, "main"); !strings.Contains(text, "begeleidersuren per maand") {
		t.Fatalf("the chart's unit: %.300s", text)
	}
	before, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("main table tbody tr td:nth-child(5)").textContent`))
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS("details summary")), chromedp.SetValue(chromedp.CSS("#extra"), "twee"))
	click(t, b, "Toon", "#problems")
	if text := check(t, b, "capacity-refused"); !strings.Contains(text, "Geef een getal") {
		t.Fatalf("an unreadable what-if: %s", text)
	}
	pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#extra"), "2"), chromedp.SetValue(chromedp.CSS("#hours"), "24"))
	click(t, b, "Toon", "[role=status]")
	check(t, b, "capacity-whatif")
	if v := pagetest.Value(t, b, "#extra"); v != "2" {
		t.Fatalf("the form lost the what-if: %q", v)
	}
	after, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("main table tbody tr td:nth-child(5)").textContent`))
	if after == before {
		t.Fatalf("two extra nurses did not change the hours available (%s)", after)
	}
	if n := storetest.Count(t, db, "SELECT COUNT(*) FROM facilitators WHERE organisation_id = '"+gr.ID+"'"); n != 6 {
		t.Fatalf("the what-if stored facilitators: %d", n)
	}
	csv := e.do("GET", "/capacity.csv?period=week&extra=2&hours=24", e.tokenOf(t, store.Token{Role: store.RoleCoordinator, OrganisationID: gr.ID}), "")
	if csv.status != 200 || !strings.Contains(string(csv.body), "GGD Groningen") || !strings.Contains(string(csv.body), "Begeleidersuren beschikbaar") {
		t.Fatalf("the download: %d %.300s", csv.status, csv.body)
	}
}
