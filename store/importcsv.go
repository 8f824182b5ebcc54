package store

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/coplan/coplan/civil"
)

// ImportRow is one line of a coordinator's spreadsheet.
type ImportRow struct {
	Line         int // 1-based line in the file, the header being line 1
	Ref          string
	BirthDate    *civil.Date
	ExpectedDate *civil.Date
	LocationID   string
	Language     string
	Status       BabyStatus
}

// RowError is a bad row of an import: the line and what is wrong.
type RowError struct {
	Line   int            `json:"line"`
	Field  string         `json:"field"`
	Code   string         `json:"code"` // for the message catalogue, as FieldError's
	Detail string         `json:"detail"`
	Args   map[string]any `json:"-"`
}

// MaxImportRows bounds one import.
const MaxImportRows = 200000

// ParseImport reads a CSV of babies: a header naming ref, birth_date and/or
// expected_date, location (the location id) and language, optionally status;
// comma or semicolon separated; UTF-8 with or without a byte-order mark. It
// returns the rows and every problem it found in the file's form (dates,
// missing values); the store checks locations and refs.
func ParseImport(r io.Reader) ([]ImportRow, []RowError, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(3)
	if err == nil && bytes.Equal(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first, err := br.Peek(4096)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, nil, err
	}
	firstLine := string(first)
	if i := strings.IndexAny(firstLine, "\r\n"); i >= 0 {
		firstLine = firstLine[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = ','
	if strings.Count(firstLine, ";") > strings.Count(firstLine, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []RowError{{Line: 1, Field: "header", Code: "empty_file", Detail: "the file is empty"}}, nil
	}
	if err != nil {
		return nil, []RowError{{Line: 1, Field: "header", Code: "csv", Detail: err.Error()}}, nil
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []RowError
	for _, need := range []string{"ref", "location"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, RowError{Line: 1, Field: "header", Code: "no_column", Args: map[string]any{"Column": need}, Detail: "no column " + need})
		}
	}
	_, hasBirth := col["birth_date"]
	_, hasExpected := col["expected_date"]
	if !hasBirth && !hasExpected {
		problems = append(problems, RowError{Line: 1, Field: "header", Code: "no_column", Args: map[string]any{"Column": "birth_date"}, Detail: "no column birth_date or expected_date"})
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []ImportRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, RowError{Line: line, Field: "row", Code: "csv", Detail: err.Error()})
			if len(problems) > 1000 {
				break
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rows) >= MaxImportRows {
			problems = append(problems, RowError{Line: line, Field: "row", Code: "too_many", Args: map[string]any{"Max": MaxImportRows}, Detail: fmt.Sprintf("an import holds at most %d rows", MaxImportRows)})
			break
		}
		if bad := oddCells(header, rec); bad != "" {
			problems = append(problems, RowError{Line: line, Field: bad, Code: "odd_bytes", Detail: "holds a NUL byte or is not valid UTF-8"})
			continue
		}
		row := ImportRow{Line: line, Ref: get(rec, "ref"), LocationID: get(rec, "location"), Language: strings.ToLower(get(rec, "language")),
			Status: BabyStatus(strings.ToLower(get(rec, "status")))}
		for _, d := range []struct {
			name string
			dst  **civil.Date
		}{{"birth_date", &row.BirthDate}, {"expected_date", &row.ExpectedDate}} {
			if v := get(rec, d.name); v != "" {
				t, err := civil.Parse(v)
				if err != nil {
					problems = append(problems, RowError{Line: line, Field: d.name, Code: "date", Detail: err.Error()})
					continue
				}
				*d.dst = &t
			}
		}
		rows = append(rows, row)
	}
	return rows, problems, nil
}

// oddCells names the first column of rec that holds a NUL byte or is not
// valid UTF-8, or "".
func oddCells(header, rec []string) string {
	for i, v := range rec {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			if i < len(header) && utf8.ValidString(header[i]) {
				return strings.ToLower(strings.TrimSpace(header[i]))
			}
			return "row"
		}
	}
	return ""
}
