package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/planner/planfile"
)

// planCmd runs the planner on a file: `coplan plan --in input.json --out plan.json`.
func planCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("plan", stderr)
	inPath := fs.String("in", "-", "input file, - for standard input")
	outPath := fs.String("out", "-", "output file, - for standard output")
	summary := fs.Bool("summary", false, "print the plan's quality figures as a table on standard error")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	in, err := readInput(*inPath, stdin)
	if err != nil {
		return reportProblems(err, stderr)
	}
	plan, err := coordination.PlanFile(in)
	if err != nil {
		return reportProblems(err, stderr)
	}
	if *summary {
		printQuality(stderr, plan.Stats)
	}
	return writeJSON(*outPath, stdout, plan)
}

// printQuality writes the quality figures, a row per organisation and the
// total, as a table.
func printQuality(w io.Writer, st planner.Stats) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "organisation\tgroups\tplaced\ttoo old\tsessions\tunplanned\tinterpreter\t2+ languages\tone-language groups\tweekday\ttime\troom\tpair\tage offset (d)\tload min/med/max\t")
	row := func(name string, q planner.Quality) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f%%\t%.0f%%\t%.0f%%\t%.0f%%\t%.1f\t%d/%d/%d\t\n", name, q.Groups, q.Placed, q.TooOld,
			q.Sessions, q.UnplannedSessions, q.InterpreterSessions, q.MultiLanguageSessions, q.SingleLanguageGroups,
			100*q.SameWeekday, 100*q.SameTime, 100*q.SameRoom, 100*q.SamePair, q.MeanAgeOffsetDays, q.LoadMin, q.LoadMedian, q.LoadMax)
	}
	orgs := make([]string, 0, len(st.Organisations))
	for id := range st.Organisations {
		orgs = append(orgs, id)
	}
	sort.Strings(orgs)
	for _, id := range orgs {
		row(id, st.Organisations[id])
	}
	if st.Quality != nil {
		row("total", *st.Quality)
	}
	tw.Flush()
}

// errReported means the problems were printed already; run exits 1 quietly.
var errReported = errors.New("reported")

// reportProblems prints the planner's problems with an input, one JSON path a
// line, and returns errReported; other errors pass through.
func reportProblems(err error, stderr io.Writer) error {
	var problems planner.Problems
	if !errors.As(err, &problems) {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stderr, p.String())
	}
	return errReported
}

func readInput(path string, stdin io.Reader) (*planner.Input, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return planfile.Decode(r)
}

func writeJSON(path string, stdout io.Writer, v any) error {
	data, err := planfile.Marshal(v)
	if err != nil {
		return err
	}
	if path == "-" {
		_, err = stdout.Write(data)
		return err
	}
	// A device or a pipe (/dev/null, /dev/stdout, a named pipe) is written
	// as it is: renaming over it would replace it with a plain file.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return os.WriteFile(path, data, 0o644)
	}
	// Write beside the target and rename, so a crash never leaves half a plan.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
