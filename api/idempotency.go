package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// recorder holds back what a handler writes until the answer is recorded for
// replays: an answer that cannot be kept is not given.
type recorder struct {
	gin.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) WriteHeaderNow() {}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) { return r.Write([]byte(s)) }

func (r *recorder) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) Written() bool { return r.status != 0 }

func (r *recorder) Size() int { return r.body.Len() }

// send writes the held-back answer to the client.
func (r *recorder) send() {
	r.ResponseWriter.WriteHeader(r.Status())
	_, _ = r.ResponseWriter.Write(r.body.Bytes())
}

// idempotencyTimeout bounds recording an answer; the record is written with a
// context of its own, so that a client hanging up after its write committed
// cannot keep the answer from being recorded (and the write from being replayed
// instead of run twice).
const idempotencyTimeout = 5 * time.Second

// idempotent honours the Idempotency-Key header on writes: the first request
// with a key runs and its answer is kept (24 hours); a retry with the same key
// and body gets that answer again instead of writing twice; the same key with
// another body is refused; a retry while the first still runs gets 409.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	if len(key) > 200 {
		s.fail(c, invalid("Idempotency-Key", "is longer than 200 characters"))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if isTooLarge(err) {
			s.fail(c, &store.Error{Code: codeTooLarge, Message: "the body is too large"})
			return
		}
		s.fail(c, invalid("body", "could not be read"))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.RequestURI()+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	tok := actor(c).TokenID
	ctx := c.Request.Context()
	old, err := s.db.ClaimIdempotencyKey(ctx, tok, key, hash)
	if err != nil {
		s.fail(c, err)
		return
	}
	if old != nil {
		switch {
		case old.RequestHash != hash:
			s.fail(c, &store.Error{Code: store.EUnprocessable, Message: "this Idempotency-Key was used for another request",
				Fields: []store.FieldError{{Field: "Idempotency-Key", Detail: "use a new key for a new request"}}})
		case old.Status == 0:
			s.fail(c, store.Errorf(store.EConflict, "the first request with this Idempotency-Key is still running; retry shortly"))
		default:
			c.Header("Idempotent-Replay", "true")
			c.Data(old.Status, old.ContentType, []byte(old.Body))
			c.Abort()
		}
		return
	}
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Next()
	c.Writer = rec.ResponseWriter
	keep, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyTimeout)
	defer cancel()
	if rec.Status() >= 500 {
		// Our failure: a retry runs again. If even the claim cannot be dropped,
		// it is taken over once stale.
		if err := s.db.ForgetIdempotencyKey(keep, tok, key); err != nil {
			s.log.Warn("idempotency claim not dropped", "request_id", requestID(c), "err", err)
		}
		rec.send()
		return
	}
	if err := s.db.SaveIdempotentAnswer(keep, tok, key, rec.Status(), rec.Header().Get("Content-Type"), rec.body.String()); err != nil {
		s.fail(c, fmt.Errorf("record the answer for Idempotency-Key: %w", err))
		return
	}
	rec.send()
}
