package store

import (
	"strconv"
	"time"
)

// appendString writes a JSON string: quotes, backslashes and control
// characters escaped, everything else as it is (valid UTF-8 is kept).
func appendString(b []byte, v string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// AppendJSON appends s as the JSON encoding/json writes for it, without
// reflection: session lists are the API's hottest answer.
func (s *Session) AppendJSON(b []byte) []byte {
	str := func(b []byte, key, v string) []byte {
		b = append(b, `"`...)
		b = append(b, key...)
		b = append(b, `":`...)
		return appendString(b, v)
	}
	tm := func(b []byte, key string, t time.Time) []byte {
		b = append(b, `"`...)
		b = append(b, key...)
		b = append(b, `":"`...)
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	num := func(b []byte, key string, n int) []byte {
		b = append(b, `"`...)
		b = append(b, key...)
		b = append(b, `":`...)
		return strconv.AppendInt(b, int64(n), 10)
	}
	list := func(b []byte, key string, vs []string) []byte {
		b = append(b, `"`...)
		b = append(b, key...)
		b = append(b, `":[`...)
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	b = str(b, "id", s.ID)
	b = append(b, ',')
	b = str(b, "group_id", s.GroupID)
	b = append(b, ',')
	b = str(b, "organisation_id", s.OrganisationID)
	b = append(b, ',')
	b = str(b, "location_id", s.LocationID)
	b = append(b, ',')
	b = num(b, "number", s.Number)
	b = append(b, ',')
	b = tm(b, "start", s.StartsAt)
	b = append(b, ',')
	b = tm(b, "end", s.EndsAt)
	b = append(b, ',')
	b = str(b, "room_id", s.RoomID)
	b = append(b, ',')
	b = list(b, "facilitator_ids", s.FacilitatorIDs)
	b = append(b, ',')
	b = list(b, "interpreter_languages", s.InterpreterLanguages)
	b = append(b, ',')
	b = num(b, "families", s.Families)
	b = append(b, ',')
	b = str(b, "status", string(s.Status))
	b = append(b, ',')
	b = num(b, "sequence", s.Sequence)
	b = append(b, ',')
	b = tm(b, "changed_at", s.ChangedAt)
	return append(b, '}')
}
