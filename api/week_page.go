package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The week view: per working day a table with the location's rooms as columns
// and half hours as rows, CO sessions and blocks as boxes.
const (
	weekFirstSlot = 8 * 60  // 08:00
	weekLastSlot  = 18 * 60 // until 18:00
	weekStep      = 30
)

type weekCell struct {
	Skip     bool // covered by a box above
	Rowspan  int
	Bookings []store.Booking
}

type weekRow struct {
	Time  string
	Cells []weekCell
}

type weekDay struct {
	Date  civil.Date
	Label string
	Rows  []weekRow
}

type weekForm struct {
	RoomID, Date, From, To, Title, Until string
	Weekly, Replan                       bool
	Errors                               map[string]string
	Affected                             []store.Session
	Message                              string
}

func (s *Server) weekPage(c *gin.Context) {
	s.renderWeek(c, http.StatusOK, weekForm{})
}

func (s *Server) renderWeek(c *gin.Context, status int, form weekForm) {
	ctx := c.Request.Context()
	a := actor(c)
	l, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	day := civil.Today(s.now())
	if v := c.Query("date"); v != "" {
		if day, err = civil.Parse(v); err != nil {
			s.fail(c, invalid("date", err.Error()))
			return
		}
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
	var days []weekDay
	for i := 0; i < 5; i++ {
		d := monday.AddDays(i)
		days = append(days, weekDay{Date: d, Label: dateLabel(lang(c), d), Rows: weekRows(d, rooms, bookings)})
	}
	if form.Date == "" {
		form.Date = day.String()
		form.From, form.To = "09:00", "12:00"
	}
	q := func(d civil.Date) string {
		v := url.Values{"date": {d.String()}}
		if lang(c) == "en" {
			v.Set("lang", "en")
		}
		return "?" + v.Encode()
	}
	s.render(c, status, "week", "week.title", gin.H{
		"Location": l, "Rooms": rooms, "Days": days, "Form": form,
		"Prev": q(monday.AddDays(-7)), "Next": q(monday.AddDays(7)),
		"Week": fmt.Sprintf("%s – %s", dateLabel(lang(c), monday), dateLabel(lang(c), monday.AddDays(4))),
	})
}

// weekRows lays out one day's bookings as table rows with rowspans.
func weekRows(d civil.Date, rooms []store.Room, bookings []store.Booking) []weekRow {
	n := (weekLastSlot - weekFirstSlot) / weekStep
	rows := make([]weekRow, n)
	for i := range rows {
		rows[i] = weekRow{Time: civil.Clock(weekFirstSlot + i*weekStep).String(), Cells: make([]weekCell, len(rooms))}
	}
	for ri, rm := range rooms {
		for _, b := range bookings {
			if b.RoomID != rm.ID {
				continue
			}
			bd, from := civil.WallClock(b.Start)
			ed, to := civil.WallClock(b.End)
			if bd > d || ed < d {
				continue
			}
			if bd < d {
				from = 0
			}
			if ed > d {
				to = 24 * 60
			}
			first := max(0, (int(from)-weekFirstSlot)/weekStep)
			last := min(n, (int(to)-weekFirstSlot+weekStep-1)/weekStep)
			if first >= n || last <= 0 || first >= last {
				continue
			}
			for first < last && rows[first].Cells[ri].Skip {
				first++ // overlapping an earlier box: show it below that box
			}
			if first >= last {
				continue
			}
			cell := &rows[first].Cells[ri]
			cell.Bookings = append(cell.Bookings, b)
			span := last - first
			if span > cell.Rowspan {
				for k := first + max(cell.Rowspan, 1); k < last; k++ {
					rows[k].Cells[ri].Skip = true
				}
				cell.Rowspan = span
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

// weekBlock adds a block from the week view's form.
func (s *Server) weekBlock(c *gin.Context) {
	form := weekForm{RoomID: c.PostForm("room_id"), Date: c.PostForm("date"), From: c.PostForm("from"), To: c.PostForm("to"),
		Title: c.PostForm("title"), Until: c.PostForm("until"), Weekly: c.PostForm("weekly") == "on", Replan: c.PostForm("replan") == "on",
		Errors: map[string]string{}}
	msg := func(nl, en string) string {
		if lang(c) == "en" {
			return en
		}
		return nl
	}
	day, err := civil.Parse(form.Date)
	if err != nil {
		form.Errors["date"] = msg("Vul een geldige datum in.", "Enter a valid date.")
	}
	from, err1 := civil.ParseClock(form.From)
	to, err2 := civil.ParseClock(form.To)
	if err1 != nil {
		form.Errors["from"] = msg("Vul een begintijd in (uu:mm).", "Enter a start time (hh:mm).")
	}
	if err2 != nil {
		form.Errors["to"] = msg("Vul een eindtijd in (uu:mm).", "Enter an end time (hh:mm).")
	}
	b := &store.Block{Title: form.Title, Weekly: form.Weekly}
	if err == nil && err1 == nil && err2 == nil {
		b.StartsAt, b.EndsAt = day.At(int(from)), day.At(int(to))
	}
	if form.Weekly && form.Until != "" {
		if u, err := civil.Parse(form.Until); err == nil {
			b.Until = &u
		} else {
			form.Errors["until"] = msg("Vul een geldige datum in.", "Enter a valid date.")
		}
	}
	if len(form.Errors) == 0 {
		_, err := s.uc.BlockRoom(c.Request.Context(), actor(c), c.Param("id"), form.RoomID, b, form.Replan)
		if err == nil {
			target := fmt.Sprintf("/locations/%s/week?date=%s", url.PathEscape(c.Param("id")), day)
			if lang(c) == "en" {
				target += "&lang=en"
			}
			c.Redirect(http.StatusSeeOther, target)
			return
		}
		var e *store.Error
		if !errors.As(err, &e) || e.Code == store.ENotFound || e.Code == store.EForbidden {
			s.fail(c, err)
			return
		}
		for _, f := range e.Fields {
			field := f.Field
			if field == "end" {
				field = "to"
			}
			if field == "start" {
				field = "from"
			}
			form.Errors[field] = f.Detail
		}
		form.Affected = e.Affected
		if e.Code == store.EConflict {
			form.Message = msg("Het blok valt over geplande bijeenkomsten. Vink 'Bijeenkomsten verplaatsen' aan om ze te verplaatsen.",
				"The block overlaps planned sessions. Tick 'Move sessions' to move them.")
		}
	}
	c.Request.URL.RawQuery = url.Values{"date": {form.Date}, "lang": {lang(c)}}.Encode()
	s.renderWeek(c, http.StatusUnprocessableEntity, form)
}
