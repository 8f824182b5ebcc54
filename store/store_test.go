package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	_ "github.com/jackc/pgx/v5/stdlib"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

var today = storetest.FixedClock("2027-01-04 10:00")

func TestMigrationsApplyOnceAndRecordVersion(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			ctx := context.Background()
			for i := 0; i < 2; i++ { // the second open finds everything applied
				db, err := store.Open(ctx, url, store.Options{Now: today})
				if err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				v, err := db.SchemaVersion(ctx)
				if err != nil || v < 1 {
					t.Fatalf("schema version = %d, %v; want >= 1", v, err)
				}
				n := storetest.Count(t, db, "SELECT COUNT(*) FROM schema_migrations")
				if int(n) != v {
					t.Fatalf("schema_migrations has %d rows for version %d", n, v)
				}
				db.Close()
			}
		})
	}
}

func fieldOf(t *testing.T, err error, code store.Code, field string) {
	t.Helper()
	var e *store.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v; want code %s", err, code)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("err %v does not name field %s", err, field)
}

func TestBabyScopeAuditAndValidation(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		orgA := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		orgB := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		locA := storetest.MustCreateLocation(t, db, orgA.ID, "azc Musselkanaal")
		locB := storetest.MustCreateLocation(t, db, orgB.ID, "azc Emmen")
		_, coordA := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: orgA.ID})
		_, coordB := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: orgB.ID})

		a := &store.Baby{LocationID: locA.ID, Ref: "MK-001", BirthDate: storetest.Date("2026-11-20"), Language: "ti"}
		if err := db.CreateBaby(ctx, coordA, a); err != nil {
			t.Fatal(err)
		}
		if a.Status != store.StatusEnrolled || a.OrganisationID != orgA.ID {
			t.Fatalf("created baby: status %q org %q; want enrolled in %s", a.Status, a.OrganisationID, orgA.ID)
		}
		// A coordinator cannot place a baby at another organisation's location.
		err := db.CreateBaby(ctx, coordB, &store.Baby{LocationID: locA.ID, Ref: "X", BirthDate: storetest.Date("2026-11-20")})
		fieldOf(t, err, store.EInvalid, "location_id")
		// Birth dates in the future or over two years ago are invalid fields.
		fieldOf(t, db.CreateBaby(ctx, coordA, &store.Baby{LocationID: locA.ID, Ref: "F", BirthDate: storetest.Date("2027-01-05")}), store.EInvalid, "birth_date")
		fieldOf(t, db.CreateBaby(ctx, coordA, &store.Baby{LocationID: locA.ID, Ref: "O", BirthDate: storetest.Date("2025-01-03")}), store.EInvalid, "birth_date")
		fieldOf(t, db.CreateBaby(ctx, coordA, &store.Baby{LocationID: locA.ID, Ref: "Jan Jansen", BirthDate: storetest.Date("2026-12-01")}), store.EInvalid, "ref")
		// A duplicate ref within the organisation is a conflict; in another one it is fine.
		fieldOf(t, db.CreateBaby(ctx, coordA, &store.Baby{LocationID: locA.ID, Ref: "MK-001", BirthDate: storetest.Date("2026-12-01")}), store.EConflict, "ref")
		b := &store.Baby{LocationID: locB.ID, Ref: "MK-001", BirthDate: storetest.Date("2026-12-01")}
		if err := db.CreateBaby(ctx, coordB, b); err != nil {
			t.Fatalf("same ref in another organisation: %v", err)
		}

		if _, err := db.Baby(ctx, coordB, a.ID); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("coordinator B reading A's baby: %v; want not found", err)
		}
		list, total, err := db.Babies(ctx, coordB, store.BabyFilter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("coordinator B's list = %v (%d), %v; want only its own baby", list, total, err)
		}
		got, err := db.Baby(ctx, coordA, a.ID)
		if err != nil || got.BirthDate == nil || got.BirthDate.String() != "2026-11-20" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		if _, err := db.UpdateBaby(ctx, coordA, a.ID, func(b *store.Baby) { b.Status = store.StatusWithdrawn }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateBaby(ctx, coordA, a.ID, func(b *store.Baby) { b.LocationID = locB.ID }); store.ErrorCode(err) != store.EUnprocessable {
			t.Fatalf("changing the location by update: %v; want unprocessable", err)
		}

		entries, _, err := db.AuditLog(ctx, coordA, store.AuditFilter{RecordID: a.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+":"+e.Outcome)
			if e.TokenID != coordA.TokenID && e.TokenID != coordB.TokenID {
				t.Fatalf("audit row by unknown token %q", e.TokenID)
			}
		}
		want := "update:rejected update:success read:success create:success"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("audit of baby A = %q; want %q", got, want)
		}
		// B's attempt to read A's baby is logged too, under B's organisation.
		all, _, _ := db.AuditLog(ctx, store.System, store.AuditFilter{RecordID: a.ID, Action: store.ActionRead, Limit: 100})
		if len(all) != 2 || all[1].Outcome != store.OutcomeNotFound || all[1].TokenID != coordB.TokenID || all[1].OrganisationID != orgB.ID {
			t.Fatalf("admin's view of reads of baby A = %+v; want B's refused read", all)
		}
		// Coordinator B's audit view holds B's own list row, not A's records.
		bEntries, _, _ := db.AuditLog(ctx, coordB, store.AuditFilter{Limit: 100})
		for _, e := range bEntries {
			if e.RecordID == a.ID && e.OrganisationID != orgB.ID {
				t.Fatalf("coordinator B sees an audit row of organisation A: %+v", e)
			}
		}
	})
}

