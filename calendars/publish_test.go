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

// Class 10: a cancelled session's SUMMARY says so (Outlook and some Google
// views ignore STATUS:CANCELLED in subscriptions); an organisation's feed is
// named after it; renaming a room moves its events' LAST-MODIFIED but not
// their SEQUENCE, which is for time, place, people and status.
func TestFeedsShowCancellationsNamesAndContentChanges(t *testing.T) {
	var now time.Time
	tick := func() time.Time { return now }
	storetest.Each(t, tick, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now = clock()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := demo.PlanAndPublish(ctx, db); err != nil {
			t.Fatal(err)
		}
		org := groningen(t, db)
		r := calendars.Renderer{Host: "coplan.test"}
		feed, err := db.CreateFeed(ctx, store.System, store.FeedOrganisation, org.ID, r.Render)
		if err != nil {
			t.Fatal(err)
		}
		sessions, _, _ := db.Sessions(ctx, store.Actor{Role: store.RoleCoordinator, OrganisationID: org.ID}, store.SessionFilter{From: now, Page: store.Page{Limit: 1}})
		s := sessions[0]
		cancelled := store.SessionCancelled
		if _, err := coordination.New(db).ChangeSession(ctx, store.System, s.ID, coordination.SessionChange{Status: &cancelled}); err != nil {
			t.Fatal(err)
		}
		p := &calendars.Publisher{DB: db, Renderer: r, Replica: "test"}
		if _, err := p.Publish(ctx, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FeedForServing(ctx, feed.ID)
		ev := eventOf(t, got.Body, s.ID)
		if summary, _ := ev.Props.Text("SUMMARY"); !strings.HasPrefix(summary, "GEANNULEERD") {
			t.Fatalf("a cancelled session's summary: %q", summary)
		}
		if name, _ := icalName(t, got.Body); name != "CO-bijeenkomsten – GGD Groningen" {
			t.Fatalf("the organisation's feed is called %q", name)
		}
		// Another session's room is renamed, a day later.
		other := sessions[0]
		all, _, _ := db.Sessions(ctx, store.System, store.SessionFilter{From: now, Status: store.SessionPublished, Page: store.Page{Limit: 1}})
		if len(all) > 0 {
			other = all[0]
		}
		before := eventOf(t, got.Body, other.ID)
		lm0, _ := before.Props.DateTime("LAST-MODIFIED", time.UTC)
		seq0 := before.Props.Get("SEQUENCE").Value
		now = now.Add(24 * time.Hour)
		if _, err := db.UpdateRoom(ctx, store.System, other.LocationID, other.RoomID, func(r *store.Room) { r.Name += " (verbouwd)" }); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Publish(ctx, now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FeedForServing(ctx, feed.ID)
		after := eventOf(t, got.Body, other.ID)
		lm1, _ := after.Props.DateTime("LAST-MODIFIED", time.UTC)
		if !lm1.After(lm0) || after.Props.Get("SEQUENCE").Value != seq0 {
			t.Fatalf("after a room was renamed: LAST-MODIFIED %v -> %v, SEQUENCE %s -> %s", lm0, lm1, seq0, after.Props.Get("SEQUENCE").Value)
		}
		if loc, _ := after.Props.Text("LOCATION"); !strings.Contains(loc, "(verbouwd)") {
			t.Fatalf("the event does not show the new name: %q", loc)
		}
	})
}

func eventOf(t *testing.T, body, sessionID string) ical.Event {
	t.Helper()
	for _, e := range events(t, body) {
		if uid, _ := e.Props.Text("UID"); strings.HasPrefix(uid, "session-"+sessionID+"@") {
			return e
		}
	}
	t.Fatalf("no event of session %s", sessionID)
	return ical.Event{}
}

func icalName(t *testing.T, body string) (string, error) {
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return cal.Props.Text("X-WR-CALNAME")
}
