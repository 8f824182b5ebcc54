package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

type feedRequest struct {
	Kind      *store.FeedKind `json:"kind"`
	SubjectID *string         `json:"subject_id"`
}

type feedResponse struct {
	*store.Feed
	URL       string `json:"url"`
	WebcalURL string `json:"webcal_url"`
}

func (s *Server) feedResponse(f *store.Feed) feedResponse {
	u, w := calendars.URLs(s.baseURL, s.secret, f)
	return feedResponse{Feed: f, URL: u, WebcalURL: w}
}

func (s *Server) createFeed(c *gin.Context) {
	var req feedRequest
	if !s.decode(c, &req) {
		return
	}
	var f store.Fields
	if req.Kind == nil {
		f.Add("kind", "is required: facilitator, organisation, location or group")
	}
	if req.SubjectID == nil || *req.SubjectID == "" {
		f.Add("subject_id", "is required")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	feed, err := s.db.CreateFeed(c.Request.Context(), actor(c), *req.Kind, *req.SubjectID, s.renderer.Render)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.feedResponse(feed))
}

func (s *Server) listFeeds(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	feeds, total, err := s.db.Feeds(c.Request.Context(), actor(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]feedResponse, len(feeds))
	for i := range feeds {
		items[i] = s.feedResponse(&feeds[i])
	}
	c.JSON(http.StatusOK, list[feedResponse]{items, total})
}

func (s *Server) deleteFeed(c *gin.Context) {
	if err := s.db.DeleteFeed(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.feeds.forget(c.Param("id"))
	c.Status(http.StatusNoContent)
}

func (s *Server) rotateFeed(c *gin.Context) {
	f, err := s.db.RotateFeed(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.feeds.forget(f.ID)
	c.JSON(http.StatusOK, s.feedResponse(f))
}

// serveFeed answers a calendar client. The token is the capability; anything
// wrong with it is a bare 404 that tells nothing about why.
func (s *Server) serveFeed(c *gin.Context) {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	id, ok := calendars.SplitToken(token)
	var f *cachedFeed
	if ok {
		f = s.feeds.get(c.Request.Context(), s.db, s.secret, id)
	}
	if f == nil || subtle.ConstantTimeCompare([]byte(token), []byte(f.token)) != 1 {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", nil)
		return
	}
	h := c.Writer.Header()
	h["Etag"] = f.etagHeader
	h["Last-Modified"] = f.lastModifiedHeader
	h["Cache-Control"] = feedCacheControl
	if inm := c.Request.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], f.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	h["Content-Type"] = calendarType
	h["Content-Length"] = f.lengthHeader // a known length avoids chunked encoding
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(f.body)
}

var (
	feedCacheControl = []string{"private, max-age=300"}
	calendarType     = []string{"text/calendar; charset=utf-8"}
)

func etagMatch(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		if p := strings.TrimSpace(part); p == etag || p == "*" {
			return true
		}
	}
	return false
}

func (s *Server) robots(c *gin.Context) {
	c.String(http.StatusOK, "User-agent: *\nDisallow: /feeds/\nDisallow: /survey/\nDisallow: /login/\n")
}
