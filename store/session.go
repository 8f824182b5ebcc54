package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coplan/coplan/planner"
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
		s.AfterFind(nil)
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

// Groups lists groups with their current members. The member list is baby
// data: each member returned is logged as read.
func (db *DB) Groups(ctx context.Context, a Actor, f GroupFilter) ([]Group, int64, error) {
	if err := db.requireBabyAccess(ctx, a, ActionList, ""); err != nil {
		return nil, 0, err
	}
	var (
		groups []Group
		total  int64
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := a.scopeOrganisation(tx.Model(&Group{}), "organisation_id")
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

// SessionChange is a manual change of a session; nil fields stay.
type SessionChange struct {
	Start          *time.Time
	RoomID         *string
	FacilitatorIDs []string
	Status         *SessionStatus
}

// UpdateSession applies a coordinator's change to a session after checking
// every hard rule the planner keeps: what the change would break that was not
// broken before is refused, a double booking or weekly limit with 409 and any
// other rule with 422. The change is audited and bumps the sequence.
func (db *DB) UpdateSession(ctx context.Context, a Actor, id string, ch SessionChange) (*Session, error) {
	if err := a.require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	var out *Session
	err := db.tx(ctx, func(tx *gorm.DB) error {
		s, err := first[Session](db.forUpdate(a.scopeSessions(tx.Where("id = ?", id))), "session", id)
		if err != nil {
			return err
		}
		if db.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7261002, hashtext(?))", s.OrganisationID).Error; err != nil {
				return err
			}
		}
		before := *s
		var changed []string
		if ch.Start != nil && !ch.Start.Equal(s.StartsAt) {
			if !ch.Start.After(db.Now()) {
				return &Error{Code: EUnprocessable, Message: "a session cannot be moved into the past",
					Fields: []FieldError{{Field: "start", Detail: "is not in the future"}}}
			}
			length := s.EndsAt.Sub(s.StartsAt)
			s.StartsAt, s.EndsAt = ch.Start.UTC(), ch.Start.Add(length).UTC()
			changed = append(changed, "start")
		}
		if ch.RoomID != nil && *ch.RoomID != s.RoomID {
			s.RoomID = *ch.RoomID
			changed = append(changed, "room_id")
		}
		if ch.FacilitatorIDs != nil && !slices.Equal(ch.FacilitatorIDs, s.FacilitatorIDs) {
			if len(ch.FacilitatorIDs) != 2 {
				return &Error{Code: EInvalid, Message: "the request has invalid fields",
					Fields: []FieldError{{Field: "facilitator_ids", Detail: "must name exactly 2 facilitators"}}}
			}
			s.LeadFacilitatorID, s.SecondFacilitatorID = ch.FacilitatorIDs[0], ch.FacilitatorIDs[1]
			changed = append(changed, "facilitator_ids")
		}
		if ch.Status != nil && *ch.Status != s.Status {
			switch *ch.Status {
			case SessionPublished, SessionCancelled, SessionPlanned:
			default:
				return &Error{Code: EInvalid, Message: "the request has invalid fields",
					Fields: []FieldError{{Field: "status", Detail: "must be planned, published or cancelled"}}}
			}
			s.Status = *ch.Status
			changed = append(changed, "status")
		}
		if len(changed) == 0 {
			out = s
			return nil
		}
		if s.Status != SessionCancelled && (ch.Start != nil || ch.RoomID != nil || ch.FacilitatorIDs != nil) {
			if err := db.checkSessionChange(tx, &before, s); err != nil {
				return err
			}
		}
		s.Sequence++
		s.ChangedAt = db.Now()
		if err := tx.Select("*").Omit("created_at").Save(s).Error; err != nil {
			return fmt.Errorf("store: save session: %w", err)
		}
		if err := db.audit(tx, a, s.OrganisationID, ActionUpdate, "session", OutcomeSuccess, "changed: "+strings.Join(changed, ","), s.ID); err != nil {
			return err
		}
		if err := db.noticeFacilitators(tx, &before, s); err != nil {
			return err
		}
		s.AfterFind(tx)
		out = s
		return nil
	})
	return out, err
}

