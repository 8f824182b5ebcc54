package store

// Limits on the lists a record holds. The API checks a body against them
// before anything else, so an oversized list is refused whole and cheaply;
// Validate checks them again. They bound the planner's work too.
const (
	MaxLanguages         = 20  // languages a facilitator speaks
	MaxWeekly            = 50  // weekly intervals: availability, opening hours
	MaxRanges            = 200 // date ranges: absences, closures
	MaxCatchment         = 50  // locations in a catchment
	MaxRoomsPerLocation  = 50  // rooms of one location
	MaxSurveyLocations   = 500 // locations named in a survey answer
	MaxSurveyInvitations = 500 // organisations invited to one survey round
	// MaxAuditExport bounds one export of the access log; a longer period is
	// exported in parts (the review page says how many rows a period holds).
	MaxAuditExport = 100000
)

// Limit records a problem with a list field longer than max.
func (f *Fields) Limit(field string, n, max int) {
	if n > max {
		f.Add(field, "too_many", "holds %d entries; at most %d", n, max)
	}
}