func TestMoveKeepsHistoryAndHandsOver(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		orgA := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		orgB := storetest.MustCreateOrganisation(t, db, "GGD Fryslân")
		ter := storetest.MustCreateLocation(t, db, orgA.ID, "AC Ter Apel")
		mk := storetest.MustCreateLocation(t, db, orgA.ID, "azc Musselkanaal")
		burgum := storetest.MustCreateLocation(t, db, orgB.ID, "noodopvang Burgum")
		_, coordA := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: orgA.ID})
		_, coordB := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: orgB.ID})
		baby := storetest.MustCreateBaby(t, db, ter.ID, "TA-7", "2026-10-01")

		if _, _, err := db.MoveBaby(ctx, coordA, baby.ID, ter.ID, civil.MustParse("2026-12-01"), ""); store.ErrorCode(err) != store.EUnprocessable {
			t.Fatalf("move to the current location: %v; want unprocessable", err)
		}
		_, _, err := db.MoveBaby(ctx, coordA, baby.ID, mk.ID, civil.MustParse("2027-02-01"), "")
		fieldOf(t, err, store.EInvalid, "date")
		_, _, err = db.MoveBaby(ctx, coordA, baby.ID, "loc_nope", civil.MustParse("2026-12-01"), "")
		fieldOf(t, err, store.EInvalid, "to_location_id")

		if _, _, err := db.MoveBaby(ctx, coordA, baby.ID, mk.ID, civil.MustParse("2026-11-15"), ""); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.MoveBaby(ctx, coordA, baby.ID, burgum.ID, civil.MustParse("2026-11-01"), "")
		fieldOf(t, err, store.EUnprocessable, "date")
		_, moved, err := db.MoveBaby(ctx, coordA, baby.ID, burgum.ID, civil.MustParse("2026-12-20"), "")
		if err != nil {
			t.Fatal(err)
		}
		if moved.OrganisationID != orgB.ID || moved.LocationID != burgum.ID {
			t.Fatalf("after handover: %+v", moved)
		}
		// The receiving organisation now holds the record, and the history.
		if _, err := db.Baby(ctx, coordA, baby.ID); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("old organisation still reads the baby: %v", err)
		}
		moves, err := db.Moves(ctx, coordB, baby.ID)
		if err != nil || len(moves) != 2 || moves[0].ToLocationID != mk.ID || moves[1].FromLocationID != mk.ID || moves[1].ToLocationID != burgum.ID {
			t.Fatalf("history = %+v, %v", moves, err)
		}
	})
}

func TestTokensStoreOnlyHashesAndLoginCodesWorkOnce(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		secret, actor := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		stored := storetest.Strings(t, db, "SELECT hash FROM tokens")
		if len(stored) != 1 || stored[0] != store.HashSecret(secret) || strings.Contains(stored[0], secret) {
			t.Fatalf("tokens table holds %v; want only the SHA-256 of the secret", stored)
		}
		got, err := db.Authenticate(ctx, secret)
		if err != nil || got.OrganisationID != org.ID || got.Role != store.RoleCoordinator {
			t.Fatalf("authenticate = %+v, %v", got, err)
		}
		if _, err := db.Authenticate(ctx, secret+"x"); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("a wrong secret: %v", err)
		}
		if _, err := db.CreateToken(ctx, &store.Token{Role: store.RoleNurse, FacilitatorID: "fac_missing"}); store.ErrorCode(err) != store.EInvalid {
			t.Fatalf("nurse token without facilitator: %v", err)
		}

		code, err := db.CreateLoginCode(ctx, actor.TokenID)
		if err != nil {
			t.Fatal(err)
		}
		session, who, err := db.RedeemLoginCode(ctx, code)
		if err != nil || who.TokenID != actor.TokenID {
			t.Fatalf("redeem: %v", err)
		}
		if _, err := db.SessionActor(ctx, session); err != nil {
			t.Fatalf("session: %v", err)
		}
		if _, _, err := db.RedeemLoginCode(ctx, code); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("second redeem: %v; want not found", err)
		}
		if err := db.RevokeToken(ctx, actor.TokenID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, secret); store.ErrorCode(err) != store.EUnauthorized {
			t.Fatalf("revoked token still works: %v", err)
		}
		if _, err := db.SessionActor(ctx, session); err == nil {
			t.Fatal("the session of a revoked token still works")
		}
	})
}

