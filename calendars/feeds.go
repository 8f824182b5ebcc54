package calendars

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

// Token is the capability in a feed's URL: the feed id and an HMAC of the id and
// version under the secret (128 bits), so it can be shown again without being
// stored, and rotating (a new version) invalidates the old one.
func Token(secret []byte, feedID string, version int) string {
	return feedID + "." + mac(secret, feedID, version)
}

func mac(secret []byte, feedID string, version int) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("feed\x00" + feedID + "\x00" + strconv.Itoa(version)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// SplitToken returns the feed id of a token, and whether it has the form of one.
func SplitToken(token string) (string, bool) {
	id, m, ok := strings.Cut(token, ".")
	return id, ok && id != "" && len(m) == 22
}

// URLs returns the https (or http) and webcal URLs of a feed.
func URLs(base *url.URL, secret []byte, f *store.Feed) (string, string) {
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + "/feeds/" + Token(secret, f.ID, f.Version) + ".ics"
	w := u
	w.Scheme = "webcal"
	return u.String(), w.String()
}

// Renderer turns stored sessions into the feeds' bytes. Host names the UIDs.
type Renderer struct {
	Host string
}

// Render is a store.RenderFunc.
func (r Renderer) Render(src *store.FeedSource, f *store.Feed) ([]byte, error) {
	return Render(r.Feed(src, f))
}

// Feed selects and describes the sessions of one feed.
func (r Renderer) Feed(src *store.FeedSource, f *store.Feed) Feed {
	out := Feed{Name: r.name(src, f)}
	for _, s := range src.SessionsFor(f.Kind, f.SubjectID) {
		out.Events = append(out.Events, r.event(src, f, s))
	}
	if f.Kind == store.FeedLocation {
		// Location staff see the other bookings of their rooms too.
		for _, b := range src.Blocks[f.SubjectID] {
			for _, o := range b.Occurrences(src.Now.AddDate(0, 0, -store.FeedHistoryDays), src.Now.AddDate(2, 0, 0)) {
				out.Events = append(out.Events, Event{
					UID:      "block-" + b.ID + "-" + o.Start.UTC().Format("20060102") + "@" + r.Host,
					Start:    o.Start,
					End:      o.End,
					Changed:  b.CreatedAt,
					Summary:  b.Title,
					Location: src.Locations[b.LocationID].Name + ", " + src.Rooms[b.RoomID].Name,
				})
			}
		}
	}
	sort.SliceStable(out.Events, func(i, j int) bool { return out.Events[i].Start.Before(out.Events[j].Start) })
	return out
}

// groupName is what people call a group: its name, or for a group from
// before names the location it meets at.
func groupName(src *store.FeedSource, groupID string) string {
	g := src.Groups[groupID]
	if g.Name != "" {
		return g.Name
	}
	if l := src.Locations[g.LocationID].Name; l != "" {
		return "groep in " + l
	}
	return "groep"
}

func (r Renderer) name(src *store.FeedSource, f *store.Feed) string {
	switch f.Kind {
	case store.FeedFacilitator:
		return "CO-bijeenkomsten – " + src.Facilitators[f.SubjectID].DisplayName
	case store.FeedLocation:
		return "CO-ruimteboekingen – " + src.Locations[f.SubjectID].Name
	case store.FeedGroup:
		return "CO-groep " + groupName(src, f.SubjectID)
	case store.FeedOrganisation:
		if src.Organisation.Name != "" {
			return "CO-bijeenkomsten – " + src.Organisation.Name
		}
	}
	return "Centering Ouderschap"
}

// changed is when anything an event shows last changed: the session itself,
// or the name of its location, room or a facilitator. SEQUENCE moves only for
// time, place, people and status; LAST-MODIFIED moves for all of it, so that
// clients that compare it take a renamed room or a new family count too.
func changed(src *store.FeedSource, s *store.Session) time.Time {
	t := s.ChangedAt
	later := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	later(src.Locations[s.LocationID].UpdatedAt)
	later(src.Rooms[s.RoomID].UpdatedAt)
	later(src.Facilitators[s.LeadFacilitatorID].UpdatedAt)
	later(src.Facilitators[s.SecondFacilitatorID].UpdatedAt)
	return t
}

func (r Renderer) event(src *store.FeedSource, f *store.Feed, s *store.Session) Event {
	loc := src.Locations[s.LocationID].Name
	if room := src.Rooms[s.RoomID].Name; room != "" {
		loc += ", " + room
	}
	var desc []string
	desc = append(desc, fmt.Sprintf("%d gezinnen.", s.Families))
	if len(s.InterpreterLanguages) > 0 {
		desc = append(desc, "Tolk nodig: "+messages.LanguageNames("nl", s.InterpreterLanguages)+".")
	}
	names := func(ids ...string) string {
		var out []string
		for _, id := range ids {
			if n := src.Facilitators[id].DisplayName; n != "" {
				out = append(out, n)
			}
		}
		return strings.Join(out, " en ")
	}
	if f.Kind == store.FeedFacilitator {
		other := s.SecondFacilitatorID
		if other == f.SubjectID {
			other = s.LeadFacilitatorID
		}
		desc = append(desc, "Samen met "+names(other)+".")
	} else {
		desc = append(desc, "Begeleiders: "+names(s.LeadFacilitatorID, s.SecondFacilitatorID)+".")
	}
	summary := fmt.Sprintf("Centering Ouderschap - %s, bijeenkomst %d/8", groupName(src, s.GroupID), s.Number)
	if s.Status == store.SessionCancelled {
		// Outlook and some Google views ignore STATUS:CANCELLED in subscriptions.
		desc = append([]string{"GEANNULEERD."}, desc...)
		summary = "GEANNULEERD: " + summary
	}
	return Event{
		UID:         "session-" + s.ID + "@" + r.Host,
		Start:       s.StartsAt,
		End:         s.EndsAt,
		Changed:     changed(src, s),
		Sequence:    s.Sequence,
		Summary:     summary,
		Location:    loc,
		Description: strings.Join(desc, " "),
		Cancelled:   s.Status == store.SessionCancelled,
	}
}
