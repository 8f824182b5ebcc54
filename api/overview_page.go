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

// The COA contact person's overview of the location: counts only (expected
// births per month, arrivals and leavings, the groups that meet there), and
// the form to tell JGZ about a pregnancy or a birth.

func (s *Server) overviewPage(c *gin.Context) {
	s.showOverview(c, http.StatusOK, &pageForm{Values: url.Values{"kind": {store.NoticePregnancy}}})
}

func (s *Server) showOverview(c *gin.Context, status int, form *pageForm) {
	ctx, a, l := c.Request.Context(), actor(c), lang(c)
	loc, err := s.db.Location(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	counts, err := s.db.LocationCounts(ctx, a, loc.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "overview", "overview.title", gin.H{"Location": loc, "Counts": counts, "Form": form,
		"Languages": languageChoices(l, form.Value("language"))})
}

// noticeCreate is POST /locations/{id}/notices: a pregnancy or a birth.
func (s *Server) noticeCreate(c *gin.Context) {
	v := postValues(c)
	var f store.Fields
	d, err := civil.ParseDutch(strings.TrimSpace(v.Get("date")))
	if err != nil {
		f.Add("date", "date", "%s", err.Error())
	}
	err = f.Err()
	if err == nil {
		n := &store.BirthNotice{Kind: v.Get("kind"), Date: d, Language: v.Get("language"), LocationID: c.Param("id")}
		err = s.uc.Notify(c.Request.Context(), actor(c), n)
	}
	if err != nil {
		form, ok := s.refusedForm(c, err, v, nil, s.names(c, nil))
		if !ok {
			s.fail(c, err)
			return
		}
		s.showOverview(c, statusOf(store.ErrorCode(err)), form)
		return
	}
	done(c, "/locations/"+url.PathEscape(c.Param("id"))+"/overview", "notice_sent")
}

// noticeRow is an open notice in words, for the coordinator.
type noticeRow struct {
	ID, Location, Kind, Language string
	Date                         civil.Date
	Created                      string
}

func (s *Server) noticeRows(c *gin.Context) ([]noticeRow, error) {
	ns, err := s.db.OpenNotices(c.Request.Context(), actor(c))
	if err != nil {
		return nil, err
	}
	l, n := lang(c), s.names(c, nil)
	out := make([]noticeRow, len(ns))
	for i, x := range ns {
		out[i] = noticeRow{ID: x.ID, Location: n.Location(x.LocationID), Kind: translate(l, "notice.kind."+x.Kind), Language: messages.LanguageName(l, x.Language),
			Date: x.Date, Created: stamp(l, x.CreatedAt)}
	}
	return out, nil
}

// noticeBaby is POST /notices/{id}/baby: the coordinator's one click.
func (s *Server) noticeBaby(c *gin.Context) {
	if !s.coordinatorOnly(c) {
		return
	}
	b, err := s.uc.BabyFromNotice(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		if store.ErrorCode(err) == store.EConflict {
			done(c, "/arrivals", "notice_handled")
			return
		}
		s.fail(c, err)
		return
	}
	done(c, "/babies/"+url.PathEscape(b.ID), "notice_baby")
}
