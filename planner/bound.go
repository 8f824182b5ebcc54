package planner

// Bounds says how many babies a plan could place at most.
type Bounds struct {
	// Eligible babies are not too old for the programme and live where a group
	// can meet: at a location with a room big enough, or in the catchment of one.
	Eligible int
	// Cohorted babies are those the cohort step puts in a group, before any
	// session is scheduled: the most the scheduler could place.
	Cohorted int
}

// Bound computes the Bounds of in without scheduling anything.
func Bound(in *Input) (Bounds, error) {
	w, err := build(in)
	if err != nil {
		return Bounds{}, err
	}
	var b Bounds
	for _, o := range w.orgOrder {
		groups, unplaced := w.cohorts(o)
		for _, g := range groups {
			b.Cohorted += len(g.babies)
		}
		b.Eligible += len(o.babies)
		for _, reason := range unplaced {
			if reason == ReasonTooOld || reason == ReasonShortStay || reason == ReasonNoRoom {
				b.Eligible--
			}
		}
	}
	return b, nil
}
