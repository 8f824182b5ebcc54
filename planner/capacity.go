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
	b := &builder{w: w}
	births := b.forecastBirths(in)
	training := b.training(in)
	opt = b.forecastOptions(opt, w.today)
	if len(b.problems) > 0 {
		return nil, b.problems
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
		o.rules.holidays = o.rules.closedDays(y-1, ty+1)
		f := w.forecastOrg(o, births[o], training[o], periods)
		out.Organisations = append(out.Organisations, f)
		out.Locations = append(out.Locations, w.advise(o, births[o])...)
	}
	sort.SliceStable(out.Locations, func(i, j int) bool { return out.Locations[i].ExpectedPerYear > out.Locations[j].ExpectedPerYear })
	return out, nil
}

// forecastBirths gathers the expected participants per organisation: babies
// with their weight and expected births with theirs.
func (b *builder) forecastBirths(in *Input) map[*org][]birth {
	births := map[*org][]birth{}
	for i, in := range in.Babies {
		bb := b.w.babies[in.ID]
		if bb == nil {
			continue
		}
		weight := 1.0
		if in.Weight != nil {
			weight = *in.Weight
			if weight < 0 || weight > 1 {
				b.add(fmt.Sprintf("$.babies[%d].weight", i), "must be from 0 to 1")
			}
		}
		births[bb.loc.org] = append(births[bb.loc.org], birth{bb.birth, weight, bb.lang, bb.loc})
	}
	for i, e := range in.Expected {
		l, ok := b.w.locs[e.LocationID]
		if !ok {
			b.add(fmt.Sprintf("$.expected[%d].location_id", i), "unknown location %q", e.LocationID)
			continue
		}
		weight := l.org.rules.uptakeRate
		if e.Weight != 0 {
			weight = e.Weight
		}
		births[l.org] = append(births[l.org], birth{e.ExpectedDate, weight, e.Language, l})
	}
	return births
}

// training gathers the facilitators each organisation will train.
func (b *builder) training(in *Input) map[*org][]trainingRow {
	out := map[*org][]trainingRow{}
	for i, o := range in.Organisations {
		for j, t := range o.Training {
			if t.Facilitators < 0 {
				b.add(fmt.Sprintf("$.organisations[%d].training[%d].facilitators", i, j), "must not be negative")
			}
			h := t.HoursPerWeek
			if h == 0 {
				h = 8
			}
			out[b.w.orgs[o.ID]] = append(out[b.w.orgs[o.ID]], trainingRow{t.From, t.Facilitators, h})
		}
	}
	return out
}

