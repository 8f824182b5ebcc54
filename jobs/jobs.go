// Package jobs runs coplan's periodic work (feed publication, survey
// reminders) on robfig/cron/v3 schedules in Europe/Amsterdam time. It is its own
// package because the same rules hold for every job: a panic is recovered, a
// run that is still going makes the next one skip, and each run is named by its
// slot (the scheduled time), which the store claims once across all replicas.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/robfig/cron/v3"
)

// parser accepts standard five-field specs, an optional leading seconds field
// (for tests) and descriptors such as @daily.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler runs jobs on cron schedules.
type Scheduler struct {
	cron *cron.Cron
	log  *slog.Logger
	now  func() time.Time
	ctx  context.Context
	stop context.CancelFunc
}

// New returns a scheduler on the given clock.
func New(log *slog.Logger, now func() time.Time) *Scheduler {
	l := cronLogger{log}
	ctx, stop := context.WithCancel(context.Background())
	return &Scheduler{
		cron: cron.New(cron.WithLocation(civil.Amsterdam), cron.WithParser(parser),
			cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l))),
		log: log, now: now, ctx: ctx, stop: stop,
	}
}

// Parse checks a spec; specs without CRON_TZ run in Europe/Amsterdam.
func Parse(spec string) (cron.Schedule, error) {
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "@every") {
		spec = "CRON_TZ=" + civil.Amsterdam.String() + " " + spec
	}
	return parser.Parse(spec)
}

// Add schedules run under name. run gets the slot: the scheduled time this
// firing belongs to, equal on every replica.
func (s *Scheduler) Add(name, spec string, run func(ctx context.Context, slot time.Time) error) error {
	sched, err := Parse(spec)
	if err != nil {
		return fmt.Errorf("%q: %w", spec, err)
	}
	s.cron.Schedule(sched, cron.FuncJob(func() {
		slot := Slot(sched, s.now())
		start := time.Now()
		if err := run(s.ctx, slot); err != nil {
			s.log.Error("job failed", "job", name, "slot", slot.Format(time.RFC3339), "err", err)
			return
		}
		s.log.Debug("job finished", "job", name, "slot", slot.Format(time.RFC3339), "duration_ms", time.Since(start).Milliseconds())
	}))
	return nil
}

// Start starts the schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling and waits until running jobs finish or ctx ends; then
// it cancels the jobs' context.
func (s *Scheduler) Stop(ctx context.Context) {
	done := s.cron.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
	}
	s.stop()
}

// Slot returns the latest scheduled time of sched at or before now: the slot a
// firing belongs to even when it runs a little late.
func Slot(sched cron.Schedule, now time.Time) time.Time {
	t := now.Add(-26 * time.Hour)
	last := now.Truncate(time.Second)
	found := false
	for {
		next := sched.Next(t)
		if next.IsZero() || next.After(now) {
			break
		}
		last, found, t = next, true, next
	}
	if !found {
		return now.Truncate(time.Second)
	}
	return last
}

type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
