// Package calendars owns coplan's iCalendar feeds: rendering sessions as
// RFC 5545 calendars with github.com/emersion/go-ical (plus the two things it
// leaves out: a VTIMEZONE block and line folding), the capability tokens of
// feed URLs, and the publication run that renders stored feeds ahead of requests.
package calendars

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coplan/coplan/civil"
	"github.com/emersion/go-ical"
)

// Event is one session in a feed. It carries no personal data of families:
// only times, places, counts, languages and staff names.
type Event struct {
	UID         string
	Start, End  time.Time
	Changed     time.Time // DTSTAMP and LAST-MODIFIED, so unchanged data renders the same bytes
	Sequence    int
	Summary     string
	Location    string
	Description string
	Cancelled   bool
}

// Feed is a calendar: its name and events.
type Feed struct {
	Name   string
	Events []Event
}

const prodID = "-//coplan//Centering Ouderschap//NL"

// Render writes f as an iCalendar document. Equal feeds give equal bytes.
func Render(f Feed) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	setText(cal.Props, ical.PropName, f.Name)
	setPlain(cal.Props, "X-WR-CALNAME", f.Name)
	setPlain(cal.Props, "X-WR-TIMEZONE", civil.Amsterdam.String())
	setPlain(cal.Props, "X-PUBLISHED-TTL", "PT1H")
	// RFC 7986 requires VALUE=DURATION here; go-ical leaves out a VALUE that is the default.
	cal.Props.Set(&ical.Prop{Name: ical.PropRefreshInterval, Params: ical.Params{"VALUE": {"DURATION"}}, Value: "PT1H"})
	// The time zone is always there, so even an empty feed has a component
	// (go-ical refuses a calendar without one) and stays a valid calendar.
	cal.Children = append(cal.Children, amsterdamTimezone())
	for _, e := range f.Events {
		cal.Children = append(cal.Children, e.component())
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("calendars: encode: %w", err)
	}
	return fold(buf.Bytes()), nil
}

func (e Event) component() *ical.Component {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, e.UID)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, e.Changed.UTC())
	ev.Props.SetDateTime(ical.PropLastModified, e.Changed.UTC())
	setLocal(ev.Props, ical.PropDateTimeStart, e.Start)
	setLocal(ev.Props, ical.PropDateTimeEnd, e.End)
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = fmt.Sprint(e.Sequence)
	ev.Props.Set(seq)
	setText(ev.Props, ical.PropSummary, e.Summary)
	setText(ev.Props, ical.PropLocation, e.Location)
	setText(ev.Props, ical.PropDescription, e.Description)
	status := "CONFIRMED"
	if e.Cancelled {
		status = "CANCELLED"
	}
	ev.Props.SetText(ical.PropStatus, status)
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	return ev.Component
}

// setText sets a TEXT property, cleaned; an empty value is left out, since
// some parsers (libical, Evolution's) drop a property without one, with an error.
func setText(props ical.Props, name, value string) {
	if v := clean(value); v != "" {
		props.SetText(name, v)
	}
}

// setPlain sets an X- property as plain text, without the VALUE=TEXT that
// go-ical adds to properties it does not know and some clients do not read.
func setPlain(props ical.Props, name, value string) {
	v := clean(value)
	if v == "" {
		return
	}
	p := ical.NewProp(name)
	p.SetText(v)
	delete(p.Params, ical.ParamValue)
	props.Set(p)
}

// setLocal sets a date-time in Europe/Amsterdam, or in UTC when the local
// time is in the hour that repeats when summer time ends: "02:30" on that
// night names two instants, and a client could take the wrong one (RFC 5545
// §3.3.5 leaves it to the first; UTC leaves nothing to guess).
func setLocal(props ical.Props, name string, t time.Time) {
	if ambiguous(t) {
		props.SetDateTime(name, t.UTC())
		return
	}
	props.SetDateTime(name, t.In(civil.Amsterdam))
}

// ambiguous reports whether t's Amsterdam wall time is also the wall time of
// the instant an hour before or after it.
func ambiguous(t time.Time) bool {
	const wall = "20060102T150405"
	local := t.In(civil.Amsterdam).Format(wall)
	return t.Add(-time.Hour).In(civil.Amsterdam).Format(wall) == local || t.Add(time.Hour).In(civil.Amsterdam).Format(wall) == local
}

// clean makes text safe for a TEXT value: line breaks become one LF (which the
// encoder escapes as \n) and other control characters go, so that no value can
// end its line and start a property of its own.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// amsterdamTimezone is the VTIMEZONE of Europe/Amsterdam since 1996: CEST from
// the last Sunday of March 02:00, CET from the last Sunday of October 03:00.
func amsterdamTimezone() *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, civil.Amsterdam.String())
	part := func(name, from, to, tzname, start, rule string) *ical.Component {
		c := ical.NewComponent(name)
		c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: from})
		c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: to})
		c.Props.SetText(ical.PropTimezoneName, tzname)
		c.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: start})
		c.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rule})
		return c
	}
	tz.Children = []*ical.Component{
		part(ical.CompTimezoneDaylight, "+0100", "+0200", "CEST", "19810329T020000", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
		part(ical.CompTimezoneStandard, "+0200", "+0100", "CET", "19961027T030000", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
	}
	return tz
}

// fold breaks lines longer than 75 octets (RFC 5545 §3.1) into continuation
// lines that start with a space, never inside a UTF-8 character.
func fold(doc []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(doc) + len(doc)/60)
	for len(doc) > 0 {
		end := bytes.Index(doc, []byte("\r\n"))
		if end < 0 {
			end = len(doc)
		}
		line := doc[:end]
		limit := 75
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = 74 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
		if end+2 > len(doc) {
			break
		}
		doc = doc[end+2:]
	}
	return out.Bytes()
}
