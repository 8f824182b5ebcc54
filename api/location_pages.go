package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The coordinator's location and room pages: a location's kind, short stay
// and catchment (other locations by name); a room's capacity, exam room and
// opening hours. Closures are on the rooms page.

var locationKinds = []store.LocationKind{store.KindAZC, store.KindAC, store.KindNoodopvang, store.KindCrisisNoodopvang}

// weeklyFromForm reads from_N/to_N per weekday into weekly intervals,
// naming each field that cannot be read.
func weeklyFromForm(f *store.Fields, v url.Values, days []int) []civil.Weekly {
	var out []civil.Weekly
	for _, d := range days {
		ds := strconv.Itoa(d)
		from, to := strings.TrimSpace(v.Get("from_"+ds)), strings.TrimSpace(v.Get("to_"+ds))
		if from == "" && to == "" {
			continue
		}
		fc, err1 := civil.ParseClock(from)
		tc, err2 := civil.ParseClock(to)
		if err1 != nil {
			f.Add("from_"+ds, "clock", "is not a time such as 09:00")
		}
		if err2 != nil {
			f.Add("to_"+ds, "clock", "is not a time such as 17:00")
		}
		if err1 == nil && err2 == nil {
			if tc <= fc {
				f.Add("to_"+ds, "clock_order", "must be after the start")
				continue
			}
			out = append(out, civil.Weekly{Weekday: d, From: fc, To: tc})
		}
	}
	return out
}

// weeklyValues is the opposite: one interval a day on the form.
func weeklyValues(v url.Values, ws []civil.Weekly) {
	for _, w := range ws {
		d := strconv.Itoa(w.Weekday)
		if v.Get("from_"+d) == "" {
			v.Set("from_"+d, w.From.String())
			v.Set("to_"+d, w.To.String())
		}
	}
}

func dayChoices(l string) []choice {
	var days []choice
	for _, d := range facilitatorWeekdays {
		days = append(days, choice{strconv.Itoa(d), translate(l, "weekdayname."+strconv.Itoa(d))})
	}
	return days
}

func (s *Server) locationForm(c *gin.Context, status int, loc *store.Location, form *pageForm) {
	l := lang(c)
	locs, err := s.locationChoices(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var others []choice
	for _, o := range locs {
		if loc == nil || o.ID != loc.ID {
			others = append(others, choice{o.ID, o.Name})
		}
	}
	kinds := make([]choice, len(locationKinds))
	for i, k := range locationKinds {
		kinds[i] = choice{string(k), translate(l, "lockind."+string(k))}
	}
	title := "locations.new"
	if loc != nil {
		title = "locations.edit"
	}
	s.render(c, status, "location", title, gin.H{"Location": loc, "Form": form, "Kinds": kinds, "Others": others, "Title": translate(l, title)})
}

func locationValues(loc *store.Location) url.Values {
	v := url.Values{"name": {loc.Name}, "kind": {string(loc.Kind)}, "municipality": {loc.Municipality}, "catchment": loc.Catchment}
	if loc.ShortStay {
		v.Set("short_stay", "1")
	}
	return v
}

func locationChange(v url.Values) func(*store.Location) {
	return func(l *store.Location) {
		l.Name, l.Municipality = strings.TrimSpace(v.Get("name")), strings.TrimSpace(v.Get("municipality"))
		l.Kind, l.ShortStay = store.LocationKind(v.Get("kind")), v.Get("short_stay") == "1"
		l.Catchment = nil
		for _, id := range v["catchment"] {
			if id != "" {
				l.Catchment = append(l.Catchment, id)
			}
		}
	}
}

func (s *Server) locationNewPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.locationForm(c, http.StatusOK, nil, &pageForm{Values: url.Values{"kind": {string(store.KindAZC)}}})
}

func (s *Server) locationCreate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	v := postValues(c)
	a := actor(c)
	loc := store.Location{OrganisationID: a.OrganisationID}
	locationChange(v)(&loc)
	if err := s.db.CreateLocation(c.Request.Context(), a, &loc); err != nil {
		s.locationRefused(c, nil, v, err)
		return
	}
	done(c, "/locations/"+url.PathEscape(loc.ID)+"/rooms", "location_saved")
}

