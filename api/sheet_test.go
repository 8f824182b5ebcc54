package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/xuri/excelize/v2"
)

// The baby list downloads as Dutch Excel opens it, as plain CSV, and as a
// workbook with typed cells; each row is audited as an export.
func TestBabyExportsOpenInDutchExcel(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := demo.Fill(ctx, db); err != nil {
			t.Fatal(err)
		}
		org := orgByName(t, db, "GGD Groningen")
		coord, actor := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		a := e.do("GET", "/babies.csv?status=enrolled", coord, nil)
		if a.status != 200 || !bytes.HasPrefix(a.body, []byte("\ufeff")) || a.header.Get("Content-Disposition") == "" {
			t.Fatalf("excel csv: %d %q", a.status, a.body[:min(len(a.body), 80)])
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(a.body, []byte("\ufeff"))))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil || len(recs) < 10 || recs[0][0] != "Ref" || recs[0][1] != "Geboortedatum" || recs[0][6] != "Taal" {
			t.Fatalf("excel csv: %v %v", recs[:min(len(recs), 2)], err)
		}
		for _, rec := range recs[1:] {
			if rec[7] != "enrolled" || rec[8] != "ingeschreven" || (rec[5] != "" && rec[6] == "") {
				t.Fatalf("a row without its words: %v", rec)
			}
		}
		exported := int(storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND token_id = '"+actor.TokenID+"'"))
		if exported != len(recs)-1 {
			t.Fatalf("%d export audit rows for %d records", exported, len(recs)-1)
		}
		plain := e.do("GET", "/babies.csv?status=enrolled&excel=0", coord, nil)
		if bytes.HasPrefix(plain.body, []byte("\ufeff")) || !strings.HasPrefix(string(plain.body), "ref,birth_date,expected_date,location_id") {
			t.Fatalf("plain csv: %.100s", plain.body)
		}
		x := e.do("GET", "/babies.xlsx?status=enrolled", coord, nil)
		book, err := excelize.OpenReader(bytes.NewReader(x.body))
		if err != nil {
			t.Fatalf("xlsx: %d %v", x.status, err)
		}
		rows, _ := book.GetRows("Sheet1")
		if len(rows) != len(recs) || rows[0][1] != "Geboortedatum" {
			t.Fatalf("xlsx rows: %d, header %v", len(rows), rows[0])
		}
		if typ, _ := book.GetCellType("Sheet1", "B2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber && typ != excelize.CellTypeDate {
			t.Fatalf("the birth date is not a date cell: %v", typ)
		}
	})
}

func orgByName(t *testing.T, db *store.DB, name string) store.Organisation {
	t.Helper()
	orgs, _, _ := db.Organisations(context.Background(), store.System, store.Page{Limit: 50})
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no organisation %s", name)
	return store.Organisation{}
}
