package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// JobRun records that a cron job ran for a slot (its scheduled time).
type JobRun struct {
	Job       string    `gorm:"primaryKey" json:"job"`
	Slot      time.Time `gorm:"primaryKey" json:"slot"`
	Replica   string    `json:"replica"`
	StartedAt time.Time `json:"started_at"`
	Detail    string    `json:"detail"`
}

// RunJob runs fn for job's slot once across every replica on the database: it
// takes a transaction-scoped advisory lock on PostgreSQL (SQLite has one writer
// anyway), claims the slot with a run record and calls fn in the same
// transaction. A slot that is claimed already is skipped (ran is false); a
// crash or error in fn rolls back the claim with everything fn wrote.
func (db *DB) RunJob(ctx context.Context, job string, slot time.Time, replica string, fn func(tx *Tx) (string, error)) (ran bool, err error) {
	slot = slot.UTC().Truncate(time.Second)
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7261003, hashtext(?))", job).Error; err != nil {
				return err
			}
		}
		run := JobRun{Job: job, Slot: slot, Replica: replica, StartedAt: db.Now()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&run)
		if res.Error != nil {
			return fmt.Errorf("store: claim %s slot: %w", job, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		detail, err := fn(&Tx{db: db, g: tx})
		if err != nil {
			return err
		}
		ran = true
		return tx.Model(&JobRun{}).Where("job = ? AND slot = ?", job, slot).Update("detail", detail).Error
	})
	return ran, err
}

// JobRuns lists the runs of job, oldest first.
func (db *DB) JobRuns(ctx context.Context, job string) ([]JobRun, error) {
	var runs []JobRun
	err := db.gorm.WithContext(ctx).Where("job = ?", job).Order("slot").Find(&runs).Error
	return runs, err
}

// LastJobRun returns the newest run of job, or nil.
func (db *DB) LastJobRun(ctx context.Context, job string) (*JobRun, error) {
	var runs []JobRun
	err := db.gorm.WithContext(ctx).Where("job = ?", job).Order("slot DESC").Limit(1).Find(&runs).Error
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}
