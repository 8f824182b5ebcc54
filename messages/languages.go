package messages

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LanguageName is the name of the language with ISO 639 code in the reader's
// language lang, as people say it: "Tigrinya", "Arabisch". Names come from
// CLDR (golang.org/x/text/language/display); the catalogue's "language.<code>"
// names the few CLDR lacks (Dari, prs) and wins where it has one.
func LanguageName(lang, code string) string {
	if code == "" {
		return ""
	}
	if id := "language." + code; Has(lang, id) {
		return Text(lang, id)
	}
	namer := display.Dutch.Languages()
	if lang == "en" {
		namer = display.English.Languages()
	}
	tag, err := language.Parse(code)
	if err == nil {
		if name := namer.Name(tag); name != "" {
			return name
		}
	}
	return strings.ToUpper(code) // never empty: a reader can still ask about it
}

// LanguageNames joins the names of codes: "Arabisch en Tigrinya".
func LanguageNames(lang string, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = LanguageName(lang, c)
	}
	return List(lang, names)
}

// List joins words as a sentence does: "a, b en c".
func List(lang string, words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + Text(lang, "list.and") + " " + words[len(words)-1]
}

// Age says how old a baby of days is, as a nurse would: "3 weken" under
// three months, "5 maanden" after.
func Age(lang string, days int) string {
	if days < 91 {
		return Count(lang, "age.weeks", days/7, nil)
	}
	return Count(lang, "age.months", days*12/365, nil)
}

// Common are the languages families at COA locations speak most, for the
// pages' choice lists (ISO 639 codes; Dari is prs). A record may hold another.
var Common = []string{"ar", "ti", "prs", "fa", "ps", "so", "tr", "ku", "ckb", "am", "om", "uk", "ru", "ka", "hy", "az",
	"sq", "ur", "bn", "ta", "en", "fr", "es", "pt", "sw", "ln", "wo", "ha", "yo", "ig", "zh", "vi", "mn", "ne", "nl"}

// LanguageCode finds the code of a language named in Dutch or English, or
// given as its code: "Arabisch", "arabic" and "ar" are all "ar". It reports
// false for a name it does not know.
func LanguageCode(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	for _, code := range Common {
		if s == code {
			return code, true
		}
	}
	for _, code := range Common {
		for _, l := range Languages {
			if strings.ToLower(LanguageName(l, code)) == s {
				return code, true
			}
		}
	}
	if len(s) >= 2 && len(s) <= 3 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == "" {
		return s, true // another ISO 639 code
	}
	return "", false
}
