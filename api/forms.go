package api

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// pageForm is a form as a page shows it again after a refusal: the values as
// typed, the problem of each field next to it, and at the top the problems
// that belong to no one field (the planning rules a change would break, in
// plain words with people and rooms by name).
type pageForm struct {
	Values   url.Values
	Errors   map[string]string
	Problems []string
}

// Value is what was typed into field.
func (f *pageForm) Value(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Err is the problem with field, or "".
func (f *pageForm) Err(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// Has reports whether the form was refused.
func (f *pageForm) Has() bool { return f != nil && (len(f.Errors) > 0 || len(f.Problems) > 0) }

// refusedForm turns a refusal into the form to show again; it reports false
// for an error a form cannot show (the caller fails the request). fields maps
// the store's field names to the form's where they differ; a field the form
// does not show goes to the top.
func (s *Server) refusedForm(c *gin.Context, err error, values url.Values, fields map[string]string, names messages.Names) (*pageForm, bool) {
	var e *store.Error
	if !errors.As(err, &e) || (e.Code != store.EInvalid && e.Code != store.EUnprocessable && e.Code != store.EConflict) {
		return nil, false
	}
	l := lang(c)
	f := &pageForm{Values: values, Errors: map[string]string{}}
	f.Problems = append(f.Problems, messages.Violations(l, e.Violations, names)...)
	shown := map[string]bool{}
	for _, fe := range e.Fields {
		if fe.Code == "rule" {
			continue // said above, by the violation itself
		}
		name := fe.Field
		if to, ok := fields[name]; ok {
			name = to
		}
		msg := fieldMessage(l, fe)
		if values.Has(name) || fields[fe.Field] != "" {
			if _, taken := f.Errors[name]; !taken {
				f.Errors[name] = msg
			}
			continue
		}
		if !shown[msg] {
			shown[msg] = true
			f.Problems = append(f.Problems, msg)
		}
	}
	if len(f.Errors) == 0 && len(f.Problems) == 0 {
		f.Problems = append(f.Problems, translate(l, "field.invalid"))
	}
	return f, true
}

// fieldMessage is a field problem in the reader's language, never the
// English detail.
func fieldMessage(lang string, fe store.FieldError) string {
	return messages.Field(lang, fe.Code, fe.Args)
}

// names resolves the ids a violation or a page names to the words people
// know, from the store, as the reader may see them. Babies are named by the
// refs the page loaded, or as "a baby".
type names struct {
	ctx    context.Context
	db     *store.DB
	lang   string
	babies map[string]string
	cache  map[string]string
}

func (s *Server) names(c *gin.Context, babies map[string]string) *names {
	return &names{ctx: c.Request.Context(), db: s.db, lang: lang(c), babies: babies, cache: map[string]string{}}
}

func (n *names) lookup(kind, id string, load func(tx *store.Tx) (string, error)) string {
	key := kind + "\x00" + id
	if v, ok := n.cache[key]; ok {
		return v
	}
	var v string
	_ = n.db.Reading(n.ctx, func(tx *store.Tx) error {
		var err error
		v, err = load(tx)
		return err
	})
	if v == "" {
		v = translate(n.lang, "unknown."+kind)
	}
	n.cache[key] = v
	return v
}

func (n *names) Group(id string) string {
	return n.lookup("group", id, func(tx *store.Tx) (string, error) {
		g, err := tx.Group(id)
		if err != nil {
			return "", err
		}
		if g.Name != "" {
			return translate(n.lang, "word.group") + " " + g.Name, nil
		}
		l, err := tx.Location(g.LocationID)
		if err != nil {
			return "", err
		}
		return translate(n.lang, "word.groupat") + " " + l.Name, nil
	})
}

func (n *names) Baby(id string) string {
	if ref, ok := n.babies[id]; ok {
		return ref
	}
	return translate(n.lang, "unknown.baby")
}

func (n *names) Facilitator(id string) string {
	return n.lookup("facilitator", id, func(tx *store.Tx) (string, error) {
		f, err := tx.Facilitator(id)
		if err != nil {
			return "", err
		}
		return f.DisplayName, nil
	})
}

func (n *names) Room(id string) string {
	return n.lookup("room", id, func(tx *store.Tx) (string, error) {
		r, err := tx.Room(id)
		if err != nil {
			return "", err
		}
		return r.Name, nil
	})
}

func (n *names) Location(id string) string {
	return n.lookup("location", id, func(tx *store.Tx) (string, error) {
		l, err := tx.Location(id)
		if err != nil {
			return "", err
		}
		return l.Name, nil
	})
}

// violations renders rule violations for a page.
func (s *Server) violations(c *gin.Context, vs []planner.Violation, babies map[string]string) []string {
	return messages.Violations(lang(c), vs, s.names(c, babies))
}

// postValues is the form as posted, without the CSRF token.
func postValues(c *gin.Context) url.Values {
	_ = c.Request.ParseForm()
	v := url.Values{}
	for k, vs := range c.Request.PostForm {
		if k != "csrf_token" {
			v[k] = vs
		}
	}
	return v
}

// done redirects after a successful POST to path, saying what happened.
func done(c *gin.Context, path, what string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	target := path + sep + "done=" + url.QueryEscape(what)
	if lang(c) == "en" {
		target += "&lang=en"
	}
	c.Redirect(303, target)
}
