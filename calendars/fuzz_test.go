package calendars

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// FuzzTextEscaping: whatever text a room, title or name holds, the feed stays
// one valid calendar, no line exceeds 75 octets or splits a character, no
// value starts a property, and the text parses back as it was cleaned.
func FuzzTextEscaping(f *testing.F) {
	for _, s := range []string{"A;B\nX-EVIL:1", "Groepsruimte 1", "مركز الأمومة", "a\\b,c;d", "\r\nBEGIN:VEVENT", strings.Repeat("é", 100), "\x00\x01\x7f", "\xff\xfe"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, summary, location string) {
		e := Event{UID: "session-x@test", Start: time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 12, 11, 0, 0, 0, time.UTC),
			Changed: time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC), Summary: summary, Location: location, Description: summary + location}
		doc, err := Render(Feed{Name: location, Events: []Event{e}})
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(doc), "\r\n"), "\r\n") {
			if len(line) > 75 || !utf8.ValidString(line) {
				t.Fatalf("bad line %q", line)
			}
		}
		cal, err := ical.NewDecoder(bytes.NewReader(doc)).Decode()
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		got, _ := evs[0].Props.Text("SUMMARY")
		if got != clean(summary) {
			t.Fatalf("SUMMARY %q; want %q", got, clean(summary))
		}
	})
}