// checkSessionChange runs the planner's independent checker on the
// organisation's stored plan before and after the change and refuses what the
// change newly breaks.
func (db *DB) checkSessionChange(tx *gorm.DB, before, after *Session) error {
	pi, err := db.planInput(tx, after.OrganisationID)
	if err != nil {
		return err
	}
	in := pi.input
	in.FixedSessions = nil // check every session against every rule
	facLangs := map[string][]string{}
	for _, f := range in.Facilitators {
		facLangs[f.ID] = f.Languages
	}
	babyLang := map[string]string{}
	for _, b := range in.Babies {
		babyLang[b.ID] = b.Language
	}
	build := func(changed *Session) *planner.Plan {
		return pi.storedPlan(func(s *Session, ps *planner.Session, members []string) *Session {
			if s.ID != changed.ID {
				return s
			}
			*ps = changed.plannerSession()
			ps.InterpreterLanguages = interpreterNeeds(members, babyLang, facLangs[changed.LeadFacilitatorID], facLangs[changed.SecondFacilitatorID])
			return changed
		})
	}
	old := map[string]bool{}
	for _, v := range planner.Check(in, build(before)) {
		old[v] = true
	}
	var conflicts, broken []FieldError
	for _, v := range planner.Check(in, build(after)) {
		if old[v] || strings.Contains(v, "within the notice period") || strings.Contains(v, "neither placed nor listed") {
			continue // the notice period binds the planner, not a coordinator's hand
		}
		field := "start"
		switch {
		case strings.Contains(v, "room "):
			field = "room_id"
		case strings.Contains(v, "facilitator"):
			field = "facilitator_ids"
		}
		fe := FieldError{Field: field, Detail: v}
		if strings.Contains(v, "booked twice") || strings.Contains(v, "sessions in one week") {
			conflicts = append(conflicts, fe)
		} else {
			broken = append(broken, fe)
		}
	}
	if len(conflicts) > 0 {
		return &Error{Code: EConflict, Message: "the change clashes with another booking", Fields: append(conflicts, broken...)}
	}
	if len(broken) > 0 {
		return &Error{Code: EUnprocessable, Message: "the change breaks a planning rule", Fields: broken}
	}
	after.InterpreterLanguages = interpreterNeeds(membersOf(pi, after.GroupID), babyLang, facLangs[after.LeadFacilitatorID], facLangs[after.SecondFacilitatorID])
	return nil
}

func membersOf(pi *planInput, groupID string) []string {
	var ids []string
	for _, m := range pi.members[groupID] {
		ids = append(ids, m.BabyID)
	}
	return ids
}

// storedPlan is the organisation's stored plan as the planner writes one, for
// planner.Check: every group with its current members and sessions that are not
// cancelled. each, when set, may stand another session in for a stored one (a
// change under test); it gets the stored session, its planner form and the
// group's members, and returns the session that counts.
func (pi *planInput) storedPlan(each func(s *Session, ps *planner.Session, members []string) *Session) *planner.Plan {
	p := &planner.Plan{Unplaced: []planner.Unplaced{}}
	for gid, g := range pi.groups {
		pg := planner.Group{ID: gid, OrganisationID: g.OrganisationID, LocationID: g.LocationID, RoomID: g.RoomID,
			FacilitatorIDs: g.FacilitatorIDs, BabyIDs: []string{}}
		for _, m := range pi.members[gid] {
			pg.BabyIDs = append(pg.BabyIDs, m.BabyID)
		}
		numbers := make([]int, 0, len(pi.sessions[gid]))
		for n := range pi.sessions[gid] {
			numbers = append(numbers, n)
		}
		sort.Ints(numbers)
		for _, n := range numbers {
			s := pi.sessions[gid][n]
			ps := s.plannerSession()
			if each != nil {
				s = each(s, &ps, pg.BabyIDs)
			}
			if s.Status != SessionCancelled {
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

// interpreterNeeds are the members' languages neither facilitator speaks, sorted.
func interpreterNeeds(members []string, babyLang map[string]string, a, b []string) []string {
	out := []string{}
	for _, id := range members {
		l := babyLang[id]
		if l != "" && !slices.Contains(a, l) && !slices.Contains(b, l) && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// InterpreterNeed is a session that needs an interpreter: when, where, which languages.
type InterpreterNeed struct {
	SessionID    string    `json:"session_id"`
	GroupID      string    `json:"group_id"`
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
		out = append(out, InterpreterNeed{SessionID: s.ID, GroupID: s.GroupID, Number: s.Number, Start: s.StartsAt, End: s.EndsAt,
			LocationID: s.LocationID, LocationName: locName[s.LocationID], RoomID: s.RoomID, RoomName: roomName[s.RoomID],
			Languages: s.InterpreterLanguages, Families: s.Families})
	}
	return out, nil
}
