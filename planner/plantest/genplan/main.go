// Command genplan writes a generated planner input to standard output, by
// default the national benchmark: go run ./planner/plantest/genplan > national.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner/plantest"
)

func main() {
	seed := flag.Uint64("seed", 2027, "random seed")
	today := flag.String("today", "2027-01-04", "the plan's today")
	babies := flag.Int("babies", plantest.National.Babies, "number of babies")
	flag.Parse()
	d, err := civil.Parse(*today)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	size := plantest.National
	size.Babies = *babies
	if err := json.NewEncoder(os.Stdout).Encode(plantest.Generate(*seed, size, d)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
