// Command coplan is the one binary of coplan: it serves the API and pages, mints
// tokens and runs the planner and jobs by hand. main only wires the process to run.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "coplan:", err)
		}
		stop()
		os.Exit(1)
	}
}
