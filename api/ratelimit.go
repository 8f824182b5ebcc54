package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/coplan/coplan/metrics"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// limiter keeps a token bucket per key (a token id or a client IP). Idle
// buckets are dropped, so memory stays bounded by the active callers.
type limiter struct {
	name    string
	rate    rate.Limit
	burst   int
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(name string, perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return nil
	}
	return &limiter{name: name, rate: rate.Limit(perSecond), burst: max(burst, 1), buckets: map[string]*bucket{}}
}

// allow reports whether key may go now, and else how long to wait.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// limit answers 429 with Retry-After when key is over its limit.
func (s *Server) limit(l *limiter, key func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.allow(c, l, key(c)) {
			c.Next()
		}
	}
}

// allow charges key's bucket of l; over the limit it answers 429 and reports false.
func (s *Server) allow(c *gin.Context, l *limiter, key string) bool {
	if l == nil {
		return true
	}
	ok, wait := l.allow(key)
	if !ok {
		metrics.RateLimited.WithLabelValues(l.name).Inc()
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.fail(c, &store.Error{Code: codeTooMany, Message: "too many requests; slow down and retry after the time in Retry-After"})
	}
	return ok
}

// allowIP charges the client's address (the limit before authentication).
func (s *Server) allowIP(c *gin.Context) bool { return s.allow(c, s.byIP, clientIP(c)) }

// codeTooMany is the API's own code for a rate limit (429).
const codeTooMany store.Code = "too_many_requests"

func clientIP(c *gin.Context) string { return c.ClientIP() }

func tokenKey(c *gin.Context) string { return actor(c).TokenID }
