package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
)

// Group is a CO group: babies born in the same period who meet at one location.
type Group struct {
	ID                  string    `gorm:"primaryKey" json:"id"`
	OrganisationID      string    `json:"organisation_id"`
	LocationID          string    `json:"location_id"`
	RoomID              string    `json:"room_id"`
	LeadFacilitatorID   string    `json:"-"`
	SecondFacilitatorID string    `json:"-"`
	FacilitatorIDs      []string  `gorm:"-" json:"facilitator_ids"`
	BabyIDs             []string  `gorm:"-" json:"baby_ids"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// TableName avoids GROUP, a reserved word.
func (Group) TableName() string { return "co_groups" }

// AfterFind fills the derived fields.
func (g *Group) AfterFind(*gorm.DB) error {
	g.FacilitatorIDs = pairIDs(g.LeadFacilitatorID, g.SecondFacilitatorID)
	return nil
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
type GroupMember struct {
	GroupID  string      `gorm:"primaryKey"`
	BabyID   string      `gorm:"primaryKey"`
	JoinedOn civil.Date  ``
	LeftOn   *civil.Date ``
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

// AfterFind fills the derived fields and shows times in Amsterdam.
func (s *Session) AfterFind(*gorm.DB) error {
	s.FacilitatorIDs = pairIDs(s.LeadFacilitatorID, s.SecondFacilitatorID)
	s.StartsAt, s.EndsAt = s.StartsAt.In(civil.Amsterdam), s.EndsAt.In(civil.Amsterdam)
	if s.InterpreterLanguages == nil {
		s.InterpreterLanguages = []string{}
	}
	return nil
}

// BeforeSave stores an empty language list as [], never NULL.
func (s *Session) BeforeSave(*gorm.DB) error {
	if s.InterpreterLanguages == nil {
		s.InterpreterLanguages = []string{}
	}
	return nil
}

// fixed reports whether a re-plan must keep s as it is.
func (s *Session) fixed(now time.Time) bool {
	return s.Status != SessionPlanned || !s.StartsAt.After(now)
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
}

// PlanOrganisations returns the organisations a plan run by a covers: the
// coordinator's own, or for an admin the one named or all.
func (db *DB) PlanOrganisations(ctx context.Context, a Actor, organisationID string) ([]string, error) {
	if err := a.require(RoleAdmin, RoleCoordinator); err != nil {
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

// RunPlan plans one organisation and stores the groups, memberships and
// sessions in one transaction. Published, cancelled and past sessions are
// passed to the planner as fixed and stay exactly as they are. With publish,
// every planned session becomes published.
func (db *DB) RunPlan(ctx context.Context, a Actor, organisationID string, publish bool) (*PlanRun, error) {
	if err := a.require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.canSeeOrganisation(organisationID) {
		return nil, notFound("organisation", organisationID)
	}
	var run *PlanRun
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			// One planning run per organisation at a time, across replicas.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7261002, hashtext(?))", organisationID).Error; err != nil {
				return err
			}
		}
		if _, err := first[Organisation](tx.Where("id = ?", organisationID), "organisation", organisationID); err != nil {
			return err
		}
		in, err := db.planInput(tx, organisationID)
		if err != nil {
			return err
		}
		plan, err := planner.Run(in.input)
		if err != nil {
			return fmt.Errorf("store: the stored data does not make a valid plan input: %w", err)
		}
		if err := db.savePlan(tx, in, plan); err != nil {
			return err
		}
		if publish {
			if err := tx.Model(&Session{}).Where("organisation_id = ? AND status = ?", organisationID, SessionPlanned).
				Updates(map[string]any{"status": SessionPublished, "changed_at": db.Now()}).Error; err != nil {
				return err
			}
		}
		run = &PlanRun{ID: NewID("run"), OrganisationID: organisationID, At: db.Now(), TokenID: a.TokenID,
			Babies: plan.Stats.Babies, Placed: plan.Stats.Placed, GroupsCount: plan.Stats.Groups, SessionsCount: plan.Stats.Sessions,
			Unplaced: plan.Unplaced, UnplannedSessions: plan.UnplannedSessions}
		if err := tx.Create(run).Error; err != nil {
			return err
		}
		return db.audit(tx, a, organisationID, ActionPlan, "plan_run", OutcomeSuccess,
			fmt.Sprintf("read %d baby records", len(in.input.Babies)), run.ID)
	})
	return run, err
}

// LatestPlanRun returns the newest run of an organisation, or nil.
func (db *DB) LatestPlanRun(ctx context.Context, a Actor, organisationID string) (*PlanRun, error) {
	if err := a.require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.canSeeOrganisation(organisationID) {
		return nil, notFound("organisation", organisationID)
	}
	var runs []PlanRun
	err := db.gorm.WithContext(ctx).Where("organisation_id = ?", organisationID).Order("at DESC, id DESC").Limit(1).Find(&runs).Error
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// planInput is a planner input built from the store, with what it came from.
type planInput struct {
	organisationID string
	input          *planner.Input
	groups         map[string]*Group
	members        map[string][]GroupMember // current members by group
	sessions       map[string]map[int]*Session
}

func (db *DB) planInput(tx *gorm.DB, organisationID string) (*planInput, error) {
	now := db.Now()
	pi := &planInput{organisationID: organisationID, groups: map[string]*Group{}, members: map[string][]GroupMember{},
		sessions: map[string]map[int]*Session{}}
	in := &planner.Input{Today: civil.Today(now).String(), Organisations: []planner.Organisation{{ID: organisationID}},
		Groups: []planner.ExistingGroup{}, FixedSessions: []planner.FixedSession{}}
	var locs []Location
	if err := tx.Where("organisation_id = ?", organisationID).Order("id").Find(&locs).Error; err != nil {
		return nil, err
	}
	locIDs := make([]string, len(locs))
	own := map[string]bool{}
	for i, l := range locs {
		locIDs[i] = l.ID
		own[l.ID] = true
	}
	var rooms []Room
	if err := tx.Where("location_id IN ?", nonEmpty(locIDs)).Order("id").Find(&rooms).Error; err != nil {
		return nil, err
	}
	roomIDs := make([]string, len(rooms))
	for i, r := range rooms {
		roomIDs[i] = r.ID
	}
	blocks, err := blocksOf(tx, roomIDs)
	if err != nil {
		return nil, err
	}
	horizonFrom, horizonTo := now.AddDate(0, 0, -1), now.AddDate(2, 0, 0)
	for _, l := range locs {
		pl := planner.Location{ID: l.ID, Name: l.Name, OrganisationID: organisationID, ShortStay: l.ShortStay, Rooms: []planner.Room{}}
		for _, c := range l.Catchment {
			if own[c] { // the planner groups within one organisation
				pl.Catchment = append(pl.Catchment, c)
			}
		}
		for _, r := range rooms {
			if r.LocationID == l.ID {
				pr := planner.Room{ID: r.ID, Capacity: r.Capacity, Open: weeklyOut(r.OpeningHours), Closed: rangesOut(r.Closures)}
				for _, b := range blocks[r.ID] {
					for _, o := range b.Occurrences(horizonFrom, horizonTo) {
						pr.Blocks = append(pr.Blocks, planner.TimeRange{Start: o.Start.Format(time.RFC3339), End: o.End.Format(time.RFC3339)})
					}
				}
				pl.Rooms = append(pl.Rooms, pr)
			}
		}
		in.Locations = append(in.Locations, pl)
	}
	var facs []Facilitator
	if err := tx.Where("organisation_id = ?", organisationID).Order("id").Find(&facs).Error; err != nil {
		return nil, err
	}
	for _, f := range facs {
		max := f.MaxSessionsPerWeek
		in.Facilitators = append(in.Facilitators, planner.Facilitator{ID: f.ID, OrganisationID: organisationID, Role: string(f.Role),
			COTrained: f.COTrained, Available: weeklyOut(f.Availability), Absent: rangesOut(f.Absences), MaxSessionsPerWeek: &max, Languages: f.Languages})
	}
	var babies []Baby
	if err := tx.Where("organisation_id = ? AND status = ? AND birth_date IS NOT NULL", organisationID, StatusEnrolled).
		Order("id").Find(&babies).Error; err != nil {
		return nil, err
	}
	today := civil.Today(now)
	for _, b := range babies {
		if *b.BirthDate > today {
			continue
		}
		in.Babies = append(in.Babies, planner.Baby{ID: b.ID, BirthDate: b.BirthDate.String(), LocationID: b.LocationID, Language: b.Language})
	}
	var groups []Group
	if err := tx.Where("organisation_id = ?", organisationID).Order("id").Find(&groups).Error; err != nil {
		return nil, err
	}
	var members []GroupMember
	if err := tx.Where("left_on IS NULL AND group_id IN (SELECT id FROM co_groups WHERE organisation_id = ?)", organisationID).
		Order("group_id, baby_id").Find(&members).Error; err != nil {
		return nil, err
	}
	var sessions []Session
	if err := tx.Where("organisation_id = ?", organisationID).Order("group_id, number").Find(&sessions).Error; err != nil {
		return nil, err
	}
	for _, m := range members {
		pi.members[m.GroupID] = append(pi.members[m.GroupID], m)
	}
	for i := range groups {
		g := &groups[i]
		if !own[g.LocationID] {
			continue // the location was handed over; its groups stay as history
		}
		pi.groups[g.ID] = g
		eg := planner.ExistingGroup{ID: g.ID, OrganisationID: organisationID, LocationID: g.LocationID, RoomID: g.RoomID,
			FacilitatorIDs: g.FacilitatorIDs, BabyIDs: []string{}}
		for _, m := range pi.members[g.ID] {
			eg.BabyIDs = append(eg.BabyIDs, m.BabyID)
		}
		in.Groups = append(in.Groups, eg)
	}
	for i := range sessions {
		s := &sessions[i]
		if pi.groups[s.GroupID] == nil {
			continue
		}
		if pi.sessions[s.GroupID] == nil {
			pi.sessions[s.GroupID] = map[int]*Session{}
		}
		pi.sessions[s.GroupID][s.Number] = s
		if s.fixed(now) {
			in.FixedSessions = append(in.FixedSessions, planner.FixedSession{GroupID: s.GroupID, Session: s.plannerSession()})
		}
	}
	pi.input = in
	return pi, nil
}

func nonEmpty(ids []string) []string {
	if len(ids) == 0 {
		return []string{""}
	}
	return ids
}

func weeklyOut(ws []civil.Weekly) []planner.Weekly {
	out := make([]planner.Weekly, len(ws))
	for i, w := range ws {
		out[i] = planner.Weekly{Weekday: w.Weekday, From: w.From.String(), To: w.To.String()}
	}
	return out
}

func rangesOut(rs []civil.Range) []planner.DateRange {
	out := make([]planner.DateRange, len(rs))
	for i, r := range rs {
		out[i] = planner.DateRange{From: r.From.String(), To: r.To.String()}
	}
	return out
}

func (s *Session) plannerSession() planner.Session {
	return planner.Session{Number: s.Number, Start: s.StartsAt.In(civil.Amsterdam).Format(time.RFC3339),
		End: s.EndsAt.In(civil.Amsterdam).Format(time.RFC3339), RoomID: s.RoomID,
		FacilitatorIDs: []string{s.LeadFacilitatorID, s.SecondFacilitatorID}, InterpreterLanguages: s.InterpreterLanguages}
}

// savePlan writes a plan over what the store held for the organisation.
func (db *DB) savePlan(tx *gorm.DB, pi *planInput, plan *planner.Plan) error {
	now := db.Now()
	today := civil.Today(now)
	kept := map[string]bool{}
	for _, pg := range plan.Groups {
		kept[pg.ID] = true
		g := pi.groups[pg.ID]
		if g == nil {
			g = &Group{ID: pg.ID, OrganisationID: pg.OrganisationID, LocationID: pg.LocationID}
		}
		g.RoomID = pg.RoomID
		g.LeadFacilitatorID, g.SecondFacilitatorID = at(pg.FacilitatorIDs, 0), at(pg.FacilitatorIDs, 1)
		if err := tx.Save(g).Error; err != nil {
			return fmt.Errorf("store: save group: %w", err)
		}
		current := map[string]bool{}
		for _, m := range pi.members[pg.ID] {
			current[m.BabyID] = true
			if !slices.Contains(pg.BabyIDs, m.BabyID) {
				if err := tx.Model(&GroupMember{}).Where("group_id = ? AND baby_id = ?", pg.ID, m.BabyID).Update("left_on", today).Error; err != nil {
					return err
				}
			}
		}
		for _, id := range pg.BabyIDs {
			if current[id] {
				continue
			}
			// A baby who rejoins a group it left gets its membership back.
			if err := tx.Where("group_id = ? AND baby_id = ?", pg.ID, id).Delete(&GroupMember{}).Error; err != nil {
				return err
			}
			if err := tx.Create(&GroupMember{GroupID: pg.ID, BabyID: id, JoinedOn: today}).Error; err != nil {
				return fmt.Errorf("store: add member: %w", err)
			}
		}
		planned := map[int]bool{}
		for _, ps := range pg.Sessions {
			planned[ps.Number] = true
			if err := db.saveSession(tx, pi, g, ps, len(pg.BabyIDs), now); err != nil {
				return err
			}
		}
		for n, s := range pi.sessions[pg.ID] {
			if !planned[n] && !s.fixed(now) {
				if err := tx.Delete(&Session{}, "id = ?", s.ID).Error; err != nil {
					return err
				}
			}
		}
	}
	for id := range pi.groups {
		if kept[id] {
			continue
		}
		hasFixed := false
		for _, s := range pi.sessions[id] {
			hasFixed = hasFixed || s.fixed(now)
		}
		if !hasFixed {
			if err := tx.Where("group_id = ?", id).Delete(&Session{}).Error; err != nil {
				return err
			}
			if err := tx.Where("group_id = ?", id).Delete(&GroupMember{}).Error; err != nil {
				return err
			}
			if err := tx.Delete(&Group{}, "id = ?", id).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}

// saveSession inserts or updates one planned session. A change of time, room
// or facilitators bumps its sequence, so calendar clients take the update.
func (db *DB) saveSession(tx *gorm.DB, pi *planInput, g *Group, ps planner.Session, families int, now time.Time) error {
	start, err1 := time.Parse(time.RFC3339, ps.Start)
	end, err2 := time.Parse(time.RFC3339, ps.End)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("store: planner wrote bad times %q %q", ps.Start, ps.End)
	}
	old := pi.sessions[g.ID][ps.Number]
	if old != nil && old.fixed(now) {
		return nil
	}
	s := &Session{ID: NewID("ses"), GroupID: g.ID, OrganisationID: g.OrganisationID, LocationID: g.LocationID, Number: ps.Number,
		Status: SessionPlanned, ChangedAt: now}
	if old != nil {
		s = old
	}
	moved := !s.StartsAt.Equal(start) || !s.EndsAt.Equal(end) || s.RoomID != ps.RoomID ||
		s.LeadFacilitatorID != at(ps.FacilitatorIDs, 0) || s.SecondFacilitatorID != at(ps.FacilitatorIDs, 1)
	if old != nil && !moved && slices.Equal(s.InterpreterLanguages, ps.InterpreterLanguages) && s.Families == families {
		return nil // unchanged: the feeds stay byte-identical
	}
	if old != nil && moved {
		s.Sequence++
	}
	s.StartsAt, s.EndsAt, s.RoomID = start.UTC(), end.UTC(), ps.RoomID
	s.LeadFacilitatorID, s.SecondFacilitatorID = at(ps.FacilitatorIDs, 0), at(ps.FacilitatorIDs, 1)
	s.InterpreterLanguages, s.Families, s.ChangedAt = ps.InterpreterLanguages, families, now
	if err := tx.Save(s).Error; err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}
