package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The coordinator's baby pages: the list with search and filters, adding,
// editing, a move, deleting on request, and the running groups a waiting
// family fits. Every record shown is a read and audited by the store.

const babiesPerPage = 50

// babyRow is one line of the list, in words.
type babyRow struct {
	Baby     store.Baby
	Age      string // "5 maanden", or the due date of a pregnancy
	Location string
	Language string
	Group    string
}

// ageBands are the list's age filter: months from and to (exclusive).
var ageBands = []struct {
	Key      string
	From, To int
}{{"0-3", 0, 3}, {"3-6", 3, 6}, {"6-9", 6, 9}, {"9-12", 9, 12}, {"12-18", 12, 18}, {"18-", 18, 36}}

func (s *Server) coordinatorOnly(c *gin.Context) bool {
	a := actor(c)
	if a.Role != store.RoleAdmin && a.Role != store.RoleCoordinator {
		s.fail(c, store.Errorf(store.EForbidden, "this page is for coordinators"))
		return false
	}
	return true
}

// babyFilter reads the list's query: search, location, status, age, group, page.
func (s *Server) babyFilter(c *gin.Context) (store.BabyFilter, int) {
	f := store.BabyFilter{LocationID: c.Query("location"), Status: store.BabyStatus(c.Query("status")), Ref: strings.TrimSpace(c.Query("q")), RefPrefix: true}
	if !f.Status.Valid() {
		f.Status = ""
	}
	today := civil.Today(s.now())
	switch age := c.Query("age"); age {
	case "expected":
		f.Expected = true
	default:
		for _, b := range ageBands {
			if b.Key == age {
				from, to := today.AddMonths(-b.To).AddDays(1), today.AddMonths(-b.From)
				f.BornFrom, f.BornTo = &from, &to
			}
		}
	}
	switch g := c.Query("group"); g {
	case "", "yes", "no":
		f.Grouped = g
	default:
		f.GroupID = g
	}
	page, _ := strconv.Atoi(c.Query("page"))
	page = max(page, 1)
	f.Page = store.Page{Limit: babiesPerPage, Offset: (page - 1) * babiesPerPage}
	return f, page
}

func (s *Server) babiesPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	f, page := s.babyFilter(c)
	babies, total, err := s.db.Babies(ctx, a, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	locs, groups, err := s.choices(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	groups = groupsToFilter(groups, c.Query("location"), c.Query("group"))
	rows, err := s.babyRows(c, babies, locs)
	if err != nil {
		s.fail(c, err)
		return
	}
	pages := int((total + babiesPerPage - 1) / babiesPerPage)
	q := c.Request.URL.Query()
	pageLink := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return "/babies?" + q.Encode()
	}
	data := gin.H{"Rows": rows, "Total": int(total), "Page": page, "Pages": pages, "Query": c.Request.URL.Query(),
		"Locations": locs, "Groups": groups, "Statuses": babyStatuses, "Ages": ageBands,
		"Export": strings.TrimPrefix(c.Request.URL.RawQuery, "&")}
	if page > 1 {
		data["Prev"] = pageLink(page - 1)
	}
	if page < pages {
		data["Next"] = pageLink(page + 1)
	}
	s.render(c, http.StatusOK, "babies", "babies.title", data)
}

// groupsToFilter are the groups the list's filter offers: those of the
// chosen location (a national organisation has hundreds of groups; one
// location has a handful), and the one chosen.
func groupsToFilter(groups []store.GroupChoice, locationID, groupID string) []store.GroupChoice {
	var out []store.GroupChoice
	for _, g := range groups {
		if locationID != "" && g.LocationID == locationID || g.ID == groupID {
			out = append(out, g)
		}
	}
	return out
}

var babyStatuses = []store.BabyStatus{store.StatusEnrolled, store.StatusEligible, store.StatusDeclined, store.StatusWithdrawn, store.StatusLeft}

