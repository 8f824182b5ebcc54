package planner

import (
	"fmt"
	"math"
	"sort"

	"github.com/coplan/coplan/civil"
)

// The capacity forecast: how many groups, sessions, facilitator hours, room
// hours and interpreter hours each organisation needs per week or month, what
// its facilitators and rooms can supply, and where demand outruns supply.

// ForecastOptions selects the horizon and the period length.
type ForecastOptions struct {
	From, To civil.Date // default: today and 18 months later
	Period   string     // "week" (ISO weeks) or "month"
	// Only limits the forecast to one organisation (a what-if); empty means all.
	Only string
}

// Forecast is the answer of Capacity.
type Forecast struct {
	From          civil.Date       `json:"from"`
	To            civil.Date       `json:"to"`
	Period        string           `json:"period"`
	Organisations []OrgForecast    `json:"organisations"`
	Locations     []LocationAdvice `json:"locations"`
}

// OrgForecast is one organisation's demand and supply per period.
type OrgForecast struct {
	OrganisationID string             `json:"organisation_id"`
	Periods        []PeriodFigures    `json:"periods"`
	FirstShortfall string             `json:"first_shortfall,omitempty"`
	Unserved       float64            `json:"unserved_participants"` // expected participants too few for a group
	Locations      []LocationForecast `json:"locations"`
}

// PeriodFigures is demand against supply in one period.
type PeriodFigures struct {
	Period                 string             `json:"period"`
	Start                  civil.Date         `json:"start"`
	End                    civil.Date         `json:"end"`
	Participants           float64            `json:"participants"` // expected families in groups starting now
	GroupsStarting         int                `json:"groups_starting"`
	GroupsRunning          int                `json:"groups_running"`
	Sessions               int                `json:"sessions"`
	FacilitatorHours       float64            `json:"facilitator_hours"`
	LeadHours              float64            `json:"lead_hours"`
	RoomHours              float64            `json:"room_hours"`
	InterpreterHours       map[string]float64 `json:"interpreter_hours"`
	SupplyFacilitatorHours float64            `json:"supply_facilitator_hours"`
	SupplyLeadHours        float64            `json:"supply_lead_hours"`
	SupplyRoomHours        float64            `json:"supply_room_hours"`
	Utilisation            float64            `json:"utilisation"` // the highest of demand/supply over facilitators, leads and rooms
	Shortfall              []string           `json:"shortfall"`   // facilitators, leads, rooms
}

// LocationForecast is the room demand and supply of one location.
type LocationForecast struct {
	LocationID string           `json:"location_id"`
	Periods    []LocationPeriod `json:"periods"`
}

// LocationPeriod is one location in one period.
type LocationPeriod struct {
	Period          string  `json:"period"`
	Sessions        int     `json:"sessions"`
	RoomHours       float64 `json:"room_hours"`
	SupplyRoomHours float64 `json:"supply_room_hours"`
	Shortfall       bool    `json:"shortfall"`
}

// LocationAdvice says where CO is viable: expected babies per year and per
// birth window, and whether a location reaches group_min alone or with a hub.
type LocationAdvice struct {
	LocationID      string  `json:"location_id"`
	OrganisationID  string  `json:"organisation_id"`
	ExpectedPerYear float64 `json:"expected_per_year"`
	PerBirthWindow  float64 `json:"per_birth_window"`
	Viable          string  `json:"viable"` // alone, with_hub or no
	HubID           string  `json:"hub_id,omitempty"`
}

// birth is one expected participant (or a fraction of one) of the forecast.
type birth struct {
	date   civil.Date
	weight float64
	lang   string
	loc    *loc
}

