package api

import (
	"net/url"
	"strings"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// navItem is one entry of the main navigation.
type navItem struct {
	Label   string // message key
	Href    string
	Current bool
}

// navigation is what each role works with, in the order of its day: a
// coordinator's planning loop, a nurse's own sessions, location staff's week.
func navigation(c *gin.Context) []navItem {
	a, _ := c.Get(ctxActor)
	actor, ok := a.(store.Actor)
	if !ok { // not signed in, or just signed out
		return nil
	}
	var items []navItem
	switch actor.Role {
	case store.RoleAdmin, store.RoleCoordinator:
		items = []navItem{{"nav.babies", "/babies", false}, {"nav.groups", "/groups", false}, {"nav.plan", "/plan", false},
			{"nav.arrivals", "/arrivals", false}, {"nav.facilitators", "/facilitators", false}, {"nav.locations", "/locations", false},
			{"nav.capacity", "/capacity", false}, {"nav.surveys", "/surveys", false}, {"nav.reports", "/reports", false}, {"nav.users", "/users", false}, {"nav.audit", "/audit", false}}
	case store.RoleNurse:
		items = []navItem{{"nav.mysessions", "/me/sessions", false}, {"nav.mygroups", "/me/groups", false},
			{"nav.calendar", "/me/calendar", false}, {"nav.absence", "/me/absence", false}}
	case store.RoleLocation:
		loc := "/locations/" + url.PathEscape(actor.LocationID)
		items = []navItem{{"nav.week", loc + "/week", false}, {"nav.rooms", loc + "/rooms", false}, {"nav.overview", loc + "/overview", false}}
	}
	path := c.Request.URL.Path
	for i := range items {
		items[i].Current = path == items[i].Href || strings.HasPrefix(path, items[i].Href+"/")
		items[i].Href = withLang(c, items[i].Href)
	}
	return items
}

// withLang keeps the reader's language on a link: English adds ?lang=en.
func withLang(c *gin.Context, href string) string {
	if lang(c) != "en" {
		return href
	}
	if strings.Contains(href, "?") {
		return href + "&lang=en"
	}
	return href + "?lang=en"
}

// otherLanguage is the current page and its query in the other language.
func otherLanguage(c *gin.Context, to string) string {
	q := c.Request.URL.Query()
	q.Del("lang")
	if to == "en" {
		q.Set("lang", "en")
	}
	u := c.Request.URL.Path
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}
