package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// A file with a problem of every kind: each is named at once, by line and
// column, and nothing is stored.
func TestImportNamesEveryProblemAtOnceAndStoresNothing(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		storetest.MustCreateBaby(t, db, loc.ID, "MK-EXISTS", "2026-12-01")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		bad := "\ufeffref;geboortedatum;locatie;taal\n" +
			"MK-1;02-11-2026;Musselkanaal;Arabisch\n" + // good: a Dutch date, the location and language by name
			"MK-2;30-02-2026;" + loc.ID + ";ti\n" + // line 3: impossible date
			"MK-3;2026-11-02;azc Elders;Klingon\n" + // line 4: unknown location and language, both
			"MK-1;2026-11-03;" + loc.ID + ";ti\n" + // line 5: duplicate in the file
			"MK-EXISTS;2026-11-03;" + loc.ID + ";ti\n" + // line 6: exists already
			"Jan Jansen;31-02-2026;" + loc.ID + ";ti\n" // line 7: a name, not a ref, and a bad date
		_, err := db.ImportFile(ctx, coord, strings.NewReader(bad), store.ImportOptions{})
		e, _ := err.(*store.Error)
		if e == nil || e.Code != store.EInvalid {
			t.Fatalf("a bad file: %v", err)
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Field] = f.Code
		}
		for field, code := range map[string]string{"rows[3].birth_date": "date", "rows[4].location": "unknown", "rows[4].language": "language",
			"rows[5].ref": "duplicate_row", "rows[6].ref": "taken", "rows[7].ref": "ref", "rows[7].birth_date": "date"} {
			if got[field] != code {
				t.Errorf("%s: code %q, want %q (all: %v)", field, got[field], code, got)
			}
		}
		if len(e.Fields) != 7 {
			t.Errorf("%d problems; want 7: %+v", len(e.Fields), e.Fields)
		}
		if _, total, _ := db.Babies(ctx, coord, store.BabyFilter{}); total != 1 {
			t.Fatalf("%d babies after a refused import; want 1", total)
		}
	})
}

func TestImportCreatesAndUpdatesWithAuditRows(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		other := storetest.MustCreateLocation(t, db, org.ID, "azc Ter Apel")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		var good strings.Builder
		good.WriteString("ref,birth_date,expected_date,location,language,status\n")
		for i := 0; i < 2500; i++ {
			if i%10 == 0 {
				fmt.Fprintf(&good, "IMP-%04d,,2027-03-01,%s,ti,eligible\n", i, loc.ID)
			} else {
				fmt.Fprintf(&good, "IMP-%04d,2026-%02d-15,,%s,ar,\n", i, 1+i%11, loc.ID)
			}
		}
		calls := 0
		res, err := db.ImportFile(ctx, coord, strings.NewReader(good.String()), store.ImportOptions{Progress: func(done, total int) { calls++ }})
		if err != nil || res.Created != 2500 || calls == 0 {
			t.Fatalf("import: %+v, %v (progress called %d times)", res, err, calls)
		}
		list, total, _ := db.Babies(ctx, coord, store.BabyFilter{Ref: "IMP-0010"})
		if total != 1 || list[0].ExpectedDate == nil || list[0].Status != store.StatusEligible {
			t.Fatalf("IMP-0010: %+v", list)
		}
		if audits := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE detail = 'import'"); audits != 2500 {
			t.Fatalf("%d audit rows for 2500 imported records", audits)
		}
		// Update mode: a known ref changes its record, an unchanged one
		// nothing, a new one is created; a known ref at another location is
		// refused (a move records that), and without update mode a known ref is taken.
		update := "ref;birth_date;location;language;status\n" +
			"IMP-0001;2026-02-15;" + loc.ID + ";ti;enrolled\n" + // language changes
			"IMP-0002;2026-03-15;" + loc.ID + ";ar;enrolled\n" + // unchanged
			"IMP-9999;2026-11-15;Musselkanaal;ar;enrolled\n" // new
		res, err = db.ImportFile(ctx, coord, strings.NewReader(update), store.ImportOptions{Update: true})
		if err != nil || res.Created != 1 || res.Updated != 1 || res.Unchanged != 1 {
			t.Fatalf("update: %+v, %v", res, err)
		}
		if list, _, _ := db.Babies(ctx, coord, store.BabyFilter{Ref: "IMP-0001"}); list[0].Language != "ti" {
			t.Fatalf("IMP-0001 was not updated: %+v", list[0])
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE detail = 'import, changed: language'"); n != 1 {
			t.Fatalf("%d audit rows for the update", n)
		}
		moved := "ref;birth_date;location\nIMP-0003;2026-04-15;" + other.ID + "\n"
		if _, err := db.ImportFile(ctx, coord, strings.NewReader(moved), store.ImportOptions{Update: true}); !hasField(err, "rows[2].location", "move_for_location") {
			t.Fatalf("a location change in update mode: %v", err)
		}
		if _, err := db.ImportFile(ctx, coord, strings.NewReader(update), store.ImportOptions{}); !hasField(err, "rows[2].ref", "taken") {
			t.Fatalf("a known ref without update mode: %v", err)
		}
	})
}

func hasField(err error, field, code string) bool {
	e, ok := err.(*store.Error)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Code == code {
			return true
		}
	}
	return false
}

// A file of new records whose problems come late: on PostgreSQL the rows
// before them are already on their way through COPY when the checker meets
// them; every problem is still named and nothing (no record, no audit row)
// is stored.
func TestALateProblemRollsBackTheRowsAlreadyCopied(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		var file strings.Builder
		file.WriteString("ref;birth_date;location;language\n")
		for i := 0; i < 20000; i++ {
			fmt.Fprintf(&file, "LATE-%05d;2026-%02d-15;%s;ar\n", i, 1+i%11, loc.ID)
		}
		file.WriteString("LATE-00007;2026-03-15;" + loc.ID + ";ar\n")  // line 20002: duplicate of line 9
		file.WriteString("LATE-X;31-02-2026;" + loc.ID + ";Klingon\n") // line 20003: bad date and language
		audits := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log")
		_, err := db.ImportFile(ctx, coord, strings.NewReader(file.String()), store.ImportOptions{})
		for field, code := range map[string]string{"rows[20002].ref": "duplicate_row", "rows[20003].birth_date": "date", "rows[20003].language": "language"} {
			if !hasField(err, field, code) {
				t.Errorf("%s %s is not named: %v", field, code, err)
			}
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM babies"); n != 0 {
			t.Fatalf("%d records after a refused import", n)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log"); n != audits {
			t.Fatalf("%d audit rows after a refused import; %d before", n, audits)
		}
		// The same file without its two bad lines goes in whole.
		good := strings.Join(strings.Split(file.String(), "\n")[:20001], "\n") + "\n"
		if res, err := db.ImportFile(ctx, coord, strings.NewReader(good), store.ImportOptions{}); err != nil || res.Created != 20000 {
			t.Fatalf("the good rows: %+v %v", res, err)
		}
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE detail = 'import'"); n != 20000 {
			t.Fatalf("%d audit rows for 20000 records", n)
		}
	})
}
