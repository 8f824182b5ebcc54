package api

import (
	"crypto/subtle"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
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
		f.Add("kind", "required", "is required: facilitator, organisation, location or group")
	}
	if req.SubjectID == nil || *req.SubjectID == "" {
		f.Add("subject_id", "required", "is required")
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

// serveFeed answers a calendar client. It is reached before the router and
// its middleware (see ServeHTTP): a feed poll needs no authentication, body
// limit or request log, only the IP limit, the security headers and a count.
// The token is the capability; anything wrong with it is a bare 404 that
// tells nothing about why. A client that accepts gzip gets the compressed
// bytes; If-None-Match (strong or weak) and If-Modified-Since answer 304.
func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = noReferrer
	if s.byIP != nil {
		if ok, wait := s.byIP.allow(s.feedClientIP(r)); !ok {
			metrics.RateLimited.WithLabelValues(s.byIP.name).Inc()
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			w.WriteHeader(http.StatusTooManyRequests)
			feedAnswers.tooMany.Inc()
			return
		}
	}
	token := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feeds/"), ".ics")
	id, ok := calendars.SplitToken(token)
	var f *cachedFeed
	if ok {
		f = s.feeds.get(r.Context(), s.db, s.secret, id)
	}
	if f == nil || subtle.ConstantTimeCompare([]byte(token), []byte(f.token)) != 1 {
		h["Content-Type"] = plainType
		w.WriteHeader(http.StatusNotFound)
		feedAnswers.notFound.Inc()
		return
	}
	rep := &f.plain
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		rep = &f.gzip
		h["Content-Encoding"] = gzipEncoding
	}
	h["Vary"] = varyEncoding
	h["Etag"] = rep.etagHeader
	h["Last-Modified"] = f.lastModifiedHeader
	h["Cache-Control"] = feedCacheControl
	if notModified(r, f) {
		w.WriteHeader(http.StatusNotModified)
		feedAnswers.notModified.Inc()
		return
	}
	h["Content-Type"] = calendarType
	h["Content-Length"] = rep.lengthHeader // a known length avoids chunked encoding
	w.WriteHeader(http.StatusOK)
	feedAnswers.ok.Inc()
	if r.Method != http.MethodHead {
		_, _ = w.Write(rep.body)
	}
}

// feedAnswers counts feed answers by status, bound once: the feed path is the
// busiest and its labels are known.
var feedAnswers = struct{ ok, notModified, notFound, tooMany prometheus.Counter }{
	metrics.Requests.WithLabelValues("/feeds/:token", "GET", "200"),
	metrics.Requests.WithLabelValues("/feeds/:token", "GET", "304"),
	metrics.Requests.WithLabelValues("/feeds/:token", "GET", "404"),
	metrics.Requests.WithLabelValues("/feeds/:token", "GET", "429"),
}

// notModified: If-None-Match, when sent, decides (weak comparison, either
// encoding's tag); otherwise If-Modified-Since at second precision.
func notModified(r *http.Request, f *cachedFeed) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, header := range inm {
			for _, part := range strings.Split(header, ",") {
				tag := strings.Trim(strings.TrimPrefix(strings.TrimSpace(part), "W/"), `"`)
				if tag == "*" || tag == f.plain.etag || tag == f.gzip.etag {
					return true
				}
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !f.lastModified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !f.lastModified.After(t)
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding allows gzip (and does not give it q=0).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
				q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}

// feedClientIP is the client address for the IP limit, through trusted proxies.
func (s *Server) feedClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.trusted(host) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	return host
}

var (
	feedCacheControl = []string{"private, max-age=300"}
	calendarType     = []string{"text/calendar; charset=utf-8"}
	plainType        = []string{"text/plain; charset=utf-8"}
	gzipEncoding     = []string{"gzip"}
	varyEncoding     = []string{"Accept-Encoding"}
)

func (s *Server) robots(c *gin.Context) {
	c.String(http.StatusOK, "User-agent: *\nDisallow: /feeds/\nDisallow: /survey/\nDisallow: /login/\n")
}
