package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
)

// AppendJSON must write exactly what encoding/json writes.
func TestSessionAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []store.Session{
		{ID: "ses_1", GroupID: "g-1", OrganisationID: "o", LocationID: "l", Number: 3,
			StartsAt: time.Date(2027, 7, 13, 10, 0, 0, 0, civil.Amsterdam), EndsAt: time.Date(2027, 7, 13, 12, 0, 0, 0, civil.Amsterdam),
			RoomID: "r \"<&>\u2028é\x01\\", FacilitatorIDs: []string{"a", "b"}, InterpreterLanguages: []string{"ar", "ti"}, Families: 7,
			Status: store.SessionPublished, Sequence: 2, ChangedAt: time.Date(2027, 1, 4, 9, 0, 0, 123456000, time.UTC)},
		{ID: "ses_2", FacilitatorIDs: []string{}, InterpreterLanguages: []string{}, StartsAt: time.Date(2027, 1, 12, 10, 0, 0, 0, civil.Amsterdam)},
	} {
		want, _ := json.Marshal(s)
		got := s.AppendJSON(nil)
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("AppendJSON wrote invalid JSON: %v\n%s", err, got)
		}
		json.Unmarshal(want, &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("AppendJSON\n%s\nencoding/json\n%s", got, want)
		}
	}
}
