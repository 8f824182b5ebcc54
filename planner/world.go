package planner

import (
	"sort"

	"github.com/coplan/coplan/civil"
)

// world is the typed, indexed form of an Input.
type world struct {
	today     civil.Date
	orgs      map[string]*org
	orgOrder  []*org
	locs      map[string]*loc
	locOrder  []*loc
	rooms     map[string]*room
	facs      map[string]*fac
	babies    map[string]*baby
	babyOrder []*baby
	groups    map[string]*group
}

type org struct {
	id       string
	rules    rules
	locs     []*loc
	facs     []*fac
	babies   []*baby
	existing []*group
}

type loc struct {
	id        string
	org       *org
	shortStay bool
	catchment []*loc
	rooms     []*room
}

type room struct {
	id       string
	loc      *loc
	capacity int
	open     []civil.Weekly
	closed   []civil.Range
	busy     calendar
	starts   [8][]civil.Clock // candidate start times per ISO weekday, for the org's session length
}

type fac struct {
	id        string
	org       *org
	nurse     bool
	coTrained bool
	avail     []civil.Weekly
	absent    []civil.Range
	maxWeek   int
	langs     []string // sorted
	busy      calendar
	week      map[int]int // sessions per ISO week
	load      int
}

func (f *fac) speaks(lang string) bool {
	i := sort.SearchStrings(f.langs, lang)
	return i < len(f.langs) && f.langs[i] == lang
}

type baby struct {
	id    string
	birth civil.Date
	loc   *loc
	lang  string
	group *group
}

type group struct {
	id        string
	org       *org
	loc       *loc
	room      *room
	pair      [2]*fac
	babies    []*baby // sorted by birth date, then id
	memberIDs []string
	existing  bool
	sessions  map[int]*session
	fixed     map[int]bool
	unplanned map[int]string
	anchorDay int
	anchorAt  civil.Clock
}

type session struct {
	number     int
	date       civil.Date
	start, end civil.Clock
	room       *room
	facs       [2]*fac
	langs      []string
	fixed      *Session // the input as given, for a fixed session
}

// span is a busy interval of a day in minutes after midnight, end exclusive.
type span struct{ from, to civil.Clock }

// calendar holds the busy spans of a room or facilitator per date.
type calendar map[civil.Date][]span

func (c calendar) add(d civil.Date, s span) { c[d] = append(c[d], s) }

// free reports whether s overlaps nothing on d; touching ends do not overlap.
func (c calendar) free(d civil.Date, s span) bool {
	for _, b := range c[d] {
		if s.from < b.to && b.from < s.to {
			return false
		}
	}
	return true
}

func inRanges(rs []civil.Range, d civil.Date) bool {
	for _, r := range rs {
		if r.Contains(d) {
			return true
		}
	}
	return false
}
