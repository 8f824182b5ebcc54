package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestImportIsAllOrNothing(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		storetest.MustCreateBaby(t, db, loc.ID, "MK-EXISTS", "2026-12-01")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		bad := "\ufeffref;birth_date;location;language\n" +
			"MK-1;2026-11-02;" + loc.ID + ";ar\n" +
			"MK-2;2026-02-30;" + loc.ID + ";ti\n" + // impossible date
			"MK-3;2026-11-02;loc_elsewhere;ti\n" + // unknown location
			"MK-1;2026-11-03;" + loc.ID + ";ti\n" + // duplicate in the file
			"MK-EXISTS;2026-11-03;" + loc.ID + ";ti\n" + // exists already
			"Jan Jansen;2026-11-03;" + loc.ID + ";ti\n" // a name, not a ref
		rows, problems, err := store.ParseImport(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ImportBabies(ctx, coord, rows, nil)
		e, _ := err.(*store.Error)
		all := append([]store.RowError{}, problems...)
		if e == nil || e.Code != store.EInvalid {
			t.Fatalf("a bad file: %v", err)
		}
		text := fmt.Sprint(e.Fields, all)
		for _, want := range []string{"rows[3].birth_date", "rows[4].location", "rows[5].ref", "rows[6].ref", "rows[7].ref"} {
			if !strings.Contains(text, want) && !strings.Contains(fmt.Sprint(problems), strings.TrimPrefix(want, "rows")) {
				t.Errorf("the problems do not name %s: %s", want, text)
			}
		}
		if _, total, _ := db.Babies(ctx, coord, store.BabyFilter{}); total != 1 {
			t.Fatalf("%d babies after a refused import; want 1", total)
		}
		var good strings.Builder
		good.WriteString("ref,birth_date,expected_date,location,language,status\n")
		for i := 0; i < 2500; i++ {
			if i%10 == 0 {
				fmt.Fprintf(&good, "IMP-%04d,,2027-03-01,%s,ti,eligible\n", i, loc.ID)
			} else {
				fmt.Fprintf(&good, "IMP-%04d,2026-%02d-15,,%s,ar,\n", i, 1+i%11, loc.ID)
			}
		}
		rows, problems, _ = store.ParseImport(strings.NewReader(good.String()))
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		calls := 0
		n, err := db.ImportBabies(ctx, coord, rows, func(done, total int) { calls++ })
		if err != nil || n != 2500 || calls == 0 {
			t.Fatalf("import: %d, %v (progress called %d times)", n, err, calls)
		}
		list, total, _ := db.Babies(ctx, coord, store.BabyFilter{Ref: "IMP-0010"})
		if total != 1 || list[0].ExpectedDate == nil || list[0].Status != store.StatusEligible {
			t.Fatalf("IMP-0010: %+v", list)
		}
		audits := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE detail = 'import'")
		if audits != 2500 {
			t.Fatalf("%d audit rows for 2500 imported records", audits)
		}
	})
}
