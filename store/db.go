// Package store owns coplan's persistent state: the gorm models of organisations,
// locations, rooms, facilitators, babies and their moves, access tokens and the
// audit log; the repositories that read and write them with the caller's access
// scope applied; and the versioned migrations. It runs the same on PostgreSQL and
// on an embedded SQLite file.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database behind a DB.
type Dialect string

// The two supported databases.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultSQLitePath is where the embedded database lives when nothing is configured.
const DefaultSQLitePath = "./data/coplan.db"

// DB is coplan's database handle.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB // the pool under gorm, for the few hand-written hot queries
	dialect Dialect
	now     func() time.Time
}

// Options tune Open.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives slow-query and error lines, with SQL parameters left out.
	Logger *slog.Logger
	// MaxConns bounds the PostgreSQL connections of this process (default 20).
	MaxConns int
	// MigrationURL, on PostgreSQL, is the database's owner: migrations run
	// through it, and it grants the role of the service's own URL what the
	// service may do (everything but changing the audit log: INSERT and
	// SELECT only there). Empty: one role does both.
	MigrationURL string
	// MustExist refuses a database coplan has not set up yet (a SQLite file
	// that is not there, a PostgreSQL database without coplan's tables) with
	// ErrNoDatabase instead of creating it: a command run from the wrong
	// directory must not make itself a new, empty database.
	MustExist bool
}

// ErrNoDatabase is Open's answer, with MustExist, for a database that is not set up.
var ErrNoDatabase = errors.New("store: there is no coplan database here")

// IsPostgresURL reports whether url selects PostgreSQL.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open connects to url (a postgres:// URL, or a SQLite file path; empty means
// DefaultSQLitePath) and applies every pending migration, through
// opts.MigrationURL when it is set.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.MustExist && !IsPostgresURL(url) {
		if url == "" {
			url = DefaultSQLitePath
		}
		if _, err := os.Stat(url); err != nil {
			return nil, fmt.Errorf("%w (no file %s)", ErrNoDatabase, url)
		}
	}
	if opts.MigrationURL != "" && IsPostgresURL(url) {
		if err := migrateAsOwner(ctx, url, opts); err != nil {
			return nil, err
		}
	}
	db, err := connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if opts.MustExist && db.dialect == Postgres {
		var set bool
		if err := db.sql.QueryRowContext(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&set); err != nil || !set {
			db.Close()
			return nil, fmt.Errorf("%w (no coplan tables in this PostgreSQL database)", ErrNoDatabase)
		}
	}
	if opts.MigrationURL == "" || db.dialect != Postgres {
		if err := db.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// migrateAsOwner applies the migrations as the owner and grants the service's
// role its rights.
func migrateAsOwner(ctx context.Context, serviceURL string, opts Options) error {
	role, err := roleOf(serviceURL)
	if err != nil {
		return err
	}
	owner, err := connect(ctx, opts.MigrationURL, Options{Now: opts.Now, Logger: opts.Logger, MaxConns: 2})
	if err != nil {
		return fmt.Errorf("store: the migration database: %w", err)
	}
	defer owner.Close()
	if err := owner.migrate(ctx); err != nil {
		return err
	}
	return owner.grantService(ctx, role)
}

// connect opens the database at url without migrating it.
func connect(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		TranslateError: true,
		NowFunc:        func() time.Time { return opts.Now().UTC() },
		// Parameters are never logged: they carry birth dates and token hashes.
		Logger: logger.New(slogWriter{opts.Logger}, logger.Config{
			SlowThreshold:             time.Second,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
		}),
	}
	var (
		g       *gorm.DB
		err     error
		dialect Dialect
	)
	if IsPostgresURL(url) {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(url), cfg)
	} else {
		dialect = SQLite
		if url == "" {
			url = DefaultSQLitePath
		}
		if err := os.MkdirAll(filepath.Dir(url), 0o750); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", url, err)
		}
		g, err = gorm.Open(sqlite.Open(sqliteDSN(url)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", dialect, err)
	}
	if err := registerHooks(g); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if dialect == SQLite {
		// One connection: SQLite has one writer, and a single connection turns
		// lock contention into queueing instead of "database is locked" errors.
		sqlDB.SetMaxOpenConns(1)
	} else {
		// Idle connections are kept up to the maximum: reconnecting under load
		// costs more than holding the connections.
		if opts.MaxConns <= 0 {
			opts.MaxConns = 20
		}
		sqlDB.SetMaxOpenConns(opts.MaxConns)
		sqlDB.SetMaxIdleConns(opts.MaxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect, now: opts.Now}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Dialect returns which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.dialect, err)
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// SQL is the connection pool, for tests that count rows and for the load
// fixtures; application code goes through the repositories.
func (db *DB) SQL() *sql.DB { return db.sql }

// Now returns the current time of the store's clock in UTC.
func (db *DB) Now() time.Time { return db.now().UTC() }

// tx runs fn in one transaction on ctx.
// A request with an Idempotency-Key marks its claim committed inside the
// transaction that writes, so that the write and the mark commit together.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return markClaimCommitted(ctx, tx)
	})
	if err == nil {
		claimCommitted(ctx)
	}
	return err
}

// NewID returns a random id with a short prefix naming the kind of record.
func NewID(prefix string) string {
	// Six bytes of milliseconds, then six random ones: new ids sort after
	// older ones, so a bulk import appends to the indexes of the tables and
	// of the audit log's record ids instead of scattering page splits over
	// them (the time is the machine's, only for that order; domain time
	// comes from the store's clock). 48 random bits per millisecond make a
	// clash between ids of the same millisecond improbable (a thousand ids
	// in one millisecond clash with a chance of about 2e-9), and a clash is
	// refused by the primary key, never silently merged. Base32's hex
	// alphabet keeps the order in the text.
	var b [12]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	return prefix + "_" + strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.l.Warn("database", "msg", fmt.Sprintf(format, args...))
}
