package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"

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
	LeftReason   *store.LeftReason `json:"left_reason"`
	LeftOn       *string           `json:"left_on"`
}

func (r *babyRequest) change() (func(*store.Baby), error) {
	var f store.Fields
	birth := dateField(&f, "birth_date", r.BirthDate)
	expected := dateField(&f, "expected_date", r.ExpectedDate)
	leftOn := dateField(&f, "left_on", r.LeftOn)
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
		set(&b.LeftReason, r.LeftReason)
		if leftOn != nil {
			b.LeftOn = leftOn
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
	out, err := s.uc.EnrolBaby(c.Request.Context(), actor(c), &b)
	s.reply(c, http.StatusCreated, out, err)
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
		s.fail(c, invalid("status", "must be eligible, enrolled, declined, withdrawn or left"))
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
	ch, err := s.uc.ChangeBaby(c.Request.Context(), actor(c), c.Param("id"), change)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, changedBaby{ch.Baby, ch.LeftGroups, ch.Proposals})
}

// changedBaby is the record as before (its fields at the top level), with
// the groups it left and the running groups it fits.
type changedBaby struct {
	*store.Baby
	LeftGroups []string                `json:"left_groups"`
	Proposals  []coordination.Proposal `json:"proposals"`
}

func (s *Server) deleteBaby(c *gin.Context) {
	s.reply(c, http.StatusNoContent, nil, s.uc.RemoveBaby(c.Request.Context(), actor(c), c.Param("id")))
}

type moveRequest struct {
	ToLocationID    *string `json:"to_location_id"`
	Date            *string `json:"date"`
	ExceptionReason *string `json:"exception_reason"`
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
	r, err := s.uc.RecordMove(c.Request.Context(), actor(c), c.Param("id"), to, date, reason)
	s.reply(c, http.StatusCreated, r, err)
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
	f, err := auditFilter(c.Query)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.Limit, f.Offset = p.Limit, p.Offset
	items, total, err := s.db.AuditLog(c.Request.Context(), actor(c), f)
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

// auditFilter reads the access log's query: record, action, user and the
// period from and to (days in Amsterdam, both included); all bad parameters
// are named at once.
func auditFilter(query func(string) string) (store.AuditFilter, error) {
	f := store.AuditFilter{RecordID: query("record_id"), Action: query("action"), UserID: query("user_id")}
	var fs store.Fields
	day := func(name string) time.Time {
		v := strings.TrimSpace(query(name))
		if v == "" {
			return time.Time{}
		}
		d, err := civil.ParseDutch(v)
		if err != nil {
			fs.Add(name, "date", "%s", err.Error())
			return time.Time{}
		}
		return d.At(0)
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	return f, fs.Err()
}
