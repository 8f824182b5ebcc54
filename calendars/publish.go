package calendars

import (
	"context"
	"fmt"
	"time"

	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
)

// PublishJob is the name of the publication job in job_runs.
const PublishJob = "publish-feeds"

// Publisher renders every feed into the store once per slot.
type Publisher struct {
	DB       *store.DB
	Renderer Renderer
	Replica  string // names the process in the run record
}

// Result says what a publication run did.
type Result struct {
	Ran     bool // false when another replica ran this slot
	Feeds   int
	Changed int
	// Skipped are organisations whose feeds kept their last bytes, because a
	// record of theirs could not be read or rendered.
	Skipped []store.SkippedOrganisation
}

// Publish runs one publication for slot, unless some replica did already. An
// organisation whose records cannot be read is skipped, counted and left for
// the next run; the others are published.
func (p *Publisher) Publish(ctx context.Context, slot time.Time) (Result, error) {
	var res Result
	ran, err := p.DB.RunJob(ctx, PublishJob, slot, p.Replica, func(tx *store.Tx) (string, error) {
		pub, err := tx.PublishFeeds(p.Renderer.Render)
		res.Feeds, res.Changed, res.Skipped = pub.Feeds, pub.Changed, pub.Skipped
		return fmt.Sprintf("%d feeds, %d changed, %d organisations skipped", pub.Feeds, pub.Changed, len(pub.Skipped)), err
	})
	res.Ran = ran
	if ran {
		metrics.SkippedOrganisations.WithLabelValues(PublishJob).Add(float64(len(res.Skipped)))
		metrics.LastSkipped.WithLabelValues(PublishJob).Set(float64(len(res.Skipped)))
	}
	return res, err
}
