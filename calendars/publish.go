package calendars

import (
	"context"
	"fmt"
	"time"

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
}

// Publish runs one publication for slot, unless some replica did already.
func (p *Publisher) Publish(ctx context.Context, slot time.Time) (Result, error) {
	var res Result
	ran, err := p.DB.RunJob(ctx, PublishJob, slot, p.Replica, func(tx *store.Tx) (string, error) {
		feeds, changed, err := tx.PublishFeeds(p.Renderer.Render)
		res.Feeds, res.Changed = feeds, changed
		return fmt.Sprintf("%d feeds, %d changed", feeds, changed), err
	})
	res.Ran = ran
	return res, err
}
