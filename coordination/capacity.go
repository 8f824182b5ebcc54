package coordination

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
)

// DefaultUptake is the share of families not yet asked that are expected to
// choose CO: about 40% where CO has run for years.
const DefaultUptake = 0.4

// Forecast runs the capacity forecast for the organisations a covers, or, with
// a what-if, for its one organisation with the what-if applied (nothing stored
// changes). Planner problems with the input come back as invalid fields.
func (s *Service) Forecast(ctx context.Context, a store.Actor, organisationID string, opt planner.ForecastOptions, what *planner.WhatIf) (*planner.Forecast, error) {
	if what != nil {
		organisationID = what.OrganisationID
	}
	orgs, err := s.db.PlanOrganisations(ctx, a, organisationID)
	if err != nil {
		return nil, err
	}
	out := &planner.Forecast{Organisations: []planner.OrgForecast{}, Locations: []planner.LocationAdvice{}}
	for _, id := range orgs {
		in, err := s.capacityInput(ctx, a, id, DefaultUptake)
		if err != nil {
			return nil, err
		}
		if what != nil {
			if in, err = what.Apply(in); err != nil {
				return nil, ProblemsAsFields(err)
			}
		}
		f, err := planner.Capacity(in, opt)
		if err != nil {
			return nil, ProblemsAsFields(err)
		}
		out.From, out.To, out.Period = f.From, f.To, f.Period
		out.Organisations = append(out.Organisations, f.Organisations...)
		out.Locations = append(out.Locations, f.Locations...)
	}
	sort.SliceStable(out.Locations, func(i, j int) bool { return out.Locations[i].ExpectedPerYear > out.Locations[j].ExpectedPerYear })
	return out, nil
}

// ProblemsAsFields turns planner problems into an invalid-fields error naming
// each path; other errors pass through.
func ProblemsAsFields(err error) error {
	var ps planner.Problems
	if !errors.As(err, &ps) {
		return err
	}
	var f store.Fields
	for _, p := range ps {
		f.Add(strings.TrimPrefix(p.Path, "$."), "invalid", "%s", p.Message)
	}
	return f.Err()
}

// capacityInput builds the forecast's input for one organisation: enrolled
// babies count 1, eligible babies and expected births the uptake rate,
// declined and withdrawn ones nothing; the facilitators the organisation said
// in its latest survey answer it will train count from the quarter it named.
// Reading the babies is audited as one row, like a planning run.
func (s *Service) capacityInput(ctx context.Context, a store.Actor, organisationID string, uptake float64) (*planner.Input, error) {
	if err := s.db.RequireBabyAccess(ctx, a, store.ActionPlan, ""); err != nil {
		return nil, err
	}
	var in *planner.Input
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		st, err := loadStored(tx, organisationID)
		if err != nil {
			return err
		}
		in = st.in
		in.Groups, in.FixedSessions, in.Babies = nil, nil, nil
		in.Organisations[0].Rules = &planner.Rules{UptakeRate: &uptake}
		babies, err := tx.CapacityBabies(organisationID)
		if err != nil {
			return err
		}
		addForecastBabies(in, babies, uptake, civil.Today(tx.Now()))
		answer, err := tx.LatestTrainingAnswer(organisationID)
		if err != nil {
			return err
		}
		if answer != nil {
			if from, ok := quarterStart(answer.StartQuarter); ok {
				in.Organisations[0].Training = []planner.Training{{From: from, Facilitators: answer.ToTrain}}
			}
		}
		return tx.Audit(a, organisationID, store.ActionPlan, "forecast", store.OutcomeSuccess, fmt.Sprintf("read %d baby records", len(babies)))
	})
	return in, err
}

// addForecastBabies adds born babies with their weight and expected births.
func addForecastBabies(in *planner.Input, babies []store.Baby, uptake float64, today civil.Date) {
	for _, b := range babies {
		weight := uptake
		if b.Status == store.StatusEnrolled {
			weight = 1
		}
		w := weight
		switch {
		case b.BirthDate != nil && *b.BirthDate <= today:
			in.Babies = append(in.Babies, planner.Baby{ID: b.ID, BirthDate: *b.BirthDate, LocationID: b.LocationID, Language: b.Language, Weight: &w})
		case b.ExpectedDate != nil:
			in.Expected = append(in.Expected, planner.ExpectedBirth{ID: b.ID, ExpectedDate: *b.ExpectedDate, LocationID: b.LocationID, Language: b.Language, Weight: weight})
		}
	}
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
