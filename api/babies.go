package api

import (
	"net/http"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type babyRequest struct {
	Ref          *string           `json:"ref"`
	BirthDate    *string           `json:"birth_date"`
	ExpectedDate *string           `json:"expected_date"`
	LocationID   *string           `json:"location_id"`
	Language     *string           `json:"language"`
	Status       *store.BabyStatus `json:"status"`
}

func (r *babyRequest) change() (func(*store.Baby), error) {
	var f store.Fields
	birth := dateField(&f, "birth_date", r.BirthDate)
	expected := dateField(&f, "expected_date", r.ExpectedDate)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(b *store.Baby) {
		set(&b.Ref, r.Ref)
		set(&b.LocationID, r.LocationID)
		set(&b.Language, r.Language)
		set(&b.Status, r.Status)
		if birth != nil {
			b.BirthDate = birth
		}
		if expected != nil {
			b.ExpectedDate = expected
		}
	}, nil
}

func (s *Server) createBaby(c *gin.Context) {
	change, ok := decodeChange[store.Baby, babyRequest](s, c)
	if !ok {
		return
	}
	var b store.Baby
	change(&b)
	s.reply(c, http.StatusCreated, &b, s.db.CreateBaby(c.Request.Context(), actor(c), &b))
}

func (s *Server) getBaby(c *gin.Context) {
	b, err := s.db.Baby(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) listBabies(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.BabyFilter{LocationID: c.Query("location_id"), Status: store.BabyStatus(c.Query("status")), Ref: c.Query("ref"), Page: p}
	if f.Status != "" && !f.Status.Valid() {
		s.fail(c, invalid("status", "must be eligible, enrolled, declined or withdrawn"))
		return
	}
	items, total, err := s.db.Babies(c.Request.Context(), actor(c), f)
	s.reply(c, http.StatusOK, list[store.Baby]{items, total}, err)
}

func (s *Server) updateBaby(c *gin.Context) {
	change, ok := decodeChange[store.Baby, babyRequest](s, c)
	if !ok {
		return
	}
	b, err := s.db.UpdateBaby(c.Request.Context(), actor(c), c.Param("id"), change)
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) deleteBaby(c *gin.Context) {
	s.reply(c, http.StatusNoContent, nil, s.db.DeleteBaby(c.Request.Context(), actor(c), c.Param("id")))
}

type moveRequest struct {
	ToLocationID    *string `json:"to_location_id"`
	Date            *string `json:"date"`
	ExceptionReason *string `json:"exception_reason"`
}

type moveResponse struct {
	Move *store.Move `json:"move"`
	Baby *store.Baby `json:"baby"`
}

func (s *Server) moveBaby(c *gin.Context) {
	var req moveRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	to := requiredString(&f, "to_location_id", req.ToLocationID)
	date := requiredDate(&f, "date", req.Date)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	reason := ""
	set(&reason, req.ExceptionReason)
	m, b, err := s.db.MoveBaby(c.Request.Context(), actor(c), c.Param("id"), to, date, reason)
	s.reply(c, http.StatusCreated, moveResponse{m, b}, err)
}

func (s *Server) exportBaby(c *gin.Context) {
	e, err := s.db.ExportBaby(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="coplan-export-`+e.Baby.ID+`.json"`)
	c.JSON(http.StatusOK, e)
}

func (s *Server) listMoves(c *gin.Context) {
	moves, err := s.db.Moves(c.Request.Context(), actor(c), c.Param("id"))
	s.reply(c, http.StatusOK, list[store.Move]{moves, int64(len(moves))}, err)
}

func (s *Server) listAudit(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.db.AuditLog(c.Request.Context(), actor(c), store.AuditFilter{RecordID: c.Query("record_id"), Action: c.Query("action"), Limit: p.Limit, Offset: p.Offset})
	s.reply(c, http.StatusOK, list[store.AuditEntry]{items, total}, err)
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if err := s.db.Ping(c.Request.Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, Problem{Type: "urn:coplan:problem:unavailable",
			Title: "Service Unavailable", Status: http.StatusServiceUnavailable, Detail: "the database does not answer"})
		return
	}
	out := gin.H{"status": "ready", "database": string(s.db.Dialect())}
	if run, err := s.db.LastJobRun(c.Request.Context(), calendars.PublishJob); err == nil && run != nil {
		out["last_publication"] = run.Slot.In(civil.Amsterdam).Format(time.RFC3339)
		out["last_publication_detail"] = run.Detail // names how many organisations it skipped
	}
	c.JSON(http.StatusOK, out)
}
