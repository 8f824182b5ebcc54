package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The week view of a location: a compact grid with the working days as
// columns and the rooms inside each day, half hours as rows, CO sessions
// (by group name), blocks and closures as boxes of their real length; a
// week prints on one A4 page in landscape. On a phone the same week is a
// list per day. Location staff add blocks and remove blocks and closures
// here; after a block the page says which sessions moved where, and a
// refused block names the sessions at the top, on the week of the block.
const (
	weekFirstSlot = 8 * 60  // 08:00
	weekLastSlot  = 18 * 60 // until 18:00
	weekStep      = 30
)

// weekBox is one booking as the grid shows it.
type weekBox struct {
	store.Booking
	Closed bool   // the room is closed all day
	Words  string // interpreters, in words
}

type weekCell struct {
	Skip    bool // covered by a box above
	Rowspan int
	Boxes   []weekBox
}

type weekRow struct {
	Time  string
	Cells []weekCell // per day, per room
}

type weekDay struct {
	Date  civil.Date
	Label string
	Boxes []weekBox // the day's bookings, for the list on a phone
}

func (s *Server) weekPage(c *gin.Context) {
	day := civil.Today(s.now())
	if v := c.Query("date"); v != "" {
		d, err := civil.ParseDutch(v)
		if err != nil {
			s.fail(c, invalid("date", err.Error()))
			return
		}
		day = d
	}
	s.renderWeek(c, http.StatusOK, day, &pageForm{Values: url.Values{"date": {day.Dutch()}, "from": {"09:00"}, "to": {"12:00"}}})
}

func (s *Server) renderWeek(c *gin.Context, status int, day civil.Date, form *pageForm) {
	ctx, a := c.Request.Context(), actor(c)
	l, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	monday := day.AddDays(1 - day.ISOWeekday())
	rooms, _, err := s.db.Rooms(ctx, a, l.ID, store.Page{Limit: 50})
	if err != nil {
		s.fail(c, err)
		return
	}
	bookings, err := s.db.Bookings(ctx, a, l.ID, monday.At(0), monday.AddDays(7).At(0))
	if err != nil {
		s.fail(c, err)
		return
	}
	lg := lang(c)
	days := make([]weekDay, 5)
	for i := range days {
		d := monday.AddDays(i)
		days[i] = weekDay{Date: d, Label: dateLabel(lg, d), Boxes: dayBoxes(lg, d, rooms, bookings)}
	}
	link := func(d civil.Date) string {
		return withLang(c, "/locations/"+url.PathEscape(l.ID)+"/week?date="+d.String())
	}
	data := gin.H{"Location": l, "Rooms": rooms, "Days": days, "Rows": weekGrid(days, rooms), "Form": form,
		"Prev": link(monday.AddDays(-7)), "Next": link(monday.AddDays(7)),
		"Week": dateLabel(lg, monday) + " – " + dateLabel(lg, monday.AddDays(4))}
	if moved := s.movedSessions(c); len(moved) > 0 {
		data["Moved"] = moved
	}
	s.render(c, status, "week", "week.title", data)
}

// dayBoxes are one day's bookings and closures, by start.
func dayBoxes(l string, d civil.Date, rooms []store.Room, bookings []store.Booking) []weekBox {
	var out []weekBox
	for _, rm := range rooms {
		if inRange(rm.Closures, d) {
			out = append(out, weekBox{Booking: store.Booking{Kind: "closed", RoomID: rm.ID, RoomName: rm.Name,
				Start: d.At(weekFirstSlot), End: d.At(weekLastSlot)}, Closed: true})
		}
	}
	for _, b := range bookings {
		bd, _ := civil.WallClock(b.Start)
		ed, _ := civil.WallClock(b.End)
		if bd <= d && d <= ed {
			out = append(out, weekBox{Booking: b, Words: messages.LanguageNames(l, b.InterpreterLanguages)})
		}
	}
	return out
}

func inRange(rs []civil.Range, d civil.Date) bool {
	for _, r := range rs {
		if r.Contains(d) {
			return true
		}
	}
	return false
}

// weekGrid lays the days out as table rows: per day a cell per room, a box
// spanning the half hours it lasts.
func weekGrid(days []weekDay, rooms []store.Room) []weekRow {
	n := (weekLastSlot - weekFirstSlot) / weekStep
	cols := len(days) * len(rooms)
	rows := make([]weekRow, n)
	for i := range rows {
		rows[i] = weekRow{Time: civil.Clock(weekFirstSlot + i*weekStep).String(), Cells: make([]weekCell, cols)}
	}
	for di, day := range days {
		for ri, rm := range rooms {
			col := di*len(rooms) + ri
			for _, box := range day.Boxes {
				if box.RoomID == rm.ID {
					place(rows, col, day.Date, box, n)
				}
			}
		}
	}
	for i := range rows {
		for j := range rows[i].Cells {
			if rows[i].Cells[j].Rowspan == 0 {
				rows[i].Cells[j].Rowspan = 1
			}
		}
	}
	return rows
}

