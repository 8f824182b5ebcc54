// Command pagesfixture fills a database with one organisation of national
// size (the first of the national benchmark input: about 2,800 babies, a
// dozen locations, 60 facilitators), plans and publishes it, and prints the
// organisation, a group, its location and a ref for the page load test
// (bench/pages.sh).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/planner/plantest"
	"github.com/coplan/coplan/store"
)

func main() {
	dbURL := flag.String("database", "", "database (SQLite path or postgres:// URL)")
	today := flag.String("today", "2027-01-04", "the day the data is planned on")
	flag.Parse()
	if err := run(*dbURL, civil.MustParse(*today)); err != nil {
		fmt.Fprintln(os.Stderr, "pagesfixture:", err)
		os.Exit(1)
	}
}

func run(dbURL string, today civil.Date) error {
	ctx := context.Background()
	now := today.At(9 * 60)
	db, err := store.Open(ctx, dbURL, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	defer db.Close()
	in := plantest.Generate(2027, plantest.National, today)
	orgID := in.Organisations[0].ID
	org := &store.Organisation{Kind: store.KindGGD, Name: "GGD Landelijk", ContactEmail: "co@landelijk.example"}
	if err := db.CreateOrganisation(ctx, store.System, org); err != nil {
		return err
	}
	locID := map[string]string{}
	for _, l := range in.Locations {
		if l.OrganisationID != orgID {
			continue
		}
		loc := &store.Location{OrganisationID: org.ID, Kind: store.KindAZC, Name: "azc " + strings.ToUpper(l.ID[len(l.ID)-3:]), ShortStay: l.ShortStay}
		if err := db.CreateLocation(ctx, store.System, loc); err != nil {
			return err
		}
		locID[l.ID] = loc.ID
		for i, r := range l.Rooms {
			room := &store.Room{Name: fmt.Sprintf("Ruimte %d", i+1), Capacity: r.Capacity, OpeningHours: r.Open, Closures: r.Closed}
			if err := db.CreateRoom(ctx, store.System, loc.ID, room); err != nil {
				return err
			}
		}
	}
	for _, l := range in.Locations {
		if l.OrganisationID != orgID || len(l.Catchment) == 0 {
			continue
		}
		var c []string
		for _, id := range l.Catchment {
			c = append(c, locID[id])
		}
		if _, err := db.UpdateLocation(ctx, store.System, locID[l.ID], func(x *store.Location) { x.Catchment = c }); err != nil {
			return err
		}
	}
	for i, f := range in.Facilitators {
		if f.OrganisationID != orgID {
			continue
		}
		fc := &store.Facilitator{OrganisationID: org.ID, DisplayName: fmt.Sprintf("Begeleider %d", i+1), Role: store.FacilitatorRole(f.Role),
			COTrained: f.COTrained, Availability: f.Available, Absences: f.Absent, MaxSessionsPerWeek: *f.MaxSessionsPerWeek, Languages: f.Languages}
		if err := db.CreateFacilitator(ctx, store.System, fc); err != nil {
			return err
		}
	}
	var rows []store.ImportRow
	for i, b := range in.Babies {
		if loc, ok := locID[b.LocationID]; ok {
			birth := b.BirthDate
			rows = append(rows, store.ImportRow{Line: i + 2, Ref: fmt.Sprintf("NL-%06d", i+1), BirthDate: &birth, Location: loc, Language: b.Language})
		}
	}
	if _, err := db.ImportBabies(ctx, store.System, rows, store.ImportOptions{}); err != nil {
		return err
	}
	if _, err := coordination.New(db).RunPlan(ctx, store.System, org.ID, true); err != nil {
		return err
	}
	groups, _, err := db.Groups(ctx, store.System, store.GroupFilter{OrganisationID: org.ID, Page: store.Page{Limit: 1000}})
	if err != nil || len(groups) == 0 {
		return fmt.Errorf("no groups planned: %v", err)
	}
	g := groups[len(groups)/2]
	fmt.Printf("ORG=%s GROUP=%s LOC=%s REF=%s BABIES=%d NGROUPS=%d\n", org.ID, g.ID, g.LocationID, rows[len(rows)/2].Ref, len(rows), len(groups))
	return nil
}
