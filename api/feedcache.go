package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/store"
	"golang.org/x/sync/singleflight"
)

// feedCache keeps recently served feeds in memory so that a calendar client's
// poll costs no database round trip. An entry lives for feedCacheTTL; rotating
// or deleting a feed on this replica drops it at once.
type feedCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedFeed
	now     func() time.Time
	loading singleflight.Group
}

const feedCacheTTL = time.Second

type cachedFeed struct {
	version            int
	token              string // the valid token of this version, for a constant-time compare
	lastModified       time.Time
	plain, gzip        representation
	lastModifiedHeader []string
	loaded             time.Time
}

// representation is one encoding of a feed's bytes with its headers, made
// once per load so that a request only writes.
type representation struct {
	etag         string // the opaque tag without quotes: each encoding has its own
	etagHeader   []string
	lengthHeader []string
	body         []byte
}

func newRepresentation(etag string, body []byte) representation {
	return representation{etag: strings.Trim(etag, `"`), etagHeader: []string{etag}, lengthHeader: []string{strconv.Itoa(len(body))}, body: body}
}

// gzipped is the feed's body compressed, with an ETag of its own: a strong
// ETag names one representation.
func gzipped(etag string, body []byte) representation {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return newRepresentation(`"`+strings.Trim(etag, `"`)+`-gzip"`, buf.Bytes())
}

func newFeedCache() *feedCache {
	return &feedCache{entries: map[string]*cachedFeed{}, now: time.Now}
}

// get returns the feed to serve. A stale entry is refreshed by one request
// while the others are served the entry they have: a burst of polls when the
// entry expires costs one database read and one compression, not one each.
func (fc *feedCache) get(ctx context.Context, db *store.DB, secret []byte, id string) *cachedFeed {
	fc.mu.RLock()
	e := fc.entries[id]
	fc.mu.RUnlock()
	if e != nil && fc.now().Sub(e.loaded) < feedCacheTTL {
		return e
	}
	ch := fc.loading.DoChan(id, func() (any, error) { return fc.load(context.WithoutCancel(ctx), db, secret, id), nil })
	if e != nil {
		select {
		case r := <-ch:
			return r.Val.(*cachedFeed)
		default:
			return e // another request is refreshing it
		}
	}
	select {
	case r := <-ch:
		return r.Val.(*cachedFeed)
	case <-ctx.Done():
		return nil
	}
}

// load reads a feed and makes its representations; nil when it is gone.
func (fc *feedCache) load(ctx context.Context, db *store.DB, secret []byte, id string) *cachedFeed {
	f, err := db.FeedForServing(ctx, id)
	if err != nil {
		fc.forget(id)
		return nil
	}
	body := []byte(f.Body)
	e := &cachedFeed{version: f.Version, token: calendars.Token(secret, f.ID, f.Version), loaded: fc.now(),
		plain: newRepresentation(f.ETag, body), gzip: gzipped(f.ETag, body)}
	if f.LastModified != nil {
		e.lastModified = f.LastModified.UTC().Truncate(time.Second)
		e.lastModifiedHeader = []string{e.lastModified.Format(http.TimeFormat)}
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
