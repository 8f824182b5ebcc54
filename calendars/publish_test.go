package calendars_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/emersion/go-ical"
)

var clock = storetest.FixedClock("2027-01-04 10:00")

func groningen(t *testing.T, db *store.DB) store.Organisation {
	orgs, _, _ := db.Organisations(context.Background(), store.System, store.Page{Limit: 100})
	for _, o := range orgs {
		if o.Name == "GGD Groningen" {
			return o
		}
	}
	t.Fatal("no GGD Groningen")
	return store.Organisation{}
}

func events(t *testing.T, body string) []ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v", err)
	}
	return cal.Events()
}

func TestPublicationOfTheDemoPlan(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := demo.PlanAndPublish(ctx, db); err != nil {
			t.Fatal(err)
		}
		org := groningen(t, db)
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		r := calendars.Renderer{Host: "coplan.test"}
		sessions, _, _ := db.Sessions(ctx, coord, store.SessionFilter{Page: store.Page{Limit: 1000}})
		if len(sessions) < 20 {
			t.Fatalf("the demo plan has %d sessions", len(sessions))
		}
		orgFeed, err := db.CreateFeed(ctx, coord, store.FeedOrganisation, org.ID, r.Render)
		if err != nil {
			t.Fatal(err)
		}
		groupFeed, _ := db.CreateFeed(ctx, coord, store.FeedGroup, sessions[0].GroupID, r.Render)
		nurseFeed, _ := db.CreateFeed(ctx, coord, store.FeedFacilitator, sessions[0].FacilitatorIDs[0], r.Render)
		locFeed, _ := db.CreateFeed(ctx, coord, store.FeedLocation, sessions[0].LocationID, r.Render)

		p := &calendars.Publisher{DB: db, Renderer: r, Replica: "test"}
		slot := time.Date(2027, 1, 4, 9, 5, 0, 0, time.UTC)
		res, err := p.Publish(ctx, slot)
		if err != nil || !res.Ran || res.Feeds != 4 {
			t.Fatalf("publish: %+v, %v", res, err)
		}
		if res, _ := p.Publish(ctx, slot); res.Ran {
			t.Fatal("the same slot ran twice")
		}
		bodies := map[string]*store.Feed{}
		for _, f := range []*store.Feed{orgFeed, groupFeed, nurseFeed, locFeed} {
			got, err := db.FeedForServing(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			bodies[f.ID] = got
		}
		orgEvents := events(t, bodies[orgFeed.ID].Body)
		if len(orgEvents) != len(sessions) {
			t.Fatalf("the organisation feed has %d events for %d sessions", len(orgEvents), len(sessions))
		}
		for _, e := range orgEvents {
			for _, name := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE"} {
				if e.Props.Get(name) == nil {
					t.Fatalf("an event lacks %s", name)
				}
			}
		}
		// ical.js reads it too, with +01:00 in winter and +02:00 in summer.
		js := calendars.ParseWithICALJS(t, []byte(bodies[orgFeed.ID].Body))
		offsets := map[string]bool{}
		for _, e := range js.Events {
			offsets[e.StartOffset] = true
			month := e.StartUTC[5:7]
			if (month == "01" || month == "12") && e.StartOffset != "+01:00" || (month == "07" && e.StartOffset != "+02:00") {
				t.Fatalf("ical.js computes offset %s for a session at %s", e.StartOffset, e.StartUTC)
			}
		}
		if !offsets["+01:00"] || !offsets["+02:00"] {
			t.Fatalf("offsets seen: %v; want winter and summer sessions", offsets)
		}
		// No feed holds a baby's ref, id or birth date.
		babies, _, _ := db.Babies(ctx, store.System, store.BabyFilter{Page: store.Page{Limit: 500}})
		for _, f := range bodies {
			for _, b := range babies {
				if strings.Contains(f.Body, b.Ref) || strings.Contains(f.Body, b.ID) || (b.BirthDate != nil && strings.Contains(f.Body, b.BirthDate.String())) {
					t.Fatalf("feed %s contains data of baby %s", f.Kind, b.Ref)
				}
			}
		}

		// Unchanged data: byte-identical bodies and the same ETags.
		res, _ = p.Publish(ctx, slot.Add(5*time.Minute))
		if !res.Ran || res.Changed != 0 {
			t.Fatalf("re-publishing unchanged data: %+v", res)
		}
		for id, before := range bodies {
			after, _ := db.FeedForServing(ctx, id)
			if after.Body != before.Body || after.ETag != before.ETag {
				t.Fatalf("feed %s changed without a change", before.Kind)
			}
		}

		// Move a session to the location's other room: same UID, higher SEQUENCE.
		var moved *store.Session
		for i := range sessions {
			s := &sessions[i]
			rooms, _, _ := db.Rooms(ctx, coord, s.LocationID, store.Page{})
			for _, rm := range rooms {
				if rm.ID == s.RoomID {
					continue
				}
				id := rm.ID
				if got, err := coordination.New(db).ChangeSession(ctx, coord, s.ID, coordination.SessionChange{RoomID: &id}); err == nil {
					moved = got
					break
				}
			}
			if moved != nil {
				break
			}
		}
		if moved == nil {
			t.Fatal("no session could move to another room")
		}
		// And one to another day: also the same UID with a higher SEQUENCE.
		var shifted *store.Session
		for i := len(sessions) - 1; i >= 0 && shifted == nil; i-- {
			s := sessions[i]
			if s.ID == moved.ID {
				continue
			}
			for _, days := range []int{7, -7, 14, 1, -1} {
				start := s.StartsAt.AddDate(0, 0, days)
				if got, err := coordination.New(db).ChangeSession(ctx, coord, s.ID, coordination.SessionChange{Start: &start}); err == nil {
					shifted = got
					break
				}
			}
		}
		if shifted == nil {
			t.Fatal("no session could move to another day")
		}
		cancelled := store.SessionCancelled
		var other store.Session
		for _, s := range sessions {
			if s.ID != moved.ID && s.ID != shifted.ID {
				other = s
			}
		}
		if _, err := coordination.New(db).ChangeSession(ctx, coord, other.ID, coordination.SessionChange{Status: &cancelled}); err != nil {
			t.Fatal(err)
		}
		res, _ = p.Publish(ctx, slot.Add(10*time.Minute))
		if res.Changed == 0 {
			t.Fatalf("a moved and a cancelled session changed no feed: %+v", res)
		}
		after, _ := db.FeedForServing(ctx, orgFeed.ID)
		uidMoved := "session-" + moved.ID + "@coplan.test"
		uidCancelled := "session-" + other.ID + "@coplan.test"
		uidShifted := "session-" + shifted.ID + "@coplan.test"
		found := 0
		for _, e := range events(t, after.Body) {
			uid, _ := e.Props.Text("UID")
			seq := e.Props.Get("SEQUENCE").Value
			status, _ := e.Props.Text("STATUS")
			switch uid {
			case uidMoved:
				found++
				if seq != "1" || status != "CONFIRMED" {
					t.Fatalf("moved session: SEQUENCE %s STATUS %s", seq, status)
				}
			case uidShifted:
				found++
				start, _ := e.DateTimeStart(nil)
				if seq != "1" || !start.Equal(shifted.StartsAt) {
					t.Fatalf("session moved to another day: SEQUENCE %s start %s; want 1 and %s", seq, start, shifted.StartsAt)
				}
			case uidCancelled:
				found++
				if seq != "1" || status != "CANCELLED" {
					t.Fatalf("cancelled session: SEQUENCE %s STATUS %s", seq, status)
				}
			}
		}
		if found != 3 {
			t.Fatalf("found %d of the 3 changed sessions in the feed", found)
		}
		if bytes.Equal([]byte(after.Body), []byte(bodies[orgFeed.ID].Body)) {
			t.Fatal("the body did not change")
		}
	})
}
