package api

import (
	"errors"
	"testing"

	"github.com/coplan/coplan/store"
)

// FuzzRequestBodies: every JSON request body either decodes or fails with a
// 400-class error naming a field; none panics, none is an internal error.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"ref":"MK-1","birth_date":"2026-12-01","location_id":"loc_1","language":"ar"}`,
		`{"ref":12}`, `{"ref":"a","name":"Jan"}`, `{"birth_date":"2026-02-30"}`, `[1,2]`, `{`, ``, `null`,
		`{"name":"R","capacity":10,"opening_hours":[{"weekday":1,"from":"25:00","to":"17:00"}]}`,
		`{"availability":[{"weekday":8,"from":"09:00","to":"10:00"}],"languages":["Arabic"]}`,
		`{"start":"2027-02-09T10:00:00+01:00","facilitator_ids":["a"]}`,
		`{"title":"x","start":"2027-03-02T09:00:00+01:00","end":"2027-03-02T08:00:00+01:00","weekly":true}`,
		`{"kind":"group","subject_id":"g"}`, `{"to_location_id":"l","date":"2027-01-01","exception_reason":"x"}`,
		`{"organisation_id":"o","extra_room":{"location_id":"l","capacity":-1}}`,
		"{\"ref\":\"\u0000\"}", `{"ref":"a"} {}`,
	} {
		f.Add([]byte(seed))
	}
	targets := []func() (any, func() error){
		func() (any, func() error) {
			var r babyRequest
			return &r, func() error { _, err := r.change(); return err }
		},
		func() (any, func() error) {
			var r roomRequest
			return &r, func() error { _, err := r.change(); return err }
		},
		func() (any, func() error) {
			var r facilitatorRequest
			return &r, func() error { _, err := r.change(); return err }
		},
		func() (any, func() error) {
			var r blockRequest
			return &r, func() error { _, err := r.block(); return err }
		},
		func() (any, func() error) { var r organisationRequest; return &r, nil },
		func() (any, func() error) { var r locationRequest; return &r, nil },
		func() (any, func() error) { var r sessionRequest; return &r, nil },
		func() (any, func() error) { var r moveRequest; return &r, nil },
		func() (any, func() error) { var r feedRequest; return &r, nil },
		func() (any, func() error) { var r surveyRequest; return &r, nil },
		func() (any, func() error) { var r responseRequest; return &r, nil },
		func() (any, func() error) { var r absenceRequest; return &r, nil },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range targets {
			v, convert := target()
			err := decodeJSON(body, v)
			if err == nil && convert != nil {
				err = convert()
			}
			if err == nil {
				continue
			}
			var e *store.Error
			if !errors.As(err, &e) || e.Code != store.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("%T: error %v is not a 400 naming a field", v, err)
			}
		}
	})
}
