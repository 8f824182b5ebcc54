package store

import (
	"errors"
	"fmt"

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
