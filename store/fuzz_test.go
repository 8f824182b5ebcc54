package store_test

import (
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
)

// FuzzParseImport: any file either parses into rows and problems with line
// numbers, or fails to read; it never panics and never reports line 0.
func FuzzParseImport(f *testing.F) {
	for _, s := range []string{
		"ref,birth_date,location,language\nMK-1,2026-11-02,loc_1,ar\n",
		"\ufeffref;expected_date;location;language\r\nMK-1;2027-03-01;loc_1;ti\r\n",
		"ref,location\n", "", "\"unterminated\n", "ref,birth_date,location\nx,2026-02-30,l\n,,\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rows, problems, err := store.ParseImport(strings.NewReader(data))
		if err != nil {
			return
		}
		for _, p := range problems {
			if p.Line < 1 || p.Field == "" {
				t.Fatalf("problem without a place: %+v", p)
			}
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row on line %d", r.Line)
			}
		}
	})
}
