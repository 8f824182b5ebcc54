package coordination

import "github.com/coplan/coplan/planner"

// PlanFile plans an input that came from a file (`coplan plan`), with no
// database: the planner's answer as it is.
func PlanFile(in *planner.Input) (*planner.Plan, error) { return planner.Run(in) }

// ForecastFile forecasts capacity for an input that came from a file
// (`coplan capacity`), with no database.
func ForecastFile(in *planner.Input, opt planner.ForecastOptions) (*planner.Forecast, error) {
	return planner.Capacity(in, opt)
}
