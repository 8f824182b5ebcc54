package api

import (
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type organisationRequest struct {
	Kind         *store.OrganisationKind `json:"kind"`
	Name         *string                 `json:"name"`
	ContactEmail *string                 `json:"contact_email"`
}

func (r *organisationRequest) apply(o *store.Organisation) {
	set(&o.Kind, r.Kind)
	set(&o.Name, r.Name)
	set(&o.ContactEmail, r.ContactEmail)
}

func (s *Server) createOrganisation(c *gin.Context) {
	var req organisationRequest
	if !s.decode(c, &req) {
		return
	}
	var o store.Organisation
	req.apply(&o)
	s.reply(c, http.StatusCreated, &o, s.db.CreateOrganisation(c.Request.Context(), actor(c), &o))
}

func (s *Server) getOrganisation(c *gin.Context) {
	o, err := s.db.Organisation(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, o, err)
}

func (s *Server) listOrganisations(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.Organisations(c.Request.Context(), actor(c), p)
	s.reply(c, http.StatusOK, list[store.Organisation]{items, total}, err)
}

func (s *Server) updateOrganisation(c *gin.Context) {
	var req organisationRequest
	if !s.decode(c, &req) {
		return
	}
	o, err := s.db.UpdateOrganisation(c.Request.Context(), actor(c), c.Param("id"), req.apply)
	s.reply(c, http.StatusOK, o, err)
}

func (s *Server) deleteOrganisation(c *gin.Context) {
	s.reply(c, http.StatusNoContent, nil, s.db.DeleteOrganisation(c.Request.Context(), actor(c), c.Param("id")))
}
