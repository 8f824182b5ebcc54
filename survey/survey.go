// Package survey runs the interest survey (interessepeiling): the capability
// links of the invitations, the daily decision which organisation gets an
// invitation or a reminder, and the Dutch mails. It has its own package because
// it joins the store, the mail outbox and the clock into one rule set that
// neither the API nor the store should own.
package survey

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
)

// RemindJob is the name of the reminder job in job_runs.
const RemindJob = "survey-reminders"

// LinkValidDays is how long after the deadline an answer link still opens (read-only).
const LinkValidDays = 30

// Service decides and composes the survey's mails.
type Service struct {
	DB      *store.DB
	Secret  []byte
	BaseURL string
	// Skipped collects the invitations a run could not queue; the caller
	// logs and counts them.
	Skipped []store.SkippedOrganisation
}

// Token is the capability in an invitation's answer link: the invitation id
// and a 128-bit HMAC of it, so reminders can carry it again without storing it.
func Token(secret []byte, invitationID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("survey\x00" + invitationID))
	return invitationID + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// InvitationOf returns the invitation id of a genuine token.
func InvitationOf(secret []byte, token string) (string, bool) {
	id, _, ok := strings.Cut(token, ".")
	if !ok || id == "" {
		return "", false
	}
	return id, hmac.Equal([]byte(token), []byte(Token(secret, id)))
}

// Link is the answer page of an invitation.
func (s *Service) Link(invitationID string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/survey/" + Token(s.Secret, invitationID)
}

// Planned is one mail the reminder job queues (or, in a dry run, would queue).
type Planned struct {
	Kind           string `json:"kind"` // invitation, reminder or last
	SurveyID       string `json:"survey_id"`
	OrganisationID string `json:"organisation_id"`
	Organisation   string `json:"organisation"`
	Slot           string `json:"slot"`
	To             string `json:"to"`
}

// Decide says which mail, if any, an open invitation gets on today: the
// invitation on the first run on or after the opening date; a reminder every 7
// days after the invitation; a last reminder from 2 days before the deadline;
// nothing after the deadline or an answer (OpenInvitations leaves those out).
// A missed run is caught up by the next, and the slot names make each mail once.
func Decide(inv store.OpenInvitation, today civil.Date) (kind, slot string) {
	lastDay := inv.Survey.Deadline.AddDays(-2)
	switch {
	case inv.InvitedOn == nil:
		return "invitation", "invitation"
	case today >= lastDay && *inv.InvitedOn < lastDay:
		return "last", "last"
	case today < lastDay && today.Sub(*inv.InvitedOn) >= 7:
		k := today.Sub(*inv.InvitedOn) / 7
		return "reminder", fmt.Sprintf("reminder-%d", k)
	}
	return "", ""
}

var errDryRun = errors.New("dry run")

// Remind queues the mails due on today in one transaction: each message with a
// dedupe key (survey, organisation, slot) in the outbox together with the
// decision, so a crash or a second replica never sends a slot's mail twice.
// With dryRun nothing is written and the mails that would go are returned.
func (s *Service) Remind(ctx context.Context, today civil.Date, dryRun bool) ([]Planned, error) {
	var planned []Planned
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		planned, err = s.RemindTx(tx, today)
		if err == nil && dryRun {
			return errDryRun
		}
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return planned, err
}

// RemindTx is Remind inside a transaction the caller owns (the cron job's).
// Each invitation is decided in a savepoint of its own: one that cannot be
// queued is logged by the caller through Skipped and the others go.
func (s *Service) RemindTx(tx *store.Tx, today civil.Date) ([]Planned, error) {
	invs, err := tx.OpenInvitations(today)
	if err != nil {
		return nil, err
	}
	planned := []Planned{}
	for _, inv := range invs {
		var p *Planned
		err := tx.Apart(func(tx *store.Tx) error {
			var err error
			p, err = s.remindOne(tx, inv, today)
			return err
		})
		switch {
		case err != nil:
			s.Skipped = append(s.Skipped, store.SkippedOrganisation{OrganisationID: inv.OrganisationID, Err: err})
		case p != nil:
			planned = append(planned, *p)
		}
	}
	return planned, nil
}

// remindOne queues the mail one open invitation is due today, if any.
func (s *Service) remindOne(tx *store.Tx, inv store.OpenInvitation, today civil.Date) (*Planned, error) {
	kind, slot := Decide(inv, today)
	if kind == "" || inv.ContactEmail == "" {
		return nil, nil
	}
	m, err := s.compose(kind, inv)
	if err != nil {
		return nil, err
	}
	m.DedupeKey = fmt.Sprintf("survey:%s:%s:%s", inv.SurveyID, inv.OrganisationID, slot)
	added, err := tx.Enqueue(m)
	if err != nil || !added {
		return nil, err
	}
	if kind == "invitation" {
		if err := tx.MarkInvited(inv.ID, today); err != nil {
			return nil, err
		}
	}
	return &Planned{Kind: kind, SurveyID: inv.SurveyID, OrganisationID: inv.OrganisationID,
		Organisation: inv.Organisation, Slot: slot, To: inv.ContactEmail}, nil
}

var subjects = map[string]string{
	"invitation": "Uitnodiging: interessepeiling Centering Ouderschap – %s",
	"reminder":   "Herinnering: interessepeiling Centering Ouderschap – %s",
	"last":       "Laatste herinnering: interessepeiling Centering Ouderschap – %s",
}

