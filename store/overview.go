package store

import (
	"context"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"

	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
)

// PlanOverview is what the coordinator's plan page shows for one organisation.
type PlanOverview struct {
	now          func() time.Time
	Organisation Organisation
	Run          *PlanRun
	Locations    []LocationPlan
	Unplaced     []UnplacedBaby
	Facilitators map[string]string // id -> display name
	Rooms        map[string]string // id -> name
}

// LocationPlan is one location's groups.
type LocationPlan struct {
	Location Location
	Groups   []GroupPlan
}

// GroupPlan is a group with its sessions and the sessions that found no slot.
// BelowMinimum flags a running group with fewer families than a new group
// needs (after moves and leavings): the coordinator merges or dissolves it.
type GroupPlan struct {
	Group        Group
	Families     int
	Sessions     []Session
	Unplanned    []planner.UnplannedSession
	BelowMinimum bool
	Planned      int        // future sessions not yet published
	Published    int        // future sessions in the facilitators' calendars
	Next         *time.Time // the next session that meets
}

// UnplacedBaby is a baby the last run could not place, shown by ref.
type UnplacedBaby struct {
	BabyID     string
	Ref        string
	LocationID string
	Language   string
	BirthDate  *civil.Date
	Reason     string
}

// PlanOverview gathers the page for organisationID. Showing the refs of
// unplaced babies reads their records, so each is logged.
func (db *DB) PlanOverview(ctx context.Context, a Actor, organisationID string) (*PlanOverview, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionList, ""); err != nil {
		return nil, err
	}
	o, err := db.Organisation(ctx, a, organisationID)
	if err != nil {
		return nil, err
	}
	out := &PlanOverview{Organisation: *o, Facilitators: map[string]string{}, Rooms: map[string]string{}, now: db.Now}
	if out.Run, err = db.LatestPlanRun(ctx, a, organisationID); err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if err := out.loadLocations(tx, organisationID); err != nil {
			return err
		}
		shown, err := out.loadUnplaced(tx, organisationID)
		if err != nil || len(shown) == 0 {
			return err
		}
		return db.audit(tx, a, organisationID, ActionList, "baby", OutcomeSuccess, "plan page: unplaced", shown...)
	})
	return out, err
}

// overviewRecords are what the page lists of one organisation.
type overviewRecords struct {
	locs     []Location
	rooms    []Room
	facs     []Facilitator
	groups   []Group
	sessions []Session
	counts   []struct {
		GroupID string
		N       int
	}
}

func loadOverviewRecords(tx *gorm.DB, organisationID string) (*overviewRecords, error) {
	r := &overviewRecords{}
	for _, q := range []struct {
		what string
		q    *gorm.DB
		dst  any
	}{
		{"locations", tx.Where("organisation_id = ?", organisationID).Order("name, id"), &r.locs},
		{"rooms", tx.Where("location_id IN (SELECT id FROM locations WHERE organisation_id = ?)", organisationID), &r.rooms},
		{"facilitators", tx.Where("organisation_id = ?", organisationID), &r.facs},
		{"groups", tx.Where("organisation_id = ?", organisationID).Order("id"), &r.groups},
		{"sessions", tx.Where("organisation_id = ?", organisationID).Order("group_id, number"), &r.sessions},
	} {
		if err := q.q.Find(q.dst).Error; err != nil {
			return nil, wrapRead(err, q.what)
		}
	}
	err := tx.Model(&GroupMember{}).Select("group_id, COUNT(*) AS n").Where("left_on IS NULL").Group("group_id").Scan(&r.counts).Error
	return r, wrapRead(err, "members")
}

