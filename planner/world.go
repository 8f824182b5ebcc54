package planner

import (
	"math/bits"
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
	languages map[string]int // language code -> bit in a langSet
}

// langSet is a set of languages as bits, as many words as the languages
// known when it was made (a shorter set reads as zero beyond its end), so an
// input may hold any number of languages.
type langSet []uint64

func (s *langSet) add(i int) {
	for len(*s) <= i>>6 {
		*s = append(*s, 0)
	}
	(*s)[i>>6] |= 1 << (i & 63)
}

func (s langSet) has(i int) bool { return i>>6 < len(s) && s[i>>6]&(1<<(i&63)) != 0 }

func (s langSet) word(i int) uint64 {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// missing counts the languages of s that neither a nor b holds, without
// making a set: the pair search asks it for every candidate pair.
func missing(s, a, b langSet) int {
	n := 0
	for i, w := range s {
		n += bits.OnesCount64(w &^ (a.word(i) | b.word(i)))
	}
	return n
}

// language returns the bit of code, adding it when new.
func (w *world) language(code string) int {
	if i, ok := w.languages[code]; ok {
		return i
	}
	i := len(w.languages)
	w.languages[code] = i
	return i
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
	langSet   langSet
	busy      calendar
	week      map[int]int // sessions per ISO week
	load      int
}

type baby struct {
	id      string
	birth   civil.Date
	loc     *loc
	lang    string
	langBit int // -1 when no language is known
	group   *group
	from    int // the first session of its group it attends: 1, or later for a late joiner
}

type group struct {
	id         string
	org        *org
	loc        *loc
	room       *room
	pair       [2]*fac
	babies     []*baby // sorted by birth date, then id
	memberIDs  []string
	joinedFrom map[string]int // the input's late joiners and their first session
	existing   bool
	sessions   map[int]*session
	fixed      map[int]bool
	unplanned  map[int]string
	anchorDay  int
	anchorAt   civil.Clock
	// att is who attends the session being scheduled: the scheduler sets it
	// for each session in turn, since late joiners attend only from theirs.
	att  attendance
	atts []*attendance // attendance by session number, kept until the members change
}

// attendance is the families at one session of a group and their languages.
type attendance struct {
	babies  []*baby // sorted by birth date, then id
	langs   []string
	langSet langSet
}

// attendance lists who attends session k of g: the members whose first
// session is k or earlier.
func (g *group) attendance(k int) attendance {
	var a attendance
	seen := map[string]bool{}
	for _, b := range g.babies {
		if b.from > k {
			continue
		}
		a.babies = append(a.babies, b)
		if b.langBit >= 0 && !seen[b.lang] {
			seen[b.lang] = true
			a.langs = append(a.langs, b.lang)
			a.langSet.add(b.langBit)
		}
	}
	sort.Strings(a.langs)
	return a
}

// oldest and youngest are the birth dates of the first and last attendee.
func (a attendance) oldest() civil.Date   { return a.babies[0].birth }
func (a attendance) youngest() civil.Date { return a.babies[len(a.babies)-1].birth }

type session struct {
	number     int
	date       civil.Date
	start, end civil.Clock
	room       *room
	facs       [2]*fac
	langs      []string
	fixed      *Session // the input as given, for a fixed session
	cancelled  bool     // a fixed session that was cancelled: it meets nobody
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
