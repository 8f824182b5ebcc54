package storetest

import "github.com/coplan/coplan/civil"

func datePtr(s string) *civil.Date {
	d := civil.MustParse(s)
	return &d
}

// Date returns a pointer to the civil date s, for fixtures.
func Date(s string) *civil.Date { return datePtr(s) }
