package api

import (
	"fmt"
	"math"
	"net/http"
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
	Bars                        []chartBar
	Supply                      string // polyline points
	Ticks                       []chartTick
	Labels                      []chartLabel
}

const chartW, chartH, chartLeft, chartBottom = 760.0, 260.0, 48.0, 28.0

func buildChart(o planner.OrgForecast) chart {
	c := chart{Width: chartW, Height: chartH, Left: chartLeft, Bottom: chartBottom}
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
			Short: len(p.Shortfall) > 0, Title: fmt.Sprintf("%s: %.0f / %.0f", p.Period, p.FacilitatorHours, p.SupplyFacilitatorHours)})
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+plotW/n/2, y(p.SupplyFacilitatorHours)))
		if i%3 == 0 {
			c.Labels = append(c.Labels, chartLabel{X: x, Label: p.Period})
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
	opt, err := forecastOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	opt.Period = c.DefaultQuery("period", "month")
	f, err := s.forecast(c, c.Query("organisation_id"), opt, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	names := map[string]string{}
	orgs, _, _ := s.db.Organisations(c.Request.Context(), a, store.Page{Limit: 500})
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	locNames := map[string]string{}
	locs, _, _ := s.db.Locations(c.Request.Context(), a, store.LocationFilter{Page: store.Page{Limit: 500}})
	for _, l := range locs {
		locNames[l.ID] = l.Name
	}
	var views []capacityOrgView
	for _, o := range f.Organisations {
		views = append(views, capacityOrgView{Name: names[o.OrganisationID], Forecast: o, Chart: buildChart(o)})
	}
	s.render(c, http.StatusOK, "capacity", "capacity.title", gin.H{"Orgs": views, "Advice": f.Locations, "Locations": locNames, "Period": opt.Period})
}
