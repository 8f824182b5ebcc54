package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// ImportBabies stores the rows all or nothing: every bad row is reported and
// nothing is written, or every row is written with its audit row in one
// transaction. On PostgreSQL the rows go in with COPY. progress, when set, is
// called as rows are written.
func (db *DB) ImportBabies(ctx context.Context, a Actor, rows []ImportRow, progress func(done, total int)) (int, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionCreate, ""); err != nil {
		return 0, err
	}
	babies, problems, err := db.checkImport(ctx, a, rows)
	if err != nil {
		return 0, err
	}
	if len(problems) > 0 {
		return 0, importError(problems)
	}
	if len(babies) == 0 {
		return 0, &Error{Code: EInvalid, Message: "the file has no rows", Fields: []FieldError{{Field: "rows", Code: "empty_file", Detail: "is empty"}}}
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	if db.dialect == Postgres {
		err = db.copyBabies(ctx, a, babies, progress)
	} else {
		err = db.tx(ctx, func(tx *gorm.DB) error {
			for i := 0; i < len(babies); i += 1000 {
				batch := babies[i:min(i+1000, len(babies))]
				if err := tx.CreateInBatches(batch, 1000).Error; err != nil {
					return wrapWrite(err, "baby", "ref")
				}
				for _, b := range batch {
					if err := db.audit(tx, a, b.OrganisationID, ActionCreate, "baby", OutcomeSuccess, "import", b.ID); err != nil {
						return err
					}
				}
				progress(i+len(batch), len(babies))
			}
			return nil
		})
	}
	if err != nil {
		return 0, err
	}
	return len(babies), nil
}

func importError(problems []RowError) error {
	e := &Error{Code: EInvalid, Message: fmt.Sprintf("%d problems in the file; nothing was imported", len(problems))}
	for i, p := range problems {
		if i == 1000 {
			e.Fields = append(e.Fields, FieldError{Field: "rows", Code: "more_rows", Args: map[string]any{"Count": len(problems) - 1000}, Detail: fmt.Sprintf("and %d more", len(problems)-1000)})
			break
		}
		e.Fields = append(e.Fields, FieldError{Field: fmt.Sprintf("rows[%d].%s", p.Line, p.Field), Code: p.Code, Args: p.Args, Detail: p.Detail})
	}
	return e
}

// checkImport turns rows into babies and lists every problem.
func (db *DB) checkImport(ctx context.Context, a Actor, rows []ImportRow) ([]Baby, []RowError, error) {
	g := db.gorm.WithContext(ctx)
	var locs []Location
	if err := a.scopeLocations(g.Model(&Location{}), "id", "organisation_id").Find(&locs).Error; err != nil {
		return nil, nil, err
	}
	locOrg := map[string]string{}
	orgs := map[string]bool{}
	for _, l := range locs {
		locOrg[l.ID] = l.OrganisationID
		orgs[l.OrganisationID] = true
	}
	taken := map[string]bool{}
	for org := range orgs {
		var refs []string
		if err := g.Model(&Baby{}).Where("organisation_id = ?", org).Pluck("ref", &refs).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range refs {
			taken[org+"\x00"+r] = true
		}
	}
	today, now := db.Today(), db.Now()
	var problems []RowError
	babies := make([]Baby, 0, len(rows))
	seen := map[string]int{}
	for _, r := range rows {
		b := Baby{Ref: r.Ref, LocationID: r.LocationID, Language: r.Language, Status: r.Status, BirthDate: r.BirthDate, ExpectedDate: r.ExpectedDate}
		if b.Status == "" {
			b.Status = StatusEnrolled
		}
		err := b.Validate()
		if err == nil {
			err = validateBabyDates(&b, nil, today)
		}
		var e *Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				field := f.Field
				if field == "location_id" {
					field = "location"
				}
				problems = append(problems, RowError{Line: r.Line, Field: field, Code: f.Code, Args: f.Args, Detail: f.Detail})
			}
			continue
		}
		org, ok := locOrg[r.LocationID]
		if !ok {
			problems = append(problems, RowError{Line: r.Line, Field: "location", Code: "unknown", Detail: fmt.Sprintf("unknown location %q", r.LocationID)})
			continue
		}
		key := org + "\x00" + r.Ref
		if line, dup := seen[key]; dup {
			problems = append(problems, RowError{Line: r.Line, Field: "ref", Code: "duplicate_row", Args: map[string]any{"Line": line}, Detail: fmt.Sprintf("is also on line %d", line)})
			continue
		}
		seen[key] = r.Line
		if taken[key] {
			problems = append(problems, RowError{Line: r.Line, Field: "ref", Code: "taken", Detail: "a baby with this ref exists already"})
			continue
		}
		b.ID, b.OrganisationID, b.CreatedAt, b.UpdatedAt = NewID("baby"), org, now, now
		babies = append(babies, b)
	}
	return babies, problems, nil
}

