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

// ImportRow is one line of a coordinator's spreadsheet. Location and
// Language are as typed: a location's id or name, a language's code or name;
// the store resolves them. Bad names the fields this line already failed on.
type ImportRow struct {
	Line         int // 1-based line in the file, the header being line 1
	Ref          string
	BirthDate    *civil.Date
	ExpectedDate *civil.Date
	Location     string
	Language     string
	Status       BabyStatus
	Bad          map[string]bool
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

// importColumns are the columns an import reads, with the headers people
// write for each: the English keys, the Dutch words, and the column names
// of coplan's own export.
var importColumns = map[string][]string{
	"ref":           {"ref", "referentie"},
	"birth_date":    {"birth_date", "geboortedatum", "birth date", "geboren"},
	"expected_date": {"expected_date", "uitgerekende datum", "due date", "expected date", "ad", "a.d."},
	"location":      {"location", "location_id", "locatie", "locatie-id", "location id"},
	"language":      {"language", "taal", "taalcode", "language code"},
	"status":        {"status", "statuscode", "status code"},
}

// ParseImport reads a CSV of babies: a header naming ref, birth_date and/or
// expected_date, location and optionally language and status (in English or
// Dutch, any order), comma or semicolon separated; UTF-8 with or without a
// byte-order mark. Dates may be YYYY-MM-DD or dd-mm-jjjj. It returns every
// row and every problem it found in the file's form (dates, missing
// values), all at once; the store then checks locations, languages and refs.
func ParseImport(r io.Reader) ([]ImportRow, []RowError, error) {
	br, comma, err := openCSV(r)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []RowError{{Line: 1, Field: "header", Code: "empty_file", Detail: "the file is empty"}}, nil
	}
	if err != nil {
		return nil, []RowError{{Line: 1, Field: "header", Code: "csv", Detail: err.Error()}}, nil
	}
	col, problems := importHeader(header)
	if len(problems) > 0 {
		return nil, problems, nil
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
			problems = append(problems, RowError{Line: line, Field: "row", Code: "too_many", Args: map[string]any{"Max": MaxImportRows},
				Detail: fmt.Sprintf("an import holds at most %d rows", MaxImportRows)})
			break
		}
		if bad := oddCells(header, rec); bad != "" {
			problems = append(problems, RowError{Line: line, Field: bad, Code: "odd_bytes", Detail: "holds a NUL byte or is not valid UTF-8"})
			continue
		}
		row, rowProblems := importRow(line, rec, col)
		problems = append(problems, rowProblems...)
		rows = append(rows, row)
	}
	return rows, problems, nil
}

// openCSV skips a byte-order mark and guesses the separator from the header.
func openCSV(r io.Reader) (*bufio.Reader, rune, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(3)
	if err == nil && bytes.Equal(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first, err := br.Peek(4096)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, 0, err
	}
	firstLine := string(first)
	if i := strings.IndexAny(firstLine, "\r\n"); i >= 0 {
		firstLine = firstLine[:i]
	}
	if strings.Count(firstLine, ";") > strings.Count(firstLine, ",") {
		return br, ';', nil
	}
	return br, ',', nil
}

// importHeader maps the columns an import reads to their positions.
func importHeader(header []string) (map[string]int, []RowError) {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for key, names := range importColumns {
			for _, n := range names {
				if h == n {
					if _, dup := col[key]; !dup {
						col[key] = i
					}
				}
			}
		}
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
		problems = append(problems, RowError{Line: 1, Field: "header", Code: "no_column", Args: map[string]any{"Column": "birth_date"},
			Detail: "no column birth_date or expected_date"})
	}
	return col, problems
}

// importRow reads one record; a date it cannot read is a problem of that
// field, and the row's other fields are still read and checked.
func importRow(line int, rec []string, col map[string]int) (ImportRow, []RowError) {
	get := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := ImportRow{Line: line, Ref: get("ref"), Location: get("location"), Language: get("language"),
		Status: BabyStatus(strings.ToLower(get("status"))), Bad: map[string]bool{}}
	var problems []RowError
	for _, d := range []struct {
		name string
		dst  **civil.Date
	}{{"birth_date", &row.BirthDate}, {"expected_date", &row.ExpectedDate}} {
		if v := get(d.name); v != "" {
			t, err := civil.ParseDutch(v)
			if err != nil {
				problems = append(problems, RowError{Line: line, Field: d.name, Code: "date", Detail: err.Error()})
				row.Bad[d.name] = true
				continue
			}
			*d.dst = &t
		}
	}
	return row, problems
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
