package api

import (
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
)

// when formats a session's time in Amsterdam: "di 9 feb 2027 10:00–12:00".
func when(lang string, start, end time.Time) string { return messages.When(lang, start, end) }

// dateLabel formats a date: "di 9 feb 2027".
func dateLabel(lang string, d civil.Date) string { return messages.Date(lang, d) }

// stamp formats an instant in Amsterdam: "22 nov 2026 16:05".
func stamp(lang string, t time.Time) string { return messages.Stamp(lang, t) }
