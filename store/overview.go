package store

import (
	"context"
	"database/sql"
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
	// Provisional are the groups formed by due date, apart from the
	// locations' groups: they have no sessions yet.
	Provisional []GroupPlan
	Unplaced    []UnplacedBaby // the first UnplacedShown
	// UnplacedTotal counts the babies still waiting since the last run, and
	// UnplacedByReason per reason (a code of planner.Unplaced).
	UnplacedTotal    int
	UnplacedByReason map[string]int
}

// LocationPlan is one location's groups.
type LocationPlan struct {
	Location Location
	Groups   []GroupPlan
}

// LocationTotals is what a location's groups add up to, for the plan page's
// one line per location.
type LocationTotals struct {
	Running   int        // groups not ended with sessions ahead
	Families  int        // in those groups
	Planned   int        // future sessions not yet published
	Published int        // future sessions in the calendars
	Attention int        // groups below the minimum or with sessions that found no slot
	Next      *time.Time // the location's next session
}

// Totals adds up the location's groups.
func (lp LocationPlan) Totals() LocationTotals {
	var t LocationTotals
	for _, g := range lp.Groups {
		if g.Group.EndedOn == nil && g.Next != nil {
			t.Running++
			t.Families += g.Families
		}
		t.Planned += g.Planned
		t.Published += g.Published
		if g.BelowMinimum && g.Next != nil || len(g.Unplanned) > 0 {
			t.Attention++
		}
		if g.Next != nil && (t.Next == nil || g.Next.Before(*t.Next)) {
			t.Next = g.Next
		}
	}
	return t
}

