package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestImportCommand(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dbURL := storetest.URL(t, d)
			ctx := context.Background()
			db, err := store.Open(ctx, dbURL, store.Options{Now: storetest.FixedClock("2027-01-04 10:00")})
			if err != nil {
				t.Fatal(err)
			}
			org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
			loc := storetest.MustCreateLocation(t, db, org.ID, "azc Emmen")
			db.Close()
			var csv strings.Builder
			csv.WriteString("ref;birth_date;location;language\r\n")
			for i := 0; i < 1200; i++ {
				fmt.Fprintf(&csv, "EM-%05d;2026-%02d-01;%s;ti\r\n", i, 1+i%12, loc.ID)
			}
			path := filepath.Join(t.TempDir(), "babies.csv")
			os.WriteFile(path, []byte(csv.String()), 0o644)
			env := envOf(map[string]string{"COPLAN_DATABASE_URL": dbURL, "COPLAN_NOW": "2027-01-04T10:00:00+01:00"})
			var out, errb bytes.Buffer
			if err := run(ctx, []string{"coplan", "import", path}, env, &out, &errb); err != nil {
				t.Fatalf("import: %v\n%s", err, errb.String())
			}
			if !strings.HasPrefix(out.String(), "imported 1200 babies in") || !strings.Contains(errb.String(), "100% 1200/1200") {
				t.Fatalf("stdout %q, stderr %q", out.String(), errb.String())
			}
			// The same file again: every row exists; nothing is written, every line is named.
			out.Reset()
			errb.Reset()
			if err := run(ctx, []string{"coplan", "import", path}, env, &out, &errb); err != errReported {
				t.Fatalf("second import: %v", err)
			}
			if !strings.Contains(errb.String(), "line 2, ref: a baby with this ref exists already") {
				t.Fatalf("stderr: %.300s", errb.String())
			}
		})
	}
}
