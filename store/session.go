package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// scopeSessions limits a query on sessions to those a may see: a nurse only the
// sessions it facilitates, location staff only those at its location.
func (a Actor) scopeSessions(q *gorm.DB) *gorm.DB {
	switch a.Role {
	case RoleAdmin:
		return q
	case RoleNurse:
		return q.Where("(lead_facilitator_id = ? OR second_facilitator_id = ?)", a.FacilitatorID, a.FacilitatorID)
	case RoleLocation:
		return q.Where("location_id = ?", a.LocationID)
	default:
		return q.Where("organisation_id = ?", a.OrganisationID)
	}
}

// SessionFilter selects sessions; From and To select those that start in [From, To).
type SessionFilter struct {
	From, To      time.Time
	LocationID    string
	FacilitatorID string
	GroupID       string
	Status        SessionStatus
	Page
}

// Sessions lists the sessions a may see, by start time. Sessions carry no baby
// data, so reading them is not audited.
func (db *DB) Sessions(ctx context.Context, a Actor, f SessionFilter) ([]Session, int64, error) {
	// This is the API's hottest read, so it is one hand-written query on the
	// connection pool: the total comes with the rows as a window count, and the
	// columns are scanned by hand. Only a page past the end counts on its own.
	w := &where{dialect: db.dialect}
	switch a.Role {
	case RoleAdmin:
	case RoleNurse:
		w.add("(lead_facilitator_id = ? OR second_facilitator_id = ?)", a.FacilitatorID, a.FacilitatorID)
	case RoleLocation:
		w.add("location_id = ?", a.LocationID)
	default:
		w.add("organisation_id = ?", a.OrganisationID)
	}
	if !f.From.IsZero() {
		w.add("starts_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("starts_at < ?", f.To.UTC())
	}
	if f.LocationID != "" {
		w.add("location_id = ?", f.LocationID)
	}
	if f.FacilitatorID != "" {
		w.add("(lead_facilitator_id = ? OR second_facilitator_id = ?)", f.FacilitatorID, f.FacilitatorID)
	}
	if f.GroupID != "" {
		w.add("group_id = ?", f.GroupID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	query := "SELECT " + sessionColumns + ", COUNT(*) OVER () AS total FROM sessions" + w.sql() +
		fmt.Sprintf(" ORDER BY starts_at, id LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	rows, err := db.sql.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	var total int64
	for rows.Next() {
		var s Session
		var langs string
		if err := rows.Scan(&s.ID, &s.GroupID, &s.OrganisationID, &s.LocationID, &s.Number, &s.StartsAt, &s.EndsAt, &s.RoomID,
			&s.LeadFacilitatorID, &s.SecondFacilitatorID, &langs, &s.Families, &s.Status, &s.Sequence, &s.ChangedAt, &total); err != nil {
			return nil, 0, fmt.Errorf("store: list sessions: %w", err)
		}
		if langs != "" && langs != "[]" {
			if err := json.Unmarshal([]byte(langs), &s.InterpreterLanguages); err != nil {
				return nil, 0, fmt.Errorf("store: session %s languages: %w", s.ID, err)
			}
		}
		s.loaded()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list sessions: %w", err)
	}
	if len(out) == 0 && f.Offset > 0 {
		if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions"+w.sql(), w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("store: count sessions: %w", err)
		}
	}
	return out, total, nil
}

// where builds a WHERE clause with the placeholders of the dialect.
type where struct {
	dialect Dialect
	parts   []string
	args    []any
}

// add appends a condition written with ? placeholders.
func (w *where) add(cond string, args ...any) {
	if w.dialect == Postgres {
		var b strings.Builder
		n := len(w.args)
		for _, r := range cond {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		cond = b.String()
	}
	w.parts = append(w.parts, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.parts, " AND ")
}

const sessionColumns = "id, group_id, organisation_id, location_id, number, starts_at, ends_at, room_id, " +
	"lead_facilitator_id, second_facilitator_id, interpreter_languages, families, status, sequence, changed_at"

// Session returns session id if a may see it.
func (db *DB) Session(ctx context.Context, a Actor, id string) (*Session, error) {
	return first[Session](a.scopeSessions(db.gorm.WithContext(ctx).Where("id = ?", id)), "session", id)
}

// GroupFilter selects groups.
type GroupFilter struct {
	OrganisationID string
	LocationID     string
	Page
}

// scopeGroups limits a query on groups to those a may see: a nurse those
// she facilitates (the group's pair, or a session of it that is not
// cancelled), a coordinator its organisation's; location staff none.
func (a Actor) scopeGroups(q *gorm.DB) *gorm.DB {
	switch a.Role {
	case RoleAdmin:
		return q
	case RoleNurse:
		f := a.FacilitatorID
		return q.Where("(lead_facilitator_id = ? OR second_facilitator_id = ? OR id IN (SELECT group_id FROM sessions WHERE status <> ? AND (lead_facilitator_id = ? OR second_facilitator_id = ?)))",
			f, f, SessionCancelled, f, f)
	case RoleCoordinator:
		return q.Where("organisation_id = ?", a.OrganisationID)
	}
	return q.Where("1 = 0")
}

// requireGroupAccess lets the roles that may see members through: admins,
// coordinators and nurses (their own groups); location staff see no baby data.
func (db *DB) requireGroupAccess(ctx context.Context, a Actor, action, id string) error {
	if a.Role == RoleNurse {
		return nil
	}
	return db.RequireBabyAccess(ctx, a, action, id)
}

// Groups lists groups with their current members. The member list is baby
// data: each member returned is logged as read.
func (db *DB) Groups(ctx context.Context, a Actor, f GroupFilter) ([]Group, int64, error) {
	if err := db.requireGroupAccess(ctx, a, ActionList, ""); err != nil {
		return nil, 0, err
	}
	var (
		groups []Group
		total  int64
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := a.scopeGroups(tx.Model(&Group{}))
		if f.OrganisationID != "" {
			q = q.Where("organisation_id = ?", f.OrganisationID)
		}
		if f.LocationID != "" {
			q = q.Where("location_id = ?", f.LocationID)
		}
		var err error
		groups, total, err = page[Group](q, f.Page, "location_id, id", "groups")
		if err != nil || len(groups) == 0 {
			return err
		}
		ids := make([]string, len(groups))
		index := map[string]int{}
		for i, g := range groups {
			ids[i], index[g.ID] = g.ID, i
			groups[i].BabyIDs = []string{}
		}
		var members []GroupMember
		if err := tx.Where("group_id IN ? AND left_on IS NULL", ids).Order("baby_id").Find(&members).Error; err != nil {
			return err
		}
		byOrg := map[string][]string{}
		for _, m := range members {
			g := &groups[index[m.GroupID]]
			g.BabyIDs = append(g.BabyIDs, m.BabyID)
			if m.FromSession > 1 {
				if g.JoinedFrom == nil {
					g.JoinedFrom = map[string]int{}
				}
				g.JoinedFrom[m.BabyID] = m.FromSession
			}
			byOrg[g.OrganisationID] = append(byOrg[g.OrganisationID], m.BabyID)
		}
		orgs := make([]string, 0, len(byOrg))
		for o := range byOrg {
			orgs = append(orgs, o)
		}
		sort.Strings(orgs)
		for _, o := range orgs {
			if err := db.audit(tx, a, o, ActionList, "baby", OutcomeSuccess, "group membership", byOrg[o]...); err != nil {
				return err
			}
		}
		return nil
	})
	return groups, total, err
}

// Member is a current member of a group as the group's nurse and
// coordinator see it: the ref, birth date, age and language, and the first
// session it attends.
type Member struct {
	BabyID      string     `json:"baby_id"`
	Ref         string     `json:"ref"`
	BirthDate   civil.Date `json:"birth_date"`
	AgeDays     int        `json:"age_days"`
	Language    string     `json:"language"`
	FromSession int        `json:"from_session"`
	JoinedOn    civil.Date `json:"joined_on"`
}

// GroupMembers lists the current members of group id, oldest first, for a
// coordinator of its organisation or a nurse who facilitates it; each
// member shown is a read of its record and audited as one.
func (db *DB) GroupMembers(ctx context.Context, a Actor, id string) ([]Member, error) {
	if err := db.requireGroupAccess(ctx, a, ActionRead, ""); err != nil {
		return nil, err
	}
	out := []Member{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		g, err := first[Group](a.scopeGroups(tx.Where("id = ?", id)), "group", id)
		if err != nil {
			return err
		}
		var rows []struct {
			GroupMember
			Ref       string
			BirthDate *civil.Date
			Language  string
		}
		err = tx.Table("group_members").Select("group_members.*, babies.ref, babies.birth_date, babies.language").
			Joins("JOIN babies ON babies.id = group_members.baby_id").
			Where("group_members.group_id = ? AND group_members.left_on IS NULL", id).
			Order("babies.birth_date, babies.id").Scan(&rows).Error
		if err != nil {
			return wrapRead(err, "members")
		}
		today := db.Today()
		var ids []string
		for _, r := range rows {
			m := Member{BabyID: r.BabyID, Ref: r.Ref, Language: r.Language, FromSession: max(1, r.FromSession), JoinedOn: r.JoinedOn}
			if r.BirthDate != nil {
				m.BirthDate, m.AgeDays = *r.BirthDate, today.Sub(*r.BirthDate)
			}
			out = append(out, m)
			ids = append(ids, r.BabyID)
		}
		if len(ids) == 0 {
			return db.audit(tx, a, g.OrganisationID, ActionRead, "baby", OutcomeSuccess, "group members of "+id+": none")
		}
		return db.audit(tx, a, g.OrganisationID, ActionRead, "baby", OutcomeSuccess, "group members of "+id, ids...)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionRead, "baby", "", err)
	}
	return out, err
}

// InterpreterNeed is a session that needs an interpreter: when, where, which languages.
type InterpreterNeed struct {
	SessionID    string    `json:"session_id"`
	GroupID      string    `json:"group_id"`
	GroupName    string    `json:"group_name"`
	Number       int       `json:"number"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	LocationID   string    `json:"location_id"`
	LocationName string    `json:"location_name"`
	RoomID       string    `json:"room_id"`
	RoomName     string    `json:"room_name"`
	Languages    []string  `json:"languages"`
	Families     int       `json:"families"`
}

// InterpreterNeeds lists the sessions in [from, to) that need an interpreter.
func (db *DB) InterpreterNeeds(ctx context.Context, a Actor, from, to time.Time) ([]InterpreterNeed, error) {
	sessions, _, err := db.Sessions(ctx, a, SessionFilter{From: from, To: to, Page: Page{Limit: 100000}})
	if err != nil {
		return nil, err
	}
	var locs []Location
	var rooms []Room
	g := db.gorm.WithContext(ctx)
	if err := g.Find(&locs).Error; err != nil {
		return nil, err
	}
	if err := g.Find(&rooms).Error; err != nil {
		return nil, err
	}
	var groups []Group
	if err := g.Select("id", "name").Find(&groups).Error; err != nil {
		return nil, err
	}
	groupName := map[string]string{}
	for _, gr := range groups {
		groupName[gr.ID] = gr.Name
	}
	locName, roomName := map[string]string{}, map[string]string{}
	for _, l := range locs {
		locName[l.ID] = l.Name
	}
	for _, r := range rooms {
		roomName[r.ID] = r.Name
	}
	out := []InterpreterNeed{}
	for _, s := range sessions {
		if s.Status == SessionCancelled || len(s.InterpreterLanguages) == 0 {
			continue
		}
		out = append(out, InterpreterNeed{SessionID: s.ID, GroupID: s.GroupID, GroupName: groupName[s.GroupID], Number: s.Number, Start: s.StartsAt, End: s.EndsAt,
			LocationID: s.LocationID, LocationName: locName[s.LocationID], RoomID: s.RoomID, RoomName: roomName[s.RoomID],
			Languages: s.InterpreterLanguages, Families: s.Families})
	}
	return out, nil
}

// Group reads one group a may see (see scopeGroups), without its members.
func (db *DB) Group(ctx context.Context, a Actor, id string) (*Group, error) {
	if err := db.requireGroupAccess(ctx, a, ActionRead, ""); err != nil {
		return nil, err
	}
	return first[Group](a.scopeGroups(db.gorm.WithContext(ctx).Where("id = ?", id)), "group", id)
}
