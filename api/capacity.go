package api

import (
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// forecastOptions reads from, to and period.
func forecastOptions(c *gin.Context) (planner.ForecastOptions, error) {
	var f store.Fields
	opt := planner.ForecastOptions{Period: c.DefaultQuery("period", "week")}
	if opt.Period != "week" && opt.Period != "month" {
		f.Add("period", "must be week or month")
	}
	for _, name := range []string{"from", "to"} {
		if v := c.Query(name); v != "" {
			d, err := civil.Parse(v)
			if err != nil {
				f.Add(name, "%s", err.Error())
			}
			if name == "from" {
				opt.From = d
			} else {
				opt.To = d
			}
		}
	}
	if opt.From != 0 && opt.To != 0 && opt.To <= opt.From {
		f.Add("to", "must be after from")
	} else if opt.From != 0 && opt.To != 0 && opt.To.Sub(opt.From) > 3*366 {
		f.Add("to", "a forecast covers at most three years")
	}
	return opt, f.Err()
}

// forecast runs the capacity forecast for the organisations the caller covers.
func (s *Server) forecast(c *gin.Context, org string, opt planner.ForecastOptions, what *planner.WhatIf) (*planner.Forecast, error) {
	ctx := c.Request.Context()
	a := actor(c)
	if what != nil {
		org = what.OrganisationID
	}
	orgs, err := s.db.PlanOrganisations(ctx, a, org)
	if err != nil {
		return nil, err
	}
	out := &planner.Forecast{Organisations: []planner.OrgForecast{}, Locations: []planner.LocationAdvice{}}
	for _, id := range orgs {
		in, err := s.db.CapacityInput(ctx, a, id, store.DefaultUptake)
		if err != nil {
			return nil, err
		}
		if what != nil {
			if in, err = what.Apply(in); err != nil {
				return nil, problemsAsFields(err)
			}
		}
		f, err := planner.Capacity(in, opt)
		if err != nil {
			return nil, problemsAsFields(err)
		}
		out.From, out.To, out.Period = f.From, f.To, f.Period
		out.Organisations = append(out.Organisations, f.Organisations...)
		out.Locations = append(out.Locations, f.Locations...)
	}
	sort.SliceStable(out.Locations, func(i, j int) bool { return out.Locations[i].ExpectedPerYear > out.Locations[j].ExpectedPerYear })
	return out, nil
}

// problemsAsFields turns planner problems into a 400 naming each path.
func problemsAsFields(err error) error {
	ps, ok := err.(planner.Problems)
	if !ok {
		return err
	}
	var f store.Fields
	for _, p := range ps {
		f.Add(strings.TrimPrefix(p.Path, "$."), "%s", p.Message)
	}
	return f.Err()
}

func (s *Server) getCapacity(c *gin.Context) {
	opt, err := forecastOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.forecast(c, c.Query("organisation_id"), opt, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	if strings.HasSuffix(c.FullPath(), ".csv") {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="capacity.csv"`)
		w := csv.NewWriter(c.Writer)
		_ = w.Write([]string{"organisation_id", "period", "start", "end", "participants", "groups_starting", "groups_running", "sessions",
			"facilitator_hours", "lead_hours", "room_hours", "interpreter_hours", "supply_facilitator_hours", "supply_lead_hours",
			"supply_room_hours", "utilisation", "shortfall"})
		num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
		for _, o := range f.Organisations {
			for _, p := range o.Periods {
				var interp []string
				for l, h := range p.InterpreterHours {
					interp = append(interp, l+"="+num(h))
				}
				sort.Strings(interp)
				_ = w.Write([]string{o.OrganisationID, p.Period, p.Start.String(), p.End.String(), num(p.Participants),
					strconv.Itoa(p.GroupsStarting), strconv.Itoa(p.GroupsRunning), strconv.Itoa(p.Sessions), num(p.FacilitatorHours),
					num(p.LeadHours), num(p.RoomHours), strings.Join(interp, " "), num(p.SupplyFacilitatorHours), num(p.SupplyLeadHours),
					num(p.SupplyRoomHours), num(p.Utilisation), strings.Join(p.Shortfall, " ")})
			}
		}
		w.Flush()
		return
	}
	c.JSON(http.StatusOK, f)
}

func (s *Server) whatIf(c *gin.Context) {
	var req planner.WhatIf
	if !s.decode(c, &req) {
		return
	}
	if req.OrganisationID == "" {
		s.fail(c, invalid("organisation_id", "is required"))
		return
	}
	opt, err := forecastOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.forecast(c, "", opt, &req)
	s.reply(c, http.StatusOK, f, err)
}
