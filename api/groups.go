package api

import (
	"net/http"

	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type memberRequest struct {
	BabyID *string `json:"baby_id"`
}

func (s *Server) listMembers(c *gin.Context) {
	ms, err := s.db.GroupMembers(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, list[store.Member]{ms, int64(len(ms))}, err)
}

func (s *Server) addMember(c *gin.Context) {
	var req memberRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	baby := requiredString(&f, "baby_id", req.BabyID)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	j, err := s.uc.AddMember(c.Request.Context(), actor(c), c.Param("id"), baby)
	s.reply(c, http.StatusCreated, j, err)
}

func (s *Server) removeMember(c *gin.Context) {
	err := s.uc.RemoveMember(c.Request.Context(), actor(c), c.Param("id"), c.Param("baby_id"))
	s.reply(c, http.StatusNoContent, nil, err)
}

type mergeRequest struct {
	Into *string `json:"into"`
}

func (s *Server) mergeGroup(c *gin.Context) {
	var req mergeRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	into := requiredString(&f, "into", req.Into)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	g, err := s.uc.MergeGroup(c.Request.Context(), actor(c), c.Param("id"), into)
	s.reply(c, http.StatusOK, g, err)
}

func (s *Server) dissolveGroup(c *gin.Context) {
	g, err := s.uc.DissolveGroup(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, g, err)
}

func (s *Server) listHandovers(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.HandoverFilter{Status: store.HandoverStatus(c.Query("status")), Page: p}
	switch c.Query("direction") {
	case "", "received":
	case "sent":
		f.Sent = true
	default:
		s.fail(c, invalid("direction", "must be received or sent"))
		return
	}
	if f.Status != "" && f.Status != store.HandoverPending && f.Status != store.HandoverAccepted {
		s.fail(c, invalid("status", "must be pending or accepted"))
		return
	}
	if f.Sent {
		items, total, err := s.db.SentHandovers(c.Request.Context(), actor(c), f)
		s.reply(c, http.StatusOK, list[store.SentHandover]{items, total}, err)
		return
	}
	items, total, err := s.uc.Arrivals(c.Request.Context(), actor(c), f)
	s.reply(c, http.StatusOK, list[coordination.Arrival]{items, total}, err)
}

type acceptRequest struct {
	Ref     *string `json:"ref"`
	GroupID *string `json:"group_id"`
}

func (s *Server) acceptHandover(c *gin.Context) {
	var req acceptRequest
	if !s.decode(c, &req) {
		return
	}
	ref, group := "", ""
	set(&ref, req.Ref)
	set(&group, req.GroupID)
	out, err := s.uc.AcceptHandover(c.Request.Context(), actor(c), c.Param("id"), ref, group)
	s.reply(c, http.StatusOK, out, err)
}

func (s *Server) babyProposals(c *gin.Context) {
	ps, err := s.uc.Proposals(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, list[coordination.Proposal]{ps, int64(len(ps))}, err)
}