// choices are the locations and running groups a coordinator picks from.
func (s *Server) choices(c *gin.Context) ([]store.Location, []store.GroupChoice, error) {
	locs, err := s.locationChoices(c)
	if err != nil {
		return nil, nil, err
	}
	groups, err := s.db.GroupChoices(c.Request.Context(), actor(c))
	return locs, groups, err
}

// locationChoices are the locations a coordinator picks from.
func (s *Server) locationChoices(c *gin.Context) ([]store.Location, error) {
	locs, _, err := s.db.Locations(c.Request.Context(), actor(c), store.LocationFilter{Page: store.Page{Limit: 500}})
	return locs, err
}

// babyRows puts the list into words: age, location, language, group.
func (s *Server) babyRows(c *gin.Context, babies []store.Baby, locs []store.Location) ([]babyRow, error) {
	l := lang(c)
	ids := make([]string, len(babies))
	for i, b := range babies {
		ids[i] = b.ID
	}
	groups, err := s.db.CurrentGroups(c.Request.Context(), ids)
	if err != nil {
		return nil, err
	}
	locName := map[string]string{}
	for _, lc := range locs {
		locName[lc.ID] = lc.Name
	}
	today := civil.Today(s.now())
	rows := make([]babyRow, len(babies))
	for i, b := range babies {
		r := babyRow{Baby: b, Location: locName[b.LocationID], Language: messages.LanguageName(l, b.Language), Group: groups[b.ID].Name}
		switch {
		case b.BirthDate != nil:
			r.Age = messages.Age(l, today.Sub(*b.BirthDate))
		case b.ExpectedDate != nil:
			r.Age = messages.Format(l, "babies.expected", map[string]any{"Date": messages.Date(l, *b.ExpectedDate)})
		}
		rows[i] = r
	}
	return rows, nil
}

// babyForm is the add and edit form with its choices.
type babyForm struct {
	Baby      *store.Baby
	Form      *pageForm
	Locations []store.Location
	Languages []choice
	Statuses  []store.BabyStatus
	Reasons   []store.LeftReason
}

// choice is an option of a select: its value and its words.
type choice struct {
	Value, Label string
}

// languageChoices are the common languages by name in the reader's
// language, and the record's own when it is another.
func languageChoices(l string, keep string) []choice {
	codes := slices.Clone(messages.Common)
	if keep != "" && !slices.Contains(codes, keep) {
		codes = append(codes, keep)
	}
	out := make([]choice, len(codes))
	for i, code := range codes {
		out[i] = choice{code, messages.LanguageName(l, code)}
	}
	slices.SortFunc(out, func(a, b choice) int { return strings.Compare(a.Label, b.Label) })
	return out
}

func (s *Server) babyFormData(c *gin.Context, b *store.Baby, f *pageForm) (*babyForm, error) {
	locs, _, err := s.db.Locations(c.Request.Context(), actor(c), store.LocationFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return nil, err
	}
	keep := ""
	if b != nil {
		keep = b.Language
	}
	return &babyForm{Baby: b, Form: f, Locations: locs, Languages: languageChoices(lang(c), keep), Statuses: babyStatuses,
		Reasons: []store.LeftReason{store.LeftStatushouder, store.LeftMovedAbroad, store.LeftOther}}, nil
}

func (s *Server) babyNewPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	data, err := s.babyFormData(c, nil, &pageForm{Values: url.Values{"status": {string(store.StatusEnrolled)}}})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "baby_new", "babies.new", data)
}

