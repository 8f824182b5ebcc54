package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/survey"
	"github.com/gin-gonic/gin"
)

// The coordinator's other pages: arrivals from other organisations (with
// the accept form), facilitators, locations and their rooms, survey rounds.

// arrivalRow is an arrival in words.
type arrivalRow struct {
	ID        string
	From      string
	Location  string
	MovedOn   civil.Date
	Age       string
	Language  string
	Attended  string
	Proposals []groupChoice
	Ref       string
	Pending   bool
}

type groupChoice struct {
	ID, Name string
	From     int
}

func (s *Server) arrivalsPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.showArrivals(c, nil, http.StatusOK)
}

func (s *Server) showArrivals(c *gin.Context, f *pageForm, status int) {
	ctx, a := c.Request.Context(), actor(c)
	arrivals, _, err := s.uc.Arrivals(ctx, a, store.HandoverFilter{Page: store.Page{Limit: 200}})
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	n := s.names(c, nil)
	today := civil.Today(s.now())
	var rows []arrivalRow
	for _, arr := range arrivals {
		r := arrivalRow{ID: arr.ID, From: arr.FromOrganisationName, Location: n.Location(arr.ToLocationID), MovedOn: arr.MovedOn,
			Ref: arr.ProposedRef, Pending: arr.Status == store.HandoverPending}
		if b := arr.Baby; b != nil {
			r.Language = messages.LanguageName(l, b.Language)
			if b.BirthDate != nil {
				r.Age = messages.Age(l, today.Sub(*b.BirthDate))
			}
			if !r.Pending {
				r.Ref = b.Ref
			}
		}
		var nums []string
		for _, k := range arr.AttendedSessions {
			nums = append(nums, itoa(k))
		}
		r.Attended = messages.List(l, nums)
		for _, p := range arr.Proposals {
			r.Proposals = append(r.Proposals, groupChoice{ID: p.GroupID, Name: p.GroupName, From: p.From})
		}
		rows = append(rows, r)
	}
	notices, err := s.noticeRows(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "arrivals", "arrivals.title", gin.H{"Arrivals": rows, "Form": f, "Notices": notices})
}

func (s *Server) arrivalAccept(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	_, err := s.uc.AcceptHandover(c.Request.Context(), actor(c), c.Param("id"), strings.TrimSpace(values.Get("ref")), values.Get("group_id"))
	if err != nil {
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		f.Values.Set("arrival", c.Param("id"))
		s.showArrivals(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	done(c, "/arrivals", "arrival_accepted")
}

// facilitatorRow is a facilitator in words.
type facilitatorRow struct {
	store.Facilitator
	Languages    string
	Availability string
}

func (s *Server) facilitatorsPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	staff, _, err := s.db.Facilitators(c.Request.Context(), actor(c), store.FacilitatorFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	rows := make([]facilitatorRow, len(staff))
	for i, f := range staff {
		rows[i] = facilitatorRow{Facilitator: f, Languages: messages.LanguageNames(l, f.Languages), Availability: weeklyWords(l, f.Availability)}
	}
	s.render(c, http.StatusOK, "facilitators", "facilitators.title", gin.H{"Staff": rows})
}

// weeklyWords says weekly hours as people do: "di 09:00–17:00, do 08:30–12:30".
func weeklyWords(l string, ws []civil.Weekly) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, translate(l, "weekday."+itoa(w.Weekday))+" "+w.From.String()+"–"+w.To.String())
	}
	return strings.Join(parts, ", ")
}

func (s *Server) locationsPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	locs, _, err := s.db.Locations(ctx, a, store.LocationFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		s.fail(c, err)
		return
	}
	names := map[string]string{}
	for _, l := range locs {
		names[l.ID] = l.Name
	}
	type row struct {
		store.Location
		Rooms     int
		Catchment string
	}
	l := lang(c)
	rows := make([]row, len(locs))
	for i, loc := range locs {
		rooms, _, err := s.db.Rooms(ctx, a, loc.ID, store.Page{Limit: 100})
		if err != nil {
			s.fail(c, err)
			return
		}
		var catchment []string
		for _, id := range loc.Catchment {
			catchment = append(catchment, names[id])
		}
		rows[i] = row{Location: loc, Rooms: len(rooms), Catchment: messages.List(l, catchment)}
	}
	s.render(c, http.StatusOK, "locations", "locations.title", gin.H{"Locations": rows})
}