// Capacity forecasts in. Babies count with their weight (default 1), expected
// births with theirs (default: the organisation's uptake rate).
func Capacity(in *Input, opt ForecastOptions) (*Forecast, error) {
	if opt.Only != "" {
		in = onlyOrganisation(in, opt.Only)
	}
	w, err := build(in)
	if err != nil {
		return nil, err
	}
	c := &checker{}
	births := map[*org][]birth{}
	for i, b := range in.Babies {
		bb := w.babies[b.ID]
		if bb == nil {
			continue
		}
		weight := 1.0
		if b.Weight != nil {
			weight = *b.Weight
			if weight < 0 || weight > 1 {
				c.add(fmt.Sprintf("$.babies[%d].weight", i), "must be from 0 to 1")
			}
		}
		births[bb.loc.org] = append(births[bb.loc.org], birth{bb.birth, weight, bb.lang, bb.loc})
	}
	for i, e := range in.Expected {
		p := fmt.Sprintf("$.expected[%d]", i)
		d := c.date(p+".expected_date", e.ExpectedDate)
		l, ok := w.locs[e.LocationID]
		if !ok {
			c.add(p+".location_id", "unknown location %q", e.LocationID)
			continue
		}
		weight := l.org.rules.uptakeRate
		if e.Weight != 0 {
			weight = e.Weight
		}
		births[l.org] = append(births[l.org], birth{d, weight, e.Language, l})
	}
	training := map[*org][]trainingRow{}
	for i, o := range in.Organisations {
		for j, t := range o.Training {
			p := fmt.Sprintf("$.organisations[%d].training[%d]", i, j)
			d := c.date(p+".from", t.From)
			if t.Facilitators < 0 {
				c.add(p+".facilitators", "must not be negative")
			}
			h := t.HoursPerWeek
			if h == 0 {
				h = 8
			}
			training[w.orgs[o.ID]] = append(training[w.orgs[o.ID]], trainingRow{d, t.Facilitators, h})
		}
	}
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	if opt.From == 0 {
		opt.From = w.today
	}
	if opt.To == 0 {
		opt.To = opt.From.AddMonths(18)
	}
	if opt.Period == "" {
		opt.Period = "week"
	}
	if opt.Period != "week" && opt.Period != "month" {
		return nil, Problems{{Path: "period", Message: "must be week or month"}}
	}
	if opt.To <= opt.From {
		return nil, Problems{{Path: "to", Message: "must be after from"}}
	}
	periods := makePeriods(opt.From, opt.To, opt.Period)
	y, _, _ := opt.From.Parts()
	ty, _, _ := opt.To.Parts()
	out := &Forecast{From: opt.From, To: opt.To, Period: opt.Period, Organisations: []OrgForecast{}, Locations: []LocationAdvice{}}
	orgs := append([]*org{}, w.orgOrder...)
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].id < orgs[j].id })
	for _, o := range orgs {
		if opt.Only != "" && o.id != opt.Only {
			continue
		}
		o.rules.holidays = holidaySet(y-1, ty+1, o.rules.avoidGoodFriday, o.rules.avoidLiberationDay)
		f := w.forecastOrg(o, births[o], training[o], periods, opt)
		out.Organisations = append(out.Organisations, f)
		out.Locations = append(out.Locations, w.advise(o, births[o])...)
	}
	sort.SliceStable(out.Locations, func(i, j int) bool { return out.Locations[i].ExpectedPerYear > out.Locations[j].ExpectedPerYear })
	return out, nil
}

// onlyOrganisation is the part of in that concerns one organisation, so that a
// what-if builds no more than it needs.
func onlyOrganisation(in *Input, id string) *Input {
	out := &Input{Today: in.Today, Rules: in.Rules}
	locs := map[string]bool{}
	for _, o := range in.Organisations {
		if o.ID == id {
			out.Organisations = append(out.Organisations, o)
		}
	}
	for _, l := range in.Locations {
		if l.OrganisationID == id {
			out.Locations = append(out.Locations, l)
			locs[l.ID] = true
		}
	}
	for _, f := range in.Facilitators {
		if f.OrganisationID == id {
			out.Facilitators = append(out.Facilitators, f)
		}
	}
	for _, b := range in.Babies {
		if locs[b.LocationID] {
			out.Babies = append(out.Babies, b)
		}
	}
	for _, e := range in.Expected {
		if locs[e.LocationID] {
			out.Expected = append(out.Expected, e)
		}
	}
	return out
}

