package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The attendance page, made for a tablet in the room: the families of the
// session by ref, age and language, each with three large choices.

type attendanceRow struct {
	BabyID, Ref, Age, Language, Status string
}

func (s *Server) attendancePage(c *gin.Context) {
	s.showAttendance(c, http.StatusOK, nil)
}

func (s *Server) showAttendance(c *gin.Context, status int, form *pageForm) {
	ctx, l := c.Request.Context(), lang(c)
	att, err := s.db.SessionAttendance(ctx, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	n := s.names(c, nil)
	rows := make([]attendanceRow, len(att.Lines))
	for i, line := range att.Lines {
		rows[i] = attendanceRow{BabyID: line.BabyID, Ref: line.Ref, Age: messages.Age(l, line.AgeDays), Language: messages.LanguageName(l, line.Language), Status: line.Status}
		if form != nil {
			rows[i].Status = form.Value("status_" + line.BabyID)
		}
	}
	sess := att.Session
	started := !s.now().Before(sess.StartsAt)
	s.render(c, status, "attendance", "attendance.title", gin.H{"Session": sess, "Group": groupWords(l, n, sess.GroupID),
		"Place": n.Location(sess.LocationID) + ", " + n.Room(sess.RoomID), "Rows": rows, "Form": form, "Started": started,
		"Statuses": []string{store.Present, store.AbsentNotice, store.AbsentNoNotice}})
}

// attendanceSave is POST /sessions/{id}/attendance: status_<baby id> per family.
func (s *Server) attendanceSave(c *gin.Context) {
	v := postValues(c)
	var entries []store.AttendanceEntry
	for k, vs := range v {
		if id, ok := strings.CutPrefix(k, "status_"); ok && len(vs) > 0 && vs[0] != "" {
			entries = append(entries, store.AttendanceEntry{BabyID: id, Status: vs[0]})
		}
	}
	_, err := s.db.RecordAttendance(c.Request.Context(), actor(c), c.Param("id"), entries)
	if err != nil {
		form, ok := s.refusedForm(c, err, v, map[string]string{"session": "session"}, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showAttendance(c, statusOf(store.ErrorCode(err)), form)
		return
	}
	done(c, "/sessions/"+url.PathEscape(c.Param("id"))+"/attendance", "attendance_saved")
}

// recentRow is a held session of the last 14 days on the nurse's page.
type recentRow struct {
	sessionRow
	Overdue bool
}

// followUpRow is a family to contact individually, in words.
type followUpRow struct {
	Ref, Language, Group, Moment, Status string
	Date                                 civil.Date
	SessionID                            string
}

// afterSessions is what the nurse's page shows about held sessions: those
// to record attendance of (overdue ones flagged) and the families to follow up.
func (s *Server) afterSessions(c *gin.Context) ([]recentRow, []followUpRow, error) {
	// Reprints are asked for beside these, by mySessions.
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	now := s.now()
	held, _, err := s.db.Sessions(ctx, a, store.SessionFilter{From: now.Add(-store.AttendanceByNurse), To: now, Page: store.Page{Limit: 50}})
	if err != nil {
		return nil, nil, err
	}
	overdue, err := s.db.OverdueAttendance(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	late := map[string]bool{}
	for _, o := range overdue {
		late[o.ID] = true
	}
	n := s.names(c, nil)
	var recent []recentRow
	for _, r := range sessionRows(l, n, held) {
		if r.Status != store.SessionCancelled {
			recent = append(recent, recentRow{sessionRow: r, Overdue: late[r.ID]})
		}
	}
	ups, err := s.db.FollowUps(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	var follow []followUpRow
	for _, u := range ups {
		follow = append(follow, followUpRow{Ref: u.Ref, Language: messages.LanguageName(l, u.Language), Group: groupWords(l, n, u.GroupID),
			Moment: translate(l, "contact."+u.Type), Status: translate(l, "attendance."+u.Status), Date: u.Date, SessionID: u.SessionID})
	}
	return recent, follow, nil
}
