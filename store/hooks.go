package store

import (
	"reflect"

	"gorm.io/gorm"
)

// Models that fill derived fields after a load or normalise fields before a
// write implement these. They are wired as gorm callbacks once, in Open, and
// not as gorm's exported hook methods, so that no exported signature of the
// store names gorm.
type (
	loader interface{ loaded() }
	saver  interface{ saving() }
)

func registerHooks(g *gorm.DB) error {
	cb := g.Callback()
	if err := cb.Query().After("gorm:after_query").Register("coplan:loaded", each(func(v any) {
		if l, ok := v.(loader); ok {
			l.loaded()
		}
	})); err != nil {
		return err
	}
	saving := each(func(v any) {
		if s, ok := v.(saver); ok {
			s.saving()
		}
	})
	if err := cb.Create().Before("gorm:create").Register("coplan:saving", saving); err != nil {
		return err
	}
	return cb.Update().Before("gorm:update").Register("coplan:saving", saving)
}

// each calls fn on every model value a statement reads or writes.
func each(fn func(any)) func(*gorm.DB) {
	return func(g *gorm.DB) {
		if g.Error != nil || g.Statement.Schema == nil {
			return
		}
		rv := g.Statement.ReflectValue
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len(); i++ {
				visit(rv.Index(i), fn)
			}
		case reflect.Struct, reflect.Pointer:
			visit(rv, fn)
		}
	}
}

func visit(v reflect.Value, fn func(any)) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && v.CanAddr() {
		fn(v.Addr().Interface())
	}
}
