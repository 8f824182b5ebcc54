package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/jobs"
	"github.com/coplan/coplan/mail"
	"github.com/coplan/coplan/store"
)

// config is every setting coplan reads from the environment, in one place.
type config struct {
	Addr           string   // COPLAN_ADDR
	DatabaseURL    string   // COPLAN_DATABASE_URL
	MigrationURL   string   // COPLAN_MIGRATION_DATABASE_URL: the owner, on PostgreSQL
	BaseURL        string   // COPLAN_BASE_URL
	Secret         string   // COPLAN_SECRET
	TrustedProxies []string // COPLAN_TRUSTED_PROXIES, comma separated
	LogLevel       slog.Level
	CronPublish    string        // COPLAN_CRON_PUBLISH
	CronRemind     string        // COPLAN_CRON_REMIND
	CronRetention  string        // COPLAN_CRON_RETENTION
	Replica        string        // COPLAN_REPLICA: names this process in job run records
	SMTP           *url.URL      // COPLAN_SMTP_URL; nil: mail waits in the outbox
	SMTPFrom       string        // COPLAN_SMTP_FROM
	SMTPPoll       time.Duration // COPLAN_SMTP_POLL
	SMTPStale      time.Duration // COPLAN_SMTP_STALE: when a claim of a sender that died is taken over
	RateToken      float64       // COPLAN_RATE_TOKEN: API requests per second per token
	RateIP         float64       // COPLAN_RATE_IP: requests per second per client IP
	DBMaxConns     int           // COPLAN_DB_MAX_CONNS: PostgreSQL connections per process
	// OIDC is the organisation's identity provider for single sign-on
	// (COPLAN_OIDC_ISSUER, COPLAN_OIDC_CLIENT_ID, COPLAN_OIDC_CLIENT_SECRET);
	// Issuer is empty when there is none.
	OIDC accounts.SSOConfig
}

// loadConfig reads the environment, lets flags on fs override it and checks the
// result; an error names the variable in one line.
func loadConfig(getenv func(string) string, fs *flag.FlagSet, args []string) (config, error) {
	c := config{
		Addr:         or(getenv("COPLAN_ADDR"), "127.0.0.1:8080"),
		DatabaseURL:  or(getenv("COPLAN_DATABASE_URL"), store.DefaultSQLitePath),
		MigrationURL: getenv("COPLAN_MIGRATION_DATABASE_URL"),
		BaseURL:      getenv("COPLAN_BASE_URL"),
		Secret:       getenv("COPLAN_SECRET"),
	}
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (COPLAN_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database", c.DatabaseURL, "postgres:// URL or SQLite file (COPLAN_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL used in links (COPLAN_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	for _, load := range []func(*config, func(string) string) error{loadServer, loadSchedules, loadMail, loadLimits, loadProcess, loadSSO} {
		if err := load(&c, getenv); err != nil {
			return c, err
		}
	}
	return c, nil
}

// loadServer checks where coplan listens, its public URL, its database,
// secret and proxies.
func loadServer(c *config, getenv func(string) string) error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("COPLAN_ADDR: %q is not host:port (e.g. 127.0.0.1:8080)", c.Addr)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("COPLAN_BASE_URL: %q is not an http(s) URL such as https://coplan.example.nl", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if strings.Contains(c.DatabaseURL, "://") && !store.IsPostgresURL(c.DatabaseURL) {
		return fmt.Errorf("COPLAN_DATABASE_URL: only postgres:// URLs or a SQLite file path are supported")
	}
	if c.MigrationURL != "" && (!store.IsPostgresURL(c.MigrationURL) || !store.IsPostgresURL(c.DatabaseURL)) {
		return fmt.Errorf("COPLAN_MIGRATION_DATABASE_URL: a postgres:// URL of the database's owner, beside a postgres:// COPLAN_DATABASE_URL")
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		return fmt.Errorf("COPLAN_SECRET: must be at least 32 characters (e.g. openssl rand -hex 32)")
	}
	if v := getenv("COPLAN_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					return fmt.Errorf("COPLAN_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p)
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return nil
}

// loadSSO checks the single sign-on settings: all three or none, and an
// https issuer (http only on this machine, for tests and trials).
func loadSSO(c *config, getenv func(string) string) error {
	o := accounts.SSOConfig{Issuer: getenv("COPLAN_OIDC_ISSUER"), ClientID: getenv("COPLAN_OIDC_CLIENT_ID"),
		ClientSecret: getenv("COPLAN_OIDC_CLIENT_SECRET"), RedirectURL: c.BaseURL + "/login/sso/callback"}
	if o.Issuer == "" && o.ClientID == "" && o.ClientSecret == "" {
		return nil
	}
	if o.Issuer == "" || o.ClientID == "" || o.ClientSecret == "" {
		return fmt.Errorf("COPLAN_OIDC_ISSUER, COPLAN_OIDC_CLIENT_ID and COPLAN_OIDC_CLIENT_SECRET: set all three for single sign-on, or none")
	}
	u, err := url.Parse(o.Issuer)
	loopback := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback)) {
		return fmt.Errorf("COPLAN_OIDC_ISSUER: %q is not an https URL of an OpenID Connect provider", o.Issuer)
	}
	c.OIDC = o
	return nil
}

// loadSchedules checks the cron schedules of the jobs.
func loadSchedules(c *config, getenv func(string) string) error {
	for _, s := range []struct {
		name, def string
		dst       *string
	}{{"COPLAN_CRON_PUBLISH", "*/5 * * * *", &c.CronPublish}, {"COPLAN_CRON_REMIND", "0 9 * * *", &c.CronRemind},
		{"COPLAN_CRON_RETENTION", "30 3 * * *", &c.CronRetention}} {
		*s.dst = or(getenv(s.name), s.def)
		if _, err := jobs.Parse(*s.dst); err != nil {
			return fmt.Errorf("%s: %q is not a cron schedule (e.g. %s): %v", s.name, *s.dst, s.def, err)
		}
	}
	return nil
}

