package calendars

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coplan/coplan/civil"
	"github.com/emersion/go-ical"
)

func sampleFeed() Feed {
	changed := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	return Feed{Name: "CO-bijeenkomsten – Anouk de Vries", Events: []Event{
		{UID: "session-ses_1@coplan.test", Start: civil.MustParse("2027-01-12").At(10 * 60), End: civil.MustParse("2027-01-12").At(12 * 60),
			Changed: changed, Sequence: 0, Summary: "Centering Ouderschap - groep ab12, bijeenkomst 1/8",
			Location: "azc Musselkanaal, Groepsruimte 1", Description: "7 gezinnen. Tolk nodig: ar, ti."},
		{UID: "session-ses_2@coplan.test", Start: civil.MustParse("2027-07-13").At(13 * 60), End: civil.MustParse("2027-07-13").At(15 * 60),
			Changed: changed, Sequence: 2, Summary: "Centering Ouderschap - groep ab12, bijeenkomst 5/8",
			Location: "azc Musselkanaal", Description: "7 gezinnen.", Cancelled: true},
	}}
}

func parse(t *testing.T, doc []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(doc)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the feed: %v\n%s", err, doc)
	}
	return cal
}

func TestRenderedFeedParsesBackWithEveryRequiredProperty(t *testing.T) {
	doc, err := Render(sampleFeed())
	if err != nil {
		t.Fatal(err)
	}
	cal := parse(t, doc)
	for _, name := range []string{"NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "X-WR-TIMEZONE"} {
		if cal.Props.Get(name) == nil {
			t.Errorf("calendar property %s is missing", name)
		}
	}
	if p := cal.Props.Get("REFRESH-INTERVAL"); p == nil || p.Params.Get("VALUE") != "DURATION" || p.Value != "PT1H" {
		t.Errorf("REFRESH-INTERVAL = %+v", p)
	}
	events := cal.Events()
	if len(events) != 2 {
		t.Fatalf("%d events; want 2", len(events))
	}
	for _, e := range events {
		for _, name := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY", "LOCATION", "DESCRIPTION"} {
			if e.Props.Get(name) == nil {
				t.Errorf("event lacks %s", name)
			}
		}
		if tz := e.Props.Get("DTSTART").Params.Get("TZID"); tz != "Europe/Amsterdam" {
			t.Errorf("DTSTART TZID = %q", tz)
		}
	}
	if s, _ := events[1].Props.Text("STATUS"); s != "CANCELLED" {
		t.Errorf("cancelled event has STATUS %q", s)
	}
	again, _ := Render(sampleFeed())
	if !bytes.Equal(doc, again) {
		t.Fatal("the same feed rendered twice differs")
	}
}

func TestEmptyFeedIsAValidCalendar(t *testing.T) {
	doc, err := Render(Feed{Name: "leeg"})
	if err != nil {
		t.Fatal(err)
	}
	if cal := parse(t, doc); len(cal.Events()) != 0 {
		t.Fatal("events in an empty feed")
	}
}

func TestTextCannotInjectAProperty(t *testing.T) {
	f := sampleFeed()
	f.Events[0].Location = "A;B\nX-EVIL:1"
	f.Events[0].Description = "line one\r\nline two\rX-EVIL:2\x00"
	doc, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(doc), "\r\n") {
		if strings.HasPrefix(line, "X-EVIL") {
			t.Fatalf("a value started a property of its own:\n%s", doc)
		}
	}
	if !strings.Contains(string(doc), "\r\nLOCATION:A\\;B\\nX-EVIL:1\r\n") {
		t.Fatalf("LOCATION is not one escaped line:\n%s", doc)
	}
	loc, _ := parse(t, doc).Events()[0].Props.Text("LOCATION")
	if loc != "A;B\nX-EVIL:1" {
		t.Fatalf("LOCATION parses back as %q", loc)
	}
}

func TestLongUnicodeTextIsFoldedAt75OctetsAndParsesBack(t *testing.T) {
	summary := strings.Repeat("Centering Ouderschap – bijeenkomst voor ouders مركز الأمومة والطفولة ", 3)[:200]
	summary = strings.ToValidUTF8(summary, "")
	f := sampleFeed()
	f.Events[0].Summary = summary
	doc, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(doc), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Fatalf("a fold split a UTF-8 character: %q", line)
		}
	}
	got, _ := parse(t, doc).Events()[0].Props.Text("SUMMARY")
	if got != summary {
		t.Fatalf("SUMMARY parses back as %q; want %q", got, summary)
	}
}

