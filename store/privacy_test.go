package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

// forbidden are parts of column and JSON names that would hold a family's
// identity. Staff and organisation names are fine; babies, moves and
// memberships carry none of these.
var forbidden = []string{"name", "address", "street", "postcode", "zip", "city", "bsn", "phone", "email", "nationality"}

func TestNoIdentityFieldsOnBabyMoveOrMembership(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		for _, table := range []string{"babies", "moves", "group_members"} {
			cols := storetest.Columns(t, db, table)
			if len(cols) == 0 {
				t.Fatalf("no columns of %s", table)
			}
			for _, c := range cols {
				for _, f := range forbidden {
					if strings.Contains(strings.ToLower(c), f) {
						t.Errorf("%s.%s looks like personal data", table, c)
					}
				}
			}
		}
		// And the JSON the API writes for them, including the export.
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Fryslân")
		a := storetest.MustCreateLocation(t, db, org.ID, "azc Sneek")
		b := storetest.MustCreateLocation(t, db, org.ID, "noodopvang Burgum")
		baby := storetest.MustCreateBaby(t, db, a.ID, "SN-1", "2026-12-01")
		if _, _, err := db.MoveBaby(ctx, store.System, baby.ID, b.ID, civil.MustParse("2027-01-02"), ""); err != nil {
			t.Fatal(err)
		}
		e, err := db.ExportBaby(ctx, store.System, baby.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(e)
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, vv := range x {
					if !strings.HasPrefix(path, "$.access_log") {
						for _, f := range forbidden {
							if strings.Contains(strings.ToLower(k), f) {
								t.Errorf("%s.%s looks like personal data", path, k)
							}
						}
					}
					walk(path+"."+k, vv)
				}
			case []any:
				for _, vv := range x {
					walk(path+"[]", vv)
				}
			}
		}
		var doc any
		json.Unmarshal(raw, &doc)
		walk("$", doc)
		if len(e.Moves) != 1 || e.Baby.Ref != "SN-1" || len(e.Access) < 2 {
			t.Fatalf("export: %s", raw)
		}
		rows, _, _ := db.AuditLog(ctx, store.System, store.AuditFilter{RecordID: baby.ID, Action: store.ActionExport, Limit: 5})
		if len(rows) != 1 {
			t.Fatalf("the export is not audited: %+v", rows)
		}
	})
}

func TestRetentionDeletesRecordsWhoseTimeIsUp(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Delfzijl")
		never := storetest.MustCreateBaby(t, db, loc.ID, "DZ-OLD", "2025-06-01") // never in a group
		young := storetest.MustCreateBaby(t, db, loc.ID, "DZ-YOUNG", "2026-11-01")
		grouped := storetest.MustCreateBaby(t, db, loc.ID, "DZ-G", "2026-10-01")
		last := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.SaveGroup(&store.Group{ID: "g-1", OrganisationID: org.ID, LocationID: loc.ID}); err != nil {
				return err
			}
			if err := tx.StartMembership("g-1", grouped.ID, civil.MustParse("2026-11-15"), 1); err != nil {
				return err
			}
			return tx.SaveSession(&store.Session{ID: "ses-1", GroupID: "g-1", OrganisationID: org.ID, LocationID: loc.ID, Number: 8, StartsAt: last.Add(-2 * time.Hour),
				EndsAt: last, RoomID: "r", LeadFacilitatorID: "a", SecondFacilitatorID: "b", Status: store.SessionPublished, ChangedAt: now, Families: 6})
		})
		if err != nil {
			t.Fatal(err)
		}

		n, ran, err := db.RunRetentionJob(ctx, now, "test")
		if err != nil || !ran || n != 1 {
			t.Fatalf("first run: %d deleted, ran %v, %v; want the never-grouped baby of 19 months", n, ran, err)
		}
		if _, err := db.Baby(ctx, store.System, never.ID); store.ErrorCode(err) != store.ENotFound {
			t.Fatal("the expired record is still there")
		}
		now = last.AddDate(0, 3, 1)
		n, _, _ = db.RunRetentionJob(ctx, now, "test")
		if n != 1 {
			t.Fatalf("three months after the last session: %d deleted; want the grouped baby", n)
		}
		if _, err := db.Baby(ctx, store.System, young.ID); err != nil {
			t.Fatal("a young baby was deleted")
		}
		if families := storetest.Count(t, db, "SELECT families FROM sessions WHERE id = 'ses-1'"); families != 6 {
			t.Fatal("the session's aggregate went with the baby")
		}
		rows, _, _ := db.AuditLog(ctx, store.System, store.AuditFilter{RecordID: grouped.ID, Action: store.ActionDelete, Limit: 5})
		if len(rows) != 1 || rows[0].Detail != "retention period over" {
			t.Fatalf("retention is not audited: %+v", rows)
		}
	})
}

// What came after the plan carries no identity either: the tables of
// attendance, contact moments, notices and invitation prints, and the JSON
// of attendance, contact moments, follow-ups and notices (keys walked as the
// baby export's are). Reports are counts (coordination's ReportLine has no
// per-family field).
func TestNoIdentityFieldsAfterThePlan(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		for _, table := range []string{"attendance", "contact_moments", "birth_notices", "invitation_prints"} {
			cols := storetest.Columns(t, db, table)
			if len(cols) == 0 {
				t.Fatalf("no columns of %s", table)
			}
			for _, c := range cols {
				for _, f := range forbidden {
					if strings.Contains(strings.ToLower(c), f) {
						t.Errorf("%s.%s looks like personal data", table, c)
					}
				}
			}
		}
	})
	at := time.Now()
	for name, v := range map[string]any{
		"attendance":     store.SessionAttendance{Session: &store.Session{}, Lines: []store.AttendanceLine{{RecordedAt: &at}}},
		"contact moment": store.ContactMoment{},
		"follow-up":      store.FollowUp{},
		"notice":         store.BirthNotice{},
	} {
		raw, _ := json.Marshal(v)
		var doc any
		json.Unmarshal(raw, &doc)
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, vv := range x {
					for _, f := range forbidden {
						if strings.Contains(strings.ToLower(k), f) {
							t.Errorf("%s: %s.%s looks like personal data", name, path, k)
						}
					}
					walk(path+"."+k, vv)
				}
			case []any:
				for _, vv := range x {
					walk(path+"[]", vv)
				}
			}
		}
		walk("$", doc)
	}
}
