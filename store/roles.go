package store

import (
	"context"
	"fmt"
	neturl "net/url"
	"regexp"
)

// roleName is a PostgreSQL role coplan grants to: a plain identifier, so it
// can be written into GRANT without quoting surprises.
var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// roleOf is the role a postgres:// URL logs in as.
func roleOf(url string) (string, error) {
	u, err := neturl.Parse(url)
	if err != nil || u.User == nil || !roleName.MatchString(u.User.Username()) {
		return "", fmt.Errorf("store: the service's database URL names no plain role (lower case letters, digits, _)")
	}
	return u.User.Username(), nil
}

// grantService gives role what the service needs on the current schema: to
// read and write every table and use the sequences, but only to add to and
// read the audit log, never to change, delete or empty it. Only the owner may
// alter a table, so the service cannot disable the log's triggers either.
func (db *DB) grantService(ctx context.Context, role string) error {
	var schema string
	if err := db.sql.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("store: current schema: %w", err)
	}
	ident := `"` + schema + `"`
	for _, stmt := range []string{
		"GRANT USAGE ON SCHEMA " + ident + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + ident + " TO " + role,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + ident + " TO " + role,
		"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON " + ident + ".audit_log FROM " + role,
		"REVOKE UPDATE, DELETE, TRUNCATE ON " + ident + ".audit_log FROM PUBLIC",
		"REVOKE ALL ON " + ident + ".schema_migrations FROM " + role,
		"GRANT SELECT ON " + ident + ".schema_migrations TO " + role,
	} {
		if _, err := db.sql.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: grant the service role: %s: %w", stmt, err)
		}
	}
	return nil
}
