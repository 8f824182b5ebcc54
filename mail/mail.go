// Package mail delivers the outbox over SMTP with github.com/wneessen/go-mail.
// It is its own package because sending is one concern shared by the survey
// reminders and the notices to facilitators, and because it is the one place
// that talks to a mail server: claim, send, mark, with retries and backoff.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coplan/coplan/store"
	gomail "github.com/wneessen/go-mail"
)

// Sender sends due outbox messages.
type Sender struct {
	DB     *store.DB
	Server *url.URL // smtp://user:pass@host:port; nil: messages wait
	From   string
	Name   string // names this sender in claims
	Log    *slog.Logger
	Now    func() time.Time
	// Stale is how long a claim may stay unfinished before another sender takes
	// the message over (the claimer crashed between claim and send).
	Stale time.Duration
	// MaxAttempts before a temporarily failing message is given up.
	MaxAttempts int
}

// Result counts one sending pass.
type Result struct {
	Sent, Retried, Failed int
}

// ParseServer reads COPLAN_SMTP_URL.
func ParseServer(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%q is not smtp://[user:pass@]host:port or smtps://host:port", raw)
	}
	return u, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	port := 25
	if p := s.Server.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	} else if s.Server.Scheme == "smtps" {
		port = 465
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(30 * time.Second)}
	if s.Server.Scheme == "smtps" {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.Server.User != nil {
		pass, _ := s.Server.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.Server.User.Username()), gomail.WithPassword(pass))
	}
	return gomail.NewClient(s.Server.Hostname(), opts...)
}

func (s *Sender) message(m *store.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return nil, fmt.Errorf("COPLAN_SMTP_FROM: %w", err)
	}
	if err := msg.To(m.ToAddress); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	if m.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	}
	return msg, nil
}

// SendPending sends every due message, one connection per batch.
func (s *Sender) SendPending(ctx context.Context) (Result, error) {
	var res Result
	if s.Server == nil {
		return res, nil
	}
	if s.Stale == 0 {
		s.Stale = 2 * time.Minute
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 8
	}
	for {
		batch, err := s.DB.ClaimMail(ctx, s.Name, 20, s.Stale)
		if err != nil || len(batch) == 0 {
			return res, err
		}
		c, err := s.client()
		if err != nil {
			return res, err
		}
		dialErr := c.DialWithContext(ctx)
		for i := range batch {
			m := &batch[i]
			err := dialErr
			if err == nil {
				var msg *gomail.Msg
				if msg, err = s.message(m); err == nil {
					err = c.Send(msg)
				}
			}
			// A message on its way is settled even when shutdown began meanwhile.
			if err := s.settle(context.WithoutCancel(ctx), m, err, &res); err != nil {
				c.Close()
				return res, err
			}
		}
		if dialErr == nil {
			c.Close()
		}
		if dialErr != nil {
			return res, nil // the server is away: the batch waits for its retry time
		}
	}
}

// settle records the outcome of one attempt: a 5xx answer fails the message,
// a 4xx answer or a dropped connection retries it with backoff.
func (s *Sender) settle(ctx context.Context, m *store.Mail, sendErr error, res *Result) error {
	if sendErr == nil {
		res.Sent++
		s.Log.Info("mail sent", "mail_id", m.ID, "attempt", m.Attempts)
		return s.DB.MarkMailSent(ctx, m.ID)
	}
	var se *gomail.SendError
	permanent := errors.As(sendErr, &se) && !se.IsTemp() && se.ErrorCode() >= 500
	reason := shorten(sendErr.Error())
	if permanent || m.Attempts >= s.MaxAttempts {
		res.Failed++
		s.Log.Warn("mail failed", "mail_id", m.ID, "attempt", m.Attempts, "reason", reason)
		return s.DB.MarkMailFailed(ctx, m.ID, reason)
	}
	res.Retried++
	backoff := time.Minute << min(m.Attempts-1, 6) // 1, 2, 4 ... 64 minutes
	s.Log.Info("mail will be retried", "mail_id", m.ID, "attempt", m.Attempts, "in", backoff.String())
	return s.DB.MarkMailRetry(ctx, m.ID, s.Now().Add(backoff), reason)
}

// shorten keeps an error short and without recipients' addresses.
func shorten(s string) string {
	if i := strings.Index(s, ", affected recipient"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
