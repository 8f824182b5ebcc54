package api

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages holds, per language, one parsed template set per page with the shared
// layout: parsed once at start, so a request only executes.
type pages struct {
	sets map[string]map[string]*template.Template // language -> page -> set
}

func newPages() *pages {
	p := &pages{sets: map[string]map[string]*template.Template{}}
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, l := range []string{"nl", "en"} {
		p.sets[l] = map[string]*template.Template{}
		for _, n := range names {
			if n == "templates/layout.html" {
				continue
			}
			t := template.Must(template.New("").Funcs(pageFuncs(l)).
				ParseFS(templateFiles, "templates/layout.html", n))
			p.sets[l][n[len("templates/"):len(n)-len(".html")]] = t
		}
	}
	return p
}

// pageFuncs are the template functions in language l.
func pageFuncs(l string) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string) string { return translate(l, key) },
		"when":  func(start, end time.Time) string { return when(l, start, end) },
		"stamp": func(t time.Time) string { return stamp(l, t) },
		"list":  func(v ...string) []string { return v },
		"has":   func(list []string, v string) bool { return slices.Contains(list, v) },
	}
}

// view is what every page template receives.
type view struct {
	Lang      string
	LangQuery string // "?lang=en" when English was chosen, for links and forms
	LangAmp   string // "&lang=en" for links that have a query already
	Title     string
	CSRF      string // the CSRF token when the page was opened with a session cookie
	Data      any
}

// lang is "en" when ?lang=en is asked for, Dutch otherwise.
func lang(c *gin.Context) string {
	if c.Query("lang") == "en" {
		return "en"
	}
	return "nl"
}

// render writes page name with data; titleKey is a message key.
func (s *Server) render(c *gin.Context, status int, name, titleKey string, data any) {
	l := lang(c)
	v := view{Lang: l, Title: translate(l, titleKey), Data: data}
	if l == "en" {
		v.LangQuery, v.LangAmp = "?lang=en", "&lang=en"
	}
	if sess := c.GetString(ctxSession); sess != "" {
		v.CSRF = s.csrfToken(sess)
	}
	t := s.pages.sets[l][name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage answers a page request with a readable error.
func (s *Server) errorPage(c *gin.Context, status int, message string) {
	l := lang(c)
	msg := translate(l, "error."+http.StatusText(status))
	if msg == "error."+http.StatusText(status) {
		msg = message
	}
	s.render(c, status, "error", "error.title", msg)
	c.Abort()
}

func staticFS() http.FileSystem {
	sub, _ := fs.Sub(staticFiles, "static")
	return http.FS(sub)
}