// place puts a box into its column from its first to its last half hour.
func place(rows []weekRow, col int, d civil.Date, box weekBox, n int) {
	bd, from := civil.WallClock(box.Start)
	ed, to := civil.WallClock(box.End)
	if bd < d {
		from = 0
	}
	if ed > d {
		to = 24 * 60
	}
	first := max(0, (int(from)-weekFirstSlot)/weekStep)
	last := min(n, (int(to)-weekFirstSlot+weekStep-1)/weekStep)
	for first < last && rows[first].Cells[col].Skip {
		first++ // overlapping an earlier box: show it below that box
	}
	if first >= n || last <= 0 || first >= last {
		return
	}
	cell := &rows[first].Cells[col]
	cell.Boxes = append(cell.Boxes, box)
	if span := last - first; span > cell.Rowspan {
		for k := first + max(cell.Rowspan, 1); k < last; k++ {
			rows[k].Cells[col].Skip = true
		}
		cell.Rowspan = span
	}
}

// weekBlock adds a block from the week view's form.
func (s *Server) weekBlock(c *gin.Context) {
	values := postValues(c)
	b, day, err := blockFromForm(values)
	var r *coordination.Rearrangement
	if err == nil {
		r, err = s.uc.BlockRoom(c.Request.Context(), actor(c), c.Param("id"), values.Get("room_id"), b, values.Get("replan") == "on")
	}
	if err == nil {
		q := url.Values{"date": {day.String()}}
		if r != nil {
			for _, m := range append(r.Moved, r.Unplanned...) {
				q.Add("moved", m.ID)
			}
		}
		done(c, "/locations/"+url.PathEscape(c.Param("id"))+"/week?"+q.Encode(), "blocked")
		return
	}
	var e *store.Error
	if !errors.As(err, &e) || e.Code == store.ENotFound || e.Code == store.EForbidden {
		s.fail(c, err)
		return
	}
	f, ok := s.refusedForm(c, err, values, map[string]string{"start": "from", "end": "to"}, s.names(c, nil))
	if !ok {
		s.fail(c, err)
		return
	}
	if len(e.Affected) > 0 {
		// The block falls over sessions: name each, in words, at the top.
		n := s.names(c, nil)
		f.Problems = []string{translate(lang(c), "week.overlaps")}
		for _, a := range sessionRows(lang(c), n, e.Affected) {
			f.Problems = append(f.Problems, messages.Format(lang(c), "week.overlapped", map[string]any{"Group": a.Group, "Number": a.Number,
				"When": when(lang(c), a.StartsAt, a.EndsAt), "Room": a.Room, "Facilitators": a.Facilitators}))
		}
		delete(f.Errors, "from")
	}
	if day == 0 {
		day = civil.Today(s.now())
	}
	s.renderWeek(c, statusOf(e.Code), day, f)
}

// blockFromForm reads a block: the room's day, from and to (hh:mm), the
// title, weekly until a date.
func blockFromForm(v url.Values) (*store.Block, civil.Date, error) {
	var f store.Fields
	day, err := civil.ParseDutch(v.Get("date"))
	if err != nil {
		f.Add("date", "date", "%s", err.Error())
	}
	from, err1 := civil.ParseClock(strings.TrimSpace(v.Get("from")))
	if err1 != nil {
		f.Add("from", "clock", "%s", err1.Error())
	}
	to, err2 := civil.ParseClock(strings.TrimSpace(v.Get("to")))
	if err2 != nil {
		f.Add("to", "clock", "%s", err2.Error())
	}
	b := &store.Block{Title: v.Get("title"), Weekly: v.Get("weekly") == "on"}
	if until := v.Get("until"); b.Weekly && until != "" {
		u, err := civil.ParseDutch(until)
		if err != nil {
			f.Add("until", "date", "%s", err.Error())
		}
		b.Until = &u
	}
	if err := f.Err(); err != nil {
		return nil, day, err
	}
	b.StartsAt, b.EndsAt = day.At(int(from)), day.At(int(to))
	return b, day, nil
}

// movedSessions are the sessions the last block moved (or cancelled), as they are now.
func (s *Server) movedSessions(c *gin.Context) []sessionRow {
	ids := c.QueryArray("moved")
	if len(ids) == 0 {
		return nil
	}
	var out []store.Session
	for _, id := range ids {
		if sess, err := s.db.Session(c.Request.Context(), actor(c), id); err == nil {
			out = append(out, *sess)
		}
	}
	return sessionRows(lang(c), s.names(c, nil), out)
}

// weekBlockDelete removes a block, every occurrence of a weekly one.
func (s *Server) weekBlockDelete(c *gin.Context) {
	values := postValues(c)
	if err := s.db.DeleteBlock(c.Request.Context(), actor(c), c.Param("id"), values.Get("room_id"), values.Get("block_id")); err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/locations/"+url.PathEscape(c.Param("id"))+"/week?date="+values.Get("date"), "block_removed")
}

// weekClosureDelete opens a room again on the days of one of its closures.
func (s *Server) weekClosureDelete(c *gin.Context) {
	values := postValues(c)
	day, err := civil.Parse(values.Get("date"))
	if err != nil {
		s.fail(c, invalid("date", err.Error()))
		return
	}
	_, err = s.db.UpdateRoom(c.Request.Context(), actor(c), c.Param("id"), values.Get("room_id"), func(r *store.Room) {
		kept := r.Closures[:0:0]
		for _, cl := range r.Closures {
			if !cl.Contains(day) {
				kept = append(kept, cl)
			}
		}
		r.Closures = kept
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	done(c, "/locations/"+url.PathEscape(c.Param("id"))+"/week?date="+day.String(), "closure_removed")
}
