package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Page is the window of a list.
type Page struct {
	Limit  int
	Offset int
}

// first loads one T matching q or answers not found naming what and id.
func first[T any](q *gorm.DB, what, id string) (*T, error) {
	var v T
	err := q.Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound(what, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: load %s %s: %w", what, id, err)
	}
	return &v, nil
}

// page counts q and returns the requested window ordered by order.
func page[T any](q *gorm.DB, p Page, order, what string) ([]T, int64, error) {
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", what, err)
	}
	items := []T{}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if err := q.Order(order).Limit(p.Limit).Offset(p.Offset).Find(&items).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", what, err)
	}
	return items, total, nil
}

// forUpdate locks the selected rows until the end of the transaction on
// PostgreSQL; SQLite transactions already hold the one write lock.
func (db *DB) forUpdate(q *gorm.DB) *gorm.DB {
	if db.dialect == Postgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// wrapWrite turns constraint violations into typed errors naming field.
func wrapWrite(err error, what, field string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &Error{Code: EConflict, Message: what + " already exists", Fields: []FieldError{{Field: field, Code: "taken", Detail: "is already taken"}}}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return Errorf(EConflict, "%s is still referenced by other records", what)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("store: write %s: %w", what, err)
}

// eachRow runs q and hands each row to scan. Long lists of a few columns
// (the plan page's thousand sessions) are scanned by hand: gorm's
// reflection allocates a struct and a value per field, which made such a
// page spend more time collecting garbage than querying.
func eachRow(q *gorm.DB, what string, scan func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return wrapRead(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return wrapRead(err, what)
		}
	}
	return wrapRead(rows.Err(), what)
}

// dbTime scans a timestamp that may be NULL. An aggregate over a timestamp
// column (MIN(starts_at)) comes back from PostgreSQL as a time and from
// SQLite as the text the driver stored, which database/sql does not turn
// into a time.Time by itself.
type dbTime struct {
	Time  time.Time
	Valid bool
}

// sqliteTimeLayouts are the ways the SQLite driver writes a time.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: x, Valid: true}
		return nil
	case []byte:
		return t.Scan(string(x))
	case string:
		for _, layout := range sqliteTimeLayouts {
			if parsed, err := time.Parse(layout, x); err == nil {
				*t = dbTime{Time: parsed, Valid: true}
				return nil
			}
		}
		return fmt.Errorf("store: %q is not a time", x)
	}
	return fmt.Errorf("store: cannot scan %T into a time", v)
}
