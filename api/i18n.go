package api

import "github.com/coplan/coplan/messages"

// translate returns the page text of key in lang from the message catalogue
// (messages/pages.*.yaml), falling back to Dutch, then the key.
func translate(lang, key string) string { return messages.Text(lang, key) }