// ParseWithICALJS runs Mozilla's ical.js on doc and returns what it read.
func ParseWithICALJS(t *testing.T, doc []byte) ICALJSResult {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "tools", "ical", "parse.mjs")
	cmd := exec.Command("node", script)
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ical.js (run `make test-deps`): %v\n%s", err, out)
	}
	var r ICALJSResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	return r
}

// ICALJSResult is what tools/ical/parse.mjs prints.
type ICALJSResult struct {
	Name      string `json:"name"`
	Timezones int    `json:"timezones"`
	Events    []struct {
		UID         string `json:"uid"`
		Sequence    int    `json:"sequence"`
		Status      string `json:"status"`
		Summary     string `json:"summary"`
		Location    string `json:"location"`
		Description string `json:"description"`
		DTStamp     bool   `json:"dtstamp"`
		StartOffset string `json:"start_offset"`
		EndOffset   string `json:"end_offset"`
		StartUTC    string `json:"start_utc"`
	} `json:"events"`
}

func TestICALJSReadsTheFeedAndItsTimezone(t *testing.T) {
	doc, _ := Render(sampleFeed())
	r := ParseWithICALJS(t, doc)
	if r.Name != "CO-bijeenkomsten – Anouk de Vries" || r.Timezones != 1 || len(r.Events) != 2 {
		t.Fatalf("ical.js read %+v", r)
	}
	winter, summer := r.Events[0], r.Events[1]
	if winter.StartOffset != "+01:00" || winter.StartUTC != "2027-01-12T09:00:00.000Z" {
		t.Fatalf("winter session: offset %s, UTC %s; want +01:00 and 09:00Z", winter.StartOffset, winter.StartUTC)
	}
	if summer.StartOffset != "+02:00" || summer.StartUTC != "2027-07-13T11:00:00.000Z" {
		t.Fatalf("summer session: offset %s, UTC %s; want +02:00 and 11:00Z", summer.StartOffset, summer.StartUTC)
	}
	if summer.Status != "CANCELLED" || summer.Sequence != 2 || !summer.DTStamp {
		t.Fatalf("cancelled session read as %+v", summer)
	}
}

// Class 10: events as calendar clients show them. No property with an empty
// value (libical and Evolution drop one with an error); X- properties as
// plain values; a time in the hour that repeats when summer time ends written
// in UTC, so that both parsers read the two different instants it means.
func TestEventsAsClientsShowThem(t *testing.T) {
	first := time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)  // 02:30 CEST
	second := time.Date(2027, 10, 31, 1, 30, 0, 0, time.UTC) // 02:30 CET
	f := Feed{Name: "Ruimteboekingen", Events: []Event{
		{UID: "block-1@coplan.test", Start: first, End: second, Changed: first, Summary: "Verbouwing"},
		{UID: "block-2@coplan.test", Start: second, End: second.Add(time.Hour), Changed: first, Summary: "Schoonmaak", Location: "azc Emmen"},
	}}
	doc, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, line := range strings.Split(text, "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && value == "" && !strings.HasPrefix(name, " ") {
			t.Errorf("property %s has an empty value", name)
		}
	}
	for _, want := range []string{"X-PUBLISHED-TTL:PT1H\r\n", "X-WR-CALNAME:Ruimteboekingen\r\n", "DTSTART:20271031T003000Z\r\n", "DTSTART:20271031T013000Z\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("the feed lacks %q", strings.TrimSpace(want))
		}
	}
	events := parse(t, doc).Events()
	for i, want := range []time.Time{first, second} {
		got, err := events[i].DateTimeStart(civil.Amsterdam)
		if err != nil || !got.Equal(want) {
			t.Errorf("go-ical reads event %d at %v (%v); want %v", i, got, err, want)
		}
	}
	js := ParseWithICALJS(t, doc)
	if js.Events[0].StartUTC != "2027-10-31T00:30:00.000Z" || js.Events[1].StartUTC != "2027-10-31T01:30:00.000Z" {
		t.Fatalf("ical.js reads %s and %s", js.Events[0].StartUTC, js.Events[1].StartUTC)
	}
	// An ordinary time stays local, with its zone.
	if doc, _ := Render(sampleFeed()); !strings.Contains(string(doc), "DTSTART;TZID=Europe/Amsterdam:20270112T100000") {
		t.Fatal("an ordinary start is not written in Europe/Amsterdam")
	}
}