func (s *Server) locationEditPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	loc, err := s.db.Location(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.locationForm(c, http.StatusOK, loc, &pageForm{Values: locationValues(loc)})
}

func (s *Server) locationUpdate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	loc, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := postValues(c)
	if _, err := s.db.UpdateLocation(ctx, a, loc.ID, locationChange(v)); err != nil {
		s.locationRefused(c, loc, v, err)
		return
	}
	done(c, "/locations", "location_saved")
}

func (s *Server) locationRefused(c *gin.Context, loc *store.Location, v url.Values, err error) {
	form, ok := s.refusedForm(c, err, v, nil, s.names(c, nil))
	if !ok {
		s.fail(c, err)
		return
	}
	s.locationForm(c, http.StatusUnprocessableEntity, loc, form)
}

// roomForm shows the add or edit form of a room of location loc.
func (s *Server) roomForm(c *gin.Context, status int, loc *store.Location, room *store.Room, form *pageForm) {
	l := lang(c)
	title := "rooms.new"
	if room != nil {
		title = "rooms.edit"
	}
	s.render(c, status, "room", title, gin.H{"Location": loc, "Room": room, "Form": form, "Days": dayChoices(l), "Title": translate(l, title)})
}

func roomFromForm(v url.Values) (func(*store.Room), error) {
	var f store.Fields
	hours := weeklyFromForm(&f, v, facilitatorWeekdays)
	capacity, err := strconv.Atoi(strings.TrimSpace(v.Get("capacity")))
	if err != nil {
		f.Add("capacity", "integer", "is not a whole number")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(r *store.Room) {
		r.Name, r.Capacity, r.HasExamRoom, r.OpeningHours = strings.TrimSpace(v.Get("name")), capacity, v.Get("has_exam_room") == "1", hours
	}, nil
}

func (s *Server) roomNewPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	loc, err := s.db.Location(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := url.Values{"capacity": {"20"}}
	for _, d := range []string{"1", "2", "3", "4", "5"} {
		v.Set("from_"+d, "09:00")
		v.Set("to_"+d, "17:00")
	}
	s.roomForm(c, http.StatusOK, loc, nil, &pageForm{Values: v})
}

func (s *Server) roomCreate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	loc, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := postValues(c)
	change, err := roomFromForm(v)
	if err == nil {
		var r store.Room
		change(&r)
		err = s.db.CreateRoom(ctx, a, loc.ID, &r)
	}
	if err != nil {
		s.roomRefused(c, loc, nil, v, err)
		return
	}
	done(c, "/locations/"+url.PathEscape(loc.ID)+"/rooms", "room_saved")
}

func (s *Server) roomEditPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	loc, r, ok := s.locationRoom(c)
	if !ok {
		return
	}
	v := url.Values{"name": {r.Name}, "capacity": {strconv.Itoa(r.Capacity)}}
	if r.HasExamRoom {
		v.Set("has_exam_room", "1")
	}
	weeklyValues(v, r.OpeningHours)
	s.roomForm(c, http.StatusOK, loc, r, &pageForm{Values: v})
}

func (s *Server) roomUpdate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	loc, r, ok := s.locationRoom(c)
	if !ok {
		return
	}
	v := postValues(c)
	change, err := roomFromForm(v)
	if err == nil {
		_, err = s.db.UpdateRoom(c.Request.Context(), actor(c), loc.ID, r.ID, change)
	}
	if err != nil {
		s.roomRefused(c, loc, r, v, err)
		return
	}
	done(c, "/locations/"+url.PathEscape(loc.ID)+"/rooms", "room_saved")
}

func (s *Server) roomRefused(c *gin.Context, loc *store.Location, r *store.Room, v url.Values, err error) {
	form, ok := s.refusedForm(c, err, v, map[string]string{"opening_hours": "from_1"}, s.names(c, nil))
	if !ok {
		s.fail(c, err)
		return
	}
	s.roomForm(c, http.StatusUnprocessableEntity, loc, r, form)
}

// locationRoom reads the location and room a room page names, or answers
// the request itself and reports false.
func (s *Server) locationRoom(c *gin.Context) (*store.Location, *store.Room, bool) {
	ctx, a := c.Request.Context(), actor(c)
	loc, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	r, err := s.db.Room(ctx, a, loc.ID, c.Param("room_id"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return loc, r, true
}
