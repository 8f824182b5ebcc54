// Package accounts holds the use cases of people's accounts: inviting a
// user, mailing a sign-in link, and single sign-on through the
// organisation's identity provider. It is its own package because who a
// person is has nothing to do with planning (the coordination package), and
// because it is the one place that talks to an identity provider (go-oidc and
// oauth2, in oidc.go). The store keeps users, links, sessions and tokens; this
// package writes the mails that carry the links, in the catalogue's words.
package accounts

import (
	"context"
	"errors"
	"log/slog"

	"github.com/coplan/coplan/messages"
	"github.com/coplan/coplan/store"
)

// Service runs the account use cases on one store.
type Service struct {
	db      *store.DB
	baseURL string // where people open coplan, for the links in mails
	log     *slog.Logger
	sent    func() // asks the mail sender to send now; may be nil
}

// New returns the account use cases on db; links in mails start with baseURL.
// sent, when not nil, is called after a mail was queued, so that a sign-in
// link goes out at once rather than at the sender's next poll.
func New(db *store.DB, baseURL string, log *slog.Logger, sent func()) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, baseURL: baseURL, log: log, sent: sent}
}

func (s *Service) kick() {
	if s.sent != nil {
		s.sent()
	}
}

// link is the address of a sign-in link's secret.
func (s *Service) link(secret, lang string) string {
	u := s.baseURL + "/login/" + secret
	if lang == "en" {
		u += "?lang=en"
	}
	return u
}

// Invite stores user u, invited by a, and queues the invitation mail in
// lang with its one-time link.
func (s *Service) Invite(ctx context.Context, a store.Actor, u *store.User, lang string) error {
	by, err := s.inviter(ctx, a, lang)
	if err != nil {
		return err
	}
	err = s.db.InviteUser(ctx, a, u, func(secret string) *store.Mail {
		return s.invitation(u, by, secret, lang)
	})
	if err == nil {
		s.kick()
	}
	return err
}

// Resend mails user id a new invitation link.
func (s *Service) Resend(ctx context.Context, a store.Actor, id, lang string) (*store.User, error) {
	by, err := s.inviter(ctx, a, lang)
	if err != nil {
		return nil, err
	}
	var u *store.User
	u, err = s.db.ResendInvitation(ctx, a, id, func(secret string) *store.Mail {
		return s.invitation(u, by, secret, lang)
	})
	if err == nil {
		s.kick()
	}
	return u, err
}

// inviter names who invites: the person, or "the administrator" for the
// command line and service tokens.
func (s *Service) inviter(ctx context.Context, a store.Actor, lang string) (string, error) {
	if a.UserID == "" {
		return messages.Text(lang, "mail.invite.admin"), nil
	}
	names, err := s.db.UserNames(ctx, []string{a.UserID})
	if err != nil {
		return "", err
	}
	return names[a.UserID], nil
}

func (s *Service) invitation(u *store.User, by, secret, lang string) *store.Mail {
	data := map[string]any{"By": by, "Role": messages.Text(lang, "role."+string(u.Role)), "URL": s.link(secret, lang),
		"Login": s.baseURL + "/login"}
	return s.mail(u, lang, "mail.invite.subject", "mail.invite.body", data)
}

func (s *Service) mail(u *store.User, lang, subject, body string, data map[string]any) *store.Mail {
	text := messages.Letter(lang, u.Name, messages.Format(lang, body, data))
	// No dedupe: every link is a new message.
	return &store.Mail{ToAddress: u.Email, Subject: messages.Format(lang, subject, data), TextBody: text, DedupeKey: store.NewID("signin")}
}

// RequestSignIn mails a sign-in link to email when an active user has it
// and the address has not asked too often; it says nothing either way, so
// that the answer to the person never tells whether an address is known.
func (s *Service) RequestSignIn(ctx context.Context, email, lang string) {
	err := s.db.RequestSignIn(ctx, email, func(u *store.User, secret string) *store.Mail {
		return s.mail(u, lang, "mail.signin.subject", "mail.signin.body",
			map[string]any{"URL": s.link(secret, lang), "Minutes": int(store.SignInLinkTTL.Minutes())})
	})
	switch {
	case errors.Is(err, store.ErrSignInLimit):
		s.log.Warn("sign-in requests over the limit for one address")
	case err != nil:
		s.log.Error("sign-in request", "err", err)
	default:
		s.kick()
	}
}
