package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// The printed invitation for families: per group, in the family's
// language (?lang=ti), one session (?session=3) or the whole series; no
// name, only when, where, how long, what happens, what to bring, that
// partners are welcome and whether an interpreter comes. Printed by the
// nurse or the COA contact person on A4.

type invitationCard struct {
	Number                                   int
	Title, Session, WhenLabel, When, Weekday string
	WhereLabel, Where                        string
	Duration, What, Bring, Partner           string
	Interpreter                              string // empty when no interpreter for this language
	Cancelled                                string
}

func (s *Server) invitationsPage(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	if a.Role != store.RoleNurse && a.Role != store.RoleCoordinator && !a.IsAdmin() {
		s.fail(c, store.Errorf(store.EForbidden, "invitations are printed by the nurse or the coordinator"))
		return
	}
	g, err := s.db.Group(ctx, a, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	il, ok := messages.InvitationLanguageOf(c.DefaultQuery("lang", "nl"))
	if !ok {
		il, _ = messages.InvitationLanguageOf("nl")
	}
	number := 0
	if v := c.Query("session"); v != "" {
		if number, err = strconv.Atoi(v); err != nil || number < 1 || number > 8 {
			s.fail(c, store.Field("session", "session_number", "must be a session number from 1 to 8"))
			return
		}
	}
	sessions, _, err := s.db.Sessions(ctx, a, store.SessionFilter{GroupID: g.ID, Page: store.Page{Limit: 20}})
	if err != nil {
		s.fail(c, err)
		return
	}
	n := s.names(c, nil)
	var cards []invitationCard
	var shown []store.Session
	for _, ss := range sessions {
		if number != 0 && ss.Number != number || number == 0 && ss.EndsAt.Before(s.now()) {
			continue
		}
		cards = append(cards, invitationFor(il, ss, n))
		shown = append(shown, ss)
	}
	if err := s.db.MarkInvitationsPrinted(ctx, shown); err != nil {
		s.fail(c, err)
		return
	}
	var langs []choice
	for _, l := range messages.InvitationLanguages {
		langs = append(langs, choice{l.Code, messages.LanguageName(lang(c), l.Code)})
	}
	s.render(c, http.StatusOK, "invitations", "invitations.title", gin.H{"Group": g, "GroupName": groupWords(lang(c), n, g.ID), "Cards": cards,
		"Tag": il.Tag, "RTL": il.RTL, "Series": messages.Invite(il.Tag, "invite.series", nil), "Languages": langs, "Chosen": il.Code, "Number": number})
}

func invitationFor(il messages.InvitationLanguage, ss store.Session, n *names) invitationCard {
	t := func(id string) string { return messages.Invite(il.Tag, id, nil) }
	day := civil.Today(ss.StartsAt)
	card := invitationCard{Number: ss.Number, Title: t("invite.title"), Session: messages.Invite(il.Tag, "invite.session", map[string]any{"Number": ss.Number}),
		WhenLabel: t("invite.when"), Weekday: t("invite.weekday." + strconv.Itoa(day.ISOWeekday())),
		When:       fmt.Sprintf("%s  %s–%s", day.Dutch(), ss.StartsAt.Format("15:04"), ss.EndsAt.Format("15:04")),
		WhereLabel: t("invite.where"), Where: n.Location(ss.LocationID) + ", " + n.Room(ss.RoomID),
		Duration: t("invite.duration"), What: t("invite.what"), Bring: t("invite.bring"), Partner: t("invite.partner")}
	for _, l := range ss.InterpreterLanguages {
		if l == il.Code {
			card.Interpreter = t("invite.interpreter")
		}
	}
	if ss.Status == store.SessionCancelled {
		card.Cancelled = t("invite.cancelled")
	}
	return card
}