func TestExpiredLoginCode(t *testing.T) {
	now := storetest.FixedClock("2027-01-04 10:00")()
	clock := func() time.Time { return now }
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, actor := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
		code, _ := db.CreateLoginCode(ctx, actor.TokenID)
		now = now.Add(store.LoginCodeTTL + time.Second)
		defer func() { now = now.Add(-store.LoginCodeTTL - time.Second) }()
		if _, _, err := db.RedeemLoginCode(ctx, code); store.ErrorCode(err) != store.ENotFound {
			t.Fatalf("expired code: %v", err)
		}
	})
}

func TestEnsureSettingKeepsTheFirstValue(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, err := db.EnsureSetting(ctx, "secret", "one")
		if err != nil || first != "one" {
			t.Fatalf("first = %q, %v", first, err)
		}
		second, err := db.EnsureSetting(ctx, "secret", "two")
		if err != nil || second != "one" {
			t.Fatalf("second = %q, %v; want the stored one", second, err)
		}
	})
}

func TestOrganisationAndLocationRules(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		fieldOf(t, db.CreateOrganisation(ctx, store.System, &store.Organisation{Kind: "x", Name: "", ContactEmail: "nope"}), store.EInvalid, "contact_email")
		if err := db.CreateOrganisation(ctx, store.System, &store.Organisation{Kind: store.KindGGD, Name: "GGD Groningen"}); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("duplicate name: %v", err)
		}
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Delfzijl")
		storetest.MustCreateBaby(t, db, loc.ID, "DZ-1", "2026-12-01")
		if err := db.DeleteLocation(ctx, store.System, loc.ID); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("deleting a location with babies: %v", err)
		}
		if err := db.DeleteOrganisation(ctx, store.System, org.ID); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("deleting an organisation with locations: %v", err)
		}
		room := &store.Room{Name: "Zaal 1", Capacity: 20, OpeningHours: []civil.Weekly{{Weekday: 2, From: 9 * 60, To: 17 * 60}, {Weekday: 2, From: 16 * 60, To: 18 * 60}}}
		fieldOf(t, db.CreateRoom(ctx, store.System, loc.ID, room), store.EInvalid, "opening_hours[1]")
		room.OpeningHours = room.OpeningHours[:1]
		if err := db.CreateRoom(ctx, store.System, loc.ID, room); err != nil {
			t.Fatal(err)
		}
		got, err := db.Room(ctx, store.System, loc.ID, room.ID)
		if err != nil || len(got.OpeningHours) != 1 || got.OpeningHours[0].From != 9*60 {
			t.Fatalf("room read back: %+v, %v", got, err)
		}
	})
}

