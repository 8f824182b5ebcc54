package planfile_test

import (
	"os"
	"strings"
	"testing"

	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
)

// FuzzPlanFile: any bytes either fail to decode, fail validation with
// problems naming JSON paths, or plan into a plan that keeps every hard rule.
func FuzzPlanFile(f *testing.F) {
	example, err := os.ReadFile("../../examples/plan-input-small.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(tinyFile))
	f.Add([]byte(`{"today":"2027-01-04","organisations":[{"id":"o"}],"locations":[{"id":"l","organisation_id":"o","rooms":[{"id":"r","capacity":3,"open":[{"weekday":1,"from":"09:00","to":"10:00"}]}]}],"babies":[{"id":"b","birth_date":"2026-12-01","location_id":"l"}]}`))
	f.Add([]byte(`{"today":"2027-02-30"}`))
	f.Add([]byte(`{"babies":[{"id":1}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		in, err := planfile.DecodeBytes(data)
		if err != nil {
			if _, ok := err.(planner.Problems); !ok {
				t.Fatalf("decode error is not Problems: %v", err)
			}
			return
		}
		// The planner's cost grows with rooms x dates x facilitators when no
		// slot exists; the harness keeps inputs small enough to run fast.
		rooms := 0
		for _, l := range in.Locations {
			rooms += len(l.Rooms)
		}
		if len(in.Babies) > 200 || len(in.Facilitators) > 30 || rooms > 12 {
			return
		}
		p, err := planner.Run(in)
		if err != nil {
			ps, ok := err.(planner.Problems)
			if !ok || len(ps) == 0 || !strings.HasPrefix(ps[0].Path, "$") {
				t.Fatalf("run error %v", err)
			}
			return
		}
		bad, err := planner.Check(in, p)
		if err != nil || len(bad) > 0 {
			t.Fatalf("the plan breaks rules: %v %v", bad, err)
		}
	})
}