// roomsPage lists a location's rooms with their opening hours and closures,
// and takes a closure; for location staff and coordinators.
func (s *Server) roomsPage(c *gin.Context) {
	s.showRooms(c, &pageForm{}, http.StatusOK)
}

func (s *Server) showRooms(c *gin.Context, f *pageForm, status int) {
	s.showRoomsWith(c, f, status, gin.H{})
}

// showRoomsWith is the rooms page with more to say: the sessions a closure
// would hit, or where they went.
func (s *Server) showRoomsWith(c *gin.Context, f *pageForm, status int, data gin.H) {
	ctx, a := c.Request.Context(), actor(c)
	loc, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	rooms, _, err := s.db.Rooms(ctx, a, loc.ID, store.Page{Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	type row struct {
		store.Room
		Open     string
		Closures []civil.Range
	}
	l := lang(c)
	rows := make([]row, len(rooms))
	for i, r := range rooms {
		rows[i] = row{Room: r, Open: weeklyWords(l, r.OpeningHours), Closures: r.Closures}
	}
	data["Location"], data["Rooms"], data["Form"], data["Coordinator"] = loc, rows, f, a.Role == store.RoleCoordinator || a.IsAdmin()
	s.render(c, status, "rooms", "rooms.title", data)
}

// roomClose adds a closure (holidays of the location, a renovation) to a
// room. Sessions planned in the room on those days are shown first; the
// second press (replan=1) closes it and re-plans them.
func (s *Server) roomClose(c *gin.Context) {
	values := postValues(c)
	var fs store.Fields
	from, err := civil.ParseDutch(values.Get("from"))
	if err != nil {
		fs.Add("from", "date", "%s", err.Error())
	}
	to, err := civil.ParseDutch(values.Get("to"))
	if values.Get("to") == "" {
		to, err = from, nil
	}
	if err != nil {
		fs.Add("to", "date", "%s", err.Error())
	} else if to < from {
		fs.Add("to", "after_from", "is before from")
	}
	err = fs.Err()
	var moved *coordination.Rearrangement
	if err == nil {
		moved, err = s.uc.CloseRoom(c.Request.Context(), actor(c), c.Param("id"), values.Get("room_id"), civil.Range{From: from, To: to}, values.Get("replan") == "1")
	}
	var e *store.Error
	if err != nil && asConflict(err, &e) && len(e.Affected) > 0 {
		s.showRoomsWith(c, &pageForm{Values: values}, http.StatusConflict, gin.H{"Affected": sessionRows(lang(c), s.names(c, nil), e.Affected)})
		return
	}
	if err != nil {
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showRooms(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	if moved != nil && len(moved.Affected) > 0 {
		n := s.names(c, nil)
		s.showRoomsWith(c, &pageForm{}, http.StatusOK, gin.H{"Closed": true, "Moved": sessionRows(lang(c), n, moved.Moved),
			"Unplanned": sessionRows(lang(c), n, moved.Unplanned)})
		return
	}
	done(c, "/locations/"+url.PathEscape(c.Param("id"))+"/rooms", "room_closed")
}

func (s *Server) surveysPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	today := civil.Today(s.now())
	s.showSurveys(c, http.StatusOK, &pageForm{Values: url.Values{"title": {translate(lang(c), "surveys.default.title")},
		"opens_on": {today.Dutch()}, "deadline": {today.AddDays(28).Dutch()}}})
}

func (s *Server) showSurveys(c *gin.Context, status int, form *pageForm) {
	ctx, a := c.Request.Context(), actor(c)
	rounds, err := s.db.Surveys(ctx, a)
	if err != nil {
		s.fail(c, err)
		return
	}
	type row struct {
		store.Survey
		Answer string // the coordinator's answer link
	}
	rows := make([]row, len(rounds))
	for i, sv := range rounds {
		rows[i] = row{Survey: sv}
		if !a.IsAdmin() {
			if inv, err := s.db.InvitationFor(ctx, a, sv.ID); err == nil {
				rows[i].Answer = "/survey/" + survey.Token(s.secret, inv.ID)
			}
		}
	}
	s.render(c, status, "surveys", "surveys.title", gin.H{"Rounds": rows, "Admin": a.IsAdmin(), "Form": form})
}
