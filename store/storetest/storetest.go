// Package storetest gives tests a fresh, migrated database of each kind: an
// SQLite file in a temporary directory and, where reachable, a private schema on
// PostgreSQL. With COPLAN_REQUIRE_POSTGRES=1 an unreachable PostgreSQL fails the
// test instead of skipping it, so CI always covers both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coplan/coplan/store"
	_ "github.com/jackc/pgx/v5/stdlib" // the driver behind CreateSchema
)

// DefaultPostgresURL is tried when COPLAN_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects lists the databases every store test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// URL returns a connection string for a fresh, empty database of dialect d; it
// is removed when the test ends.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "coplan.db")
	}
	base := os.Getenv("COPLAN_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	schema, err := CreateSchema(base)
	if err != nil {
		if os.Getenv("COPLAN_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (COPLAN_REQUIRE_POSTGRES=1) but unreachable at %s: %v", redact(base), err)
		}
		t.Skipf("PostgreSQL unreachable at %s (%v); set COPLAN_REQUIRE_POSTGRES=1 to fail instead", redact(base), err)
	}
	t.Cleanup(func() { DropSchema(base, schema) })
	return WithSchema(base, schema)
}

// CreateSchema makes a uniquely named schema and returns its name.
func CreateSchema(base string) (string, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	conn, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	return schema, nil
}

// DropSchema removes a schema made by CreateSchema.
func DropSchema(base, schema string) {
	conn, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
}

// WithSchema returns base with its search_path set to schema.
func WithSchema(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Open returns a fresh migrated store of dialect d with the given clock.
func Open(t testing.TB, d store.Dialect, now func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t, d), store.Options{Now: now})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Each runs fn as a subtest on a fresh store of every dialect.
func Each(t *testing.T, now func() time.Time, fn func(t *testing.T, db *store.DB)) {
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d, now))
		})
	}
}

// FixedClock returns a clock that always answers the Amsterdam wall time s
// ("2027-01-04 10:00").
func FixedClock(s string) func() time.Time {
	loc, _ := time.LoadLocation("Europe/Amsterdam")
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return tm }
}

// MustCreateOrganisation stores an organisation named name.
func MustCreateOrganisation(t testing.TB, db *store.DB, name string) *store.Organisation {
	t.Helper()
	o := &store.Organisation{Kind: store.KindGGD, Name: name, ContactEmail: "co@example.org"}
	if err := db.CreateOrganisation(context.Background(), store.System, o); err != nil {
		t.Fatalf("create organisation: %v", err)
	}
	return o
}

// MustCreateLocation stores an azc served by organisation org.
func MustCreateLocation(t testing.TB, db *store.DB, org, name string) *store.Location {
	t.Helper()
	l := &store.Location{OrganisationID: org, Kind: store.KindAZC, Name: name, Municipality: "Stadskanaal"}
	if err := db.CreateLocation(context.Background(), store.System, l); err != nil {
		t.Fatalf("create location: %v", err)
	}
	return l
}

// MustCreateBaby stores an enrolled baby with ref at location loc born on birth.
func MustCreateBaby(t testing.TB, db *store.DB, loc, ref string, birth string) *store.Baby {
	t.Helper()
	b := &store.Baby{LocationID: loc, Ref: ref, Language: "ar", BirthDate: datePtr(birth)}
	if err := db.CreateBaby(context.Background(), store.System, b); err != nil {
		t.Fatalf("create baby: %v", err)
	}
	return b
}

// MustCreateToken stores a token and returns its secret and actor.
func MustCreateToken(t testing.TB, db *store.DB, tok store.Token) (string, store.Actor) {
	t.Helper()
	secret, err := db.CreateToken(context.Background(), &tok)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret, tok.Actor()
}

// Count runs a query that counts, such as "SELECT COUNT(*) FROM audit_log".
func Count(t testing.TB, db *store.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Strings runs a query of one text column and returns its values.
func Strings(t testing.TB, db *store.DB, query string) []string {
	t.Helper()
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		out = append(out, s)
	}
	return out
}

// Exec runs a statement as the service's own connection would, and returns its error.
func Exec(db *store.DB, statement string) error {
	_, err := db.SQL().Exec(statement)
	return err
}

// Columns lists the column names of table.
func Columns(t testing.TB, db *store.DB, table string) []string {
	t.Helper()
	if db.Dialect() == store.Postgres {
		return Strings(t, db, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '"+table+"'")
	}
	return Strings(t, db, "SELECT name FROM pragma_table_info('"+table+"')")
}
