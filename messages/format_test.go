package messages_test

import (
	"testing"

	"github.com/coplan/coplan/messages"
)

func TestNumbersNamesAndPluralsAreDutchByDefault(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{messages.Number("nl", 51.8, 1), "51,8"},
		{messages.Number("en", 51.8, 1), "51.8"},
		{messages.Int("nl", 1250), "1.250"},
		{messages.Quarter("nl", 2027, 2), "2e kwartaal 2027"},
		{messages.Quarter("en", 2027, 2), "Q2 2027"},
		{messages.LanguageName("nl", "ti"), "Tigrinya"},
		{messages.LanguageName("nl", "ar"), "Arabisch"},
		{messages.LanguageName("en", "ar"), "Arabic"},
		{messages.LanguageName("nl", "prs"), "Dari"},
		{messages.LanguageName("nl", "zz"), "ZZ"},
		{messages.LanguageNames("nl", []string{"ar", "ti", "prs"}), "Arabisch, Tigrinya en Dari"},
		{messages.Age("nl", 20), "2 weken"},
		{messages.Age("nl", 7), "1 week"},
		{messages.Age("nl", 152), "4 maanden"},
		{messages.Age("en", 31), "4 weeks"},
		{messages.Age("nl", 153), "5 maanden"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
