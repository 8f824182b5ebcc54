package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
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
			if n == "templates/layout.html" || n == "templates/partials.html" {
				continue
			}
			t := template.Must(template.New("").Funcs(pageFuncs(l)).
				ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", n))
			p.sets[l][n[len("templates/"):len(n)-len(".html")]] = t
		}
	}
	return p
}

// pageFuncs are the template functions in language l: texts from the
// catalogue, Dutch dates and numbers, language names, links that keep the
// language.
func pageFuncs(l string) template.FuncMap {
	return template.FuncMap{
		"t":         func(key string) string { return translate(l, key) },
		"tf":        func(key string, kv ...any) string { return messages.Format(l, key, pairs(kv)) },
		"count":     func(key string, n int) string { return messages.Count(l, key, n, nil) },
		"monthyear": func(d civil.Date) string { return messages.MonthYear(l, d) },
		"when":      func(start, end time.Time) string { return when(l, start, end) },
		"stamp":     func(t time.Time) string { return stamp(l, t) },
		"timeonly":  func(t time.Time) string { return t.In(civil.Amsterdam).Format("15:04") },
		"date":      func(d civil.Date) string { return messages.Date(l, d) },
		"datep": func(d *civil.Date) string {
			if d == nil {
				return ""
			}
			return messages.Date(l, *d)
		},
		"day": func(d *civil.Date) string {
			if d == nil {
				return ""
			}
			return messages.Day(l, *d)
		},
		"lang":    func(code string) string { return messages.LanguageName(l, code) },
		"langs":   func(codes []string) string { return messages.LanguageNames(l, codes) },
		"age":     func(days int) string { return messages.Age(l, days) },
		"num":     func(v float64, decimals int) string { return messages.Number(l, v, decimals) },
		"int":     func(n int) string { return messages.Int(l, n) },
		"link":    func(path string) string { return linkIn(l, path) },
		"formkey": newFormKey,
		"pct":     func(share float64) float64 { return 100 * share },
		"seq": func(from, to int) []int {
			var out []int
			for i := from; i <= to; i++ {
				out = append(out, i)
			}
			return out
		},
		"period":   func(p string) string { return periodWords(l, p) },
		"quarter":  func(q string) string { return quarterWords(l, q) },
		"list":     func(v ...string) []string { return v },
		"has":      func(list []string, v string) bool { return slices.Contains(list, v) },
		"fielderr": func(errs map[string]string, field string) string { return errs[field] },
	}
}

// pairs turns key, value, key, value ... into template data.
func pairs(kv []any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// linkIn is path with the language kept: English adds lang=en.
func linkIn(l, path string) string {
	if l != "en" {
		return path
	}
	if strings.Contains(path, "?") {
		return path + "&lang=en"
	}
	return path + "?lang=en"
}

// view is what every page template receives.
type view struct {
	Lang      string
	LangQuery string // "?lang=en" when English was chosen, for links and forms
	LangAmp   string // "&lang=en" for links that have a query already
	Title     string
	CSRF      string // the CSRF token when the page was opened with a session cookie
	SignedIn  bool   // opened with a session cookie: the page offers to log out
	Nav       []navItem
	ToDutch   string // this page in Dutch
	ToEnglish string // this page in English
	Flash     string // what the last action did, from ?done=<message key>
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
	v := view{Lang: l, Title: translate(l, titleKey), Data: data, Nav: navigation(c),
		ToDutch: otherLanguage(c, "nl"), ToEnglish: otherLanguage(c, "en")}
	if done := c.Query("done"); done != "" && messages.Has(l, "done."+done) {
		v.Flash = translate(l, "done."+done)
		if n, err := strconv.Atoi(c.Query("n")); err == nil {
			v.Flash = messages.Count(l, "done."+done, n, nil)
		}
	}
	if l == "en" {
		v.LangQuery, v.LangAmp = "?lang=en", "&lang=en"
	}
	if sess := c.GetString(ctxSession); sess != "" {
		v.CSRF, v.SignedIn = s.csrfToken(sess), true
	} else if pre := c.GetString(ctxPreSession); pre != "" {
		v.CSRF = s.csrfToken("pre\x00" + pre)
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

// periodWords names a forecast period: "2027-03" is "mrt 2027", "2027-W10"
// is "week 10, 2027".
func periodWords(l, p string) string {
	var y, n int
	if _, err := fmt.Sscanf(p, "%d-W%d", &y, &n); err == nil && strings.Contains(p, "W") {
		return messages.Format(l, "period.week", map[string]any{"Week": n, "Year": y})
	}
	if _, err := fmt.Sscanf(p, "%d-%d", &y, &n); err == nil && n >= 1 && n <= 12 {
		return messages.MonthYear(l, civil.New(y, time.Month(n), 1))
	}
	return p
}

// quarterWords names a quarter like "2027-Q2": "2e kwartaal 2027".
func quarterWords(l, q string) string {
	var y, n int
	if _, err := fmt.Sscanf(q, "%d-Q%d", &y, &n); err == nil && n >= 1 && n <= 4 {
		return messages.Quarter(l, y, n)
	}
	return q
}
