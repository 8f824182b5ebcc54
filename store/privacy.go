package store

import (
	"context"
	"fmt"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Export is everything coplan holds on one baby, for a data subject's request.
type Export struct {
	Baby        Baby         `json:"baby"`
	Moves       []Move       `json:"moves"`
	Memberships []Membership `json:"memberships"`
	Sessions    []Session    `json:"sessions"`
	Access      []AuditEntry `json:"access_log"`
	ExportedAt  time.Time    `json:"exported_at"`
}

// Membership is a baby's place in a group.
type Membership struct {
	GroupID  string      `json:"group_id"`
	JoinedOn civil.Date  `json:"joined_on"`
	LeftOn   *civil.Date `json:"left_on,omitempty"`
}

// ExportBaby gathers everything held on baby id: the record, its moves, its
// group memberships with their sessions, and who read or changed it. The
// export itself is logged.
func (db *DB) ExportBaby(ctx context.Context, a Actor, id string) (*Export, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionExport, id); err != nil {
		return nil, err
	}
	var out *Export
	err := db.tx(ctx, func(tx *gorm.DB) error {
		b, err := first[Baby](a.scopeOrganisation(tx.Where("id = ?", id), "organisation_id"), "baby", id)
		if err != nil {
			return err
		}
		e := &Export{Baby: *b, Moves: []Move{}, Memberships: []Membership{}, Sessions: []Session{}, Access: []AuditEntry{}, ExportedAt: db.Now()}
		if err := tx.Where("baby_id = ?", id).Order("date, created_at").Find(&e.Moves).Error; err != nil {
			return err
		}
		var ms []GroupMember
		if err := tx.Where("baby_id = ?", id).Order("joined_on").Find(&ms).Error; err != nil {
			return err
		}
		for _, m := range ms {
			e.Memberships = append(e.Memberships, Membership{GroupID: m.GroupID, JoinedOn: m.JoinedOn, LeftOn: m.LeftOn})
			var ss []Session
			if err := tx.Where("group_id = ?", m.GroupID).Order("number").Find(&ss).Error; err != nil {
				return err
			}
			e.Sessions = append(e.Sessions, ss...)
		}
		if err := tx.Where("record_id = ?", id).Order("id").Find(&e.Access).Error; err != nil {
			return err
		}
		out = e
		return db.audit(tx, a, b.OrganisationID, ActionExport, "baby", OutcomeSuccess, "", id)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionExport, "baby", id, err)
	}
	return out, err
}

// Retention periods.
const (
	RetainAfterLastSession = 3  // months after the baby's group's last session
	RetainNeverGrouped     = 18 // months after birth (or the due date) for a baby never in a group
)

// RunRetention deletes, in tx, the baby records whose time is up: 3 months
// after the last session of their group, or 18 months after birth when they
// never joined a group. Moves and memberships go with them; the groups,
// sessions (with their family counts) and the audit log stay. Each deletion is
// audited. It returns the number of records deleted.
func (db *DB) runRetention(tx *gorm.DB) (int, error) {
	now := db.Now()
	today := civil.Today(now)
	var babies []Baby
	if err := tx.Order("id").Find(&babies).Error; err != nil {
		return 0, err
	}
	var members []GroupMember
	if err := tx.Find(&members).Error; err != nil {
		return 0, err
	}
	// The maximum is taken here: SQLite returns an aggregate of times as text.
	var sessions []Session
	if err := tx.Select("group_id", "ends_at").Where("status <> ?", SessionCancelled).Find(&sessions).Error; err != nil {
		return 0, err
	}
	lastOf := map[string]time.Time{}
	for _, s := range sessions {
		if s.EndsAt.After(lastOf[s.GroupID]) {
			lastOf[s.GroupID] = s.EndsAt
		}
	}
	groupsOf := map[string][]string{}
	for _, m := range members {
		groupsOf[m.BabyID] = append(groupsOf[m.BabyID], m.GroupID)
	}
	deleted := 0
	for _, b := range babies {
		expire := false
		if gs := groupsOf[b.ID]; len(gs) > 0 {
			var last time.Time
			for _, g := range gs {
				if lastOf[g].After(last) {
					last = lastOf[g]
				}
			}
			expire = !last.IsZero() && now.After(last.AddDate(0, RetainAfterLastSession, 0))
		} else {
			born := b.BirthDate
			if born == nil {
				born = b.ExpectedDate
			}
			expire = born != nil && today > born.AddMonths(RetainNeverGrouped)
		}
		if !expire {
			continue
		}
		if err := deleteBabyData(tx, b.ID); err != nil {
			return deleted, fmt.Errorf("store: retention: %w", err)
		}
		if err := tx.Where("baby_id = ?", b.ID).Delete(&GroupMember{}).Error; err != nil {
			return deleted, fmt.Errorf("store: retention: %w", err)
		}
		if err := tx.Delete(&Baby{}, "id = ?", b.ID).Error; err != nil {
			return deleted, fmt.Errorf("store: retention: %w", err)
		}
		if err := db.audit(tx, System, b.OrganisationID, ActionDelete, "baby", OutcomeSuccess, "retention period over", b.ID); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}

// RetentionJob is the name of the retention job in job_runs.
const RetentionJob = "retention"

// RunRetentionJob runs the retention for slot once across replicas.
func (db *DB) RunRetentionJob(ctx context.Context, slot time.Time, replica string) (int, bool, error) {
	var n int
	ran, err := db.RunJob(ctx, RetentionJob, slot, replica, func(tx *Tx) (string, error) {
		var err error
		n, err = db.runRetention(tx.g)
		if err == nil {
			err = tx.g.Where("created_at < ?", db.Now().Add(-IdempotencyTTL)).Delete(&IdempotentAnswer{}).Error
		}
		if err == nil {
			err = forgetSignIns(tx.g, db.Now())
		}
		return fmt.Sprintf("%d baby records deleted", n), err
	})
	return n, ran, err
}

// deleteBabyData removes what is kept about a baby besides its record and
// memberships: its moves (with their exception reasons) and the kept answers
// of requests about it.
func deleteBabyData(tx *gorm.DB, babyID string) error {
	for _, q := range []any{&Move{}, &IdempotentAnswer{}, &Attendance{}, &ContactMoment{}} {
		if err := tx.Where("baby_id = ?", babyID).Delete(q).Error; err != nil {
			return err
		}
	}
	return forgetHandovers(tx, babyID)
}

// forgetSignIns deletes what signing in leaves behind once it can no longer
// be used: requests older than the hour they are counted in (a day is kept
// for a look at abuse), links a day after they expired, ended sessions.
func forgetSignIns(tx *gorm.DB, now time.Time) error {
	if err := tx.Exec("DELETE FROM signin_requests WHERE at < ?", now.Add(-24*time.Hour)).Error; err != nil {
		return err
	}
	if err := tx.Where("expires_at < ?", now.Add(-24*time.Hour)).Delete(&signinLink{}).Error; err != nil {
		return err
	}
	return tx.Where("expires_at < ?", now).Delete(&UserSession{}).Error
}