// forecastOptions fills the defaults: from today, 18 months, by week.
func (b *builder) forecastOptions(opt ForecastOptions, today civil.Date) ForecastOptions {
	if opt.From == 0 {
		opt.From = today
	}
	if opt.To == 0 {
		opt.To = opt.From.AddMonths(18)
	}
	if opt.Period == "" {
		opt.Period = "week"
	}
	if opt.Period != "week" && opt.Period != "month" {
		b.add("period", "must be week or month")
	}
	if opt.To <= opt.From {
		b.add("to", "must be after from")
	}
	return opt
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

// forecastOrg is one organisation's forecast: demand per pool, supply of its
// facilitators, trainees and rooms, then the shortfalls.
func (w *world) forecastOrg(o *org, births []birth, training []trainingRow, ps []period) OrgForecast {
	f := newOrgForecast(o, ps)
	w.demand(o, births, ps, &f)
	from, to := ps[0].start, ps[len(ps)-1].end
	w.facilitatorSupply(o, ps, from, to, &f)
	trainingSupply(o, training, ps, from, to, &f)
	roomSupply(o, ps, from, to, &f)
	shortfalls(&f)
	return f
}

func newOrgForecast(o *org, ps []period) OrgForecast {
	f := OrgForecast{OrganisationID: o.id, Periods: make([]PeriodFigures, len(ps))}
	for i, p := range ps {
		f.Periods[i] = PeriodFigures{Period: p.label, Start: p.start, End: p.end, InterpreterHours: map[string]float64{}, Shortfall: []string{}}
	}
	for _, l := range o.locs {
		lf := LocationForecast{LocationID: l.id, Periods: make([]LocationPeriod, len(ps))}
		for j, p := range ps {
			lf.Periods[j].Period = p.label
		}
		f.Locations = append(f.Locations, lf)
	}
	return f
}

// cohort is one birth window of a pool: the groups it makes and their languages.
type cohort struct {
	hub         *loc
	first, last civil.Date
	weight      float64
	langs       map[string]float64
}

// demand cuts each pool's births into birth windows; a window with at least
// group_min expected families makes ceil(n / group_max) groups, whose sessions
// fall at the window's middle birth date plus each session's target age.
func (w *world) demand(o *org, births []birth, ps []period, f *OrgForecast) {
	pools := w.pools(o, births)
	byHub := map[*loc][]birth{}
	for _, b := range births {
		if hub := pools[b.loc]; hub != nil {
			byHub[hub] = append(byHub[hub], b)
		} else {
			f.Unserved += b.weight
		}
	}
	spoken := leadLanguages(o)
	locIndex := map[*loc]int{}
	for i, l := range o.locs {
		locIndex[l] = i
	}
	last := o.rules.sessions[len(o.rules.sessions)-1].MaxAgeDays
	for _, hub := range hubOrder(o.locs) {
		for _, c := range birthWindows(hub, byHub[hub], o.rules.birthWindow) {
			if c.last.AddDays(last) < w.today || c.weight == 0 {
				continue // the programme is over for this cohort
			}
			if c.weight < float64(o.rules.groupMin) {
				f.Unserved += c.weight
				continue
			}
			w.bookCohort(o, c, spoken, ps, f, locIndex[hub])
		}
	}
}

// leadLanguages are the languages the organisation's CO-trained nurses speak.
func leadLanguages(o *org) map[string]bool {
	spoken := map[string]bool{}
	for _, fc := range o.facs {
		if fc.nurse && fc.coTrained {
			for _, l := range fc.langs {
				spoken[l] = true
			}
		}
	}
	return spoken
}

// birthWindows cuts a pool's births, by date, into windows of windowDays.
func birthWindows(hub *loc, bs []birth, windowDays int) []cohort {
	sort.Slice(bs, func(i, j int) bool { return bs[i].date < bs[j].date })
	var out []cohort
	for i := 0; i < len(bs); {
		c := cohort{hub: hub, first: bs[i].date, langs: map[string]float64{}}
		j := i
		for j < len(bs) && bs[j].date.Sub(bs[i].date) <= windowDays {
			c.weight += bs[j].weight
			c.langs[bs[j].lang] += bs[j].weight
			j++
		}
		c.last = bs[j-1].date
		out = append(out, c)
		i = j
	}
	return out
}

// bookCohort adds one cohort's groups and sessions to the periods they fall in.
func (w *world) bookCohort(o *org, c cohort, spoken map[string]bool, ps []period, f *OrgForecast, locIndex int) {
	r := &o.rules
	sessionHours := float64(r.sessionMinutes) / 60
	withPrep := float64(r.sessionMinutes+r.prepMinutes) / 60
	groups := int(math.Ceil(c.weight / float64(r.groupMax)))
	center := c.first.AddDays(c.last.Sub(c.first) / 2)
	var interp []string
	for l, n := range c.langs {
		if l != "" && !spoken[l] && n/float64(groups) >= 0.5 {
			interp = append(interp, l)
		}
	}
	started, lastIdx := -1, -1
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
		lp := &f.Locations[locIndex].Periods[k]
		lp.Sessions += groups
		lp.RoomHours += float64(groups) * sessionHours
	}
	if started >= 0 {
		f.Periods[started].GroupsStarting += groups
		f.Periods[started].Participants += c.weight
		for k := started; k <= lastIdx; k++ {
			f.Periods[k].GroupsRunning += groups
		}
	}
}

// weeklyMinutes is the length of the weekly intervals on weekday.
func weeklyMinutes(ws []civil.Weekly, weekday int) int {
	m := 0
	for _, a := range ws {
		if a.Weekday == weekday {
			m += int(a.To - a.From)
		}
	}
	return m
}

// facilitatorSupply: each facilitator's weekly availability minus absences and
// holidays, at most max_sessions_per_week x (session + preparation) a week.
func (w *world) facilitatorSupply(o *org, ps []period, from, to civil.Date, f *OrgForecast) {
	r := &o.rules
	for _, fc := range o.facs {
		capMinutes := fc.maxWeek * (r.sessionMinutes + r.prepMinutes)
		used := map[int]int{}
		lead := fc.nurse && fc.coTrained
		for d := from; d <= to; d++ {
			if r.holidays[d] || inRanges(fc.absent, d) {
				continue
			}
			m := min(weeklyMinutes(fc.avail, d.ISOWeekday()), capMinutes-used[d.ISOWeek()])
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
}

// trainingSupply: trainees count from their date on, spread over working days.
func trainingSupply(o *org, training []trainingRow, ps []period, from, to civil.Date, f *OrgForecast) {
	for _, t := range training {
		for d := max(from, t.from); d <= to; d++ {
			if d.ISOWeekday() > 5 || o.rules.holidays[d] {
				continue
			}
			h := float64(t.count) * t.hours / 5
			k := periodOf(ps, d)
			f.Periods[k].SupplyFacilitatorHours += h
			f.Periods[k].SupplyLeadHours += h
		}
	}
}

// roomSupply: rooms' opening hours minus closures and holidays, per location.
func roomSupply(o *org, ps []period, from, to civil.Date, f *OrgForecast) {
	for li, l := range o.locs {
		for _, rm := range l.rooms {
			for d := from; d <= to; d++ {
				if o.rules.holidays[d] || inRanges(rm.closed, d) {
					continue
				}
				m := weeklyMinutes(rm.open, d.ISOWeekday())
				if m == 0 {
					continue
				}
				k := periodOf(ps, d)
				f.Periods[k].SupplyRoomHours += float64(m) / 60
				f.Locations[li].Periods[k].SupplyRoomHours += float64(m) / 60
			}
		}
	}
}

// shortfalls marks the periods where demand exceeds supply, names the first,
// and rounds the figures for people.
func shortfalls(f *OrgForecast) {
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
