package api

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// Context keys.
const (
	ctxRequestID = "request_id"
	ctxActor     = "actor"
	ctxSession   = "session"
	ctxIsPage    = "is_page"
)

// logRequests writes one structured line per request. It logs the route
// template, never the path or query: paths carry feed tokens and login codes,
// queries carry refs.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	s.log.Info("request",
		"request_id", id,
		"method", c.Request.Method,
		"route", route,
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
	)
}

// recoverPanics turns a panic into a logged 500 problem.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", c.GetString(ctxRequestID), "route", c.FullPath(), "panic", r)
			s.fail(c, store.Errorf(store.EInternal, "panic"))
		}
	}()
	c.Next()
}

// limitBody caps every request body.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
	}
	c.Next()
}

// securityHeaders sets the headers every answer carries.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if s.secureCookies() {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// apiHeaders marks API answers as not cacheable: they carry personal data.
func apiHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
