package api

import (
	"net/http"
	"net/url"
	"slices"
	"sort"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The group pages: the list per location, and one group with its members
// (ref, age, language), its sessions, facilitators, room and interpreter
// needs, and what a coordinator can do: add or remove a member, merge,
// dissolve. A nurse sees the groups she facilitates, without the actions.

// memberRow is a member in words.
type memberRow struct {
	store.Member
	Age      string
	Language string
}

// sessionRow is a session in words.
type sessionRow struct {
	store.Session
	Group        string
	Room         string
	Facilitators string
	Interpreters string
}

func (s *Server) groupsPage(c *gin.Context) {
	a := actor(c)
	if a.Role == store.RoleLocation {
		s.fail(c, store.Errorf(store.ENotFound, "no groups for location staff"))
		return
	}
	ctx := c.Request.Context()
	groups, _, err := s.db.Groups(ctx, a, store.GroupFilter{Page: store.Page{Limit: 1000}})
	if err != nil {
		s.fail(c, err)
		return
	}
	locs, _, err := s.db.Locations(ctx, store.System, store.LocationFilter{Page: store.Page{Limit: 1000}})
	if err != nil {
		s.fail(c, err)
		return
	}
	locName := map[string]string{}
	for _, l := range locs {
		locName[l.ID] = l.Name
	}
	type byLocation struct {
		Name   string
		Groups []store.Group
	}
	index := map[string]int{}
	var out []byLocation
	for _, g := range groups {
		i, ok := index[g.LocationID]
		if !ok {
			i = len(out)
			index[g.LocationID] = i
			out = append(out, byLocation{Name: locName[g.LocationID]})
		}
		out[i].Groups = append(out[i].Groups, g)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	title := "groups.title"
	if a.Role == store.RoleNurse {
		title = "nav.mygroups"
	}
	s.render(c, http.StatusOK, "groups", title, gin.H{"Locations": out, "Nurse": a.Role == store.RoleNurse})
}

func (s *Server) groupPage(c *gin.Context) {
	s.showGroup(c, nil, http.StatusOK)
}

// showGroup is the group with its members, sessions and, for a coordinator,
// the forms; f is a refused form to show again.
func (s *Server) showGroup(c *gin.Context, f *pageForm, status int) {
	ctx, a := c.Request.Context(), actor(c)
	if a.Role == store.RoleLocation {
		s.fail(c, store.Errorf(store.ENotFound, "no groups for location staff"))
		return
	}
	g, err := s.db.Group(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	members, err := s.db.GroupMembers(ctx, a, g.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	sessions, _, err := s.db.Sessions(ctx, store.System, store.SessionFilter{GroupID: g.ID, Page: store.Page{Limit: 50}})
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	n := s.names(c, nil)
	data := gin.H{"Group": g, "Location": n.Location(g.LocationID), "Members": s.memberRows(c, members),
		"Sessions": sessionRows(l, n, sessions), "Form": f, "Coordinator": a.Role == store.RoleAdmin || a.Role == store.RoleCoordinator,
		"Today": civil.Today(s.now())}
	if g.RoomID != "" {
		data["Room"] = n.Room(g.RoomID)
	}
	var pair []string
	for _, id := range []string{g.LeadFacilitatorID, g.SecondFacilitatorID} {
		if id != "" {
			pair = append(pair, n.Facilitator(id))
		}
	}
	data["Facilitators"] = messages.List(l, pair)
	data["InviteLanguages"] = inviteLanguages(l, members)
	if data["Coordinator"] == true && g.EndedOn == nil {
		if err := s.groupForms(c, g, data); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "group", "groups.group", data)
}

func (s *Server) memberRows(c *gin.Context, ms []store.Member) []memberRow {
	l := lang(c)
	out := make([]memberRow, len(ms))
	for i, m := range ms {
		out[i] = memberRow{Member: m, Age: messages.Age(l, m.AgeDays), Language: messages.LanguageName(l, m.Language)}
	}
	return out
}

func sessionRows(l string, n *names, ss []store.Session) []sessionRow {
	out := make([]sessionRow, len(ss))
	for i, s := range ss {
		out[i] = sessionRow{Session: s, Group: groupWords(l, n, s.GroupID), Room: n.Room(s.RoomID), Interpreters: messages.LanguageNames(l, s.InterpreterLanguages),
			Facilitators: messages.List(l, []string{n.Facilitator(s.LeadFacilitatorID), n.Facilitator(s.SecondFacilitatorID)})}
	}
	slices.SortFunc(out, func(a, b sessionRow) int { return a.Number - b.Number })
	return out
}

// groupForms adds what a coordinator picks from: waiting babies at the
// group's location (and its catchment) to add, groups of the location to
// merge into.
func (s *Server) groupForms(c *gin.Context, g *store.Group, data gin.H) error {
	ctx, a := c.Request.Context(), actor(c)
	loc, err := s.db.Location(ctx, a, g.LocationID)
	if err != nil {
		return err
	}
	from, to := joinWindow(g.OrganisationID, data["Members"].([]memberRow))
	data["WaitFrom"], data["WaitTo"] = from, to
	babies, _, err := s.db.Babies(ctx, a, store.BabyFilter{LocationIDs: append([]string{g.LocationID}, loc.Catchment...),
		Status: store.StatusEnrolled, Grouped: "no", BornFrom: from, BornTo: to, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	locs, err := s.locationChoices(c)
	if err != nil {
		return err
	}
	waiting, err := s.babyRows(c, babies, locs)
	if err != nil {
		return err
	}
	data["Waiting"] = waiting
	choices, err := s.db.GroupChoices(ctx, a)
	if err != nil {
		return err
	}
	var others []store.GroupChoice
	for _, o := range choices {
		if o.ID != g.ID && o.LocationID == g.LocationID {
			others = append(others, o)
		}
	}
	data["Others"] = others
	return nil
}

// joinWindow is when a baby who joins the group may be born: within the
// birth window of every member (a baby outside it is refused by the rules,
// so the form does not offer it). A group without members takes any age.
func joinWindow(organisationID string, members []memberRow) (from, to *civil.Date) {
	if len(members) == 0 {
		return nil, nil
	}
	window := planner.BirthWindow(&planner.Input{}, organisationID) // the service plans with the default rules
	first, last := members[0].BirthDate, members[0].BirthDate
	for _, m := range members {
		first, last = min(first, m.BirthDate), max(last, m.BirthDate)
	}
	f, t := last.AddDays(-window), first.AddDays(window)
	return &f, &t
}

func (s *Server) groupAddMember(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	_, err := s.uc.AddMember(c.Request.Context(), actor(c), c.Param("id"), values.Get("baby_id"))
	s.groupDone(c, values, err, "member_added")
}

func (s *Server) groupRemoveMember(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	err := s.uc.RemoveMember(c.Request.Context(), actor(c), c.Param("id"), values.Get("baby_id"))
	s.groupDone(c, values, err, "member_removed")
}

func (s *Server) groupMerge(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	into, err := s.uc.MergeGroup(c.Request.Context(), actor(c), c.Param("id"), values.Get("into"))
	if err == nil {
		done(c, "/groups/"+url.PathEscape(into.ID), "merged")
		return
	}
	s.groupDone(c, values, err, "")
}

func (s *Server) groupDissolve(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	var err error = store.Field("confirm", "confirm", "tick the box to dissolve the group")
	if values.Get("confirm") == "yes" {
		_, err = s.uc.DissolveGroup(c.Request.Context(), actor(c), c.Param("id"))
	}
	s.groupDone(c, values, err, "dissolved")
}

// groupDone answers a group form: back to the group, or the group page
// again with the refusal in words.
func (s *Server) groupDone(c *gin.Context, values url.Values, err error, what string) {
	if err != nil {
		babies := map[string]string{}
		if ms, merr := s.db.GroupMembers(c.Request.Context(), actor(c), c.Param("id")); merr == nil {
			for _, m := range ms {
				babies[m.BabyID] = m.Ref
			}
		}
		if id := values.Get("baby_id"); id != "" && babies[id] == "" {
			if b, berr := s.db.Baby(c.Request.Context(), actor(c), id); berr == nil {
				babies[id] = b.Ref
			}
		}
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, babies))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showGroup(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	done(c, "/groups/"+url.PathEscape(c.Param("id")), what)
}

// inviteLanguages are the invitation languages the group's families need,
// Dutch always among them, each with its link's code.
func inviteLanguages(l string, members []store.Member) []choice {
	seen := map[string]bool{"nl": true}
	out := []choice{{"nl", messages.LanguageName(l, "nl")}}
	for _, m := range members {
		if il, ok := messages.InvitationLanguageOf(m.Language); ok && !seen[il.Code] {
			seen[il.Code] = true
			out = append(out, choice{il.Code, messages.LanguageName(l, il.Code)})
		}
	}
	return out
}
