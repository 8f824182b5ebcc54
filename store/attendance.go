package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Attendance statuses of a family at a session.
const (
	Present        = "present"
	AbsentNotice   = "absent_notice" // absent, and said so beforehand
	AbsentNoNotice = "absent"
)

// ValidAttendance reports whether s is one of the three statuses.
func ValidAttendance(s string) bool { return s == Present || s == AbsentNotice || s == AbsentNoNotice }

// Attendance windows.
const (
	AttendanceByNurse = 14 * 24 * time.Hour // after the session's end; later only a coordinator
	AttendanceOverdue = 2 * 24 * time.Hour  // after the end without attendance: the nurse is reminded
)

// Attendance is one family's record at one session.
type Attendance struct {
	SessionID      string    `gorm:"primaryKey" json:"-"`
	BabyID         string    `gorm:"primaryKey" json:"baby_id"`
	OrganisationID string    `json:"-"`
	Status         string    `json:"status"`
	RecordedBy     string    `json:"-"`
	RecordedAt     time.Time `json:"recorded_at"`
}

// TableName is attendance.
func (Attendance) TableName() string { return "attendance" }

// AttendanceLine is a member of the session's group with what was recorded
// (Status empty: nothing yet).
type AttendanceLine struct {
	Member
	Status     string     `json:"status"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
}

// SessionAttendance is a session with the attendance of each family that
// belongs to it.
type SessionAttendance struct {
	Session *Session         `json:"session"`
	Lines   []AttendanceLine `json:"attendance"`
}

// ContactMoment is the JGZ contact moment a present family had at a
// session, for the child's file.
type ContactMoment struct {
	SessionID      string     `gorm:"primaryKey" json:"session_id"`
	BabyID         string     `gorm:"primaryKey" json:"baby_id"`
	OrganisationID string     `json:"organisation_id"`
	Date           civil.Date `json:"date"`
	Type           string     `json:"type"`
	Number         int        `json:"session_number"`
	FacilitatorIDs []string   `gorm:"serializer:json" json:"facilitator_ids"`
	RecordedAt     time.Time  `json:"-"`
	Ref            string     `gorm:"-" json:"ref"`
	StartsAt       time.Time  `gorm:"-" json:"start"`
	EndsAt         time.Time  `gorm:"-" json:"end"`
}

// sessionForAttendance reads the session a may record attendance of, with
// the refusals in the order a person meets them: unknown, not hers, not yet
// started, cancelled, too long ago for a nurse.
func (db *DB) sessionForAttendance(tx *gorm.DB, a Actor, id string, writing bool) (*Session, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleNurse); err != nil {
		return nil, err
	}
	s, err := first[Session](a.scopeSessions(tx.Where("id = ?", id)), "session", id)
	if err != nil {
		return nil, err
	}
	s.loaded()
	if !writing {
		return s, nil
	}
	now := db.Now()
	switch {
	case s.Status == SessionCancelled:
		return nil, Field("session", "cancelled", "the session was cancelled")
	case now.Before(s.StartsAt):
		return nil, Field("session", "not_started", "attendance is recorded from the start of the session")
	case a.Role == RoleNurse && now.After(s.EndsAt.Add(AttendanceByNurse)):
		return nil, &Error{Code: EForbidden, Message: "more than 14 days after the session, the coordinator changes attendance",
			Fields: []FieldError{{Field: "session", Code: "attendance_closed", Detail: "ask the coordinator"}}}
	}
	return s, nil
}

// sessionMembers are the families the session belongs to: members of its
// group from a session at or before this one who had not left before it.
func sessionMembers(tx *gorm.DB, s *Session, today civil.Date) ([]Member, error) {
	var rows []struct {
		GroupMember
		Ref       string
		BirthDate *civil.Date
		Language  string
	}
	day := civil.Today(s.StartsAt)
	err := tx.Table("group_members").Select("group_members.*, babies.ref, babies.birth_date, babies.language").
		Joins("JOIN babies ON babies.id = group_members.baby_id").
		Where("group_members.group_id = ? AND (group_members.left_on IS NULL OR group_members.left_on >= ?)", s.GroupID, day).
		Order("babies.birth_date, babies.id").Scan(&rows).Error
	if err != nil {
		return nil, wrapRead(err, "members")
	}
	var out []Member
	for _, r := range rows {
		if max(1, r.FromSession) > s.Number {
			continue
		}
		m := Member{BabyID: r.BabyID, Ref: r.Ref, Language: r.Language, FromSession: max(1, r.FromSession), JoinedOn: r.JoinedOn}
		if r.BirthDate != nil {
			m.BirthDate, m.AgeDays = *r.BirthDate, today.Sub(*r.BirthDate)
		}
		out = append(out, m)
	}
	return out, nil
}

// SessionAttendance reads the attendance of session id: every family that
// belongs to it, with its status. Each family shown is a logged read.
func (db *DB) SessionAttendance(ctx context.Context, a Actor, id string) (*SessionAttendance, error) {
	var out *SessionAttendance
	err := db.tx(ctx, func(tx *gorm.DB) error {
		s, err := db.sessionForAttendance(tx, a, id, false)
		if err != nil {
			return err
		}
		out, err = db.attendanceOf(tx, s)
		if err != nil || len(out.Lines) == 0 {
			return err
		}
		return db.audit(tx, a, s.OrganisationID, ActionRead, "baby", OutcomeSuccess, "attendance", lineIDs(out.Lines)...)
	})
	if err != nil {
		return nil, db.auditFailure(ctx, a, ActionRead, "baby", "", err)
	}
	return out, nil
}

func lineIDs(ls []AttendanceLine) []string {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.BabyID
	}
	return ids
}

func (db *DB) attendanceOf(tx *gorm.DB, s *Session) (*SessionAttendance, error) {
	members, err := sessionMembers(tx, s, db.Today())
	if err != nil {
		return nil, err
	}
	var recorded []Attendance
	if err := tx.Where("session_id = ?", s.ID).Find(&recorded).Error; err != nil {
		return nil, wrapRead(err, "attendance")
	}
	byBaby := map[string]Attendance{}
	for _, r := range recorded {
		byBaby[r.BabyID] = r
	}
	out := &SessionAttendance{Session: s, Lines: []AttendanceLine{}}
	for _, m := range members {
		l := AttendanceLine{Member: m}
		if r, ok := byBaby[m.BabyID]; ok {
			at := r.RecordedAt
			l.Status, l.RecordedAt = r.Status, &at
		}
		out.Lines = append(out.Lines, l)
	}
	return out, nil
}

// AttendanceEntry is one family's status as recorded.
type AttendanceEntry struct {
	BabyID string
	Status string
}

// RecordAttendance stores the attendance of session id for the families in
// entries: from the session's start until 14 days after its end by a nurse
// who facilitates it, later by a coordinator. Every entry is checked before
// anything is written (a baby not in the session's group, an unknown status,
// a family named twice: each named by its index). A present family gets the
// session's contact moment, a family no longer present loses it. Each family
// written is logged.
func (db *DB) RecordAttendance(ctx context.Context, a Actor, id string, entries []AttendanceEntry) (*SessionAttendance, error) {
	var out *SessionAttendance
	err := db.tx(ctx, func(tx *gorm.DB) error {
		s, err := db.sessionForAttendance(tx, a, id, true)
		if err != nil {
			return err
		}
		members, err := sessionMembers(tx, s, db.Today())
		if err != nil {
			return err
		}
		if err := checkEntries(entries, members); err != nil {
			return err
		}
		moment, err := db.contactMomentOf(tx, s)
		if err != nil {
			return err
		}
		now := db.Now()
		for _, e := range entries {
			if err := writeAttendance(tx, a, s, e, moment, now); err != nil {
				return err
			}
		}
		out, err = db.attendanceOf(tx, s)
		if err != nil {
			return err
		}
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.BabyID
		}
		return db.audit(tx, a, s.OrganisationID, ActionUpdate, "baby", OutcomeSuccess, "attendance", ids...)
	})
	if err != nil {
		return nil, db.auditFailure(ctx, a, ActionUpdate, "baby", "", err)
	}
	return out, nil
}

// checkEntries names every bad entry at once.
func checkEntries(entries []AttendanceEntry, members []Member) error {
	var f Fields
	if len(entries) == 0 {
		f.Add("attendance", "required", "name at least one family")
	}
	f.Limit("attendance", len(entries), 100)
	belongs := map[string]bool{}
	for _, m := range members {
		belongs[m.BabyID] = true
	}
	seen := map[string]bool{}
	for i, e := range entries {
		switch {
		case e.BabyID == "":
			f.Add(fmt.Sprintf("attendance[%d].baby_id", i), "required", "is required")
		case !belongs[e.BabyID]:
			f.Add(fmt.Sprintf("attendance[%d].baby_id", i), "not_member", "is not a family of this session's group")
		case seen[e.BabyID]:
			f.Add(fmt.Sprintf("attendance[%d].baby_id", i), "duplicate", "is named twice")
		}
		seen[e.BabyID] = true
		if !ValidAttendance(e.Status) {
			f.Add(fmt.Sprintf("attendance[%d].status", i), "attendance_status", "must be present, absent_notice or absent")
		}
	}
	return f.Err()
}

func writeAttendance(tx *gorm.DB, a Actor, s *Session, e AttendanceEntry, moment planner.ContactMoment, now time.Time) error {
	row := Attendance{SessionID: s.ID, BabyID: e.BabyID, OrganisationID: s.OrganisationID, Status: e.Status, RecordedBy: a.Who(), RecordedAt: now}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}, {Name: "baby_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "recorded_by", "recorded_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: record attendance: %w", err)
	}
	if e.Status != Present || moment.Type == "" {
		return tx.Where("session_id = ? AND baby_id = ?", s.ID, e.BabyID).Delete(&ContactMoment{}).Error
	}
	cm := ContactMoment{SessionID: s.ID, BabyID: e.BabyID, OrganisationID: s.OrganisationID, Date: civil.Today(s.StartsAt),
		Type: moment.Type, Number: s.Number, FacilitatorIDs: pairIDs(s.LeadFacilitatorID, s.SecondFacilitatorID), RecordedAt: now}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}, {Name: "baby_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"date", "type", "number", "facilitator_ids", "recorded_at"})}).Create(&cm).Error
}

// contactMomentOf is the contact moment session s stands for in its
// organisation's mapping.
func (db *DB) contactMomentOf(tx *gorm.DB, s *Session) (planner.ContactMoment, error) {
	mapping, err := contactMapOf(tx, s.OrganisationID)
	return planner.ContactMomentOf(mapping, s.Number), err
}

func contactMapOf(tx *gorm.DB, organisationID string) ([]planner.ContactMoment, error) {
	var raw []sql.NullString
	if err := tx.Model(&Organisation{}).Where("id = ?", organisationID).Pluck("contact_map", &raw).Error; err != nil {
		return nil, wrapRead(err, "contact moments of the organisation")
	}
	if len(raw) == 0 || !raw[0].Valid || raw[0].String == "" || raw[0].String == "null" {
		return planner.DefaultContactMoments, nil
	}
	var m []planner.ContactMoment
	if err := json.Unmarshal([]byte(raw[0].String), &m); err != nil {
		return nil, fmt.Errorf("store: contact moments of %s: %w", organisationID, err)
	}
	return m, nil
}

// ContactMomentFilter selects contact moments by date, both ends included.
type ContactMomentFilter struct {
	OrganisationID string
	From, To       civil.Date
}

// ContactMoments lists the contact moments of a's organisation (an admin's:
// every one, or one organisation's) in the period, by date and ref, for the
// child's file. It is an export of baby data: each family and the export
// itself (its period and row count) are logged.
func (db *DB) ContactMoments(ctx context.Context, a Actor, f ContactMomentFilter) ([]ContactMoment, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, db.auditFailure(ctx, a, ActionExport, "contact_moments", "", err)
	}
	out := []ContactMoment{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := a.scopeOrganisation(tx.Table("contact_moments AS c"), "c.organisation_id")
		if f.OrganisationID != "" {
			q = q.Where("c.organisation_id = ?", f.OrganisationID)
		}
		if f.From != 0 {
			q = q.Where("c.date >= ?", f.From)
		}
		if f.To != 0 {
			q = q.Where("c.date <= ?", f.To)
		}
		q = q.Select("c.session_id, c.baby_id, c.organisation_id, c.date, c.type, c.number, c.facilitator_ids, b.ref, s.starts_at, s.ends_at").
			Joins("JOIN babies b ON b.id = c.baby_id").Joins("JOIN sessions s ON s.id = c.session_id").Order("c.date, b.ref, c.session_id")
		var ids []string
		err := eachRow(q, "contact moments", func(rows *sql.Rows) error {
			var cm ContactMoment
			var facs string
			var start, end dbTime
			if err := rows.Scan(&cm.SessionID, &cm.BabyID, &cm.OrganisationID, &cm.Date, &cm.Type, &cm.Number, &facs, &cm.Ref, &start, &end); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(facs), &cm.FacilitatorIDs); err != nil {
				return err
			}
			cm.StartsAt, cm.EndsAt = start.Time.In(civil.Amsterdam), end.Time.In(civil.Amsterdam)
			out, ids = append(out, cm), append(ids, cm.BabyID)
			return nil
		})
		if err != nil {
			return err
		}
		period := fmt.Sprintf("contact moments %s..%s, %d rows", dateOr(f.From), dateOr(f.To), len(out))
		if len(ids) > 0 {
			if err := db.audit(tx, a, a.OrganisationID, ActionExport, "baby", OutcomeSuccess, period, dedupe(ids)...); err != nil {
				return err
			}
		}
		return db.audit(tx, a, a.OrganisationID, ActionExport, "contact_moments", OutcomeSuccess, period)
	})
	return out, err
}

func dateOr(d civil.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func dedupe(ids []string) []string {
	sort.Strings(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// FollowUp is a family that missed a session whose contact moment includes
// a vaccination or the doctor's check: the nurse plans an individual contact.
type FollowUp struct {
	BabyID    string     `json:"baby_id"`
	Ref       string     `json:"ref"`
	Language  string     `json:"language"`
	SessionID string     `json:"session_id"`
	GroupID   string     `json:"group_id"`
	Number    int        `json:"session_number"`
	Type      string     `json:"type"`
	Status    string     `json:"status"` // absent_notice or absent
	Date      civil.Date `json:"date"`
}

// FollowUps lists the families a may see who missed a follow-up session
// in the last 90 days and are still enrolled, the latest first. Each family
// shown is a logged read.
func (db *DB) FollowUps(ctx context.Context, a Actor) ([]FollowUp, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleNurse); err != nil {
		return nil, err
	}
	out := []FollowUp{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		mine := a.scopeSessions(tx.Model(&Session{}).Select("id"))
		q := tx.Table("attendance AS t").Joins("JOIN sessions ON sessions.id = t.session_id").Where("t.session_id IN (?)", mine).
			Joins("JOIN babies b ON b.id = t.baby_id").
			Select("t.baby_id, b.ref, b.language, t.session_id, sessions.group_id, t.status, sessions.organisation_id, sessions.number, sessions.starts_at").
			Where("t.status <> ? AND b.status = ? AND sessions.starts_at > ?", Present, StatusEnrolled, db.Now().AddDate(0, 0, -90)).
			Order("sessions.starts_at DESC, b.ref")
		type missed struct {
			BabyID, Ref, Language, SessionID, GroupID, Status, OrganisationID string
			Number                                                            int
			StartsAt                                                          dbTime
		}
		var rows []missed
		err := eachRow(q, "follow-ups", func(sr *sql.Rows) error {
			var r missed
			err := sr.Scan(&r.BabyID, &r.Ref, &r.Language, &r.SessionID, &r.GroupID, &r.Status, &r.OrganisationID, &r.Number, &r.StartsAt)
			rows = append(rows, r)
			return err
		})
		if err != nil {
			return err
		}
		maps := map[string][]planner.ContactMoment{}
		var ids []string
		for _, r := range rows {
			m, ok := maps[r.OrganisationID]
			if !ok {
				if m, err = contactMapOf(tx, r.OrganisationID); err != nil {
					return err
				}
				maps[r.OrganisationID] = m
			}
			cm := planner.ContactMomentOf(m, r.Number)
			if !cm.FollowUp {
				continue
			}
			out = append(out, FollowUp{BabyID: r.BabyID, Ref: r.Ref, Language: r.Language, SessionID: r.SessionID, GroupID: r.GroupID,
				Number: r.Number, Type: cm.Type, Status: r.Status, Date: civil.Today(r.StartsAt.Time)})
			ids = append(ids, r.BabyID)
		}
		if len(ids) == 0 {
			return nil
		}
		return db.audit(tx, a, a.OrganisationID, ActionList, "baby", OutcomeSuccess, "follow-ups", dedupe(ids)...)
	})
	return out, err
}

// OverdueAttendance lists the held sessions a may see that ended more than
// two days ago, and less than the 14 days in which a nurse records it,
// without any attendance recorded.
func (db *DB) OverdueAttendance(ctx context.Context, a Actor) ([]Session, error) {
	return overdue(a.scopeSessions(db.gorm.WithContext(ctx).Model(&Session{})), db.Now())
}

// overdue runs q, a query on sessions, for the held ones without
// attendance two days after they ended, while a nurse may still record it.
func overdue(q *gorm.DB, now time.Time) ([]Session, error) {
	out := []Session{}
	q = q.Where("status <> ? AND ends_at < ? AND ends_at > ?", SessionCancelled, now.Add(-AttendanceOverdue), now.Add(-AttendanceByNurse)).
		Where("NOT EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = sessions.id)").Order("starts_at, id")
	if err := q.Find(&out).Error; err != nil {
		return nil, wrapRead(err, "sessions without attendance")
	}
	for i := range out {
		out[i].loaded()
	}
	return out, nil
}

// OverdueAttendance lists, in tx, every held session of any organisation that
// ended more than two days ago without attendance, while its nurse may still
// record it (14 days): the daily reminder goes to its facilitators.
func (t *Tx) OverdueAttendance() ([]Session, error) {
	return overdue(t.g.Model(&Session{}), t.Now())
}

// ReportInput is what the reports count, for the organisations a covers:
// groups, memberships (with the family's language), sessions and
// attendance. It holds no ref and no birth date: a report counts families,
// it never names one.
type ReportInput struct {
	Groups     []Group
	Members    []ReportMember
	Sessions   []Session
	Attendance []Attendance
}

// ReportMember is a membership with the family's language.
type ReportMember struct {
	GroupID, BabyID, Language string
	FromSession               int
	LeftOn                    *civil.Date
}

// ReportInput reads the report's data for organisationID (a coordinator's
// own; an admin's, one or every organisation). Only counts leave it, so
// reading it is not a read of baby records; the report itself is audited by
// the caller.
func (db *DB) ReportInput(ctx context.Context, a Actor, organisationID string) (*ReportInput, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator); err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		organisationID = a.OrganisationID
	}
	in := &ReportInput{}
	err := db.Reading(ctx, func(t *Tx) error {
		scope := func(q *gorm.DB, col string) *gorm.DB {
			if organisationID != "" {
				return q.Where(col+" = ?", organisationID)
			}
			return q
		}
		if err := scope(t.g.Model(&Group{}), "organisation_id").Find(&in.Groups).Error; err != nil {
			return wrapRead(err, "groups")
		}
		q := scope(t.g.Table("group_members m").Joins("JOIN co_groups g ON g.id = m.group_id").Joins("JOIN babies b ON b.id = m.baby_id"), "g.organisation_id")
		if err := q.Select("m.group_id, m.baby_id, b.language, m.from_session, m.left_on").Scan(&in.Members).Error; err != nil {
			return wrapRead(err, "members")
		}
		if err := scope(t.g.Model(&Session{}), "organisation_id").Find(&in.Sessions).Error; err != nil {
			return wrapRead(err, "sessions")
		}
		for i := range in.Sessions {
			in.Sessions[i].loaded()
		}
		if err := scope(t.g.Model(&Attendance{}), "organisation_id").Find(&in.Attendance).Error; err != nil {
			return wrapRead(err, "attendance")
		}
		return nil
	})
	return in, err
}

// AuditReport logs a report or its download: its period and how many rows.
func (db *DB) AuditReport(ctx context.Context, a Actor, action, detail string) error {
	return db.audit(db.gorm.WithContext(ctx), a, a.OrganisationID, action, "report", OutcomeSuccess, detail)
}

// MarkInvitationsPrinted records that the invitations of sessions were
// opened for printing as they are now.
func (db *DB) MarkInvitationsPrinted(ctx context.Context, sessions []Session) error {
	if len(sessions) == 0 {
		return nil
	}
	now := db.Now()
	return db.tx(ctx, func(tx *gorm.DB) error {
		for _, s := range sessions {
			row := map[string]any{"session_id": s.ID, "sequence": s.Sequence, "printed_at": now}
			err := tx.Table("invitation_prints").Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"sequence", "printed_at"})}).Create(row).Error
			if err != nil {
				return fmt.Errorf("store: invitation prints: %w", err)
			}
		}
		return nil
	})
}

// Reprints lists the sessions ahead a may see whose invitations were
// printed before the session last changed (moved, re-staffed, cancelled).
func (db *DB) Reprints(ctx context.Context, a Actor) ([]Session, error) {
	out := []Session{}
	q := a.scopeSessions(db.gorm.WithContext(ctx).Model(&Session{})).
		Select("sessions.*").Joins("JOIN invitation_prints p ON p.session_id = sessions.id").
		Where("p.sequence < sessions.sequence AND sessions.ends_at > ?", db.Now()).Order("sessions.starts_at, sessions.id")
	if err := q.Find(&out).Error; err != nil {
		return nil, wrapRead(err, "reprints")
	}
	for i := range out {
		out[i].loaded()
	}
	return out, nil
}
