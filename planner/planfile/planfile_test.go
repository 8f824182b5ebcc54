package planfile_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
)

// tinyFile is one organisation, one location with a room open on Tuesdays, two
// facilitators and six babies, as a person would write it.
const tinyFile = `{"today": "2027-03-01",
 "organisations": [{"id": "ggd", "name": "GGD", "training": [{"from": "2027-07-01", "facilitators": 2}]}],
 "locations": [{"id": "azc", "name": "azc", "organisation_id": "ggd",
   "rooms": [{"id": "r1", "capacity": 24, "open": [{"weekday": 2, "from": "09:00", "to": "17:00"}],
              "closed": [{"from": "2027-07-19", "to": "2027-08-06"}],
              "blocks": [{"start": "2027-03-09T09:00:00+01:00", "end": "2027-03-09T12:00:00+01:00"}]}]}],
 "facilitators": [
   {"id": "n1", "organisation_id": "ggd", "role": "nurse", "co_trained": true, "languages": ["nl"],
    "available": [{"weekday": 2, "from": "09:00", "to": "17:00"}], "absent": [{"from": "2027-05-01", "to": "2027-05-14"}]},
   {"id": "d1", "organisation_id": "ggd", "role": "doctor", "languages": ["nl", "ar"],
    "available": [{"weekday": 2, "from": "09:00", "to": "17:00"}]}],
 "babies": [{"id": "b1", "birth_date": "2027-01-20", "location_id": "azc", "language": "ar"},
            {"id": "b2", "birth_date": "2027-01-20", "location_id": "azc", "language": "ti"},
            {"id": "b3", "birth_date": "2027-01-21", "location_id": "azc", "language": "ar"},
            {"id": "b4", "birth_date": "2027-01-21", "location_id": "azc", "language": "ti"},
            {"id": "b5", "birth_date": "2027-01-22", "location_id": "azc", "language": "ar"},
            {"id": "b6", "birth_date": "2027-01-22", "location_id": "azc", "language": "ti"}],
 "expected": [{"id": "e1", "expected_date": "2027-04-01", "location_id": "azc"}]}`

func TestDecodeTypesEveryValue(t *testing.T) {
	in, err := planfile.DecodeBytes([]byte(tinyFile))
	if err != nil {
		t.Fatal(err)
	}
	room := in.Locations[0].Rooms[0]
	switch {
	case in.Today != civil.New(2027, 3, 1):
		t.Fatalf("today %s", in.Today)
	case room.Open[0] != (civil.Weekly{Weekday: 2, From: 9 * 60, To: 17 * 60}):
		t.Fatalf("opening hours %+v", room.Open)
	case room.Closed[0] != (civil.Range{From: civil.New(2027, 7, 19), To: civil.New(2027, 8, 6)}):
		t.Fatalf("closure %+v", room.Closed)
	case !room.Blocks[0].Start.Equal(civil.New(2027, 3, 9).At(9*60)) || !room.Blocks[0].End.Equal(civil.New(2027, 3, 9).At(12*60)):
		t.Fatalf("block %+v", room.Blocks)
	case in.Facilitators[0].Absent[0].To != civil.New(2027, 5, 14):
		t.Fatalf("absence %+v", in.Facilitators[0].Absent)
	case in.Babies[5].BirthDate != civil.New(2027, 1, 22):
		t.Fatalf("birth %s", in.Babies[5].BirthDate)
	case in.Organisations[0].Training[0].From != civil.New(2027, 7, 1):
		t.Fatalf("training %+v", in.Organisations[0].Training)
	case in.Expected[0].ExpectedDate != civil.New(2027, 4, 1):
		t.Fatalf("expected %+v", in.Expected)
	}
}

func TestMalformedValuesAreNamedByTheirPaths(t *testing.T) {
	bad := strings.NewReplacer(`"birth_date": "2027-01-22", "location_id": "azc", "language": "ar"`, `"birth_date": "2027-02-30", "location_id": "azc", "language": "ar"`,
		`"from": "09:00", "to": "17:00"}],
              "closed"`, `"from": "-1:30", "to": "17:00"}],
              "closed"`,
		`"end": "2027-03-09T12:00:00+01:00"`, `"end": "noon"`,
		`"to": "2027-05-14"`, `"to": "14 mei"`,
		`"today": "2027-03-01"`, `"today": "1-3-2027"`).Replace(tinyFile)
	_, err := planfile.DecodeBytes([]byte(bad))
	problems, ok := err.(planner.Problems)
	if !ok {
		t.Fatalf("err = %v; want Problems", err)
	}
	text := problems.Error()
	for _, want := range []string{
		"$.today:",
		"$.babies[4].birth_date:",
		"$.locations[0].rooms[0].open[0].from:",
		"$.locations[0].rooms[0].blocks[0].end:",
		"$.facilitators[0].absent[0].to:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems do not name %s:\n%s", want, text)
		}
	}
	if len(problems) != 5 {
		t.Fatalf("%d problems; want exactly the 5 bad values:\n%s", len(problems), text)
	}
	for _, bad := range []string{`{"today": "2027-01-01", "babies": [`, `{"today": 7}`, `{} {}`} {
		if _, err := planfile.DecodeBytes([]byte(bad)); err == nil {
			t.Fatalf("%s decoded", bad)
		}
	}
}

// A marshalled Input is a plan file: it decodes back to the same input.
func TestMarshalledInputDecodesBack(t *testing.T) {
	in, err := planfile.DecodeBytes([]byte(tinyFile))
	if err != nil {
		t.Fatal(err)
	}
	data, err := planfile.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := planfile.DecodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	data2, _ := planfile.Marshal(again)
	if !bytes.Equal(data, data2) {
		t.Fatalf("the round trip changed the input:\n%s\n%s", data, data2)
	}
}

// The plan's times are written in Europe/Amsterdam with the offset of their
// date: +01:00 in winter, +02:00 in summer.
func TestPlanTimesAreAmsterdamTime(t *testing.T) {
	data, err := os.ReadFile("../../examples/plan-input-small.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := planfile.DecodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := planfile.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	offsets := map[string]int{}
	for _, g := range p.Groups {
		for _, s := range g.Sessions {
			_, off := s.Start.In(civil.Amsterdam).Zone()
			want := "+01:00"
			if off == 7200 {
				want = "+02:00"
			}
			stamp := s.Start.Format("2006-01-02T15:04:05Z07:00")
			if !strings.HasSuffix(stamp, want) || !bytes.Contains(out, []byte(`"start": "`+stamp+`"`)) {
				t.Fatalf("session start %s is not written in Amsterdam time (%s)", stamp, want)
			}
			offsets[want]++
		}
	}
	if offsets["+01:00"] == 0 || offsets["+02:00"] == 0 {
		t.Fatalf("the example should plan in winter and summer: %v", offsets)
	}
	if !bytes.Contains(out, []byte(`"unplanned_sessions": [`)) || bytes.Contains(out, []byte("null")) {
		t.Fatal("lists must be [] rather than null")
	}
}