// babyFromForm reads the form's fields into a change; a date that cannot be
// read is a field problem like any other.
func babyFromForm(v url.Values) (func(*store.Baby), error) {
	var f store.Fields
	date := func(field string) *civil.Date {
		s := strings.TrimSpace(v.Get(field))
		if s == "" {
			return nil
		}
		d, err := civil.ParseDutch(s)
		if err != nil {
			f.Add(field, "date", "%s", err.Error())
			return nil
		}
		return &d
	}
	birth, expected, leftOn := date("birth_date"), date("expected_date"), date("left_on")
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(b *store.Baby) {
		b.Ref = strings.TrimSpace(v.Get("ref"))
		if loc := v.Get("location_id"); loc != "" {
			b.LocationID = loc
		}
		b.Language = v.Get("language")
		b.Status = store.BabyStatus(v.Get("status"))
		b.BirthDate, b.ExpectedDate = birth, expected
		b.LeftReason, b.LeftOn = "", nil
		if b.Status == store.StatusLeft {
			b.LeftReason, b.LeftOn = store.LeftReason(v.Get("left_reason")), leftOn
		}
	}, nil
}

func (s *Server) babyCreate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	change, err := babyFromForm(values)
	var out *coordination.Enrolled
	if err == nil {
		var b store.Baby
		change(&b)
		out, err = s.uc.EnrolBaby(c.Request.Context(), actor(c), &b)
	}
	if err != nil {
		s.babyFormAgain(c, "baby_new", "babies.new", nil, values, err)
		return
	}
	done(c, "/babies/"+out.ID, "baby_created")
}

// babyFormAgain shows a refused form with the values as typed.
func (s *Server) babyFormAgain(c *gin.Context, page, title string, b *store.Baby, values url.Values, err error) {
	f, ok := s.refusedForm(c, err, values, map[string]string{"location": "location_id"}, s.names(c, nil))
	if !ok {
		s.fail(c, err)
		return
	}
	data, lerr := s.babyFormData(c, b, f)
	if lerr != nil {
		s.fail(c, lerr)
		return
	}
	s.render(c, statusOf(store.ErrorCode(err)), page, title, data)
}

func (s *Server) babyPage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.showBaby(c, nil, http.StatusOK)
}

