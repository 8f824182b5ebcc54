package api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// forecastOptions reads from, to and period.
func forecastOptions(c *gin.Context) (planner.ForecastOptions, error) {
	var f store.Fields
	opt := planner.ForecastOptions{Period: c.DefaultQuery("period", "week")}
	if opt.Period != "week" && opt.Period != "month" {
		f.Add("period", "choice", "must be week or month")
	}
	for _, name := range []string{"from", "to"} {
		if v := c.Query(name); v != "" {
			d, err := civil.Parse(v)
			if err != nil {
				f.Add(name, "date", "%s", err.Error())
			}
			if name == "from" {
				opt.From = d
			} else {
				opt.To = d
			}
		}
	}
	if opt.From != 0 && opt.To != 0 && opt.To <= opt.From {
		f.Add("to", "after_from", "must be after from")
	} else if opt.From != 0 && opt.To != 0 && opt.To.Sub(opt.From) > 3*366 {
		f.Add("to", "period_too_long", "a forecast covers at most three years")
	}
	return opt, f.Err()
}

// forecast runs the capacity forecast for the organisations the caller covers.
func (s *Server) forecast(c *gin.Context, org string, opt planner.ForecastOptions, what *planner.WhatIf) (*planner.Forecast, error) {
	return s.uc.Forecast(c.Request.Context(), actor(c), org, opt, what)
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
		orgs, _, err := s.db.Organisations(c.Request.Context(), actor(c), store.Page{Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		names := map[string]string{}
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
		writeCSV(c, capacitySheet(lang(c), f, names))
		return
	}
	c.JSON(http.StatusOK, f)
}

// whatIfRequest is the body of a what-if; times are strings so that a bad
// one is named by its field.
type whatIfRequest struct {
	OrganisationID    string   `json:"organisation_id"`
	UptakeRate        *float64 `json:"uptake_rate"`
	ExtraFacilitators int      `json:"extra_facilitators"`
	HoursPerWeek      float64  `json:"hours_per_week"`
	ExtraRoom         *struct {
		LocationID string `json:"location_id"`
		Capacity   int    `json:"capacity"`
		From       string `json:"from"`
		To         string `json:"to"`
	} `json:"extra_room"`
	Catchment *struct {
		HubID       string   `json:"hub_id"`
		LocationIDs []string `json:"location_ids"`
	} `json:"catchment"`
}

func (r *whatIfRequest) whatIf() (*planner.WhatIf, error) {
	var f store.Fields
	if r.OrganisationID == "" {
		f.Add("organisation_id", "required", "is required")
	}
	w := &planner.WhatIf{OrganisationID: r.OrganisationID, UptakeRate: r.UptakeRate, ExtraFacilitators: r.ExtraFacilitators, HoursPerWeek: r.HoursPerWeek}
	if x := r.ExtraRoom; x != nil {
		w.ExtraRoom = &planner.ExtraRoom{LocationID: x.LocationID, Capacity: x.Capacity}
		w.ExtraRoom.From = clockField(&f, "extra_room.from", x.From)
		w.ExtraRoom.To = clockField(&f, "extra_room.to", x.To)
	}
	if c := r.Catchment; c != nil {
		w.Catchment = &planner.CatchmentChange{HubID: c.HubID, LocationIDs: c.LocationIDs}
	}
	return w, f.Err()
}

// clockField parses an optional HH:MM, recording a problem with field.
func clockField(f *store.Fields, field, s string) *civil.Clock {
	if s == "" {
		return nil
	}
	c, err := civil.ParseClock(s)
	if err != nil {
		f.Add(field, "clock", "%s", err.Error())
		return nil
	}
	return &c
}

func (s *Server) whatIf(c *gin.Context) {
	var req whatIfRequest
	if !s.decode(c, &req) {
		return
	}
	what, err := req.whatIf()
	if err != nil {
		s.fail(c, err)
		return
	}
	opt, err := forecastOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.forecast(c, "", opt, what)
	s.reply(c, http.StatusOK, f, err)
}

func (r *whatIfRequest) limits(f *store.Fields) {
	if r.Catchment != nil {
		f.Limit("catchment.location_ids", len(r.Catchment.LocationIDs), store.MaxCatchment)
	}
}

// capacitySheet is the forecast as a table, a row per organisation and period.
func capacitySheet(l string, f *planner.Forecast, names map[string]string) *sheet {
	sh := &sheet{name: "capacity", cols: []string{"organisation_id", "organisation", "period", "start", "end", "participants", "groups_starting",
		"groups_running", "sessions", "facilitator_hours", "lead_hours", "room_hours", "interpreter_hours", "supply_facilitator_hours",
		"supply_lead_hours", "supply_room_hours", "utilisation", "shortfall"}}
	for _, o := range f.Organisations {
		for _, p := range o.Periods {
			var interp []string
			for _, code := range sortedLanguages(p.InterpreterHours) {
				interp = append(interp, messages.LanguageName(l, code)+" "+messages.Number(l, p.InterpreterHours[code], 1))
			}
			sh.add(o.OrganisationID, names[o.OrganisationID], p.Period, p.Start, p.End, p.Participants, p.GroupsStarting, p.GroupsRunning, p.Sessions,
				p.FacilitatorHours, p.LeadHours, p.RoomHours, strings.Join(interp, "; "), p.SupplyFacilitatorHours, p.SupplyLeadHours,
				p.SupplyRoomHours, p.Utilisation, strings.Join(p.Shortfall, " "))
		}
	}
	return sh
}

func sortedLanguages(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