func TestLatePregnancyMoveNeedsAnException(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		ter := storetest.MustCreateLocation(t, db, org.ID, "AC Ter Apel")
		mk := storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
		// Due in 20 days: 37 weeks pregnant.
		b := &store.Baby{LocationID: ter.ID, Ref: "TA-P1", ExpectedDate: storetest.Date("2027-01-24"), Status: store.StatusEligible}
		if err := db.CreateBaby(ctx, store.System, b); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.MoveBaby(ctx, store.System, b.ID, mk.ID, civil.MustParse("2027-01-04"), "")
		fieldOf(t, err, store.EUnprocessable, "exception_reason")
		reason := "Afgesproken met GZA, verloskundige en de vrouw"
		m, _, err := db.MoveBaby(ctx, store.System, b.ID, mk.ID, civil.MustParse("2027-01-04"), reason)
		if err != nil || m.ExceptionReason != reason {
			t.Fatalf("move with a reason: %+v, %v", m, err)
		}
		moves, _ := db.Moves(ctx, store.System, b.ID)
		if len(moves) != 1 || moves[0].ExceptionReason != reason {
			t.Fatalf("stored move: %+v", moves)
		}
		rows, _, _ := db.AuditLog(ctx, store.System, store.AuditFilter{RecordID: b.ID, Action: store.ActionMove, Limit: 5})
		// The log says an exception was given, never its free text.
		if len(rows) != 2 || !strings.Contains(rows[0].Detail, "exception given") || strings.Contains(rows[0].Detail, "GZA") || rows[1].Outcome != store.OutcomeRejected {
			t.Fatalf("audit: %+v", rows)
		}
		// At 30 weeks no reason is needed.
		b2 := &store.Baby{LocationID: ter.ID, Ref: "TA-P2", ExpectedDate: storetest.Date("2027-03-15"), Status: store.StatusEligible}
		db.CreateBaby(ctx, store.System, b2)
		if _, _, err := db.MoveBaby(ctx, store.System, b2.ID, mk.ID, civil.MustParse("2027-01-04"), ""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Emmen")
		storetest.MustCreateBaby(t, db, loc.ID, "EM-1", "2026-12-01")
		if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log"); n == 0 {
			t.Fatal("no audit rows")
		}
		if err := storetest.Exec(db, "UPDATE audit_log SET outcome = 'forged'"); err == nil {
			t.Fatal("the audit log could be updated")
		}
		if err := storetest.Exec(db, "DELETE FROM audit_log"); err == nil {
			t.Fatal("the audit log could be deleted from")
		}
		if m := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'forged'"); m != 0 {
			t.Fatal("a forged row")
		}
	})
}

// A database error during a reference check is an internal error, never an
// answer about the data: not "still has babies", not "unknown organisation".
func TestDatabaseErrorsInReferenceChecksAreNotAnswers(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Emmen")
		if err := storetest.Exec(db, "ALTER TABLE babies RENAME TO babies_away"); err != nil {
			t.Fatal(err)
		}
		err := db.DeleteLocation(ctx, store.System, loc.ID)
		if err == nil || store.ErrorCode(err) != store.EInternal {
			t.Fatalf("deleting a location while babies cannot be counted: %v; want an internal error", err)
		}
		if _, err := db.Location(ctx, store.System, loc.ID); err != nil {
			t.Fatalf("the location went: %v", err)
		}
	})
}

// An access to a baby's record that cannot be audited does not succeed, and
// neither does a refused one pass as an ordinary refusal.
func TestAccessThatCannotBeAuditedFails(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Emmen")
		b := storetest.MustCreateBaby(t, db, loc.ID, "EM-1", "2026-12-01")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		_, staff := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleLocation, LocationID: loc.ID})
		if err := storetest.Exec(db, "ALTER TABLE audit_log RENAME TO audit_away"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Baby(ctx, coord, b.ID); err == nil || store.ErrorCode(err) != store.EInternal {
			t.Fatalf("an unaudited read: %v, %v; want an internal error", got, err)
		}
		if _, err := db.Baby(ctx, staff, b.ID); store.ErrorCode(err) != store.EInternal {
			t.Fatalf("an unaudited refusal: %v; want an internal error", err)
		}
	})
}

// A write under an Idempotency-Key marks its claim committed in the same
// transaction: a retry after a lost answer waits for the answer instead of
// taking the claim over and writing twice. A claim that wrote nothing is
// taken over once it is 10 seconds old by the machine's clock, even when the
// service's domain clock stands still (as COPLAN_NOW holds it).
func TestACommittedClaimIsNeverTakenOver(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // never moves
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Emmen")
		for _, write := range []bool{false, true} {
			key := fmt.Sprintf("k-%v", write)
			if old, err := db.ClaimIdempotencyKey(ctx, "tok", key, "h"); err != nil || old != nil {
				t.Fatalf("first claim: %v %v", old, err)
			}
			if write {
				claimed := store.WithIdempotencyClaim(ctx, "tok", key)
				refused := &store.Baby{LocationID: "loc_nowhere", Ref: "EM-8", Language: "ti", BirthDate: storetest.Date("2026-12-01")}
				if err := db.CreateBaby(claimed, store.System, refused); err == nil || store.ClaimCommitted(claimed) {
					t.Fatalf("a refused write counts as committed: %v", err)
				}
				b := &store.Baby{LocationID: loc.ID, Ref: "EM-9", Language: "ti", BirthDate: storetest.Date("2026-12-01")}
				if err := db.CreateBaby(claimed, store.System, b); err != nil || !store.ClaimCommitted(claimed) {
					t.Fatalf("the write does not count as committed: %v", err)
				}
			}
			if old, err := db.ClaimIdempotencyKey(ctx, "tok", key, "h"); err != nil || old == nil || old.Status != 0 {
				t.Fatalf("a fresh claim was taken over: %+v %v", old, err) // its request may still be running
			}
			// The claim was taken 11 seconds ago by the machine's clock.
			if err := storetest.Exec(db, fmt.Sprintf("UPDATE idempotency_keys SET claimed_at = '%s' WHERE key = '%s'",
				time.Now().Add(-11*time.Second).UTC().Format("2006-01-02 15:04:05.999999999-07:00"), key)); err != nil {
				t.Fatal(err)
			}
			old, err := db.ClaimIdempotencyKey(ctx, "tok", key, "h")
			if err != nil {
				t.Fatal(err)
			}
			if write && (old == nil || !old.Committed || old.Status != 0) {
				t.Fatalf("a committed claim was taken over: %+v", old)
			}
			if !write && old != nil {
				t.Fatalf("a stale claim that wrote nothing was not taken over: %+v", old)
			}
		}
	})
}