// showBaby is the record with its edit form, group, moves and proposals.
func (s *Server) showBaby(c *gin.Context, f *pageForm, status int) {
	ctx, a := c.Request.Context(), actor(c)
	b, err := s.db.Baby(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if f == nil {
		f = &pageForm{}
	}
	if f.Values.Get("ref") == "" { // a refused join or delete: the edit form shows the record
		f.Values = babyValues(b)
	}
	data, err := s.babyFormData(c, b, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	moves, err := s.db.Moves(ctx, a, b.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	groups, err := s.db.CurrentGroups(ctx, []string{b.ID})
	if err != nil {
		s.fail(c, err)
		return
	}
	proposals, err := s.uc.Proposals(ctx, a, b.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	locName := map[string]string{}
	for _, l := range data.Locations {
		locName[l.ID] = l.Name
	}
	var group *store.Group
	if g, ok := groups[b.ID]; ok {
		group = &g
	}
	s.render(c, status, "baby", "babies.record", gin.H{"Form": data, "Baby": b, "Group": group, "Moves": moves, "Proposals": proposals,
		"LocationNames": locName, "Age": s.ageOf(c, b)})
}

func (s *Server) ageOf(c *gin.Context, b *store.Baby) string {
	if b.BirthDate == nil {
		return ""
	}
	return messages.Age(lang(c), civil.Today(s.now()).Sub(*b.BirthDate))
}

// babyValues fills the edit form from the record, dates as people write them.
func babyValues(b *store.Baby) url.Values {
	v := url.Values{"ref": {b.Ref}, "location_id": {b.LocationID}, "language": {b.Language}, "status": {string(b.Status)},
		"left_reason": {string(b.LeftReason)}}
	for field, d := range map[string]*civil.Date{"birth_date": b.BirthDate, "expected_date": b.ExpectedDate, "left_on": b.LeftOn} {
		if d != nil {
			v.Set(field, d.Dutch())
		}
	}
	return v
}

func (s *Server) babyUpdate(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	values.Del("location_id") // a location changes only by a move
	change, err := babyFromForm(values)
	if err == nil {
		_, err = s.uc.ChangeBaby(c.Request.Context(), actor(c), c.Param("id"), change)
	}
	if err != nil {
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showBaby(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	done(c, "/babies/"+c.Param("id"), "baby_saved")
}

func (s *Server) babyMovePage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	s.showMove(c, &pageForm{Values: url.Values{"date": {civil.Today(s.now()).Dutch()}}}, http.StatusOK)
}

func (s *Server) showMove(c *gin.Context, f *pageForm, status int) {
	ctx, a := c.Request.Context(), actor(c)
	b, err := s.db.Baby(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	// Any location a family can move to, of this organisation or another.
	locs, _, err := s.db.Locations(ctx, store.System, store.LocationFilter{Page: store.Page{Limit: 1000}})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "baby_move", "babies.move", gin.H{"Baby": b, "Form": f, "Locations": locs})
}

func (s *Server) babyMove(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	var fs store.Fields
	date, err := civil.ParseDutch(values.Get("date"))
	if err != nil {
		fs.Add("date", "date", "%s", err.Error())
	}
	to := values.Get("to_location_id")
	if to == "" {
		fs.Add("to_location_id", "required", "is required")
	}
	err = fs.Err()
	var r *coordination.Relocation
	if err == nil {
		r, err = s.uc.RecordMove(c.Request.Context(), actor(c), c.Param("id"), to, date, values.Get("exception_reason"))
	}
	if err != nil {
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showMove(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	if r.Handover != nil {
		done(c, "/babies", "baby_handed_over") // the record is the receiver's now
		return
	}
	done(c, "/babies/"+c.Param("id"), "baby_moved")
}

func (s *Server) babyDeletePage(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	b, err := s.db.Baby(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "baby_delete", "babies.delete", gin.H{"Baby": b})
}

func (s *Server) babyDelete(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	if err := s.uc.RemoveBaby(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/babies", "baby_deleted")
}

// babyJoin takes a proposal: the baby joins the group named in the form.
func (s *Server) babyJoin(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	values := postValues(c)
	group := values.Get("group_id")
	if _, err := s.uc.AddMember(c.Request.Context(), actor(c), group, c.Param("id")); err != nil {
		f, ok := s.refusedForm(c, err, values, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showBaby(c, f, statusOf(store.ErrorCode(err)))
		return
	}
	done(c, "/groups/"+url.PathEscape(group), "member_added")
}

// babiesExport hands out the list as the filters select it, every page at
// once: CSV for Excel (or plain with ?excel=0), or an Excel workbook. Each
// record is audited as exported.
func (s *Server) babiesExport(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	f, _ := s.babyFilter(c)
	f.Export = true
	babies, _, err := s.db.Babies(ctx, a, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	locs, err := s.locationChoices(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, err := s.babyRows(c, babies, locs)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]string, len(babies))
	for i, b := range babies {
		ids[i] = b.ID
	}
	groups, err := s.db.CurrentGroups(ctx, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	sh := &sheet{name: "babies", cols: []string{"ref", "birth_date", "expected_date", "location_id", "location", "language", "language_name",
		"status", "status_name", "group_id", "group", "left_reason", "left_on"}}
	for _, r := range rows {
		b := r.Baby
		g := groups[b.ID]
		reason := ""
		if b.LeftReason != "" {
			reason = translate(l, "leftreason."+string(b.LeftReason))
		}
		sh.add(b.Ref, b.BirthDate, b.ExpectedDate, b.LocationID, r.Location, b.Language, r.Language,
			string(b.Status), translate(l, "babystatus."+string(b.Status)), g.ID, g.Name, reason, b.LeftOn)
	}
	if strings.HasSuffix(c.Request.URL.Path, ".xlsx") {
		writeXLSX(c, sh)
		return
	}
	writeCSV(c, sh)
}
