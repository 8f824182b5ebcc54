package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The capacity page: per organisation an SVG chart of facilitator hours needed
// against available per month, shortfalls in red, the numbers in a table under
// it, and where CO is viable. No JavaScript.

type chartBar struct {
	X, Y, W, H float64
	Short      bool
	Title      string
}

type chartTick struct {
	Y     float64
	Label string
}

type chartLabel struct {
	X     float64
	Label string
}

type chart struct {
	Width, Height, Left, Bottom float64
	Middle                      float64 // the plot's vertical middle, for the y-axis title
	Bars                        []chartBar
	Supply                      string // polyline points
	Ticks                       []chartTick
	Labels                      []chartLabel
}

const chartW, chartH, chartLeft, chartBottom = 760.0, 260.0, 56.0, 28.0

func buildChart(l string, o planner.OrgForecast) chart {
	c := chart{Width: chartW, Height: chartH, Left: chartLeft, Bottom: chartBottom, Middle: (chartH - chartBottom) / 2}
	top := 1.0
	for _, p := range o.Periods {
		top = math.Max(top, math.Max(p.FacilitatorHours, p.SupplyFacilitatorHours))
	}
	step := niceStep(top / 4)
	top = math.Ceil(top/step) * step
	plotW, plotH := chartW-chartLeft-8, chartH-chartBottom-10
	n := float64(len(o.Periods))
	y := func(v float64) float64 { return 10 + plotH - v/top*plotH }
	var pts []string
	for i, p := range o.Periods {
		x := chartLeft + float64(i)*plotW/n
		w := plotW / n * 0.7
		c.Bars = append(c.Bars, chartBar{X: x + plotW/n*0.15, Y: y(p.FacilitatorHours), W: w, H: y(0) - y(p.FacilitatorHours),
			Short: len(p.Shortfall) > 0, Title: fmt.Sprintf("%s: %.0f / %.0f", periodWords(l, p.Period), p.FacilitatorHours, p.SupplyFacilitatorHours)})
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+plotW/n/2, y(p.SupplyFacilitatorHours)))
		if i%3 == 0 {
			c.Labels = append(c.Labels, chartLabel{X: x, Label: periodWords(l, p.Period)})
		}
	}
	c.Supply = strings.Join(pts, " ")
	for v := 0.0; v <= top+1e-9; v += step {
		c.Ticks = append(c.Ticks, chartTick{Y: y(v), Label: fmt.Sprintf("%.0f", v)})
	}
	return c
}

func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

type capacityOrgView struct {
	Name     string
	Forecast planner.OrgForecast
	Chart    chart
}

