// Package metrics owns coplan's Prometheus metrics: one registry that the API,
// the jobs and the planner report to, served at /metrics. It is its own package
// so that every layer can count without importing the HTTP server.
package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds every coplan metric, plus the Go and process collectors.
var Registry = prometheus.NewRegistry()

var (
	// Requests counts HTTP requests per route template, method and status.
	Requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coplan_http_requests_total", Help: "HTTP requests by route template, method and status.",
	}, []string{"route", "method", "status"})
	// Latency is the duration of HTTP requests per route template.
	Latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "coplan_http_request_duration_seconds", Help: "HTTP request duration by route template.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method"})
	// JobRuns counts cron job firings by outcome: ran, skipped (another replica
	// had the slot) or failed.
	JobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coplan_job_runs_total", Help: "Cron job firings by job and outcome (ran, skipped, failed).",
	}, []string{"job", "outcome"})
	// PlannerDuration is the time of planning runs.
	PlannerDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "coplan_planner_duration_seconds", Help: "Duration of planning runs (one organisation each).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	})
	// SkippedOrganisations counts the organisations a job run could not do,
	// because a record of theirs could not be read; the others were done.
	SkippedOrganisations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coplan_job_skipped_organisations_total", Help: "Organisations a job run skipped over an unreadable or inconsistent record, by job.",
	}, []string{"job"})
	// LastSkipped is how many organisations the last run of a job skipped.
	LastSkipped = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "coplan_job_last_skipped_organisations", Help: "Organisations the last run of a job (on this replica) skipped.",
	}, []string{"job"})
	// RateLimited counts requests refused by a rate limit.
	RateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coplan_rate_limited_total", Help: "Requests refused with 429, by limit.",
	}, []string{"limit"})
)

func init() {
	Registry.MustRegister(Requests, Latency, JobRuns, PlannerDuration, RateLimited, SkippedOrganisations, LastSkipped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Gauges read from the database at scrape time; serve sets the functions, so
// that tests can start many servers in one process.
var (
	outboxBacklog   atomicFunc
	lastPublication atomicFunc
)

// SetOutboxBacklog sets how the outbox backlog is read.
func SetOutboxBacklog(f func() float64) { outboxBacklog.Store(f) }

// SetLastPublication sets how the time of the last publication is read.
func SetLastPublication(f func() float64) { lastPublication.Store(f) }

func init() {
	Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coplan_outbox_backlog", Help: "Mails waiting to be sent."}, outboxBacklog.Load),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coplan_last_publication_timestamp_seconds",
			Help: "Unix time of the last feed publication that ran."}, lastPublication.Load))
}

type atomicFunc struct{ v atomic.Value }

func (a *atomicFunc) Store(f func() float64) { a.v.Store(f) }

func (a *atomicFunc) Load() float64 {
	if f, ok := a.v.Load().(func() float64); ok {
		return f()
	}
	return 0
}