// On PostgreSQL the service runs as a role that may only add to and read the
// audit log: migrations run as the owner, who grants the rest. The service
// role cannot UPDATE, DELETE or TRUNCATE the log, nor disable its triggers,
// and does its ordinary work.
func TestServiceRoleMayOnlyInsertAndSelectTheAuditLog(t *testing.T) {
	ownerURL := storetest.URL(t, store.Postgres)
	role := fmt.Sprintf("coplan_svc_%d", time.Now().UnixNano()%1_000_000_000)
	owner, err := sql.Open("pgx", ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.Exec("CREATE ROLE " + role + " LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		owner.Exec("DROP OWNED BY " + role)
		owner.Exec("DROP ROLE " + role)
	})
	u, _ := url.Parse(ownerURL)
	u.User = url.User(role)
	ctx := context.Background()
	db, err := store.Open(ctx, u.String(), store.Options{Now: today, MigrationURL: ownerURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org := storetest.MustCreateOrganisation(t, db, "GGD Rollen")
	loc := storetest.MustCreateLocation(t, db, org.ID, "azc Rollen")
	b := storetest.MustCreateBaby(t, db, loc.ID, "RL-1", "2026-12-01")
	if _, err := db.Baby(ctx, store.System, b.ID); err != nil {
		t.Fatalf("the service role cannot read: %v", err)
	}
	if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log"); n < 2 {
		t.Fatalf("%d audit rows", n)
	}
	for _, stmt := range []string{"UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log",
		"ALTER TABLE audit_log DISABLE TRIGGER ALL", "DROP TRIGGER audit_log_no_update ON audit_log"} {
		err := storetest.Exec(db, stmt)
		if err == nil || !strings.Contains(err.Error(), "42501") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s as the service role: %v; want permission denied", stmt, err)
		}
	}
}

// Refs written at the same time never meet PostgreSQL's unique index (whose
// error the server would log with the ref): every loser of the race is told
// by the check that holds the ref's lock.
func TestRacingRefsAreRefusedBeforeTheUniqueIndex(t *testing.T) {
	storetest.Each(t, today, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Race")
		loc := storetest.MustCreateLocation(t, db, org.ID, "azc Race")
		errs := make(chan error, 12)
		for i := 0; i < 12; i++ {
			go func() {
				errs <- db.CreateBaby(ctx, store.System, &store.Baby{LocationID: loc.ID, Ref: "RACE-1", Language: "ar", BirthDate: storetest.Date("2026-12-01")})
			}()
		}
		created := 0
		for i := 0; i < 12; i++ {
			err := <-errs
			switch {
			case err == nil:
				created++
			case !strings.Contains(err.Error(), "a baby with this ref already exists in the organisation"):
				t.Fatalf("a racing create met the unique index: %v", err)
			}
		}
		if created != 1 {
			t.Fatalf("%d babies RACE-1 created", created)
		}
	})
}

func TestNewIDsSortInTheOrderTheyWereMade(t *testing.T) {
	prev := store.NewID("baby")
	seen := map[string]bool{prev: true}
	for i := 0; i < 20000; i++ {
		id := store.NewID("baby")
		if seen[id] {
			t.Fatalf("%s made twice", id)
		}
		seen[id] = true
		if id[:len("baby_")+9] < prev[:len("baby_")+9] { // 45 of the 48 bits of time
			t.Fatalf("%s sorts before the earlier %s", id, prev)
		}
		prev = id
	}
}