// loadLocations fills the names and, per location, its groups with their
// family counts, sessions and unplanned sessions, the first to meet first.
func (out *PlanOverview) loadLocations(tx *gorm.DB, organisationID string) error {
	r, err := loadOverviewRecords(tx, organisationID)
	if err != nil {
		return err
	}
	for _, room := range r.rooms {
		out.Rooms[room.ID] = room.Name
	}
	for _, f := range r.facs {
		out.Facilitators[f.ID] = f.DisplayName
	}
	groupMin := planner.GroupMin(&planner.Input{}, organisationID) // the service plans with the default rules
	now := time.Now()
	if out.now != nil {
		now = out.now()
	}
	families := map[string]int{}
	for _, c := range r.counts {
		families[c.GroupID] = c.N
	}
	byGroup := map[string][]Session{}
	for _, s := range r.sessions {
		byGroup[s.GroupID] = append(byGroup[s.GroupID], s)
	}
	unplanned := map[string][]planner.UnplannedSession{}
	if out.Run != nil {
		for _, u := range out.Run.UnplannedSessions {
			unplanned[u.GroupID] = append(unplanned[u.GroupID], u)
		}
	}
	for _, l := range r.locs {
		lp := LocationPlan{Location: l}
		for _, g := range r.groups {
			if g.LocationID == l.ID {
				gp := GroupPlan{Group: g, Families: families[g.ID], Sessions: byGroup[g.ID], Unplanned: unplanned[g.ID],
					BelowMinimum: g.EndedOn == nil && families[g.ID] < groupMin}
				gp.count(now)
				lp.Groups = append(lp.Groups, gp)
			}
		}
		sort.SliceStable(lp.Groups, func(i, j int) bool {
			a, b := lp.Groups[i].Sessions, lp.Groups[j].Sessions
			return len(a) > 0 && (len(b) == 0 || a[0].StartsAt.Before(b[0].StartsAt))
		})
		out.Locations = append(out.Locations, lp)
	}
	return nil
}

// loadUnplaced lists the babies the last run could not place by ref and
// returns their ids, for the audit.
func (out *PlanOverview) loadUnplaced(tx *gorm.DB, organisationID string) ([]string, error) {
	if out.Run == nil || len(out.Run.Unplaced) == 0 {
		return nil, nil
	}
	reasons := map[string]string{}
	ids := make([]string, 0, len(out.Run.Unplaced))
	for _, u := range out.Run.Unplaced {
		reasons[u.BabyID] = u.Reason
		ids = append(ids, u.BabyID)
	}
	var babies []Baby
	// Those who joined a group since, or are no longer enrolled, are placed or gone.
	if err := tx.Where("id IN ? AND organisation_id = ? AND status = ? AND id NOT IN (SELECT baby_id FROM group_members WHERE left_on IS NULL)",
		ids, organisationID, StatusEnrolled).Order("ref").Find(&babies).Error; err != nil {
		return nil, wrapRead(err, "unplaced babies")
	}
	shown := make([]string, 0, len(babies))
	for _, b := range babies {
		out.Unplaced = append(out.Unplaced, UnplacedBaby{BabyID: b.ID, Ref: b.Ref, LocationID: b.LocationID, Language: b.Language,
			BirthDate: b.BirthDate, Reason: reasons[b.ID]})
		shown = append(shown, b.ID)
	}
	return shown, nil
}

// count fills the group's session counts and its next session.
func (gp *GroupPlan) count(now time.Time) {
	for i := range gp.Sessions {
		s := &gp.Sessions[i]
		if s.Status == SessionCancelled || !s.StartsAt.After(now) {
			continue
		}
		if s.Status == SessionPlanned {
			gp.Planned++
		} else {
			gp.Published++
		}
		if gp.Next == nil || s.StartsAt.Before(*gp.Next) {
			t := s.StartsAt
			gp.Next = &t
		}
	}
}

// PlannedTotal is how many future sessions of the organisation are not yet published.
func (o *PlanOverview) PlannedTotal() int {
	n := 0
	for _, l := range o.Locations {
		for _, g := range l.Groups {
			n += g.Planned
		}
	}
	return n
}
