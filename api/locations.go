package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type locationRequest struct {
	OrganisationID *string             `json:"organisation_id"`
	Kind           *store.LocationKind `json:"kind"`
	Name           *string             `json:"name"`
	Municipality   *string             `json:"municipality"`
	ShortStay      *bool               `json:"short_stay"`
	Catchment      *[]string           `json:"catchment"`
}

func (r *locationRequest) apply(l *store.Location) {
	set(&l.OrganisationID, r.OrganisationID)
	set(&l.Kind, r.Kind)
	set(&l.Name, r.Name)
	set(&l.Municipality, r.Municipality)
	set(&l.ShortStay, r.ShortStay)
	set(&l.Catchment, r.Catchment)
}

func (s *Server) createLocation(c *gin.Context) {
	var req locationRequest
	if !s.decode(c, &req) {
		return
	}
	a := actor(c)
	l := store.Location{OrganisationID: a.OrganisationID}
	req.apply(&l)
	if req.ShortStay == nil {
		l.ShortStay = store.DefaultShortStay(l.Kind)
	}
	s.reply(c, http.StatusCreated, &l, s.db.CreateLocation(c.Request.Context(), a, &l))
}

func (s *Server) getLocation(c *gin.Context) {
	l, err := s.db.Location(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, l, err)
}

func (s *Server) listLocations(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.Locations(c.Request.Context(), actor(c), store.LocationFilter{OrganisationID: c.Query("organisation_id"), Page: p})
	s.reply(c, http.StatusOK, list[store.Location]{items, total}, err)
}

func (s *Server) updateLocation(c *gin.Context) {
	var req locationRequest
	if !s.decode(c, &req) {
		return
	}
	a := actor(c)
	if req.OrganisationID != nil && !a.IsAdmin() {
		s.fail(c, invalid("organisation_id", "only an admin can hand a location over to another organisation"))
		return
	}
	l, err := s.db.UpdateLocation(c.Request.Context(), a, c.Param("id"), req.apply)
	s.reply(c, http.StatusOK, l, err)
}

func (s *Server) deleteLocation(c *gin.Context) {
	s.reply(c, http.StatusNoContent, nil, s.db.DeleteLocation(c.Request.Context(), actor(c), c.Param("id")))
}

type roomRequest struct {
	Name         *string       `json:"name"`
	Capacity     *int          `json:"capacity"`
	HasExamRoom  *bool         `json:"has_exam_room"`
	OpeningHours *[]weeklyJSON `json:"opening_hours"`
	Closures     *[]rangeJSON  `json:"closures"`
}

// change parses the request into a change of a room, or the field errors.
func (r *roomRequest) change() (func(*store.Room), error) {
	var f store.Fields
	var (
		open   = r.OpeningHours != nil
		closed = r.Closures != nil
	)
	var hours = weeklyField(&f, "opening_hours", deref(r.OpeningHours))
	var closures = rangesField(&f, "closures", deref(r.Closures))
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(room *store.Room) {
		set(&room.Name, r.Name)
		set(&room.Capacity, r.Capacity)
		set(&room.HasExamRoom, r.HasExamRoom)
		if open {
			room.OpeningHours = hours
		}
		if closed {
			room.Closures = closures
		}
	}, nil
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func (s *Server) createRoom(c *gin.Context) {
	change, ok := decodeChange[store.Room, roomRequest](s, c)
	if !ok {
		return
	}
	var r store.Room
	change(&r)
	s.reply(c, http.StatusCreated, &r, s.db.CreateRoom(c.Request.Context(), actor(c), c.Param("id"), &r))
}

func (s *Server) getRoom(c *gin.Context) {
	r, err := s.db.Room(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"))
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) listRooms(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.Rooms(c.Request.Context(), actor(c), c.Param("id"), p)
	s.reply(c, http.StatusOK, list[store.Room]{items, total}, err)
}

func (s *Server) updateRoom(c *gin.Context) {
	change, ok := decodeChange[store.Room, roomRequest](s, c)
	if !ok {
		return
	}
	r, err := s.db.UpdateRoom(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"), change)
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) deleteRoom(c *gin.Context) {
	r, err := s.uc.RemoveRoom(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"), c.Query("replan") == "true")
	s.replyRemoval(c, r, err)
}

func (r *locationRequest) limits(f *store.Fields) {
	f.Limit("catchment", count(r.Catchment), store.MaxCatchment)
}

func (r *roomRequest) limits(f *store.Fields) {
	f.Limit("opening_hours", count(r.OpeningHours), store.MaxWeekly)
	f.Limit("closures", count(r.Closures), store.MaxRanges)
}
