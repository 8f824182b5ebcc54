// Package messages is what coplan says to people, in Dutch (the default) and
// English: the catalogue files beside this one (YAML, one file per subject and
// language, go-i18n message ids as keys) and the functions that render them,
// with Dutch dates. It has its own package because pages, API refusals and
// mails all speak through it, and so that translators work on files, not code.
package messages

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Languages are the languages of the pages, the default first.
var Languages = []string{"nl", "en"}

var (
	bundle     = mustLoad()
	localizers = map[string]*i18n.Localizer{}
)

func init() {
	for _, l := range Languages {
		localizers[l] = i18n.NewLocalizer(bundle, l, Languages[0])
	}
}

// mustLoad parses every catalogue file; a malformed one stops the program at
// start (and fails the tests), never a request.
func mustLoad() *i18n.Bundle {
	b := i18n.NewBundle(language.Dutch)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			panic(fmt.Sprintf("messages: %s: %v", name, err))
		}
	}
	return b
}

func localizer(lang string) *i18n.Localizer {
	if l, ok := localizers[lang]; ok {
		return l
	}
	return localizers[Languages[0]]
}

// Has reports whether the catalogue of lang itself holds id (not only the
// Dutch fallback).
func Has(lang, id string) bool {
	_, tag, err := localizer(lang).LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	if err != nil { // a message with plural forms needs a count
		_, tag, err = localizer(lang).LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: 2})
	}
	return err == nil && tag == language.Make(lang)
}

// Text is message id in lang (Dutch when lang has none), or id itself when no
// catalogue has it, so that a missing text shows as its key, never as a blank.
// A text without data is the same every time: it is rendered once per
// language (a long page asks for its column headers hundreds of times).
func Text(lang, id string) string {
	if _, ok := localizers[lang]; !ok {
		lang = Languages[0]
	}
	key := textKey{lang, id}
	if s, ok := texts.Load(key); ok {
		return s.(string)
	}
	s, err := localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return id // not remembered: only the catalogue's ids are, so the cache stays its size
	}
	texts.Store(key, s)
	return s
}

type textKey struct{ lang, id string }

var texts sync.Map // textKey -> string

// Format is message id in lang with its template filled from data.
func Format(lang, id string, data any) string {
	s, err := localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Count is message id in the plural form for n (CLDR rules of lang); the
// template gets .Count and the fields of data.
func Count(lang, id string, n int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = n
	s, err := localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
	if err != nil {
		return id
	}
	return s
}

// MessageIDs lists every message id of the catalogue of lang.
func MessageIDs(lang string) []string {
	var out []string
	names, _ := fs.Glob(files, "*."+lang+".yaml")
	for _, name := range names {
		data, _ := files.ReadFile(name)
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			continue
		}
		for k := range m {
			out = append(out, k)
		}
	}
	return out
}

var (
	weekdaysShort = map[string][]string{"nl": {"zo", "ma", "di", "wo", "do", "vr", "za"}, "en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}}
	weekdaysLong  = map[string][]string{"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}}
	monthsShort = map[string][]string{"nl": {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}}
	monthsLong = map[string][]string{"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}}
)

func names(m map[string][]string, lang string) []string {
	if v, ok := m[lang]; ok {
		return v
	}
	return m[Languages[0]]
}

// Date formats a date for a line of text: "di 9 feb 2027".
func Date(lang string, d civil.Date) string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%s %d %s %d", names(weekdaysShort, lang)[d.Weekday()], day, names(monthsShort, lang)[m-1], y)
}

// Day formats a date without its weekday, as for a birth date: "31 okt 2026".
func Day(lang string, d civil.Date) string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%d %s %d", day, names(monthsShort, lang)[m-1], y)
}

// LongDate formats a date in full, for mails: "dinsdag 9 februari 2027".
func LongDate(lang string, d civil.Date) string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%s %d %s %d", names(weekdaysLong, lang)[d.Weekday()], day, names(monthsLong, lang)[m-1], y)
}

// When formats a session's time in Amsterdam: "di 9 feb 2027 10:00–12:00".
func When(lang string, start, end time.Time) string {
	s, e := start.In(civil.Amsterdam), end.In(civil.Amsterdam)
	return Date(lang, civil.Of(s)) + " " + s.Format("15:04") + "–" + e.Format("15:04")
}

// Stamp formats an instant in Amsterdam: "22 nov 2026 16:05".
func Stamp(lang string, t time.Time) string {
	a := t.In(civil.Amsterdam)
	return fmt.Sprintf("%d %s %d %s", a.Day(), names(monthsShort, lang)[a.Month()-1], a.Year(), a.Format("15:04"))
}

// MonthYear names a month: "nov 2026".
func MonthYear(lang string, d civil.Date) string {
	y, m, _ := d.Parts()
	return fmt.Sprintf("%s %d", names(monthsShort, lang)[m-1], y)
}

// Number formats v with decimals digits after the separator, as the reader
// writes numbers: "51,8" and "1.250" in Dutch, "51.8" and "1,250" in English.
func Number(lang string, v float64, decimals int) string {
	return printer(lang).Sprintf("%.*f", decimals, v)
}

// Int formats a whole number: "1.250" in Dutch.
func Int(lang string, n int) string { return printer(lang).Sprintf("%d", n) }

func printer(lang string) *message.Printer {
	if lang == "en" {
		return message.NewPrinter(language.English)
	}
	return message.NewPrinter(language.Dutch)
}

// Quarter names a quarter of a year: "2e kwartaal 2027", "Q2 2027".
func Quarter(lang string, year, quarter int) string {
	return Format(lang, "quarter", map[string]any{"Year": year, "Quarter": quarter})
}

// Field is the catalogue's message for a field problem of code (filled with
// args) in lang, or the general "invalid" message when the code has none.
func Field(lang, code string, args map[string]any) string {
	if code != "" && Has(lang, "field."+code) {
		return Format(lang, "field."+code, args)
	}
	return Text(lang, "field.invalid")
}

// Letter is the text of a mail to a person called name in lang: the
// greeting, body and the signature.
func Letter(lang, name, body string) string {
	return Format(lang, "mail.greeting", map[string]any{"Name": name}) + "\n\n" + body + "\n\n" + Text(lang, "mail.signature") + "\n"
}
