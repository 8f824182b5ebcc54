package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/jobs"
	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/survey"
)

// serve runs the HTTP server until ctx ends, then drains in-flight requests and
// closes the database.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	withDemo := fs.Bool("demo", false, "fill an empty database with demo data and its people; show the outbox on /dev/mail when no SMTP server is set")
	a, err := openApp(ctx, getenv, fs, args, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if *withDemo {
		if err := fillDemo(ctx, a.db, a.cfg, a.log, stdout); err != nil {
			return err
		}
	}
	kick := make(chan struct{}, 1) // a reminder run or a sign-in link asks the sender to send at once
	sent := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	var sso *accounts.SSO
	if a.cfg.OIDC.Issuer != "" {
		if sso, err = accounts.NewSSO(ctx, a.cfg.OIDC); err != nil {
			return fmt.Errorf("COPLAN_OIDC_ISSUER: %w", err)
		}
	}
	srv, err := api.New(api.Config{SSO: sso, DB: a.db, Coordination: coordination.New(a.db).WithBaseURL(a.cfg.BaseURL), Logger: a.log, Now: a.now, BaseURL: a.cfg.BaseURL,
		Secret: a.key, TrustedProxies: a.cfg.TrustedProxies, RatePerToken: a.cfg.RateToken, RatePerIP: a.cfg.RateIP,
		MailSent: sent, DevMail: *withDemo && a.cfg.SMTP == nil})
	if err != nil {
		return err
	}
	sched, err := scheduleJobs(a, kick)
	if err != nil {
		return err
	}
	stopSender := startSender(a, kick)
	defer stopSender()
	watchGauges(a.db)
	return listen(ctx, a, srv, sched)
}

// scheduleJobs registers the cron jobs: feed publication, survey reminders,
// retention.
func scheduleJobs(a *app, kick chan<- struct{}) (*jobs.Scheduler, error) {
	c, log, db := a.cfg, a.log, a.db
	sched := jobs.New(log, a.now)
	publisher := newPublisher(db, c)
	if err := sched.Add(calendars.PublishJob, c.CronPublish, func(ctx context.Context, slot time.Time) error {
		res, err := publisher.Publish(ctx, slot)
		for _, sk := range res.Skipped {
			log.Error("feed publication skipped an organisation", "organisation_id", sk.OrganisationID, "err", sk.Err)
		}
		if err == nil {
			log.Info("feed publication", "slot", slot.Format(time.RFC3339), "ran", res.Ran, "feeds", res.Feeds, "changed", res.Changed, "skipped", len(res.Skipped))
		}
		countJob(calendars.PublishJob, res.Ran, err)
		return err
	}); err != nil {
		return nil, fmt.Errorf("COPLAN_CRON_PUBLISH: %w", err)
	}
	svc := &survey.Service{DB: db, Secret: a.key, BaseURL: c.BaseURL}
	if err := sched.Add(survey.RemindJob, c.CronRemind, func(ctx context.Context, slot time.Time) error {
		planned, ran, err := svc.RunJob(ctx, slot, c.Replica)
		for _, sk := range svc.Skipped {
			log.Error("survey reminders skipped an organisation", "organisation_id", sk.OrganisationID, "err", sk.Err)
		}
		countJob(survey.RemindJob, ran, err)
		if err == nil {
			log.Info("survey reminders", "slot", slot.Format(time.RFC3339), "ran", ran, "queued", len(planned))
			select {
			case kick <- struct{}{}:
			default:
			}
		}
		return err
	}); err != nil {
		return nil, fmt.Errorf("COPLAN_CRON_REMIND: %w", err)
	}
	uc := coordination.New(db).WithBaseURL(c.BaseURL)
	if err := sched.Add(coordination.AttendanceJob, c.CronRemind, func(ctx context.Context, slot time.Time) error {
		n, ran, err := uc.RemindAttendance(ctx, slot, c.Replica)
		countJob(coordination.AttendanceJob, ran, err)
		if err == nil && n > 0 {
			log.Info("attendance reminders", "slot", slot.Format(time.RFC3339), "queued", n)
			select {
			case kick <- struct{}{}:
			default:
			}
		}
		return err
	}); err != nil {
		return nil, fmt.Errorf("COPLAN_CRON_REMIND: %w", err)
	}
	if err := sched.Add(store.RetentionJob, c.CronRetention, func(ctx context.Context, slot time.Time) error {
		n, ran, err := db.RunRetentionJob(ctx, slot, c.Replica)
		countJob(store.RetentionJob, ran, err)
		if err == nil {
			log.Info("retention", "slot", slot.Format(time.RFC3339), "ran", ran, "deleted", n)
		}
		return err
	}); err != nil {
		return nil, fmt.Errorf("COPLAN_CRON_RETENTION: %w", err)
	}
	return sched, nil
}

