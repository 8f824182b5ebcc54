// Package planfile is the JSON file format of `coplan plan` and `coplan
// capacity`: it decodes a plan file into the planner's typed input, naming the
// JSON path of every malformed date, time and instant, and encodes plans and
// forecasts. It is an edge of its own so that the planner's API stays typed;
// the command line, the fuzz target and the tests read files through it, and
// the service hands the planner typed input directly.
package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
)

// Decode reads a plan file. Syntax and type errors and every malformed date,
// time or instant come back as planner.Problems naming the JSON path; the
// planner itself then checks references and ranges.
func Decode(r io.Reader) (*planner.Input, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(data)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(data []byte) (*planner.Input, error) {
	var f input
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, syntaxProblem(data, err)
	}
	if dec.More() {
		return nil, planner.Problems{{Path: "$", Message: "data after the JSON object"}}
	}
	p := &parser{}
	in := f.typed(p)
	if len(p.problems) > 0 {
		all := append(p.problems, p.alsoInvalid(in)...)
		sort.SliceStable(all, func(i, j int) bool { return fileOrder(all[i].Path) < fileOrder(all[j].Path) })
		return nil, all
	}
	return in, nil
}

// sections are the plan file's keys in the order the planner checks them.
var sections = []string{"today", "rules", "organisations", "locations", "facilitators", "babies", "groups", "fixed_sessions", "expected"}

// fileOrder ranks a path by its section and its first list index, so that
// problems read in the order of the file.
func fileOrder(path string) int {
	rest := strings.TrimPrefix(path, "$.")
	rank := len(sections)
	for i, s := range sections {
		if rest == s || strings.HasPrefix(rest, s+".") || strings.HasPrefix(rest, s+"[") {
			rank = i
			break
		}
	}
	index := 0
	if i := strings.IndexByte(rest, '['); i >= 0 {
		if j := strings.IndexByte(rest[i:], ']'); j > 0 {
			index, _ = strconv.Atoi(rest[i+1 : i+j])
		}
	}
	return rank*1_000_000 + index
}

// alsoInvalid is what the planner finds wrong with an input that had values
// it could not read, so that one run names every problem: problems on or under
// a value already reported are left out (an unreadable value reads as zero),
// and an unreadable today compares with no birth date.
func (p *parser) alsoInvalid(in *planner.Input) planner.Problems {
	check := *in
	for _, q := range p.problems {
		if q.Path == "$.today" {
			check.Today = civil.MustParse("9999-12-31")
		}
	}
	var ps planner.Problems
	if !errors.As(planner.Validate(&check), &ps) {
		return nil
	}
	var out planner.Problems
	for _, q := range ps {
		related := false
		for _, r := range p.problems {
			related = related || within(q.Path, r.Path) || within(r.Path, q.Path)
		}
		if !related {
			out = append(out, q)
		}
	}
	return out
}

// within reports whether path is at or under parent: "$.a[1].b" is under "$.a[1]", "$.a[10]" is not.
func within(path, parent string) bool {
	return path == parent || strings.HasPrefix(path, parent+".") || strings.HasPrefix(path, parent+"[")
}

func syntaxProblem(data []byte, err error) planner.Problems {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return planner.Problems{{Path: "$", Message: fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, syn)}}
	case errors.As(err, &typ):
		path := "$"
		if typ.Field != "" {
			path += "." + typ.Field
		}
		return planner.Problems{{Path: path, Message: fmt.Sprintf("must be %s, not %s", typ.Type, typ.Value)}}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return planner.Problems{{Path: "$", Message: "the input ends too early"}}
	}
	return planner.Problems{{Path: "$", Message: err.Error()}}
}

func position(data []byte, offset int64) (line, col int) {
	before := string(data[:min(int(offset), len(data))])
	line = strings.Count(before, "\n") + 1
	col = len(before) - strings.LastIndex(before, "\n")
	return line, col
}

// Marshal writes a plan, forecast or input as a file: indented JSON and a
// final newline. Times are RFC 3339 with the offset they carry (the planner
// writes Europe/Amsterdam), dates YYYY-MM-DD, lists [] rather than null.
func Marshal(v any) ([]byte, error) {
	if p, ok := v.(*planner.Plan); ok {
		v = wirePlan(p) // a national plan has 60,000 instants: written as text once, not through time.Time's MarshalJSON
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// parser turns the file's strings into typed values, collecting problems.
type parser struct {
	problems planner.Problems
}

func (p *parser) add(path, format string, args ...any) {
	p.problems = append(p.problems, planner.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) date(path, s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		p.add(path, "%v", err)
	}
	return d
}

func (p *parser) clock(path, s string) civil.Clock {
	c, err := civil.ParseClock(s)
	if err != nil {
		p.add(path, "%v", err)
	}
	return c
}

func (p *parser) instant(path, s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.add(path, "%q is not an RFC 3339 time such as 2027-02-09T10:00:00+01:00", s)
	}
	return t
}

func (p *parser) weekly(path string, in []weekly) []civil.Weekly {
	out := make([]civil.Weekly, len(in))
	for i, w := range in {
		item := fmt.Sprintf("%s[%d]", path, i)
		out[i] = civil.Weekly{Weekday: w.Weekday, From: p.clock(item+".from", w.From), To: p.clock(item+".to", w.To)}
	}
	return out
}

func (p *parser) ranges(path string, in []dateRange) []civil.Range {
	out := make([]civil.Range, len(in))
	for i, r := range in {
		item := fmt.Sprintf("%s[%d]", path, i)
		out[i] = civil.Range{From: p.date(item+".from", r.From), To: p.date(item+".to", r.To)}
	}
	return out
}

func (p *parser) session(path string, s session) planner.Session {
	return planner.Session{Number: s.Number, Start: p.instant(path+".start", s.Start), End: p.instant(path+".end", s.End),
		RoomID: s.RoomID, FacilitatorIDs: s.FacilitatorIDs, InterpreterLanguages: s.InterpreterLanguages}
}
