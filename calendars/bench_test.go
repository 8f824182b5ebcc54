package calendars_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/plantest"
	"github.com/coplan/coplan/store"
)

// nationalSource turns the planner's national benchmark plan into the feed
// source a publication run reads, and lists one feed per facilitator,
// organisation, location and group.
func nationalSource(b *testing.B) (*store.FeedSource, []store.Feed) {
	in := plantest.Generate(2027, plantest.National, civil.New(2027, 1, 4))
	p, err := planner.Run(in)
	if err != nil {
		b.Fatal(err)
	}
	changed := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	src := &store.FeedSource{Now: changed, Groups: map[string]store.Group{}, Locations: map[string]store.Location{},
		Rooms: map[string]store.Room{}, Facilitators: map[string]store.Facilitator{}}
	var feeds []store.Feed
	for _, o := range in.Organisations {
		feeds = append(feeds, store.Feed{ID: "feed-" + o.ID, Kind: store.FeedOrganisation, SubjectID: o.ID})
	}
	for _, l := range in.Locations {
		src.Locations[l.ID] = store.Location{ID: l.ID, Name: "azc " + l.ID}
		for _, r := range l.Rooms {
			src.Rooms[r.ID] = store.Room{ID: r.ID, Name: "Groepsruimte " + r.ID}
		}
		feeds = append(feeds, store.Feed{ID: "feed-" + l.ID, Kind: store.FeedLocation, SubjectID: l.ID})
	}
	for _, f := range in.Facilitators {
		src.Facilitators[f.ID] = store.Facilitator{ID: f.ID, DisplayName: "Begeleider " + f.ID}
		feeds = append(feeds, store.Feed{ID: "feed-" + f.ID, Kind: store.FeedFacilitator, SubjectID: f.ID})
	}
	for _, g := range p.Groups {
		feeds = append(feeds, store.Feed{ID: "feed-" + g.ID, Kind: store.FeedGroup, SubjectID: g.ID})
		for _, s := range g.Sessions {
			start, end := s.Start, s.End
			src.Sessions = append(src.Sessions, store.Session{ID: fmt.Sprintf("ses-%s-%d", g.ID, s.Number), GroupID: g.ID,
				OrganisationID: g.OrganisationID, LocationID: g.LocationID, Number: s.Number, StartsAt: start, EndsAt: end,
				RoomID: s.RoomID, LeadFacilitatorID: s.FacilitatorIDs[0], SecondFacilitatorID: s.FacilitatorIDs[1],
				InterpreterLanguages: s.InterpreterLanguages, Families: len(g.BabyIDs), Status: store.SessionPublished, ChangedAt: changed})
		}
	}
	return src, feeds
}

// BenchmarkRenderNationalFeeds renders every feed of the national plan, as one
// publication run does.
func BenchmarkRenderNationalFeeds(b *testing.B) {
	src, feeds := nationalSource(b)
	r := calendars.Renderer{Host: "coplan.example"}
	b.ReportAllocs()
	var bytes int
	for b.Loop() {
		bytes = 0
		src := &store.FeedSource{Now: src.Now, Sessions: src.Sessions, Groups: src.Groups, Locations: src.Locations, Rooms: src.Rooms, Facilitators: src.Facilitators}
		for i := range feeds {
			body, err := r.Render(src, &feeds[i])
			if err != nil {
				b.Fatal(err)
			}
			bytes += len(body)
		}
	}
	b.ReportMetric(float64(bytes)/1e6, "MB-rendered")
	b.ReportMetric(float64(len(src.Sessions)), "sessions")
	b.ReportMetric(float64(len(feeds)), "feeds")
}
