package api

import (
	"net/http"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

func (s *Server) listBookings(c *gin.Context) {
	from, to, err := timeRange(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if from.IsZero() {
		from = civil.Today(s.now()).At(0)
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, 7)
	}
	items, err := s.db.Bookings(c.Request.Context(), actor(c), c.Param("id"), from, to)
	s.reply(c, http.StatusOK, list[store.Booking]{items, int64(len(items))}, err)
}

type blockRequest struct {
	Title  *string `json:"title"`
	Start  *string `json:"start"`
	End    *string `json:"end"`
	Weekly *bool   `json:"weekly"`
	Until  *string `json:"until"`
}

func (r *blockRequest) block() (*store.Block, error) {
	var f store.Fields
	b := &store.Block{}
	set(&b.Title, r.Title)
	set(&b.Weekly, r.Weekly)
	parse := func(field string, v *string) time.Time {
		if v == nil {
			f.Add(field, "required", "is required (RFC 3339)")
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, *v)
		if err != nil {
			f.Add(field, "time", "must be an RFC 3339 time such as 2027-03-02T09:00:00+01:00")
		}
		return t
	}
	b.StartsAt, b.EndsAt = parse("start", r.Start), parse("end", r.End)
	b.Until = dateField(&f, "until", r.Until)
	return b, f.Err()
}

type blockResponse struct {
	Block *store.Block `json:"block"`
	*coordination.Rearrangement
}

func (s *Server) createBlock(c *gin.Context) {
	var req blockRequest
	if !s.decode(c, &req) {
		return
	}
	b, err := req.block()
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.uc.BlockRoom(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"), b, c.Query("replan") == "true")
	s.reply(c, http.StatusCreated, blockResponse{b, r}, err)
}

func (s *Server) listBlocks(c *gin.Context) {
	items, err := s.db.Blocks(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"))
	s.reply(c, http.StatusOK, list[store.Block]{items, int64(len(items))}, err)
}

func (s *Server) getBlock(c *gin.Context) {
	b, err := s.db.Block(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"), c.Param("block_id"))
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) deleteBlock(c *gin.Context) {
	s.reply(c, http.StatusNoContent, nil, s.db.DeleteBlock(c.Request.Context(), actor(c), c.Param("id"), c.Param("room_id"), c.Param("block_id")))
}

type absenceRequest struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

func (s *Server) addAbsence(c *gin.Context) {
	var req absenceRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	from, to := requiredDate(&f, "from", req.From), requiredDate(&f, "to", req.To)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	fac, r, err := s.uc.RecordAbsence(c.Request.Context(), actor(c), c.Param("id"), civil.Range{From: from, To: to}, c.Query("replan") == "true")
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"facilitator": fac, "affected_sessions": r.Affected, "moved_sessions": r.Moved, "unplanned_sessions": r.Unplanned})
}

func (s *Server) listConflicts(c *gin.Context) {
	items, err := s.uc.Conflicts(c.Request.Context(), actor(c))
	s.reply(c, http.StatusOK, list[coordination.Conflict]{items, int64(len(items))}, err)
}

// replyRemoval answers a deletion: 204, or 200 with the sessions a re-plan moved.
func (s *Server) replyRemoval(c *gin.Context, r *coordination.Rearrangement, err error) {
	switch {
	case err != nil:
		s.fail(c, err)
	case r == nil || len(r.Affected) == 0:
		c.Status(http.StatusNoContent)
	default:
		c.JSON(http.StatusOK, r)
	}
}
