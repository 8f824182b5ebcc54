package coordination

import (
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// stored is one organisation's stored records as the planner's typed input,
// with the indexes the use cases need to write a plan back.
type stored struct {
	data     *store.PlanData
	now      time.Time
	in       *planner.Input
	groups   map[string]*store.Group
	members  map[string][]string       // current members by group, by id
	from     map[string]map[string]int // late joiners by group: baby -> first session
	sessions map[string]map[int]*store.Session
	babyLang map[string]string
	facLangs map[string][]string
}

// blockHorizon is how far ahead room blocks are handed to the planner.
const blockHorizon = 2 // years

// loadStored reads what planning organisationID needs and builds the input:
// published, cancelled and started sessions are fixed.
func loadStored(tx *store.Tx, organisationID string) (*stored, error) {
	d, err := tx.PlanData(organisationID)
	if err != nil {
		return nil, err
	}
	return newStored(d, tx.Now()), nil
}

func newStored(d *store.PlanData, now time.Time) *stored {
	st := &stored{data: d, now: now, groups: map[string]*store.Group{}, members: map[string][]string{}, from: map[string]map[string]int{},
		sessions: map[string]map[int]*store.Session{}, babyLang: map[string]string{}, facLangs: map[string][]string{}}
	org := d.Organisation.ID
	in := &planner.Input{Today: civil.Today(now), Organisations: []planner.Organisation{{ID: org}},
		Locations: []planner.Location{}, Facilitators: []planner.Facilitator{}, Babies: []planner.Baby{},
		Groups: []planner.ExistingGroup{}, FixedSessions: []planner.FixedSession{}}
	in.Locations = locationsInput(d, now)
	for _, f := range d.Facilitators {
		in.Facilitators = append(in.Facilitators, facilitatorInput(f, org))
		st.facLangs[f.ID] = f.Languages
	}
	for _, b := range d.Babies {
		in.Babies = append(in.Babies, planner.Baby{ID: b.ID, BirthDate: *b.BirthDate, LocationID: b.LocationID, Language: b.Language})
		st.babyLang[b.ID] = b.Language
	}
	for _, m := range d.Members {
		st.addMember(m.GroupID, m.BabyID, m.FromSession)
	}
	for i := range d.Groups {
		g := &d.Groups[i]
		st.groups[g.ID] = g
		eg := planner.ExistingGroup{ID: g.ID, OrganisationID: org, LocationID: g.LocationID, RoomID: g.RoomID,
			BabyIDs: append([]string{}, st.members[g.ID]...), JoinedFrom: st.joinedFrom(g.ID)}
		if len(g.FacilitatorIDs) == 2 { // a pair kept as the group's own; half a pair is none
			eg.FacilitatorIDs = g.FacilitatorIDs
		}
		in.Groups = append(in.Groups, eg)
	}
	for i := range d.Sessions {
		s := &d.Sessions[i]
		if st.sessions[s.GroupID] == nil {
			st.sessions[s.GroupID] = map[int]*store.Session{}
		}
		st.sessions[s.GroupID][s.Number] = s
		if s.Fixed(now) {
			in.FixedSessions = append(in.FixedSessions, planner.FixedSession{GroupID: s.GroupID, Cancelled: s.Status == store.SessionCancelled,
				Session: plannerSession(s)})
		}
	}
	st.in = in
	return st
}

// addMember records a current member of a group; from above 1 makes it a
// late joiner.
func (st *stored) addMember(groupID, babyID string, from int) {
	st.members[groupID] = append(st.members[groupID], babyID)
	if from > 1 {
		if st.from[groupID] == nil {
			st.from[groupID] = map[string]int{}
		}
		st.from[groupID][babyID] = from
	}
}

// joinedFrom is the group's late joiners as the planner takes them, or nil.
func (st *stored) joinedFrom(groupID string) map[string]int {
	if len(st.from[groupID]) == 0 {
		return nil
	}
	out := make(map[string]int, len(st.from[groupID]))
	for id, n := range st.from[groupID] {
		out[id] = n
	}
	return out
}

// attendees are the members of a group who attend session number n.
func (st *stored) attendees(groupID string, n int) []string {
	var out []string
	for _, id := range st.members[groupID] {
		if from, late := st.from[groupID][id]; !late || from <= n {
			out = append(out, id)
		}
	}
	return out
}

// locationsInput is the organisation's locations with their rooms; a catchment
// names only the organisation's own locations, since each is planned on its own.
func locationsInput(d *store.PlanData, now time.Time) []planner.Location {
	own := map[string]bool{}
	for _, l := range d.Locations {
		own[l.ID] = true
	}
	blocks := map[string][]store.Block{}
	for _, b := range d.Blocks {
		blocks[b.RoomID] = append(blocks[b.RoomID], b)
	}
	from, to := now.AddDate(0, 0, -1), now.AddDate(blockHorizon, 0, 0)
	out := []planner.Location{}
	for _, l := range d.Locations {
		pl := planner.Location{ID: l.ID, Name: l.Name, OrganisationID: l.OrganisationID, ShortStay: l.ShortStay, Rooms: []planner.Room{}}
		for _, c := range l.Catchment {
			if own[c] {
				pl.Catchment = append(pl.Catchment, c)
			}
		}
		for _, r := range d.Rooms {
			if r.LocationID != l.ID {
				continue
			}
			if r.DeletedAt != nil {
				// Kept for the past sessions that name it: it seats and opens for nobody.
				pl.Rooms = append(pl.Rooms, planner.Room{ID: r.ID, Capacity: 1})
				continue
			}
			pr := planner.Room{ID: r.ID, Capacity: r.Capacity, Open: r.OpeningHours, Closed: r.Closures}
			for _, b := range blocks[r.ID] {
				for _, o := range b.Occurrences(from, to) {
					pr.Blocks = append(pr.Blocks, planner.TimeRange{Start: o.Start, End: o.End})
				}
			}
			pl.Rooms = append(pl.Rooms, pr)
		}
		out = append(out, pl)
	}
	return out
}

// facilitatorInput is a facilitator as the planner takes one. A deleted one
// is kept for the past sessions that name them, and works no hours.
func facilitatorInput(f store.Facilitator, org string) planner.Facilitator {
	maxWeek := f.MaxSessionsPerWeek
	out := planner.Facilitator{ID: f.ID, OrganisationID: org, Role: string(f.Role), COTrained: f.COTrained,
		Available: f.Availability, Absent: f.Absences, MaxSessionsPerWeek: &maxWeek, Languages: f.Languages}
	if f.DeletedAt != nil {
		none := 0
		out.Available, out.Absent, out.MaxSessionsPerWeek = nil, nil, &none
	}
	return out
}

// plannerSession is a stored session as the planner writes one.
func plannerSession(s *store.Session) planner.Session {
	return planner.Session{Number: s.Number, Start: s.StartsAt.In(civil.Amsterdam), End: s.EndsAt.In(civil.Amsterdam),
		RoomID: s.RoomID, FacilitatorIDs: []string{s.LeadFacilitatorID, s.SecondFacilitatorID},
		InterpreterLanguages: s.InterpreterLanguages}
}

// plan is the stored plan as the planner writes one, for planner.Check: every
// group with its current members and the sessions that are not cancelled.
// stand, when set, may put another session in the place of a stored one (a
// change under test); it gets the stored session and returns the one that counts.
func (st *stored) plan(stand func(s *store.Session) *store.Session) *planner.Plan {
	p := &planner.Plan{Groups: []planner.Group{}, Unplaced: []planner.Unplaced{}, UnplannedSessions: []planner.UnplannedSession{}}
	for gid, g := range st.groups {
		pg := planner.Group{ID: gid, OrganisationID: g.OrganisationID, LocationID: g.LocationID, RoomID: g.RoomID,
			FacilitatorIDs: g.FacilitatorIDs, BabyIDs: append([]string{}, st.members[gid]...), JoinedFrom: st.joinedFrom(gid),
			Sessions: []planner.Session{}}
		numbers := make([]int, 0, len(st.sessions[gid]))
		for n := range st.sessions[gid] {
			numbers = append(numbers, n)
		}
		sort.Ints(numbers)
		for _, n := range numbers {
			s := st.sessions[gid][n]
			if stand != nil {
				s = stand(s)
			}
			if s.Status != store.SessionCancelled {
				ps := plannerSession(s)
				ps.InterpreterLanguages = st.interpreterNeeds(gid, s)
				pg.Sessions = append(pg.Sessions, ps)
			}
		}
		if len(pg.Sessions) > 0 {
			p.Groups = append(p.Groups, pg)
		}
	}
	sort.Slice(p.Groups, func(i, j int) bool { return p.Groups[i].ID < p.Groups[j].ID })
	return p
}

// interpreterNeeds are the languages of the families who attend the session
// that neither of its facilitators speaks, sorted: what the session as
// stored needs.
func (st *stored) interpreterNeeds(groupID string, s *store.Session) []string {
	a, b := st.facLangs[s.LeadFacilitatorID], st.facLangs[s.SecondFacilitatorID]
	out := []string{}
	for _, id := range st.attendees(groupID, s.Number) {
		l := st.babyLang[id]
		if l != "" && !contains(a, l) && !contains(b, l) && !contains(out, l) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