// GroupPlan is a group with the sessions ahead and the sessions that found no slot.
// BelowMinimum flags a running group with fewer families than a new group
// needs (after moves and leavings): the coordinator merges or dissolves it.
type GroupPlan struct {
	Group        Group
	Families     int
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
	Near       int // waiting babies at the location born within NearWindow days, itself included
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
	out := &PlanOverview{Organisation: *o, now: db.Now}
	// The run's own list of unplaced babies is its history; who waits now is in waiting_babies.
	if out.Run, err = db.latestPlanRun(ctx, organisationID, "unplaced"); err != nil {
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

// groupLines reads the organisation's groups with what the page counts of
// each, in one query: families, future sessions planned and published, and
// the next session (the database adds up a national organisation's thousand
// sessions instead of sending them).
func groupLines(tx *gorm.DB, organisationID string, now time.Time, groupMin int) ([]GroupPlan, error) {
	const lines = `SELECT g.id, g.name, g.location_id, g.ended_on, g.provisional,
	(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.left_on IS NULL),
	COALESCE(s.planned, 0), COALESCE(s.published, 0), s.next
FROM co_groups g LEFT JOIN (
	SELECT group_id,
		SUM(CASE WHEN status = ? AND starts_at > ? THEN 1 ELSE 0 END) AS planned,
		SUM(CASE WHEN status NOT IN (?, ?) AND starts_at > ? THEN 1 ELSE 0 END) AS published,
		MIN(CASE WHEN status <> ? AND starts_at > ? THEN starts_at END) AS next
	FROM sessions WHERE organisation_id = ? GROUP BY group_id) s ON s.group_id = g.id
WHERE g.organisation_id = ? ORDER BY g.id`
	now = now.UTC()
	var out []GroupPlan
	err := eachRow(tx.Raw(lines, SessionPlanned, now, SessionPlanned, SessionCancelled, now, SessionCancelled, now, organisationID, organisationID), "groups",
		func(rows *sql.Rows) error {
			var gp GroupPlan
			var next dbTime
			if err := rows.Scan(&gp.Group.ID, &gp.Group.Name, &gp.Group.LocationID, &gp.Group.EndedOn, &gp.Group.Provisional, &gp.Families, &gp.Planned, &gp.Published, &next); err != nil {
				return err
			}
			if next.Valid {
				t := next.Time.In(civil.Amsterdam)
				gp.Next = &t
			}
			gp.BelowMinimum = gp.Group.EndedOn == nil && !gp.Group.Provisional && gp.Families < groupMin
			out = append(out, gp)
			return nil
		})
	return out, err
}

// loadLocations fills, per location, its groups with their family counts,
// session counts and unplanned sessions, the next to meet first.
func (out *PlanOverview) loadLocations(tx *gorm.DB, organisationID string) error {
	var locs []Location
	if err := tx.Where("organisation_id = ?", organisationID).Order("name, id").Find(&locs).Error; err != nil {
		return wrapRead(err, "locations")
	}
	now := time.Now()
	if out.now != nil {
		now = out.now()
	}
	groups, err := groupLines(tx, organisationID, now, planner.GroupMin(&planner.Input{}, organisationID)) // the service plans with the default rules
	if err != nil {
		return err
	}
	unplanned := map[string][]planner.UnplannedSession{}
	if out.Run != nil {
		for _, u := range out.Run.UnplannedSessions {
			unplanned[u.GroupID] = append(unplanned[u.GroupID], u)
		}
	}
	byLocation := map[string][]GroupPlan{}
	for _, gp := range groups {
		if gp.Group.Provisional {
			out.Provisional = append(out.Provisional, gp)
			continue
		}
		gp.Unplanned = unplanned[gp.Group.ID]
		byLocation[gp.Group.LocationID] = append(byLocation[gp.Group.LocationID], gp)
	}
	for _, l := range locs {
		lp := LocationPlan{Location: l, Groups: byLocation[l.ID]}
		sort.SliceStable(lp.Groups, func(i, j int) bool { // the next to meet first
			a, b := lp.Groups[i].Next, lp.Groups[j].Next
			return a != nil && (b == nil || a.Before(*b))
		})
		out.Locations = append(out.Locations, lp)
	}
	return nil
}

// UnplacedShown bounds the babies the plan page lists by ref: the rest are
// counted per reason and listed on the baby list, page by page.
const UnplacedShown = 20

// loadUnplaced counts the babies the last run could not place who still
// wait (enrolled, in no group), per reason, and lists the first
// UnplacedShown (the oldest first: the first to age out of the programme)
// by ref; it returns the ids shown, for the audit.
func (out *PlanOverview) loadUnplaced(tx *gorm.DB, organisationID string) ([]string, error) {
	waiting := func() *gorm.DB {
		return tx.Table("waiting_babies AS w").Joins("JOIN babies b ON b.id = w.baby_id").
			Where("w.organisation_id = ? AND b.organisation_id = ? AND b.status = ?", organisationID, organisationID, StatusEnrolled).
			Where("NOT EXISTS (SELECT 1 FROM group_members m WHERE m.baby_id = b.id AND m.left_on IS NULL)")
	}
	var counts []struct {
		Reason string
		N      int
	}
	if err := waiting().Select("w.reason, COUNT(*) AS n").Group("w.reason").Scan(&counts).Error; err != nil {
		return nil, wrapRead(err, "waiting babies")
	}
	out.UnplacedByReason = map[string]int{}
	for _, c := range counts {
		out.UnplacedByReason[c.Reason] = c.N
		out.UnplacedTotal += c.N
	}
	if out.UnplacedTotal == 0 {
		return nil, nil
	}
	var shown []unplacedRecord
	err := eachRow(waiting().Select("b.id, b.ref, b.location_id, b.language, b.birth_date, w.reason").
		Order("b.birth_date IS NULL, b.birth_date, b.ref").Limit(UnplacedShown), "waiting babies", func(rows *sql.Rows) error {
		var b unplacedRecord
		err := rows.Scan(&b.ID, &b.Ref, &b.LocationID, &b.Language, &b.BirthDate, &b.Reason)
		shown = append(shown, b)
		return err
	})
	if err != nil {
		return nil, err
	}
	near, err := nearBirths(waiting, shown)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(shown))
	for i, b := range shown {
		out.Unplaced = append(out.Unplaced, UnplacedBaby{BabyID: b.ID, Ref: b.Ref, LocationID: b.LocationID, Language: b.Language,
			BirthDate: b.BirthDate, Reason: b.Reason, Near: near[i]})
		ids[i] = b.ID
	}
	return ids, nil
}

// unplacedRecord is what the page needs of a waiting baby.
type unplacedRecord struct {
	ID, Ref, LocationID, Language, Reason string
	BirthDate                             *civil.Date
}

// NearWindow is the birth window, in days, within which waiting babies at
// one location could form a group together (the planner's default).
var NearWindow = planner.BirthWindow(&planner.Input{}, "")

// nearBirths counts, for each shown baby, the waiting babies at the same
// location born within NearWindow days of it, itself included: it reads the
// birth dates of those around the shown ones only, not of every waiting baby.
func nearBirths(waiting func() *gorm.DB, shown []unplacedRecord) ([]int, error) {
	near := make([]int, len(shown))
	var locs []string
	var first, last civil.Date
	for _, b := range shown {
		if b.BirthDate == nil {
			continue
		}
		if len(locs) == 0 || *b.BirthDate < first {
			first = *b.BirthDate
		}
		if len(locs) == 0 || *b.BirthDate > last {
			last = *b.BirthDate
		}
		locs = append(locs, b.LocationID)
	}
	if len(locs) == 0 {
		return near, nil
	}
	births := map[string][]civil.Date{} // location -> birth dates around the shown
	err := eachRow(waiting().Select("b.location_id, b.birth_date").
		Where("b.location_id IN ? AND b.birth_date >= ? AND b.birth_date <= ?", locs, first.AddDays(-NearWindow), last.AddDays(NearWindow)),
		"waiting babies", func(rows *sql.Rows) error {
			var loc string
			var d civil.Date
			err := rows.Scan(&loc, &d)
			births[loc] = append(births[loc], d)
			return err
		})
	if err != nil {
		return nil, err
	}
	for i, b := range shown {
		if b.BirthDate == nil {
			continue
		}
		for _, d := range births[b.LocationID] {
			if d.Sub(*b.BirthDate) <= NearWindow && b.BirthDate.Sub(d) <= NearWindow {
				near[i]++
			}
		}
	}
	return near, nil
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
