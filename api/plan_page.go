package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The coordinator's planning page: what the last run changed, the groups per
// location with what is still to publish, the babies no group takes yet
// with why and what would place them, and publishing with a preview.

// unplacedRow is a baby no group takes, in words.
type unplacedRow struct {
	store.UnplacedBaby
	Age      string
	Location string
	Language string
	Why      string
	Help     string
}

// planOrganisation is the organisation the page is about: a coordinator's
// own, an admin's choice.
func planOrganisation(c *gin.Context) string {
	a := actor(c)
	if org := c.Query("organisation_id"); org != "" {
		return org
	}
	if org := c.PostForm("organisation_id"); org != "" {
		return org
	}
	if !a.IsAdmin() {
		return a.OrganisationID
	}
	return ""
}

func (s *Server) planPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	org := planOrganisation(c)
	if org == "" {
		orgs, _, err := s.db.Organisations(ctx, a, store.Page{Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "plan", "plan.title", gin.H{"Choose": orgs})
		return
	}
	ov, err := s.db.PlanOverview(ctx, a, org)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "plan", "plan.title", gin.H{"Overview": ov, "Summary": s.runSummary(c, ov.Run),
		"Selected": selectedLocation(c, ov), "Unplaced": s.unplacedRows(c, ov), "Reasons": unplacedReasons(c, ov),
		"Planned": ov.PlannedTotal(), "Org": url.QueryEscape(org)})
}

// selectedLocation is the location whose groups the page lists: the one
// asked for, or the only one. An organisation of national size has hundreds
// of groups; one line per location keeps the page readable (and quick), and
// its groups are a click away.
func selectedLocation(c *gin.Context, ov *store.PlanOverview) *store.LocationPlan {
	if len(ov.Locations) == 1 {
		return &ov.Locations[0]
	}
	for i := range ov.Locations {
		if ov.Locations[i].Location.ID == c.Query("location") {
			return &ov.Locations[i]
		}
	}
	return nil
}

// runSummary says in one sentence what the last run changed.
func (s *Server) runSummary(c *gin.Context, run *store.PlanRun) string {
	if run == nil {
		return ""
	}
	l := lang(c)
	ch := run.Changes
	parts := []string{
		messages.Count(l, "plan.sum.groups", len(ch.NewGroups), nil),
		messages.Count(l, "plan.sum.placed", ch.Placed, nil),
		messages.Count(l, "plan.sum.moved", len(ch.MovedSessions), nil),
	}
	if ch.NewSessions > 0 {
		parts = append(parts, messages.Count(l, "plan.sum.new", ch.NewSessions, nil))
	}
	if ch.Left > 0 {
		parts = append(parts, messages.Count(l, "plan.sum.left", ch.Left, nil))
	}
	if n := len(ch.BelowMinimum); n > 0 {
		parts = append(parts, messages.Count(l, "plan.sum.small", n, map[string]any{"Min": planner.GroupMin(&planner.Input{}, "")}))
	}
	return messages.List(l, parts)
}

// unplacedRows puts the babies no group takes into words, with what would
// place each: for too few babies, how many more of the same age at that
// location would make a group.
func (s *Server) unplacedRows(c *gin.Context, ov *store.PlanOverview) []unplacedRow {
	l := lang(c)
	today := civil.Today(s.now())
	locName := map[string]string{}
	for _, lp := range ov.Locations {
		locName[lp.Location.ID] = lp.Location.Name
	}
	min := planner.GroupMin(&planner.Input{}, ov.Organisation.ID)
	out := make([]unplacedRow, 0, len(ov.Unplaced))
	for _, u := range ov.Unplaced {
		r := unplacedRow{UnplacedBaby: u, Location: locName[u.LocationID], Language: messages.LanguageName(l, u.Language),
			Why: translate(l, "reason."+u.Reason)}
		if u.BirthDate != nil {
			r.Age = messages.Age(l, today.Sub(*u.BirthDate))
		}
		r.Help = messages.Format(l, "placehelp."+u.Reason, map[string]any{"Location": r.Location, "Needed": max(1, min-u.Near), "Window": store.NearWindow})
		out = append(out, r)
	}
	return out
}

// reasonCount is how many waiting babies share a reason, in words.
type reasonCount struct {
	Why string
	N   int
}

// unplacedReasons lists the reasons babies wait, the most common first.
func unplacedReasons(c *gin.Context, ov *store.PlanOverview) []reasonCount {
	out := make([]reasonCount, 0, len(ov.UnplacedByReason))
	for code, n := range ov.UnplacedByReason {
		out = append(out, reasonCount{Why: translate(lang(c), "reason."+code), N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N || out[i].N == out[j].N && out[i].Why < out[j].Why })
	return out
}

// replanPage runs the planner from the page's button and shows the result.
func (s *Server) replanPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	org := planOrganisation(c)
	if _, _, err := s.uc.RunPlans(c.Request.Context(), actor(c), org, false); err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/plan?organisation_id="+url.QueryEscape(org), "replanned")
}

// publishPage shows what publishing would change for the facilitators'
// calendars before it is done.
func (s *Server) publishPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	org, group := planOrganisation(c), c.Query("group")
	p, err := s.uc.PreviewPublication(c.Request.Context(), actor(c), org, group)
	if err != nil {
		s.fail(c, err)
		return
	}
	rooms, groups, err := s.sessionNames(c, p.Sessions)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "publish", "publish.title", gin.H{"Publication": p, "Org": org, "Group": group, "Rooms": rooms, "Groups": groups})
}

func (s *Server) publish(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	org := planOrganisation(c)
	n, err := s.uc.Publish(c.Request.Context(), actor(c), org, c.PostForm("group"))
	if err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/plan?organisation_id="+url.QueryEscape(org)+"&n="+itoa(n), "published")
}

// sessionNames are the names of the rooms and groups of sessions.
func (s *Server) sessionNames(c *gin.Context, sessions []store.Session) (map[string]string, map[string]string, error) {
	rooms, groups := map[string]string{}, map[string]string{}
	n := s.names(c, nil)
	for _, sess := range sessions {
		if _, ok := rooms[sess.RoomID]; !ok {
			rooms[sess.RoomID] = n.Location(sess.LocationID) + ", " + n.Room(sess.RoomID)
		}
		if _, ok := groups[sess.GroupID]; !ok {
			groups[sess.GroupID] = strings.TrimPrefix(n.Group(sess.GroupID), translate(lang(c), "word.group")+" ")
		}
	}
	return rooms, groups, nil
}
