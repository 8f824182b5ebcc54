package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/coplan/coplan/planner"
)

// Code classifies an error so that the API can map it to an HTTP status in one place.
type Code string

// The error codes of coplan. Everything else is internal.
const (
	EInvalid       Code = "invalid"       // a field is malformed or out of range (400)
	EUnprocessable Code = "unprocessable" // well-formed, but a domain rule forbids it (422)
	ENotFound      Code = "not_found"     // missing, or not visible to the caller (404)
	EConflict      Code = "conflict"      // clashes with stored state, e.g. a duplicate ref (409)
	EUnauthorized  Code = "unauthorized"  // no valid credentials (401)
	EForbidden     Code = "forbidden"     // valid credentials, wrong role (403)
	EInternal      Code = "internal"
)

// FieldError names one bad field by its JSON name (or path) and what is
// wrong with it: Code names the problem for the message catalogue, where
// people read "field.<code>" in their language filled with Args; Detail says
// it in English for API clients.
type FieldError struct {
	Field  string         `json:"field"`
	Code   string         `json:"code,omitempty"`
	Detail string         `json:"detail"`
	Args   map[string]any `json:"-"`
}

// Error is the typed error every layer of coplan returns for expected failures.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Affected lists the sessions a refused change would have touched.
	Affected []Session
	// Violations are the planning rules a refused change would break, as
	// codes and ids that people read through the message catalogue.
	Violations []planner.Violation
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Detail
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an *Error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for untyped errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Fields collects field errors; its Err is nil when nothing was added.
type Fields struct {
	list []FieldError
}

// Add records a problem with field: its code for the catalogue, and the
// English detail for API clients.
func (f *Fields) Add(field, code, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Code: code, Detail: fmt.Sprintf(format, args...)})
}

// AddArgs is Add with what the catalogue's message needs (Max, Min, Date).
func (f *Fields) AddArgs(field, code string, data map[string]any, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Code: code, Args: data, Detail: fmt.Sprintf(format, args...)})
}

// Field returns an invalid-input error naming one field.
func Field(field, code, detail string) *Error {
	return &Error{Code: EInvalid, Message: "the request has invalid fields", Fields: []FieldError{{Field: field, Code: code, Detail: detail}}}
}

// AddIndexed records the problems of a list field, one per index, in index order.
func (f *Fields) AddIndexed(field string, problems map[int]string) {
	idx := make([]int, 0, len(problems))
	for i := range problems {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		f.Add(fmt.Sprintf("%s[%d]", field, i), "weekly", "%s", problems[i])
	}
}

// Err returns an EInvalid error naming every field, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "the request has invalid fields", Fields: f.list}
}

func notFound(what, id string) *Error {
	return Errorf(ENotFound, "%s %q does not exist", what, id)
}
