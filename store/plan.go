package store

import (
	"context"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Group is a CO group: babies born in the same period who meet at one location.
type Group struct {
	ID                  string   `gorm:"primaryKey" json:"id"`
	OrganisationID      string   `json:"organisation_id"`
	Name                string   `json:"name"` // unique within the organisation: "Musselkanaal · nov 2026 · Arabisch"
	LocationID          string   `json:"location_id"`
	RoomID              string   `json:"room_id"`
	LeadFacilitatorID   string   `json:"-"`
	SecondFacilitatorID string   `json:"-"`
	FacilitatorIDs      []string `gorm:"-" json:"facilitator_ids"`
	BabyIDs             []string `gorm:"-" json:"baby_ids"`
	// JoinedFrom names the members who joined late, with the first session
	// each attends; the others attend from session 1.
	JoinedFrom map[string]int `gorm:"-" json:"joined_from,omitempty"`
	// EndedOn is set when the group was merged into another (MergedInto) or
	// dissolved: it keeps its history, and nobody joins it any more.
	EndedOn    *civil.Date `json:"ended_on,omitempty"`
	MergedInto string      `json:"merged_into,omitempty"`
	// Provisional marks a group formed by due date from expected babies:
	// it has no sessions and the planner does not see it until it starts.
	Provisional bool      `json:"provisional,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName avoids GROUP, a reserved word.
func (Group) TableName() string { return "co_groups" }

// loaded fills the derived fields.
func (g *Group) loaded() {
	g.FacilitatorIDs = pairIDs(g.LeadFacilitatorID, g.SecondFacilitatorID)
}

func pairIDs(a, b string) []string {
	out := []string{}
	for _, id := range []string{a, b} {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// GroupMember is a baby's membership of a group; LeftOn is set when it ends.
// FromSession is the first session the baby attends: 1, or later for a baby
// who joined the running group.
type GroupMember struct {
	GroupID     string      `gorm:"primaryKey"`
	BabyID      string      `gorm:"primaryKey"`
	JoinedOn    civil.Date  ``
	LeftOn      *civil.Date ``
	FromSession int         ``
}

// SessionStatus is where a session stands.
type SessionStatus string

// Session statuses. Published and cancelled sessions, and those that have
// started, are fixed: a re-plan keeps them exactly.
const (
	SessionPlanned   SessionStatus = "planned"
	SessionPublished SessionStatus = "published"
	SessionCancelled SessionStatus = "cancelled"
)

// Session is one two-hour meeting of a group.
type Session struct {
	ID                   string        `gorm:"primaryKey" json:"id"`
	GroupID              string        `json:"group_id"`
	OrganisationID       string        `json:"organisation_id"`
	LocationID           string        `json:"location_id"`
	Number               int           `json:"number"`
	StartsAt             time.Time     `json:"start"`
	EndsAt               time.Time     `json:"end"`
	RoomID               string        `json:"room_id"`
	LeadFacilitatorID    string        `json:"-"`
	SecondFacilitatorID  string        `json:"-"`
	FacilitatorIDs       []string      `gorm:"-" json:"facilitator_ids"`
	InterpreterLanguages []string      `gorm:"serializer:json" json:"interpreter_languages"`
	Families             int           `json:"families"`
	Status               SessionStatus `json:"status"`
	Sequence             int           `json:"sequence"`
	ChangedAt            time.Time     `json:"changed_at"`
	CreatedAt            time.Time     `json:"-"`
	UpdatedAt            time.Time     `json:"-"`
}

// loaded fills the derived fields and shows times in Amsterdam.
func (s *Session) loaded() {
	s.FacilitatorIDs = pairIDs(s.LeadFacilitatorID, s.SecondFacilitatorID)
	s.StartsAt, s.EndsAt = s.StartsAt.In(civil.Amsterdam), s.EndsAt.In(civil.Amsterdam)
	if s.InterpreterLanguages == nil {
		s.InterpreterLanguages = []string{}
	}
}

// saving stores an empty language list as [], never NULL.
func (s *Session) saving() {
	if s.InterpreterLanguages == nil {
		s.InterpreterLanguages = []string{}
	}
}

// PlanRun records one planning run of one organisation: what it placed and what
// it could not.
type PlanRun struct {
	ID                string                     `gorm:"primaryKey" json:"id"`
	OrganisationID    string                     `json:"organisation_id"`
	At                time.Time                  `json:"at"`
	TokenID           string                     `json:"-"`
	Babies            int                        `json:"babies"`
	Placed            int                        `json:"placed"`
	GroupsCount       int                        `json:"groups"`
	SessionsCount     int                        `json:"sessions"`
	Unplaced          []planner.Unplaced         `gorm:"serializer:json" json:"unplaced"`
	UnplannedSessions []planner.UnplannedSession `gorm:"serializer:json" json:"unplanned_sessions"`
	Changes           PlanChanges                `gorm:"serializer:json" json:"changes"`
	Quality           *planner.Quality           `gorm:"serializer:json" json:"quality,omitempty"`
}

// PlanChanges is what one planning run changed, for the coordinator's
// summary: counts, and the groups and sessions by id.
type PlanChanges struct {
	NewGroups       []string `json:"new_groups"`
	Placed          int      `json:"placed"`           // babies in a group now who were in none before
	Left            int      `json:"left"`             // members who left a group (moved away, withdrew)
	NewSessions     int      `json:"new_sessions"`     // sessions planned for the first time
	MovedSessions   []string `json:"moved_sessions"`   // planned sessions whose time, room or facilitators changed
	RemovedSessions int      `json:"removed_sessions"` // planned sessions the plan no longer has
	BelowMinimum    []string `json:"below_minimum"`    // running groups with fewer families than group_min
}

// PlanOrganisations returns the organisations a plan run by a covers: the
// coordinator's own, or for an admin the one named or all.
func (db *DB) PlanOrganisations(ctx context.Context, a Actor, organisationID string) ([]string, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if organisationID != "" {
		if _, err := db.Organisation(ctx, a, organisationID); err != nil {
			return nil, err
		}
		return []string{organisationID}, nil
	}
	if !a.IsAdmin() {
		return []string{a.OrganisationID}, nil
	}
	var ids []string
	err := db.gorm.WithContext(ctx).Model(&Organisation{}).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// LatestPlanRun returns the newest run of an organisation, or nil.
func (db *DB) LatestPlanRun(ctx context.Context, a Actor, organisationID string) (*PlanRun, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.CanSeeOrganisation(organisationID) {
		return nil, notFound("organisation", organisationID)
	}
	return db.latestPlanRun(ctx, organisationID)
}

// latestPlanRun loads the newest run of an organisation without the columns
// in omit, or nil.
func (db *DB) latestPlanRun(ctx context.Context, organisationID string, omit ...string) (*PlanRun, error) {
	var runs []PlanRun
	q := db.gorm.WithContext(ctx).Where("organisation_id = ?", organisationID)
	if len(omit) > 0 {
		q = q.Omit(omit...)
	}
	err := q.Order("at DESC, id DESC").Limit(1).Find(&runs).Error
	if err != nil || len(runs) == 0 {
		return nil, wrapRead(err, "plan runs")
	}
	return &runs[0], nil
}

// PlanData is what the store holds for planning one organisation: its
// locations with rooms and blocks, its facilitators, the enrolled babies born
// by today, and its groups with their current members and sessions. Groups of
// locations handed over to another organisation stay as history and are left out.
type PlanData struct {
	Organisation Organisation
	Locations    []Location
	Rooms        []Room
	Blocks       []Block
	Facilitators []Facilitator
	Babies       []Baby
	Groups       []Group
	Members      []GroupMember
	Sessions     []Session
}

// PlanData loads what planning organisationID needs. It reads baby records:
// the caller audits the read.
func (tx *Tx) PlanData(organisationID string) (*PlanData, error) {
	o, err := tx.Organisation(organisationID)
	if err != nil {
		return nil, err
	}
	d := &PlanData{Organisation: *o}
	g := tx.g
	load := func(what string, q *gorm.DB, dst any) error {
		return wrapRead(q.Find(dst).Error, what)
	}
	if err := load("locations", g.Where("organisation_id = ?", organisationID).Order("id"), &d.Locations); err != nil {
		return nil, err
	}
	locIDs := make([]string, len(d.Locations))
	own := map[string]bool{}
	for i, l := range d.Locations {
		locIDs[i], own[l.ID] = l.ID, true
	}
	if err := load("rooms", g.Where("location_id IN ?", nonEmpty(locIDs)).Order("id"), &d.Rooms); err != nil {
		return nil, err
	}
	roomIDs := make([]string, len(d.Rooms))
	for i, r := range d.Rooms {
		roomIDs[i] = r.ID
	}
	if err := load("blocks", g.Where("room_id IN ?", nonEmpty(roomIDs)).Order("starts_at, id"), &d.Blocks); err != nil {
		return nil, err
	}
	if err := load("facilitators", g.Where("organisation_id = ?", organisationID).Order("id"), &d.Facilitators); err != nil {
		return nil, err
	}
	today := civil.Today(tx.Now())
	// An arriving record is planned once its organisation accepted it.
	if err := load("babies", g.Where("organisation_id = ? AND status = ? AND birth_date IS NOT NULL AND birth_date <= ? AND ref <> ''",
		organisationID, StatusEnrolled, today).Order("id"), &d.Babies); err != nil {
		return nil, err
	}
	var groups []Group
	if err := load("groups", g.Where("organisation_id = ?", organisationID).Order("id"), &groups); err != nil {
		return nil, err
	}
	kept, provisional := map[string]bool{}, map[string]bool{}
	for _, gr := range groups {
		if gr.Provisional {
			provisional[gr.ID] = true
			continue
		}
		if own[gr.LocationID] {
			d.Groups = append(d.Groups, gr)
			kept[gr.ID] = true
		}
	}
	var members []GroupMember
	if err := load("members", g.Where("left_on IS NULL AND group_id IN (SELECT id FROM co_groups WHERE organisation_id = ?)", organisationID).
		Order("group_id, baby_id"), &members); err != nil {
		return nil, err
	}
	var sessions []Session
	if err := load("sessions", g.Where("organisation_id = ?", organisationID).Order("group_id, number"), &sessions); err != nil {
		return nil, err
	}
	waitingProvisional := map[string]bool{} // members of a provisional group wait for it
	for _, m := range members {
		if kept[m.GroupID] {
			d.Members = append(d.Members, m)
		}
		if provisional[m.GroupID] {
			waitingProvisional[m.BabyID] = true
		}
	}
	if len(waitingProvisional) > 0 {
		babies := d.Babies[:0]
		for _, b := range d.Babies {
			if !waitingProvisional[b.ID] {
				babies = append(babies, b)
			}
		}
		d.Babies = babies
	}
	for _, s := range sessions {
		if kept[s.GroupID] {
			d.Sessions = append(d.Sessions, s)
		}
	}
	return d, nil
}

func nonEmpty(ids []string) []string {
	if len(ids) == 0 {
		return []string{""}
	}
	return ids
}

// Fixed reports whether a re-plan must keep s as it is: published, cancelled,
// or started by now.
func (s *Session) Fixed(now time.Time) bool {
	return s.Status != SessionPlanned || !s.StartsAt.After(now)
}

// SaveGroup inserts or updates a group.
func (tx *Tx) SaveGroup(g *Group) error {
	return wrapWrite(tx.g.Save(g).Error, "group", "id")
}

// DeleteGroup removes a group with its memberships and sessions.
func (tx *Tx) DeleteGroup(id string) error {
	for _, q := range []any{&Session{}, &GroupMember{}} {
		if err := tx.g.Where("group_id = ?", id).Delete(q).Error; err != nil {
			return wrapRead(err, "delete group")
		}
	}
	return wrapRead(tx.g.Delete(&Group{}, "id = ?", id).Error, "delete group")
}

// EndMembership records that a baby left a group on a day.
func (tx *Tx) EndMembership(groupID, babyID string, on civil.Date) error {
	return wrapRead(tx.g.Model(&GroupMember{}).Where("group_id = ? AND baby_id = ? AND left_on IS NULL", groupID, babyID).
		Update("left_on", on).Error, "end membership")
}

// StartMembership makes a baby a member of a group from a day, attending
// from session from on; a baby who rejoins a group it left gets its
// membership back.
func (tx *Tx) StartMembership(groupID, babyID string, on civil.Date, from int) error {
	if err := tx.g.Where("group_id = ? AND baby_id = ?", groupID, babyID).Delete(&GroupMember{}).Error; err != nil {
		return wrapRead(err, "start membership")
	}
	m := &GroupMember{GroupID: groupID, BabyID: babyID, JoinedOn: on, FromSession: max(1, from)}
	return wrapWrite(tx.g.Create(m).Error, "membership", "baby_id")
}

// Members lists the current members of a group, by baby id.
func (tx *Tx) Members(groupID string) ([]GroupMember, error) {
	var out []GroupMember
	err := tx.g.Where("group_id = ? AND left_on IS NULL", groupID).Order("baby_id").Find(&out).Error
	return out, wrapRead(err, "members")
}

// MembershipsOf lists the groups baby babyID is a member of now.
func (tx *Tx) MembershipsOf(babyID string) ([]GroupMember, error) {
	var out []GroupMember
	err := tx.g.Where("baby_id = ? AND left_on IS NULL", babyID).Order("group_id").Find(&out).Error
	return out, wrapRead(err, "memberships")
}

// GroupForUpdate loads and locks a group a may manage: an admin any, a
// coordinator its organisation's.
func (tx *Tx) GroupForUpdate(a Actor, id string) (*Group, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	return first[Group](tx.db.forUpdate(a.scopeOrganisation(tx.g.Where("id = ?", id), "organisation_id")), "group", id)
}

// GroupSessions lists a group's sessions in programme order.
func (tx *Tx) GroupSessions(groupID string) ([]Session, error) {
	var out []Session
	err := tx.g.Where("group_id = ?", groupID).Order("number").Find(&out).Error
	return out, wrapRead(err, "sessions")
}

// EndGroup records that a group ended on a day: merged into another, or
// dissolved when into is empty.
func (tx *Tx) EndGroup(id string, on civil.Date, into string) error {
	return wrapRead(tx.g.Model(&Group{}).Where("id = ?", id).
		Updates(map[string]any{"ended_on": on, "merged_into": into, "updated_at": tx.Now()}).Error, "end group")
}

// PublishPlanned makes every planned session of an organisation published.
func (tx *Tx) PublishPlanned(organisationID string) error {
	return wrapRead(tx.g.Model(&Session{}).Where("organisation_id = ? AND status = ?", organisationID, SessionPlanned).
		Updates(map[string]any{"status": SessionPublished, "changed_at": tx.Now()}).Error, "publish")
}

// CreatePlanRun records a planning run and replaces the organisation's
// waiting babies (why each waits) with the run's.
func (tx *Tx) CreatePlanRun(r *PlanRun) error {
	r.ID, r.At = NewID("run"), tx.Now()
	if r.Unplaced == nil {
		r.Unplaced = []planner.Unplaced{}
	}
	if r.UnplannedSessions == nil {
		r.UnplannedSessions = []planner.UnplannedSession{}
	}
	if err := tx.g.Create(r).Error; err != nil {
		return wrapWrite(err, "plan run", "id")
	}
	if err := tx.g.Where("organisation_id = ?", r.OrganisationID).Delete(&waitingBaby{}).Error; err != nil {
		return wrapWrite(err, "waiting babies", "")
	}
	if len(r.Unplaced) == 0 {
		return nil
	}
	rows := make([]waitingBaby, len(r.Unplaced))
	for i, u := range r.Unplaced {
		rows[i] = waitingBaby{BabyID: u.BabyID, OrganisationID: r.OrganisationID, RunID: r.ID, Reason: u.Reason}
	}
	// A baby who moved may still wait on another organisation's list: this run's reason is the newer.
	err := tx.g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "baby_id"}}, UpdateAll: true}).CreateInBatches(rows, 500).Error
	return wrapWrite(err, "waiting babies", "")
}

// waitingBaby is why a baby waits for a group, as of its organisation's last run.
type waitingBaby struct {
	BabyID         string `gorm:"primaryKey"`
	OrganisationID string
	RunID          string
	Reason         string
}

func (waitingBaby) TableName() string { return "waiting_babies" }

// GroupChoice is a running group as a form offers it.
type GroupChoice struct {
	ID, Name, LocationID string
}

// GroupChoices lists the running groups a coordinator may pick from, by name
// (a national organisation has hundreds: only what a choice shows is read).
func (db *DB) GroupChoices(ctx context.Context, a Actor) ([]GroupChoice, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	var out []GroupChoice
	err := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Group{}).Select("id", "name", "location_id").Where("ended_on IS NULL"), "organisation_id").
		Order("name, id").Find(&out).Error
	return out, wrapRead(err, "groups")
}

// CurrentGroups maps each of babyIDs that is in a group now to that group's
// id, name and location. The caller has read (and audited) the babies.
func (db *DB) CurrentGroups(ctx context.Context, babyIDs []string) (map[string]Group, error) {
	out := map[string]Group{}
	if len(babyIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		BabyID, GroupID, Name, LocationID, OrganisationID string
	}
	err := db.gorm.WithContext(ctx).Table("group_members AS m").
		Select("m.baby_id, m.group_id, g.name, g.location_id, g.organisation_id").
		Joins("JOIN co_groups g ON g.id = m.group_id").
		Where("m.baby_id IN ? AND m.left_on IS NULL", babyIDs).Scan(&rows).Error
	if err != nil {
		return nil, wrapRead(err, "memberships")
	}
	for _, r := range rows {
		out[r.BabyID] = Group{ID: r.GroupID, Name: r.Name, LocationID: r.LocationID, OrganisationID: r.OrganisationID}
	}
	return out, nil
}

// PlannedSessions lists the future sessions of an organisation (of one group
// when groupID is set) that are planned and not yet published.
func (tx *Tx) PlannedSessions(organisationID, groupID string) ([]Session, error) {
	q := tx.g.Where("organisation_id = ? AND status = ? AND starts_at > ?", organisationID, SessionPlanned, tx.Now())
	if groupID != "" {
		q = q.Where("group_id = ?", groupID)
	}
	var out []Session
	err := q.Order("starts_at, id").Find(&out).Error
	return out, wrapRead(err, "sessions")
}

// PublishSessions makes the sessions ids published: they go into the
// facilitators' calendars at the next publication of the feeds.
func (tx *Tx) PublishSessions(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return wrapRead(tx.g.Model(&Session{}).Where("id IN ? AND status = ?", ids, SessionPlanned).
		Updates(map[string]any{"status": SessionPublished, "changed_at": tx.Now()}).Error, "publish")
}

// CountPlanned counts the future sessions of a's organisations that are
// planned and not yet published.
func (db *DB) CountPlanned(ctx context.Context, a Actor) (int64, error) {
	var n int64
	err := a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Session{}), "organisation_id").
		Where("status = ? AND starts_at > ?", SessionPlanned, db.Now()).Count(&n).Error
	return n, wrapRead(err, "sessions")
}
