package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// requestID is the id logRequests gave this request.
func requestID(c *gin.Context) string { return c.Writer.Header().Get("X-Request-Id") }

// Context keys.
const (
	ctxActor   = "actor"
	ctxSession = "session"
	// ctxPreSession is the sign-in form's pre-session value, for its CSRF token.
	ctxPreSession = "pre_session"
	ctxIsPage     = "is_page"
	ctxProblem    = "problem" // the code of the problem a request was answered with
)

// Request ids are a random process prefix and a counter: unique across
// replicas without a random read per request.
var (
	requestPrefix  = newRequestPrefix()
	requestCounter atomic.Uint64
)

func newRequestPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "-"
}

// logRequests writes one structured line per request. It logs the route
// template, never the path or query: paths carry feed tokens and login codes,
// queries carry refs.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	id := requestPrefix + strconv.FormatUint(requestCounter.Add(1), 36)
	c.Writer.Header()["X-Request-Id"] = []string{id}
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	elapsed := time.Since(start)
	method := methodLabel(c.Request.Method)
	metrics.Requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
	metrics.Latency.WithLabelValues(route, method).Observe(elapsed.Seconds())
	if !s.log.Enabled(c.Request.Context(), slog.LevelInfo) {
		return // the attributes below allocate even when the line is dropped
	}
	s.log.Info("request",
		"request_id", id,
		"method", methodLabel(c.Request.Method),
		"route", route,
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration_ms", float64(elapsed.Microseconds())/1000,
	)
}

// methodLabel bounds the method label of the metrics: a made-up method is
// "other", so requests cannot grow /metrics.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// recoverPanics turns a panic into a logged 500 problem.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic", r)
			s.fail(c, store.Errorf(store.EInternal, "panic"))
		}
	}()
	c.Next()
}

// limitBody caps every request body.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		limit := s.maxBody
		if p := c.FullPath(); p == "/api/v1/babies/import" || p == "/babies/import" || p == "/babies/import/confirm" {
			limit = importLimit
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// securityHeaders sets the headers every answer carries.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = noReferrer
	h["X-Frame-Options"] = deny
	if s.secureCookies() {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// Shared header values; handlers never modify them.
var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
	deny       = []string{"DENY"}
)

// apiHeaders marks API answers as not cacheable: they carry personal data.
func apiHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
