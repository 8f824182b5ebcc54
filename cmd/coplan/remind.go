package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/mail"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/survey"
)

// remind runs the survey reminder job once, or with --dry-run prints what it would send now.
func remind(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("remind", stderr)
	dry := fs.Bool("dry-run", false, "print the mails that would be sent now, send nothing")
	a, err := openApp(ctx, getenv, fs, args, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	c, now, log, db := a.cfg, a.now, a.log, a.db
	svc := &survey.Service{DB: db, Secret: a.key, BaseURL: c.BaseURL}
	var planned []survey.Planned
	if *dry {
		planned, err = svc.Remind(ctx, civil.Today(now()), true)
	} else {
		planned, _, err = svc.RunJob(ctx, now().Truncate(time.Second), c.Replica)
	}
	if err != nil {
		return err
	}
	verb := "queued"
	if *dry {
		verb = "would queue"
	}
	for _, p := range planned {
		fmt.Fprintf(stdout, "%s %s to %s (%s) for survey %s\n", verb, p.Kind, p.Organisation, p.To, p.SurveyID)
	}
	fmt.Fprintf(stdout, "%d mails %s\n", len(planned), verb)
	if *dry {
		return nil
	}
	res, err := newSender(db, c, log, now).SendPending(ctx)
	if err != nil {
		return err
	}
	waiting, _ := db.PendingMail(ctx)
	fmt.Fprintf(stdout, "sent %d, to retry %d, failed %d; %d waiting in the outbox\n", res.Sent, res.Retried, res.Failed, waiting)
	return nil
}

func newSender(db *store.DB, c config, log *slog.Logger, now func() time.Time) *mail.Sender {
	return &mail.Sender{DB: db, Server: c.SMTP, From: c.SMTPFrom, Name: c.Replica, Log: log, Now: now, Stale: c.SMTPStale}
}

// runSender sends the outbox every poll interval and when kicked, until ctx ends.
func runSender(ctx context.Context, s *mail.Sender, poll time.Duration, kick <-chan struct{}, log *slog.Logger) {
	if s.Server == nil {
		if n, err := s.DB.PendingMail(ctx); err == nil {
			log.Warn("COPLAN_SMTP_URL is not set: mail waits in the outbox", "waiting", n)
		}
		return
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.SendPending(ctx); err != nil && ctx.Err() == nil {
			log.Error("sending mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
	}
}
