package api

import (
	"context"
	"sync"
	"time"

	"github.com/coplan/coplan/store"
)

// authCache remembers for a moment which actor a bearer token is, so that a
// burst of requests costs one database lookup. A revoked token stops working
// within authCacheTTL on every replica (at once on the one that revoked it is
// not guaranteed either, since revoking is a command-line act).
type authCache struct {
	now     func() time.Time // the domain clock, which a token's expiry is on
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	actor store.Actor
	until time.Time
}

const authCacheTTL = 2 * time.Second

// cached returns the actor of a token looked up less than authCacheTTL ago.
func (a *authCache) cached(token string) (store.Actor, bool) {
	a.mu.Lock()
	e, ok := a.entries[token]
	a.mu.Unlock()
	if ok && time.Now().Before(e.until) && (e.actor.Until.IsZero() || a.now().Before(e.actor.Until)) {
		return e.actor, true
	}
	return store.Actor{}, false
}

func (a *authCache) authenticate(ctx context.Context, db *store.DB, token string) (store.Actor, error) {
	now := time.Now()
	if act, ok := a.cached(token); ok {
		return act, nil
	}
	act, err := db.Authenticate(ctx, token)
	if err != nil {
		return act, err
	}
	a.mu.Lock()
	if len(a.entries) > 10000 {
		a.entries = map[string]authEntry{}
	}
	a.entries[token] = authEntry{act, now.Add(authCacheTTL)}
	a.mu.Unlock()
	return act, nil
}
