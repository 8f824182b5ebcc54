package main

import (
	"context"
	"fmt"
	"io"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/planner"
)

// capacityCmd forecasts from a plan file: `coplan capacity --in input.json`.
func capacityCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("capacity", stderr)
	inPath := fs.String("in", "-", "input file (the plan format, plus expected and rules.uptake_rate), - for standard input")
	outPath := fs.String("out", "-", "output file, - for standard output")
	period := fs.String("period", "week", "week or month")
	from := fs.String("from", "", "first day (default: today of the input)")
	to := fs.String("to", "", "end (default: 18 months after from)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	in, err := readInput(*inPath, stdin)
	if err != nil {
		return reportProblems(err, stderr)
	}
	opt := planner.ForecastOptions{Period: *period}
	for name, v := range map[string]string{"--from": *from, "--to": *to} {
		if v == "" {
			continue
		}
		d, err := civil.Parse(v)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errUsage, name, err)
		}
		if name == "--from" {
			opt.From = d
		} else {
			opt.To = d
		}
	}
	f, err := coordination.ForecastFile(in, opt)
	if err != nil {
		return reportProblems(err, stderr)
	}
	return writeJSON(*outPath, stdout, f)
}
