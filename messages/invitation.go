package messages

import (
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// InvitationLanguage is a language the printed invitation for families is
// written in: Code is the language code coplan stores for a family, Tag the
// catalogue's (Dari is fa-AF: go-i18n needs a CLDR plural rule, which prs
// lacks), RTL whether it is written right to left.
type InvitationLanguage struct {
	Code, Tag string
	RTL       bool
}

// InvitationLanguages are the invitation's languages. All but Dutch and
// English still need a native speaker's review (see the README).
var InvitationLanguages = []InvitationLanguage{
	{"nl", "nl", false}, {"en", "en", false}, {"ar", "ar", true}, {"ti", "ti", false}, {"fa", "fa", true},
	{"prs", "fa-AF", true}, {"ps", "ps", true}, {"ku", "ku", false}, {"tr", "tr", false}, {"so", "so", false},
	{"uk", "uk", false}, {"fr", "fr", false},
}

// InvitationLanguageOf is the invitation language of a family's language
// code, and whether there is one.
func InvitationLanguageOf(code string) (InvitationLanguage, bool) {
	for _, l := range InvitationLanguages {
		if l.Code == code {
			return l, true
		}
	}
	return InvitationLanguage{}, false
}

var inviteLocalizers sync.Map // tag -> *i18n.Localizer

// Invite is invitation text id in the language with tag, English where a
// translation lacks it (a family reads English more often than Dutch).
func Invite(tag, id string, data map[string]any) string {
	l, ok := inviteLocalizers.Load(tag)
	if !ok {
		l, _ = inviteLocalizers.LoadOrStore(tag, i18n.NewLocalizer(bundle, tag, "en"))
	}
	s, err := l.(*i18n.Localizer).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return strings.TrimSpace(s)
}
