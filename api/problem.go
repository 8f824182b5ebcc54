package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem detail. Errors names each bad field.
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Errors   []store.FieldError `json:"errors,omitempty"`
	// AffectedSessions lists the sessions a refused block or absence would hit.
	AffectedSessions []store.Session `json:"affected_sessions,omitempty"`
	// Violations are the planning rules a refused change would break, by code
	// and ids (see the rule list in the OpenAPI document).
	Violations []planner.Violation `json:"violations,omitempty"`
}

// statusOf maps an error code to its HTTP status; this is the only place that does.
func statusOf(code store.Code) int {
	switch code {
	case store.EInvalid:
		return http.StatusBadRequest
	case store.EUnprocessable:
		return http.StatusUnprocessableEntity
	case store.ENotFound:
		return http.StatusNotFound
	case store.EConflict:
		return http.StatusConflict
	case store.EUnauthorized:
		return http.StatusUnauthorized
	case store.EForbidden:
		return http.StatusForbidden
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// codeTooLarge is the API's own code for a body over the size limit.
const codeTooLarge store.Code = "too_large"

// fail writes err as problem+json. Internal errors are logged with the request
// id and answered without detail.
func (s *Server) fail(c *gin.Context, err error) {
	var e *store.Error
	if c.Request.Context().Err() != nil && (errors.Is(err, context.Canceled) || !errors.As(err, &e)) {
		// The client went away; nobody reads the answer and nothing is wrong here.
		c.AbortWithStatus(499)
		return
	}
	if !errors.As(err, &e) {
		s.log.Error("request failed", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		e = &store.Error{Code: store.EInternal, Message: "something went wrong on our side; the request id is " + requestID(c)}
	}
	status := statusOf(e.Code)
	c.Set(ctxProblem, string(e.Code))
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="coplan"`)
	}
	p := Problem{
		Type:     "urn:coplan:problem:" + string(e.Code),
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   e.Message,
		Instance: c.Request.URL.Path,
		Errors:   e.Fields,

		AffectedSessions: e.Affected,
		Violations:       e.Violations,
	}
	if c.GetBool(ctxIsPage) && !wantsJSON(c) {
		s.errorPage(c, status, e.Message)
		return
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, p)
}

// reply answers v with status, or the problem when err is set; a nil v with
// 204 answers no body.
func (s *Server) reply(c *gin.Context, status int, v any, err error) {
	switch {
	case err != nil:
		s.fail(c, err)
	case status == http.StatusNoContent:
		c.Status(status)
	default:
		c.JSON(status, v)
	}
}

func wantsJSON(c *gin.Context) bool {
	return c.GetHeader("Accept") == "application/json" || c.GetHeader("Accept") == "application/problem+json"
}

func invalid(field, detail string) error {
	return &store.Error{Code: store.EInvalid, Message: "the request has invalid fields",
		Fields: []store.FieldError{{Field: field, Code: "invalid", Detail: detail}}}
}