// startSender runs the outbox sender until the returned stop is called.
func startSender(a *app, kick <-chan struct{}) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runSender(ctx, newSender(a.db, a.cfg, a.log, a.now), a.cfg.SMTPPoll, kick, a.log)
	}()
	return func() { cancel(); <-done }
}

// watchGauges has the metrics read the outbox backlog and the last
// publication from the database at scrape time.
func watchGauges(db *store.DB) {
	metrics.SetOutboxBacklog(func() float64 {
		n, _ := db.PendingMail(context.Background())
		return float64(n)
	})
	metrics.SetLastPublication(func() float64 {
		if run, err := db.LastJobRun(context.Background(), calendars.PublishJob); err == nil && run != nil {
			return float64(run.Slot.Unix())
		}
		return 0
	})
}

// listen serves until ctx ends, then finishes in-flight requests and lets a
// running job finish.
func listen(ctx context.Context, a *app, srv *api.Server, sched *jobs.Scheduler) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("COPLAN_ADDR: cannot listen on %s: %w", a.cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.log.Info("coplan serving", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL, "database", string(a.db.Dialect()))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	sched.Start()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	sched.Stop(shutdownCtx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// countJob counts a cron firing: ran, skipped (another replica had the slot) or failed.
func countJob(job string, ran bool, err error) {
	outcome := "skipped"
	switch {
	case err != nil:
		outcome = "failed"
	case ran:
		outcome = "ran"
	}
	metrics.JobRuns.WithLabelValues(job, outcome).Inc()
}

func newPublisher(db *store.DB, c config) *calendars.Publisher {
	u, _ := url.Parse(c.BaseURL)
	return &calendars.Publisher{DB: db, Renderer: calendars.Renderer{Host: u.Hostname()}, Replica: c.Replica}
}

// fillDemo adds demo data to an empty database with its people: it prints a
// sign-in link for the demo admin once, when it fills the database, and the
// demo users' addresses at every start (their mails are on /dev/mail when no
// SMTP server is configured). It mints no token.
func fillDemo(ctx context.Context, db *store.DB, c config, log interface{ Info(string, ...any) }, stdout io.Writer) error {
	added, err := demo.Fill(ctx, db)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if !added {
		log.Info("database holds data already; no demo data added")
		return printDemoPeople(ctx, db, c, stdout)
	}
	if err := demo.PlanAndPublish(ctx, db); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	people, err := demo.People(ctx, db)
	if err != nil {
		return fmt.Errorf("demo people: %w", err)
	}
	svc := accounts.New(db, c.BaseURL, nil, nil)
	for i := range people {
		if i == 0 { // the admin signs in from the terminal
			err = db.InviteUser(ctx, store.System, &people[i], nil)
		} else {
			err = svc.Invite(ctx, store.System, &people[i], "nl")
		}
		if err != nil {
			return fmt.Errorf("demo people: %w", err)
		}
	}
	log.Info("demo data added, planned and published")
	link, err := db.SignInLink(ctx, people[0].ID, store.InvitationTTL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sign in as the demo admin (%s), once, within 7 days: %s/login/%s\n", people[0].Email, c.BaseURL, link)
	return printDemoPeople(ctx, db, c, stdout)
}

// printDemoPeople says how to sign in to the demo.
func printDemoPeople(ctx context.Context, db *store.DB, c config, stdout io.Writer) error {
	users, err := db.Users(ctx, store.System, store.UserFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sign in at %s/login with one of these addresses:\n", c.BaseURL)
	for _, u := range users {
		fmt.Fprintf(stdout, "  %-40s %s\n", u.Email, u.Role)
	}
	if c.SMTP == nil {
		fmt.Fprintf(stdout, "no SMTP server is configured: the mails with the sign-in links are on %s/dev/mail\n", c.BaseURL)
	}
	return nil
}

// clock is time.Now, or a fixed instant from COPLAN_NOW (RFC 3339) for
// demonstrations and end-to-end tests.
func clock(getenv func(string) string) (func() time.Time, error) {
	v := getenv("COPLAN_NOW")
	if v == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("COPLAN_NOW: %q is not an RFC 3339 time", v)
	}
	start := time.Now()
	return func() time.Time { return t.Add(time.Since(start)) }, nil
}
