package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
)

func TestPlanCommandOnTheExampleFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan.json")
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"coplan", "plan", "--in", "../../examples/plan-input-small.json", "--out", out},
		envOf(nil), &bytes.Buffer{}, &stderr)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var p planner.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("the plan is not JSON: %v", err)
	}
	in, _ := os.ReadFile("../../examples/plan-input-small.json")
	input, err := planfile.DecodeBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	if bad, err := planner.Check(input, &p); err != nil || len(bad) > 0 {
		t.Fatalf("the written plan breaks rules: %v %v", bad, err)
	}
	if !bytes.Contains(data, []byte(`"unplaced": [`)) || bytes.Contains(data, []byte("null")) {
		t.Fatal("lists must be [] and never null")
	}
}

func TestPlanCommandReportsJSONPathsAndFails(t *testing.T) {
	dir := t.TempDir()
	broken := `{"today": "2027-01-04",
	 "organisations": [{"id": "ggd"}],
	 "locations": [{"id": "azc", "organisation_id": "ggd", "rooms": [{"id": "r", "capacity": 20,
	    "open": [{"weekday": 2, "from": "10:00", "to": "09:00"}]}]}],
	 "facilitators": [],
	 "babies": [{"id": "b1", "birth_date": "2026-13-01", "location_id": "azc"}, {"id": "b2", "birth_date": "2026-12-01", "location_id": "elsewhere"}]}`
	path := filepath.Join(dir, "broken.json")
	os.WriteFile(path, []byte(broken), 0o644)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"coplan", "plan", "--in", path, "--out", "-"}, envOf(nil), &stdout, &stderr)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v; want the problems reported (exit 1)", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := []string{"$.locations[0].rooms[0].open[0]:", "$.babies[0].birth_date:", "$.babies[1].location_id:"}
	if len(lines) != len(want) {
		t.Fatalf("stderr has %d lines; want %d:\n%s", len(lines), len(want), stderr.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q; want it to start with %s", i, lines[i], w)
		}
	}
	if stdout.Len() != 0 {
		t.Fatalf("a broken input wrote a plan: %s", stdout.String())
	}
}

func TestCapacityCommandOnTheExampleFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"coplan", "capacity", "--in", "../../examples/plan-input-small.json", "--period", "month"},
		envOf(nil), &stdout, &stderr)
	if err != nil {
		t.Fatalf("capacity: %v\n%s", err, stderr.String())
	}
	var f planner.Forecast
	if err := json.Unmarshal(stdout.Bytes(), &f); err != nil || len(f.Organisations) != 2 || len(f.Organisations[0].Periods) < 18 {
		t.Fatalf("forecast: %v %+v", err, f.Organisations)
	}
	sessions := 0
	for _, o := range f.Organisations {
		for _, p := range o.Periods {
			sessions += p.Sessions
		}
	}
	if sessions == 0 || len(f.Locations) != 6 {
		t.Fatalf("%d sessions, %d locations advised", sessions, len(f.Locations))
	}
}

// An output that is not a plain file (a device, a pipe) is written to, not
// replaced: --out /dev/null once turned the machine's /dev/null into a file.
func TestPlanOutputToADeviceLeavesTheDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		done <- b
	}()
	var errs bytes.Buffer
	if err := run(context.Background(), []string{"coplan", "plan", "--in", "../../examples/plan-input-small.json", "--out", fifo}, envOf(nil), io.Discard, &errs); err != nil {
		t.Fatalf("plan to a pipe: %v %s", err, errs.String())
	}
	if got := <-done; !bytes.Contains(got, []byte(`"groups"`)) {
		t.Fatalf("the pipe got %d bytes", len(got))
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
}
