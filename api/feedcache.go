package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/store"
)

// feedCache keeps recently served feeds in memory so that a calendar client's
// poll costs no database round trip. An entry lives for feedCacheTTL; rotating
// or deleting a feed on this replica drops it at once.
type feedCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedFeed
	now     func() time.Time
}

const feedCacheTTL = time.Second

type cachedFeed struct {
	version            int
	token              string // the valid token of this version, for a constant-time compare
	etag               string
	etagHeader         []string
	lastModifiedHeader []string
	lengthHeader       []string
	body               []byte
	loaded             time.Time
}

func newFeedCache() *feedCache {
	return &feedCache{entries: map[string]*cachedFeed{}, now: time.Now}
}

func (fc *feedCache) get(ctx context.Context, db *store.DB, secret []byte, id string) *cachedFeed {
	fc.mu.RLock()
	e := fc.entries[id]
	fc.mu.RUnlock()
	if e != nil && fc.now().Sub(e.loaded) < feedCacheTTL {
		return e
	}
	f, err := db.FeedForServing(ctx, id)
	if err != nil {
		fc.forget(id)
		return nil
	}
	e = &cachedFeed{version: f.Version, token: calendars.Token(secret, f.ID, f.Version), etag: f.ETag,
		etagHeader: []string{f.ETag}, lengthHeader: []string{strconv.Itoa(len(f.Body))}, body: []byte(f.Body), loaded: fc.now()}
	if f.LastModified != nil {
		e.lastModifiedHeader = []string{f.LastModified.UTC().Format(http.TimeFormat)}
	}
	fc.mu.Lock()
	fc.entries[id] = e
	fc.mu.Unlock()
	return e
}

func (fc *feedCache) forget(id string) {
	fc.mu.Lock()
	delete(fc.entries, id)
	fc.mu.Unlock()
}
