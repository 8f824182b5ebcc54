package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Column types that differ between the two databases; every migration is written
// once with these placeholders so that both get the same schema.
var placeholders = map[Dialect]map[string]string{
	Postgres: {"{{TIMESTAMP}}": "TIMESTAMPTZ", "{{DATE}}": "DATE", "{{SERIAL}}": "BIGSERIAL PRIMARY KEY", "{{BLOB}}": "BYTEA",
		"{{AUDIT_APPEND_ONLY}}": `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();`,
		"{{WAITING_BACKFILL}}": `INSERT INTO waiting_babies (baby_id, organisation_id, run_id, reason)
SELECT DISTINCT ON (e->>'baby_id') e->>'baby_id', r.organisation_id, r.id, e->>'reason'
FROM plan_runs r CROSS JOIN LATERAL jsonb_array_elements(r.unplaced::jsonb) e
WHERE r.id = (SELECT r2.id FROM plan_runs r2 WHERE r2.organisation_id = r.organisation_id ORDER BY r2.at DESC, r2.id DESC LIMIT 1)
AND EXISTS (SELECT 1 FROM babies b WHERE b.id = e->>'baby_id')
ORDER BY e->>'baby_id', r.at DESC;`},
	SQLite: {"{{TIMESTAMP}}": "DATETIME", "{{DATE}}": "TEXT", "{{SERIAL}}": "INTEGER PRIMARY KEY AUTOINCREMENT", "{{BLOB}}": "BLOB",
		"{{AUDIT_APPEND_ONLY}}": `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`,
		"{{WAITING_BACKFILL}}": `INSERT OR IGNORE INTO waiting_babies (baby_id, organisation_id, run_id, reason)
SELECT json_extract(e.value, '$.baby_id'), r.organisation_id, r.id, json_extract(e.value, '$.reason')
FROM plan_runs r, json_each(r.unplaced) e
WHERE r.id = (SELECT r2.id FROM plan_runs r2 WHERE r2.organisation_id = r.organisation_id ORDER BY r2.at DESC, r2.id DESC LIMIT 1)
AND EXISTS (SELECT 1 FROM babies b WHERE b.id = json_extract(e.value, '$.baby_id'));`},
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(d Dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s is not named NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		text := string(body)
		for k, v := range placeholders[d] {
			text = strings.ReplaceAll(text, k, v)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(e.Name(), ".sql"), sql: text})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("store: migration versions must be 1..n without gaps; found %d at position %d", ms[i].version, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.gorm.WithContext(ctx).Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v).Error
	return v, err
}

// migrate applies pending migrations, each in its own transaction together with
// its row in schema_migrations. On PostgreSQL an advisory lock makes replicas that
// start at the same moment take turns.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(db.dialect)
	if err != nil {
		return err
	}
	g := db.gorm.WithContext(ctx)
	if err := g.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ` + placeholders[db.dialect]["{{TIMESTAMP}}"] + ` NOT NULL)`).Error; err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := g.Transaction(func(tx *gorm.DB) error {
			if db.dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7261001)").Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(m.sql) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\n%s", err, stmt)
				}
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// splitStatements splits a migration at semicolons that end a line, skipping comments.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