// loadMail checks the SMTP server, the sender and the outbox's timing.
func loadMail(c *config, getenv func(string) string) error {
	if v := getenv("COPLAN_SMTP_URL"); v != "" {
		u, err := mail.ParseServer(v)
		if err != nil {
			return fmt.Errorf("COPLAN_SMTP_URL: %v", err)
		}
		c.SMTP = u
	}
	c.SMTPFrom = getenv("COPLAN_SMTP_FROM")
	if c.SMTPFrom == "" {
		u, _ := url.Parse(c.BaseURL)
		c.SMTPFrom = "coplan <noreply@" + u.Hostname() + ">"
	}
	if _, err := netmail.ParseAddress(c.SMTPFrom); err != nil {
		return fmt.Errorf("COPLAN_SMTP_FROM: %q is not an address such as coplan <noreply@ggd.nl>", c.SMTPFrom)
	}
	var err error
	if c.SMTPPoll, err = duration(getenv, "COPLAN_SMTP_POLL", 30*time.Second, 100*time.Millisecond); err != nil {
		return err
	}
	c.SMTPStale, err = duration(getenv, "COPLAN_SMTP_STALE", 2*time.Minute, time.Second)
	return err
}

// duration reads a duration of at least least, or def when unset.
func duration(getenv func(string) string, name string, def, least time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		return 0, fmt.Errorf("%s: %q is not a duration of at least %s, such as %s", name, v, least, def)
	}
	return d, nil
}

// loadLimits checks the rate limits and the database pool.
func loadLimits(c *config, getenv func(string) string) error {
	for _, r := range []struct {
		name string
		dst  *float64
		def  float64
	}{{"COPLAN_RATE_TOKEN", &c.RateToken, 100}, {"COPLAN_RATE_IP", &c.RateIP, 30}} {
		*r.dst = r.def
		if v := getenv(r.name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 {
				return fmt.Errorf("%s: %q is not a number of requests per second (0 switches the limit off)", r.name, v)
			}
			*r.dst = f
		}
	}
	c.DBMaxConns = 20
	if v := getenv("COPLAN_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return fmt.Errorf("COPLAN_DB_MAX_CONNS: %q is not a number of connections from 1 to 500", v)
		}
		c.DBMaxConns = n
	}
	return nil
}

// loadProcess names the process and sets its log level.
func loadProcess(c *config, getenv func(string) string) error {
	c.Replica = getenv("COPLAN_REPLICA")
	if c.Replica == "" {
		host, _ := os.Hostname()
		c.Replica = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if v := getenv("COPLAN_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("COPLAN_LOG_LEVEL: %q is not debug, info, warn or error", v)
		}
	}
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// openStore opens the configured database and applies its migrations.
func openStore(ctx context.Context, c config, log *slog.Logger, now func() time.Time, mustExist bool) (*store.DB, error) {
	db, err := store.Open(ctx, c.DatabaseURL, store.Options{Now: now, Logger: log, MaxConns: c.DBMaxConns, MigrationURL: c.MigrationURL, MustExist: mustExist})
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("COPLAN_DATABASE_URL: %w", err)
	}
	return db, nil
}

// secret returns COPLAN_SECRET, or the key stored in the database, generated on
// the first start so that `make run` needs no setup.
func secret(ctx context.Context, c config, db *store.DB) ([]byte, error) {
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	s, err := db.EnsureSetting(ctx, "secret", store.GeneratedSecret())
	return []byte(s), err
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// app is what every command that uses the database starts from.
type app struct {
	cfg config
	now func() time.Time
	log *slog.Logger
	db  *store.DB
	key []byte // COPLAN_SECRET, or the one kept in the database
}

// openApp reads the configuration (with the flags of fs), the clock, and opens
// and migrates the store. The caller closes a.db.
func openApp(ctx context.Context, getenv func(string) string, fs *flag.FlagSet, args []string, stderr io.Writer) (*app, error) {
	c, err := loadConfig(getenv, fs, args)
	if err != nil {
		return nil, err
	}
	now, err := clock(getenv)
	if err != nil {
		return nil, err
	}
	log := newLogger(stderr, c.LogLevel)
	create := fs.Lookup("create")
	tool := create != nil // a command-line tool, not the server
	db, err := openStore(ctx, c, log, now, tool && create.Value.String() != "true")
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("no coplan database at %s: run the command where the server runs, set COPLAN_DATABASE_URL to the server's database, or add --create to make a new one", redacted(c.DatabaseURL))
	}
	if err != nil {
		return nil, err
	}
	if tool {
		fmt.Fprintf(stderr, "coplan: database %s, base URL %s\n", redacted(c.DatabaseURL), c.BaseURL)
	}
	key, err := secret(ctx, c, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &app{cfg: c, now: now, log: log, db: db, key: key}, nil
}

// redacted is a database URL without its password, or a SQLite file as an
// absolute path: what a person needs to see which database a command used.
func redacted(raw string) string {
	if store.IsPostgresURL(raw) {
		if u, err := url.Parse(raw); err == nil {
			return u.Redacted()
		}
		return "postgres://…"
	}
	if abs, err := filepath.Abs(raw); err == nil {
		return abs
	}
	return raw
}

// addCreate gives a command-line tool the --create flag: without it, the
// tool refuses a database that is not there instead of making an empty one.
func addCreate(fs *flag.FlagSet) {
	fs.Bool("create", false, "create the database when there is none (otherwise the command refuses)")
}

// newFlags is a command's flag set, writing its errors to stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
