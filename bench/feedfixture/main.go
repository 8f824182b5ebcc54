// Command feedfixture prepares a database with one published feed of a given
// number of sessions, for the feed-serving load test (bench/feeds.sh). It prints
// the feed's path.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
)

func main() {
	dbURL := flag.String("database", "", "database (SQLite path or postgres:// URL)")
	secret := flag.String("secret", "", "COPLAN_SECRET of the server")
	n := flag.Int("sessions", 200, "sessions in the feed")
	flag.Parse()
	if err := run(*dbURL, *secret, *n); err != nil {
		fmt.Fprintln(os.Stderr, "feedfixture:", err)
		os.Exit(1)
	}
}

func run(dbURL, secret string, n int) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	org := &store.Organisation{Kind: store.KindGGD, Name: "GGD Benchmark"}
	if err := db.CreateOrganisation(ctx, store.System, org); err != nil {
		return err
	}
	loc := &store.Location{OrganisationID: org.ID, Kind: store.KindAZC, Name: "azc Musselkanaal"}
	if err := db.CreateLocation(ctx, store.System, loc); err != nil {
		return err
	}
	room := &store.Room{Name: "Groepsruimte 1", Capacity: 24}
	if err := db.CreateRoom(ctx, store.System, loc.ID, room); err != nil {
		return err
	}
	var facs [2]*store.Facilitator
	for i := range facs {
		facs[i] = &store.Facilitator{OrganisationID: org.ID, DisplayName: fmt.Sprintf("Begeleider %d", i+1), Role: store.RoleNurseFacilitator, COTrained: true, MaxSessionsPerWeek: 20}
		if err := db.CreateFacilitator(ctx, store.System, facs[i]); err != nil {
			return err
		}
	}
	group := &store.Group{ID: "g-benchmark", OrganisationID: org.ID, LocationID: loc.ID, RoomID: room.ID, LeadFacilitatorID: facs[0].ID, SecondFacilitatorID: facs[1].ID}
	changed := time.Now().UTC().Truncate(time.Second)
	day := civil.Today(time.Now())
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SaveGroup(group); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			start := day.AddDays(i).At(10 * 60)
			s := &store.Session{ID: fmt.Sprintf("ses_bench%04d", i), GroupID: group.ID, OrganisationID: org.ID, LocationID: loc.ID,
				Number: i + 1, StartsAt: start.UTC(), EndsAt: start.Add(2 * time.Hour).UTC(), RoomID: room.ID,
				LeadFacilitatorID: facs[0].ID, SecondFacilitatorID: facs[1].ID, InterpreterLanguages: []string{"ar", "ti"},
				Families: 7, Status: store.SessionPublished, ChangedAt: changed}
			if err := tx.SaveSession(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r := calendars.Renderer{Host: "coplan.bench"}
	feed, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, org.ID, r.Render)
	if err != nil {
		return err
	}
	u, _ := url.Parse("http://x")
	full, _ := calendars.URLs(u, []byte(secret), feed)
	fu, _ := url.Parse(full)
	fmt.Println(fu.Path)
	return nil
}
