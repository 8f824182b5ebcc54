package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"gorm.io/gorm"
)

// DefaultUptake is the share of families not yet asked that are expected to
// choose CO: about 40% where CO has run for years.
const DefaultUptake = 0.4

// CapacityInput builds the forecast's input for one organisation: enrolled
// babies count 1, eligible babies and expected births the uptake rate,
// declined and withdrawn ones nothing; the facilitators the organisation said
// in its latest survey answer it will train count from the quarter it named.
// Reading the babies is logged as one row, like a planning run.
func (db *DB) CapacityInput(ctx context.Context, a Actor, organisationID string, uptake float64) (*planner.Input, error) {
	if err := db.requireBabyAccess(ctx, a, ActionPlan, ""); err != nil {
		return nil, err
	}
	if !a.canSeeOrganisation(organisationID) {
		return nil, notFound("organisation", organisationID)
	}
	var in *planner.Input
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := first[Organisation](tx.Where("id = ?", organisationID), "organisation", organisationID); err != nil {
			return err
		}
		pi, err := db.planInput(tx, organisationID)
		if err != nil {
			return err
		}
		in = pi.input
		in.Groups, in.FixedSessions, in.Babies = nil, nil, nil
		in.Organisations[0].Rules = &planner.Rules{UptakeRate: &uptake}
		var babies []Baby
		if err := tx.Where("organisation_id = ? AND status IN ?", organisationID, []BabyStatus{StatusEnrolled, StatusEligible}).
			Order("id").Find(&babies).Error; err != nil {
			return err
		}
		today := civil.Today(db.Now())
		for _, b := range babies {
			weight := uptake
			if b.Status == StatusEnrolled {
				weight = 1
			}
			w := weight
			switch {
			case b.BirthDate != nil && *b.BirthDate <= today:
				in.Babies = append(in.Babies, planner.Baby{ID: b.ID, BirthDate: b.BirthDate.String(), LocationID: b.LocationID, Language: b.Language, Weight: &w})
			case b.ExpectedDate != nil:
				in.Expected = append(in.Expected, planner.ExpectedBirth{ID: b.ID, ExpectedDate: b.ExpectedDate.String(), LocationID: b.LocationID, Language: b.Language, Weight: weight})
			}
		}
		var rs []SurveyResponse
		if err := tx.Where("organisation_id = ? AND to_train > 0", organisationID).Order("updated_at DESC").Limit(1).Find(&rs).Error; err != nil {
			return err
		}
		if len(rs) > 0 {
			if from, ok := quarterStart(rs[0].StartQuarter); ok {
				in.Organisations[0].Training = []planner.Training{{From: from.String(), Facilitators: rs[0].ToTrain}}
			}
		}
		return db.audit(tx, a, organisationID, ActionPlan, "forecast", OutcomeSuccess,
			fmt.Sprintf("read %d baby records", len(babies)))
	})
	return in, err
}

// quarterStart turns "2027-Q3" into 2027-07-01.
func quarterStart(q string) (civil.Date, bool) {
	y, n, ok := strings.Cut(q, "-Q")
	year, err1 := strconv.Atoi(y)
	quarter, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || quarter < 1 || quarter > 4 {
		return 0, false
	}
	return civil.New(year, time.Month(3*(quarter-1)+1), 1), true
}