// copyRows feeds COPY and reports progress.
type copyRows struct {
	n, total int
	row      func(i int) []any
	progress func(done, total int)
}

func (c *copyRows) Next() bool {
	c.n++
	if c.n%5000 == 0 {
		c.progress(c.n, c.total)
	}
	return c.n <= c.total
}
func (c *copyRows) Values() ([]any, error) { return c.row(c.n - 1), nil }
func (c *copyRows) Err() error             { return nil }

func dateOrNil(d *civil.Date) any {
	if d == nil {
		return nil
	}
	y, m, day := d.Parts()
	return time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
}

// copyBabies writes babies and their audit rows with COPY in one PostgreSQL transaction.
func (db *DB) copyBabies(ctx context.Context, a Actor, babies []Baby, progress func(done, total int)) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	at := db.Now()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := lockImportRefs(ctx, tx, babies); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"babies"},
			[]string{"id", "organisation_id", "location_id", "ref", "birth_date", "expected_date", "language", "status", "created_at", "updated_at"},
			&copyRows{total: len(babies), progress: progress, row: func(i int) []any {
				b := &babies[i]
				return []any{b.ID, b.OrganisationID, b.LocationID, b.Ref, dateOrNil(b.BirthDate), dateOrNil(b.ExpectedDate), b.Language, string(b.Status), b.CreatedAt, b.UpdatedAt}
			}})
		if err != nil {
			return wrapWrite(translatePg(err), "baby", "ref")
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_log"},
			[]string{"at", "token_id", "role", "organisation_id", "action", "entity", "record_id", "outcome", "detail"},
			&copyRows{total: len(babies), progress: func(int, int) {}, row: func(i int) []any {
				return []any{at, a.TokenID, string(a.Role), babies[i].OrganisationID, ActionCreate, "baby", babies[i].ID, OutcomeSuccess, "import"}
			}})
		if err != nil {
			return err
		}
		progress(len(babies), len(babies))
		if c, ok := ctx.Value(claimKey{}).(claim); ok {
			if _, err := tx.Exec(ctx, "UPDATE idempotency_keys SET committed = TRUE WHERE token_id = $1 AND key = $2", c.tokenID, c.key); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	})
}

// lockImportRefs holds each organisation's import lock alone (single writes of
// refs take it shared) and checks again, now that no ref can change, that no
// imported ref is taken: a ref written since the file was checked is a
// conflict answered here, never one the unique index (and the server log)
// sees during COPY.
func lockImportRefs(ctx context.Context, tx pgx.Tx, babies []Baby) error {
	refs := map[string][]string{}
	for _, b := range babies {
		refs[b.OrganisationID] = append(refs[b.OrganisationID], b.Ref)
	}
	for org, rs := range refs {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7261005, hashtext($1))", org); err != nil {
			return err
		}
		var taken []string
		rows, err := tx.Query(ctx, "SELECT ref FROM babies WHERE organisation_id = $1 AND ref = ANY($2) ORDER BY ref LIMIT 1000", org, rs)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			taken = append(taken, r)
		}
		rows.Close()
		if len(taken) > 0 {
			e := &Error{Code: EConflict, Message: fmt.Sprintf("%d refs of the file were taken while it was checked; nothing was imported", len(taken))}
			for _, r := range taken {
				e.Fields = append(e.Fields, FieldError{Field: "ref", Code: "taken", Detail: quote(r) + " is already taken"})
			}
			return e
		}
	}
	return nil
}

// uniqueViolation is PostgreSQL's SQLSTATE for a broken unique constraint.
const uniqueViolation = "23505"

// translatePg maps a unique violation during COPY (which goes around gorm's
// error translation) to gorm's error, by the driver's error code.
func translatePg(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == uniqueViolation {
		return gorm.ErrDuplicatedKey
	}
	return err
}
