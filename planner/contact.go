package planner

// ContactMoment is the individual JGZ contact moment a session of the
// programme stands for: the child's file records it for a family that was
// there. FollowUp marks the moments that include a vaccination or the
// doctor's check: a family that missed one needs an individual contact.
type ContactMoment struct {
	Type     string `json:"type"` // a code: people read "contact.<type>" from the catalogue
	FollowUp bool   `json:"follow_up"`
}

// DefaultContactMoments maps session 1 to 8 of the programme to the
// contact moments of the JGZ schedule they replace: 4-8 weeks, 3, 4, 6,
// 7.5, 9, 11 and 14 months; those at 3, 6, 11 and 14 months include a
// vaccination or the doctor's check.
var DefaultContactMoments = []ContactMoment{
	{Type: "weeks_4_8"}, {Type: "months_3", FollowUp: true}, {Type: "months_4"}, {Type: "months_6", FollowUp: true},
	{Type: "months_7_5"}, {Type: "months_9"}, {Type: "months_11", FollowUp: true}, {Type: "months_14", FollowUp: true},
}

// ContactMomentOf is the moment session number n (1-based) stands for in
// mapping (the default when mapping has no entry for it).
func ContactMomentOf(mapping []ContactMoment, n int) ContactMoment {
	if n >= 1 && n <= len(mapping) && mapping[n-1].Type != "" {
		return mapping[n-1]
	}
	if n >= 1 && n <= len(DefaultContactMoments) {
		return DefaultContactMoments[n-1]
	}
	return ContactMoment{}
}