type trainingRow struct {
	from  civil.Date
	count int
	hours float64
}

type period struct {
	label      string
	start, end civil.Date // inclusive
}

func makePeriods(from, to civil.Date, kind string) []period {
	var out []period
	if kind == "week" {
		start := from.AddDays(1 - from.ISOWeekday())
		for d := start; d < to; d = d.AddDays(7) {
			t := d.AddDays(3) // the Thursday names the ISO week
			y, _, _ := t.Parts()
			_, wk := t.At(0).ISOWeek()
			out = append(out, period{fmt.Sprintf("%d-W%02d", y, wk), d, d.AddDays(6)})
		}
		return out
	}
	y, m, _ := from.Parts()
	for d := civil.New(y, m, 1); d < to; d = d.AddMonths(1) {
		yy, mm, _ := d.Parts()
		out = append(out, period{fmt.Sprintf("%d-%02d", yy, int(mm)), d, d.AddMonths(1).AddDays(-1)})
	}
	return out
}

// periodOf returns the index of the period holding d, or -1.
func periodOf(ps []period, d civil.Date) int {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].end >= d })
	if i < len(ps) && ps[i].start <= d {
		return i
	}
	return -1
}

// pools assigns every location's births to the hub whose groups they would
// join: a location that cannot fill a group alone joins the first hub that
// names it; short-stay locations only ever join a hub.
func (w *world) pools(o *org, births []birth) map[*loc]*loc {
	perWindow := w.perWindow(o, births)
	pool := map[*loc]*loc{}
	for _, l := range hubOrder(o.locs) {
		if !l.shortStay {
			pool[l] = l
		}
	}
	for _, h := range hubOrder(o.locs) {
		if h.shortStay {
			continue
		}
		for _, m := range h.catchment {
			if m.shortStay || perWindow[m] < float64(o.rules.groupMin) {
				if _, done := pool[m]; !done || pool[m] == m {
					pool[m] = h
				}
			}
		}
	}
	return pool
}

// perWindow is each location's expected births per birth window.
func (w *world) perWindow(o *org, births []birth) map[*loc]float64 {
	// The yearly rate is the larger of the births of the past year and twice
	// the expected births of the coming half year.
	past, coming := map[*loc]float64{}, map[*loc]float64{}
	for _, b := range births {
		switch {
		case b.date >= w.today.AddDays(-365) && b.date < w.today:
			past[b.loc] += b.weight
		case b.date >= w.today && b.date < w.today.AddDays(183):
			coming[b.loc] += 2 * b.weight
		}
	}
	out := map[*loc]float64{}
	for _, l := range o.locs {
		out[l] = max(past[l], coming[l]) * float64(max(o.rules.birthWindow, 1)) / 365
	}
	return out
}