func (s *Server) capacityPage(c *gin.Context) {
	a := actor(c)
	if a.Role != store.RoleAdmin && a.Role != store.RoleCoordinator {
		s.fail(c, store.Errorf(store.EForbidden, "capacity planning is for coordinators"))
		return
	}
	ctx := c.Request.Context()
	org, opt, what, form, err := s.capacityQuery(c)
	orgs, _, oerr := s.db.Organisations(ctx, a, store.Page{Limit: 500})
	locs, _, lerr := s.db.Locations(ctx, a, store.LocationFilter{OrganisationID: org, Page: store.Page{Limit: 500}})
	if oerr != nil || lerr != nil {
		s.fail(c, errors.Join(oerr, lerr))
		return
	}
	names, locNames := map[string]string{}, map[string]string{}
	var orgChoices, locChoices []choice
	for _, o := range orgs {
		names[o.ID] = o.Name
		orgChoices = append(orgChoices, choice{o.ID, o.Name})
	}
	for _, l := range locs {
		locNames[l.ID] = l.Name
		locChoices = append(locChoices, choice{l.ID, l.Name})
	}
	data := gin.H{"Form": form, "Organisations": orgChoices, "LocationChoices": locChoices, "Locations": locNames, "Period": opt.Period,
		"Admin": a.IsAdmin(), "Unit": translate(lang(c), "capacity.unit."+opt.Period), "Export": form.Values.Encode()}
	if err == nil {
		var f *planner.Forecast
		if f, err = s.forecast(c, org, opt, what); err == nil {
			var views []capacityOrgView
			for _, o := range f.Organisations {
				views = append(views, capacityOrgView{Name: names[o.OrganisationID], Forecast: o, Chart: buildChart(lang(c), o)})
			}
			data["Orgs"], data["Advice"], data["WhatIf"] = views, f.Locations, what != nil
		}
	}
	if err != nil {
		pf, ok := s.refusedForm(c, err, form.Values, map[string]string{"uptake_rate": "uptake", "extra_facilitators": "extra",
			"hours_per_week": "hours", "extra_room.location_id": "room_location", "extra_room.capacity": "room_capacity",
			"catchment.hub_id": "hub", "organisation_id": "organisation_id"}, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		data["Form"] = pf
		s.render(c, http.StatusBadRequest, "capacity", "capacity.title", data)
		return
	}
	s.render(c, http.StatusOK, "capacity", "capacity.title", data)
}

// capacityQuery reads the page's form (a GET: choosing and trying out
// changes nothing stored): organisation, period, and the what-if fields.
// Every field that cannot be read is named.
func (s *Server) capacityQuery(c *gin.Context) (string, planner.ForecastOptions, *planner.WhatIf, *pageForm, error) {
	a := actor(c)
	v := url.Values{}
	for _, k := range []string{"organisation_id", "period", "uptake", "extra", "hours", "room_location", "room_capacity", "hub"} {
		if x := strings.TrimSpace(c.Query(k)); x != "" {
			v.Set(k, x)
		}
	}
	for _, x := range c.QueryArray("catchment") {
		v.Add("catchment", x)
	}
	if v.Get("period") == "" {
		v.Set("period", "month")
	}
	org := v.Get("organisation_id")
	if !a.IsAdmin() {
		org = a.OrganisationID
	}
	form := &pageForm{Values: v}
	var f store.Fields
	opt := planner.ForecastOptions{Period: v.Get("period")}
	if opt.Period != "week" && opt.Period != "month" {
		f.Add("period", "choice", "must be week or month")
	}
	number := func(field string) float64 {
		x := strings.ReplaceAll(v.Get(field), ",", ".")
		if x == "" {
			return 0
		}
		n, err := strconv.ParseFloat(x, 64)
		if err != nil || n < 0 {
			f.Add(field, "number", "is not a number")
		}
		return n
	}
	uptake, extra, hours, roomCap := number("uptake"), number("extra"), number("hours"), number("room_capacity")
	var what *planner.WhatIf
	if v.Get("uptake") != "" || extra > 0 || v.Get("room_location") != "" || v.Get("hub") != "" {
		if org == "" {
			f.Add("organisation_id", "required", "a what-if is for one organisation")
		}
		what = &planner.WhatIf{OrganisationID: org, ExtraFacilitators: int(extra), HoursPerWeek: hours}
		if v.Get("uptake") != "" {
			if uptake > 100 {
				f.Add("uptake", "percent", "is more than 100")
			}
			r := uptake / 100
			what.UptakeRate = &r
		}
		if loc := v.Get("room_location"); loc != "" {
			what.ExtraRoom = &planner.ExtraRoom{LocationID: loc, Capacity: int(roomCap)}
		}
		if hub := v.Get("hub"); hub != "" {
			what.Catchment = &planner.CatchmentChange{HubID: hub, LocationIDs: v["catchment"]}
		}
	}
	return org, opt, what, form, f.Err()
}

// capacityExport is /capacity.csv and /capacity.xlsx: the forecast the page
// shows, with the same choices and what-if.
func (s *Server) capacityExport(c *gin.Context) {
	a := actor(c)
	if a.Role != store.RoleAdmin && a.Role != store.RoleCoordinator {
		s.fail(c, store.Errorf(store.EForbidden, "capacity planning is for coordinators"))
		return
	}
	org, opt, what, _, err := s.capacityQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.forecast(c, org, opt, what)
	if err != nil {
		s.fail(c, err)
		return
	}
	names := map[string]string{}
	orgs, _, _ := s.db.Organisations(c.Request.Context(), a, store.Page{Limit: 500})
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	sh := capacitySheet(lang(c), f, names)
	if strings.HasSuffix(c.Request.URL.Path, ".xlsx") {
		writeXLSX(c, sh)
		return
	}
	writeCSV(c, sh)
}
