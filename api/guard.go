package api

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// plainText refuses a path or query that holds a NUL byte or is not valid
// UTF-8: no record holds one, and PostgreSQL refuses them with an error.
func (s *Server) plainText(c *gin.Context) {
	if !plain(c.Request.URL.Path) {
		s.fail(c, invalid("path", "holds a NUL byte or is not valid UTF-8"))
		return
	}
	for name, values := range c.Request.URL.Query() {
		for _, v := range values {
			if !plain(name) || !plain(v) {
				s.fail(c, invalid(url.QueryEscape(strings.ToValidUTF8(name, "?")), "holds a NUL byte or is not valid UTF-8"))
				return
			}
		}
	}
	c.Next()
}

func plain(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// nulEscape is how JSON writes a NUL character.
var nulEscape = []byte(`\u0000`)

// plainJSON reports whether a JSON body is free of NUL characters.
func plainJSON(body []byte) bool { return !bytes.Contains(bytes.ToLower(body), nulEscape) }

// babyRoute reports whether a route reads or changes baby records.
func babyRoute(route string) bool {
	return strings.HasPrefix(route, "/api/v1/babies") || route == "/api/v1/groups"
}

// babyAction names the audit action of a request on a baby route.
func babyAction(c *gin.Context) string {
	route := c.FullPath()
	switch {
	case strings.HasSuffix(route, "/moves") && c.Request.Method == http.MethodPost:
		return store.ActionMove
	case strings.HasSuffix(route, "/export"):
		return store.ActionExport
	case c.Request.Method == http.MethodPost:
		return store.ActionCreate
	case c.Request.Method == http.MethodPatch:
		return store.ActionUpdate
	case c.Request.Method == http.MethodDelete:
		return store.ActionDelete
	case c.Param("id") == "" && c.Query("ref") != "":
		return store.ActionSearch
	case c.Param("id") == "":
		return store.ActionList
	}
	return store.ActionRead
}

// auditRefusals audits, on the routes of baby records, a refusal that came
// before the store (a malformed body, an unknown field, a bad query
// parameter, a bad import row): the store audits its own, and the mark says
// whether it did.
func (s *Server) auditRefusals(c *gin.Context) {
	if !babyRoute(c.FullPath()) {
		c.Next()
		return
	}
	ctx, audited := store.WithAuditMark(c.Request.Context())
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	status := c.Writer.Status()
	if status < 400 || audited() {
		return
	}
	outcome := store.OutcomeRejected
	switch status {
	case http.StatusNotFound:
		outcome = store.OutcomeNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		outcome = store.OutcomeDenied
	}
	if status >= 500 {
		outcome = "error"
	}
	code := c.GetString(ctxProblem)
	if err := s.db.AuditRequest(ctx, actor(c), babyAction(c), c.Param("id"), outcome, code); err != nil {
		s.log.Error("a refusal could not be audited", "request_id", requestID(c), "route", c.FullPath(), "err", err)
	}
}
