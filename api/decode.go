package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// decode reads a JSON body into v strictly: unknown fields, wrong types, trailing
// data and oversized bodies are errors that name the field. It answers the
// request itself and returns false on failure.
func (s *Server) decode(c *gin.Context, v any) bool {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(c, &store.Error{Code: codeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit)})
			return false
		}
		s.fail(c, invalid("body", "could not be read"))
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		s.fail(c, invalid("body", "is empty; send a JSON object"))
		return false
	}
	if err := decodeJSON(body, v); err != nil {
		s.fail(c, err)
		return false
	}
	if !plainJSON(body) {
		s.fail(c, invalid("body", "holds a NUL character"))
		return false
	}
	if l, ok := v.(limited); ok {
		var f store.Fields
		l.limits(&f)
		if err := f.Err(); err != nil {
			s.fail(c, err)
			return false
		}
	}
	return true
}

// limited is a request body with lists that have maxima (store's limits),
// checked before anything else.
type limited interface{ limits(f *store.Fields) }

func count[T any](p *[]T) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

func itoa(n int) string { return strconv.Itoa(n) }

// changer is a request body that turns into a change of a stored T.
type changer[T, R any] interface {
	*R
	change() (func(*T), error)
}

// decodeChange decodes a body of type R and turns it into a change of a T,
// answering the request itself and returning false when either fails.
func decodeChange[T, R any, PR changer[T, R]](s *Server, c *gin.Context) (func(*T), bool) {
	var req R
	if !s.decode(c, &req) {
		return nil, false
	}
	change, err := PR(&req).change()
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return change, true
}

// decodeJSON is decode without the HTTP, for the fuzz targets and tests.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return invalid("body", "has data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("body", "has data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return invalid("body", fmt.Sprintf("is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return invalid(field, fmt.Sprintf("must be %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "is not valid JSON (it ends too early)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalid(name, "is not a known field")
	}
	return invalid("body", "is not valid JSON: "+err.Error())
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}

// requiredDate parses a YYYY-MM-DD string that must be there: missing, null
// and empty are "is required", never a zero date.
func requiredDate(f *store.Fields, field string, s *string) civil.Date {
	if s == nil || *s == "" {
		f.Add(field, "required", "is required (YYYY-MM-DD)")
		return 0
	}
	if d := dateField(f, field, s); d != nil {
		return *d
	}
	return 0
}

// requiredString is a string that must be there and not be blank.
func requiredString(f *store.Fields, field string, s *string) string {
	if s == nil || strings.TrimSpace(*s) == "" {
		f.Add(field, "required", "is required")
		return ""
	}
	return *s
}

// dateField parses an optional YYYY-MM-DD string, recording a problem with field.
func dateField(f *store.Fields, field string, s *string) *civil.Date {
	if s == nil || *s == "" {
		return nil
	}
	d, err := civil.Parse(*s)
	if err != nil {
		f.Add(field, "date", "%s", err.Error())
		return nil
	}
	return &d
}

// weeklyJSON and rangeJSON carry times and dates as strings so that a bad one is
// reported with its full path.
type weeklyJSON struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

type rangeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func weeklyField(f *store.Fields, field string, in []weeklyJSON) []civil.Weekly {
	out := make([]civil.Weekly, 0, len(in))
	for i, w := range in {
		from, err1 := civil.ParseClock(w.From)
		to, err2 := civil.ParseClock(w.To)
		if err1 != nil {
			f.Add(fmt.Sprintf("%s[%d].from", field, i), "clock", "%s", err1.Error())
		}
		if err2 != nil {
			f.Add(fmt.Sprintf("%s[%d].to", field, i), "clock", "%s", err2.Error())
		}
		out = append(out, civil.Weekly{Weekday: w.Weekday, From: from, To: to})
	}
	return out
}

func rangesField(f *store.Fields, field string, in []rangeJSON) []civil.Range {
	out := make([]civil.Range, 0, len(in))
	for i, r := range in {
		from, err1 := civil.Parse(r.From)
		to, err2 := civil.Parse(r.To)
		if err1 != nil {
			f.Add(fmt.Sprintf("%s[%d].from", field, i), "date", "%s", err1.Error())
		}
		if err2 != nil {
			f.Add(fmt.Sprintf("%s[%d].to", field, i), "date", "%s", err2.Error())
		}
		out = append(out, civil.Range{From: from, To: to})
	}
	return out
}

// set copies *src to *dst when the request carried the field.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// pageParams reads limit (1-500, default 50) and offset (>= 0).
func pageParams(c *gin.Context) (store.Page, error) {
	var f store.Fields
	p := store.Page{Limit: 50}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			f.Add("limit", "range_1_500", "must be a whole number from 1 to 500")
		}
		p.Limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.Add("offset", "at_least_0", "must be a whole number of at least 0")
		}
		p.Offset = n
	}
	return p, f.Err()
}

// list is the shape of every list answer.
type list[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}