func (w *world) advise(o *org, births []birth) []LocationAdvice {
	perWindow := w.perWindow(o, births)
	pools := w.pools(o, births)
	var out []LocationAdvice
	for _, l := range o.locs {
		a := LocationAdvice{LocationID: l.id, OrganisationID: o.id, PerBirthWindow: round2(perWindow[l]),
			ExpectedPerYear: round2(perWindow[l] * 365 / float64(max(o.rules.birthWindow, 1))), Viable: "no"}
		switch hub := pools[l]; {
		case !l.shortStay && perWindow[l] >= float64(o.rules.groupMin):
			a.Viable = "alone"
		case hub != nil && hub != l:
			total := 0.0
			for m, h := range pools {
				if h == hub {
					total += perWindow[m]
				}
			}
			if total >= float64(o.rules.groupMin) {
				a.Viable, a.HubID = "with_hub", hub.id
			}
		}
		out = append(out, a)
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func (w *world) forecastOrg(o *org, births []birth, training []trainingRow, ps []period, opt ForecastOptions) OrgForecast {
	r := &o.rules
	f := OrgForecast{OrganisationID: o.id, Periods: make([]PeriodFigures, len(ps))}
	for i, p := range ps {
		f.Periods[i] = PeriodFigures{Period: p.label, Start: p.start, End: p.end, InterpreterHours: map[string]float64{}, Shortfall: []string{}}
	}
	sessionHours := float64(r.sessionMinutes) / 60
	withPrep := float64(r.sessionMinutes+r.prepMinutes) / 60
	spoken := map[string]bool{}
	for _, fc := range o.facs {
		if fc.nurse && fc.coTrained {
			for _, l := range fc.langs {
				spoken[l] = true
			}
		}
	}
	locIndex := map[*loc]int{}
	for i, l := range o.locs {
		locIndex[l] = i
		lf := LocationForecast{LocationID: l.id, Periods: make([]LocationPeriod, len(ps))}
		for j, p := range ps {
			lf.Periods[j].Period = p.label
		}
		f.Locations = append(f.Locations, lf)
	}

	// Demand: per pool, cut the births into birth windows; a window with at
	// least group_min expected families makes ceil(n / group_max) groups.
	pools := w.pools(o, births)
	byHub := map[*loc][]birth{}
	for _, b := range births {
		if hub := pools[b.loc]; hub != nil {
			byHub[hub] = append(byHub[hub], b)
		} else {
			f.Unserved += b.weight
		}
	}
	last := r.sessions[len(r.sessions)-1].MaxAgeDays
	for _, hub := range hubOrder(o.locs) {
		bs := byHub[hub]
		sort.Slice(bs, func(i, j int) bool { return bs[i].date < bs[j].date })
		for i := 0; i < len(bs); {
			j, weight := i, 0.0
			langs := map[string]float64{}
			for j < len(bs) && bs[j].date.Sub(bs[i].date) <= r.birthWindow {
				weight += bs[j].weight
				langs[bs[j].lang] += bs[j].weight
				j++
			}
			first, end := bs[i].date, bs[j-1].date
			i = j
			if end.AddDays(last) < w.today || weight == 0 {
				continue // the programme is over for this cohort
			}
			if weight < float64(r.groupMin) {
				f.Unserved += weight
				continue
			}
			groups := int(math.Ceil(weight / float64(r.groupMax)))
			center := first.AddDays(end.Sub(first) / 2)
			var interp []string
			for l, n := range langs {
				if l != "" && !spoken[l] && n/float64(groups) >= 0.5 {
					interp = append(interp, l)
				}
			}
			started := -1
			lastIdx := -1
			for _, s := range r.sessions {
				d := center.AddDays(s.TargetAgeDays)
				if d < w.today {
					continue
				}
				k := periodOf(ps, d)
				if k < 0 {
					continue
				}
				if started < 0 {
					started = k
				}
				lastIdx = k
				pf := &f.Periods[k]
				pf.Sessions += groups
				pf.FacilitatorHours += float64(groups) * 2 * withPrep
				pf.LeadHours += float64(groups) * withPrep
				pf.RoomHours += float64(groups) * sessionHours
				for _, l := range interp {
					pf.InterpreterHours[l] += float64(groups) * sessionHours
				}
				lp := &f.Locations[locIndex[hub]].Periods[k]
				lp.Sessions += groups
				lp.RoomHours += float64(groups) * sessionHours
			}
			if started >= 0 {
				f.Periods[started].GroupsStarting += groups
				f.Periods[started].Participants += weight
				for k := started; k <= lastIdx; k++ {
					f.Periods[k].GroupsRunning += groups
				}
			}
		}
	}

	// Supply: what facilitators and rooms offer per day, within weekly maxima.
	from, to := ps[0].start, ps[len(ps)-1].end
	for _, fc := range o.facs {
		capMinutes := fc.maxWeek * (r.sessionMinutes + r.prepMinutes)
		used := map[int]int{}
		lead := fc.nurse && fc.coTrained
		for d := from; d <= to; d++ {
			if r.holidays[d] || inRanges(fc.absent, d) {
				continue
			}
			m := 0
			for _, a := range fc.avail {
				if a.Weekday == d.ISOWeekday() {
					m += int(a.To - a.From)
				}
			}
			m = min(m, capMinutes-used[d.ISOWeek()])
			if m <= 0 {
				continue
			}
			used[d.ISOWeek()] += m
			k := periodOf(ps, d)
			f.Periods[k].SupplyFacilitatorHours += float64(m) / 60
			if lead {
				f.Periods[k].SupplyLeadHours += float64(m) / 60
			}
		}
	}
	for _, t := range training {
		for d := max(from, t.from); d <= to; d++ {
			if d.ISOWeekday() > 5 || r.holidays[d] {
				continue
			}
			h := float64(t.count) * t.hours / 5
			k := periodOf(ps, d)
			f.Periods[k].SupplyFacilitatorHours += h
			f.Periods[k].SupplyLeadHours += h
		}
	}
	for li, l := range o.locs {
		for _, rm := range l.rooms {
			for d := from; d <= to; d++ {
				if r.holidays[d] || inRanges(rm.closed, d) {
					continue
				}
				m := 0
				for _, a := range rm.open {
					if a.Weekday == d.ISOWeekday() {
						m += int(a.To - a.From)
					}
				}
				if m == 0 {
					continue
				}
				k := periodOf(ps, d)
				f.Periods[k].SupplyRoomHours += float64(m) / 60
				f.Locations[li].Periods[k].SupplyRoomHours += float64(m) / 60
			}
		}
	}

	for k := range f.Periods {
		p := &f.Periods[k]
		p.Utilisation = round2(max(ratio(p.FacilitatorHours, p.SupplyFacilitatorHours), ratio(p.LeadHours, p.SupplyLeadHours), ratio(p.RoomHours, p.SupplyRoomHours)))
		if p.FacilitatorHours > p.SupplyFacilitatorHours+1e-9 {
			p.Shortfall = append(p.Shortfall, "facilitators")
		}
		if p.LeadHours > p.SupplyLeadHours+1e-9 {
			p.Shortfall = append(p.Shortfall, "leads")
		}
		rooms := p.RoomHours > p.SupplyRoomHours+1e-9
		for li := range f.Locations {
			lp := &f.Locations[li].Periods[k]
			lp.RoomHours, lp.SupplyRoomHours = round2(lp.RoomHours), round2(lp.SupplyRoomHours)
			if lp.RoomHours > lp.SupplyRoomHours {
				lp.Shortfall, rooms = true, true
			}
		}
		if rooms {
			p.Shortfall = append(p.Shortfall, "rooms")
		}
		if len(p.Shortfall) > 0 && f.FirstShortfall == "" {
			f.FirstShortfall = p.Period
		}
		p.Participants = round2(p.Participants)
		p.FacilitatorHours, p.LeadHours, p.RoomHours = round2(p.FacilitatorHours), round2(p.LeadHours), round2(p.RoomHours)
		p.SupplyFacilitatorHours, p.SupplyLeadHours, p.SupplyRoomHours = round2(p.SupplyFacilitatorHours), round2(p.SupplyLeadHours), round2(p.SupplyRoomHours)
		for l, h := range p.InterpreterHours {
			p.InterpreterHours[l] = round2(h)
		}
	}
	f.Unserved = round2(f.Unserved)
	return f
}

// ratio is demand over supply; with no supply at all it is 100 (10,000%).
func ratio(demand, supply float64) float64 {
	switch {
	case demand == 0:
		return 0
	case supply == 0:
		return 100
	}
	return min(demand/supply, 100)
}