var bodies = template.Must(template.New("text").Parse(`{{define "text"}}Beste collega's van {{.Organisation}},

{{if eq .Kind "last"}}Over twee dagen sluit de interessepeiling. We hebben uw antwoord nog niet ontvangen.

{{else if eq .Kind "reminder"}}We hebben uw antwoord op de interessepeiling nog niet ontvangen.

{{end}}Alle GGD'en en JGZ-organisaties kunnen Centering Ouderschap aanbieden op de COA-locaties waar zij de jeugdgezondheidszorg voor asielzoekers verzorgen. Met deze interessepeiling vragen we of uw organisatie daarmee wil starten, op welke locaties, vanaf wanneer, en met hoeveel getrainde begeleiders.

Beantwoord de peiling uiterlijk {{.Deadline}} via deze link voor uw organisatie:
{{.Link}}

Tot de sluitingsdatum kunt u uw antwoord via dezelfde link aanpassen.

Met vriendelijke groet,
coplan – planning van Centering Ouderschap
{{end}}{{define "html"}}<!doctype html>
<html lang="nl"><body style="font-family: sans-serif; color: #1b1b1b">
<p>Beste collega's van {{.Organisation}},</p>
{{if eq .Kind "last"}}<p><strong>Over twee dagen sluit de interessepeiling.</strong> We hebben uw antwoord nog niet ontvangen.</p>
{{else if eq .Kind "reminder"}}<p>We hebben uw antwoord op de interessepeiling nog niet ontvangen.</p>
{{end}}<p>Alle GGD'en en JGZ-organisaties kunnen Centering Ouderschap aanbieden op de COA-locaties waar zij de jeugdgezondheidszorg voor asielzoekers verzorgen. Met deze interessepeiling vragen we of uw organisatie daarmee wil starten, op welke locaties, vanaf wanneer, en met hoeveel getrainde begeleiders.</p>
<p>Beantwoord de peiling uiterlijk <strong>{{.Deadline}}</strong>:</p>
<p><a href="{{.Link}}" style="color: #0b5394">Naar de interessepeiling</a></p>
<p>Tot de sluitingsdatum kunt u uw antwoord via dezelfde link aanpassen.</p>
<p>Met vriendelijke groet,<br>coplan – planning van Centering Ouderschap</p>
</body></html>{{end}}`))

var months = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// DutchDate writes a date as "15 maart 2027".
func DutchDate(d civil.Date) string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%d %s %d", day, months[m-1], y)
}

func (s *Service) compose(kind string, inv store.OpenInvitation) (*store.Mail, error) {
	data := map[string]string{"Kind": kind, "Organisation": inv.Organisation, "Deadline": DutchDate(inv.Survey.Deadline), "Link": s.Link(inv.ID)}
	var text, html bytes.Buffer
	if err := bodies.ExecuteTemplate(&text, "text", data); err != nil {
		return nil, err
	}
	if err := bodies.ExecuteTemplate(&html, "html", data); err != nil {
		return nil, err
	}
	// html/template escapes the text part too; unescape undoes that for the plain body.
	return &store.Mail{ToAddress: inv.ContactEmail, Subject: fmt.Sprintf(subjects[kind], inv.Survey.Title),
		TextBody: unescape(text.String()), HTMLBody: html.String()}, nil
}

// RunJob is one run of the daily reminder job for slot, once across replicas.
func (s *Service) RunJob(ctx context.Context, slot time.Time, replica string) ([]Planned, bool, error) {
	var planned []Planned
	s.Skipped = nil
	ran, err := s.DB.RunJob(ctx, RemindJob, slot, replica, func(tx *store.Tx) (string, error) {
		var err error
		planned, err = s.RemindTx(tx, civil.Today(slot))
		return fmt.Sprintf("%d mails queued, %d organisations skipped", len(planned), len(s.Skipped)), err
	})
	if ran {
		metrics.SkippedOrganisations.WithLabelValues(RemindJob).Add(float64(len(s.Skipped)))
		metrics.LastSkipped.WithLabelValues(RemindJob).Set(float64(len(s.Skipped)))
	}
	return planned, ran, err
}

// ErrNotOpen is Resend's answer for an invitation that was answered, or
// whose survey is closed or not yet open.
var ErrNotOpen = store.Errorf(store.EConflict, "the invitation is answered, or its survey is not open")

// Resend queues the invitation of organisationID to surveyID again now (an
// address was corrected, the mail was lost), with the same link; it returns
// the address it goes to.
func (s *Service) Resend(ctx context.Context, surveyID, organisationID string, today civil.Date) (string, error) {
	var to string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		invs, err := tx.OpenInvitations(today)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if inv.SurveyID != surveyID || inv.OrganisationID != organisationID {
				continue
			}
			if inv.ContactEmail == "" {
				return store.Field("contact_email", "required", "the organisation has no contact address")
			}
			m, err := s.compose("invitation", inv)
			if err != nil {
				return err
			}
			m.DedupeKey = fmt.Sprintf("survey:%s:%s:resend:%s", surveyID, organisationID, store.NewID("r"))
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
			if inv.InvitedOn == nil {
				if err := tx.MarkInvited(inv.ID, today); err != nil {
					return err
				}
			}
			to = inv.ContactEmail
			return nil
		}
		return ErrNotOpen
	})
	return to, err
}
