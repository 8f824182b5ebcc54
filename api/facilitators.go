package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type facilitatorRequest struct {
	OrganisationID     *string                `json:"organisation_id"`
	DisplayName        *string                `json:"display_name"`
	Email              *string                `json:"email"`
	Role               *store.FacilitatorRole `json:"role"`
	COTrained          *bool                  `json:"co_trained"`
	Availability       *[]weeklyJSON          `json:"availability"`
	Absences           *[]rangeJSON           `json:"absences"`
	MaxSessionsPerWeek *int                   `json:"max_sessions_per_week"`
	Languages          *[]string              `json:"languages"`
}

func (r *facilitatorRequest) change() (func(*store.Facilitator), error) {
	var f store.Fields
	avail := weeklyField(&f, "availability", deref(r.Availability))
	absent := rangesField(&f, "absences", deref(r.Absences))
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(fc *store.Facilitator) {
		set(&fc.OrganisationID, r.OrganisationID)
		set(&fc.DisplayName, r.DisplayName)
		set(&fc.Email, r.Email)
		set(&fc.Role, r.Role)
		set(&fc.COTrained, r.COTrained)
		set(&fc.MaxSessionsPerWeek, r.MaxSessionsPerWeek)
		set(&fc.Languages, r.Languages)
		if r.Availability != nil {
			fc.Availability = avail
		}
		if r.Absences != nil {
			fc.Absences = absent
		}
	}, nil
}

func (s *Server) createFacilitator(c *gin.Context) {
	change, ok := decodeChange[store.Facilitator, facilitatorRequest](s, c)
	if !ok {
		return
	}
	a := actor(c)
	fc := store.Facilitator{OrganisationID: a.OrganisationID, MaxSessionsPerWeek: 4}
	change(&fc)
	s.reply(c, http.StatusCreated, &fc, s.db.CreateFacilitator(c.Request.Context(), a, &fc))
}

func (s *Server) getFacilitator(c *gin.Context) {
	fc, err := s.db.Facilitator(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, fc, err)
}

func (s *Server) listFacilitators(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.Facilitators(c.Request.Context(), actor(c), store.FacilitatorFilter{OrganisationID: c.Query("organisation_id"), Page: p})
	s.reply(c, http.StatusOK, list[store.Facilitator]{items, total}, err)
}

func (s *Server) updateFacilitator(c *gin.Context) {
	change, ok := decodeChange[store.Facilitator, facilitatorRequest](s, c)
	if !ok {
		return
	}
	fc, err := s.db.UpdateFacilitator(c.Request.Context(), actor(c), c.Param("id"), change)
	s.reply(c, http.StatusOK, fc, err)
}

func (s *Server) deleteFacilitator(c *gin.Context) {
	r, err := s.uc.RemoveFacilitator(c.Request.Context(), actor(c), c.Param("id"), c.Query("replan") == "true")
	s.replyRemoval(c, r, err)
}

func (r *facilitatorRequest) limits(f *store.Fields) {
	f.Limit("languages", count(r.Languages), store.MaxLanguages)
	f.Limit("availability", count(r.Availability), store.MaxWeekly)
	f.Limit("absences", count(r.Absences), store.MaxRanges)
}
