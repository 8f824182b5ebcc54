package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
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
	if r.status == 0 && code > 0 { // gin writes -1 for "not yet", as c.Redirect does
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
				Fields: []store.FieldError{{Field: "Idempotency-Key", Code: "key_reused", Detail: "use a new key for a new request"}}})
		case old.Status == 0:
			s.fail(c, store.Errorf(store.EConflict, "the first request with this Idempotency-Key is still running; retry shortly"))
		default:
			if old.BabyID != "" {
				// Replaying an answer about a baby reads its record again.
				if err := s.db.AuditRequest(ctx, actor(c), store.ActionRead, old.BabyID, store.OutcomeSuccess, "idempotent replay"); err != nil {
					s.fail(c, err)
					return
				}
			}
			c.Header("Idempotent-Replay", "true")
			c.Data(old.Status, old.ContentType, []byte(old.Body))
			c.Abort()
		}
		return
	}
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Request = c.Request.WithContext(store.WithIdempotencyClaim(ctx, tok, key))
	c.Next()
	c.Writer = rec.ResponseWriter
	keep, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyTimeout)
	defer cancel()
	if rec.Status() >= 500 && !store.ClaimCommitted(c.Request.Context()) {
		// Our failure, before anything was written: a retry runs again. If
		// even the claim cannot be dropped, it is taken over once stale.
		if err := s.db.ForgetIdempotencyKey(keep, tok, key); err != nil {
			s.log.Warn("idempotency claim not dropped", "request_id", requestID(c), "err", err)
		}
		rec.send()
		return
	}
	if rec.Status() >= 500 {
		// The write committed and something after it failed: a retry must
		// not write again, so it is told this answer rather than made to wait.
		s.log.Error("a write committed but its request failed after it", "request_id", requestID(c), "status", rec.Status())
	}
	answer := idempotentAnswer{tok, key, rec.Status(), rec.Header().Get("Content-Type"), rec.body.String(), babyOf(c, rec.body.Bytes())}
	if err := s.db.SaveIdempotentAnswer(keep, answer.token, answer.key, answer.status, answer.contentType, answer.body, answer.babyID); err != nil {
		// The write committed with its claim marked, so a retry is never run
		// twice; it is told to wait until the answer is recorded.
		s.log.Warn("idempotent answer not recorded yet; retrying", "request_id", requestID(c), "err", err)
		go s.recordLater(answer)
	}
	rec.send()
}

// idempotentAnswer is an answer to keep for the retries of its request.
type idempotentAnswer struct {
	token, key        string
	status            int
	contentType, body string
	babyID            string
}

// recordLater keeps trying to record an answer the database would not take,
// for up to an hour, while its request's retries are told to wait. It tries
// at least every 5 seconds: the retries wait on it, and a database that
// restarts is back within seconds (a wait that doubled to a minute kept a
// client waiting for half a minute after the database was back).
func (s *Server) recordLater(a idempotentAnswer) {
	wait := time.Second
	for deadline := time.Now().Add(time.Hour); time.Now().Before(deadline); wait = min(2*wait, 5*time.Second) {
		time.Sleep(wait)
		ctx, cancel := context.WithTimeout(context.Background(), idempotencyTimeout)
		err := s.db.SaveIdempotentAnswer(ctx, a.token, a.key, a.status, a.contentType, a.body, a.babyID)
		cancel()
		if err == nil {
			return
		}
	}
	s.log.Error("idempotent answer not recorded; retries of its request wait until the key expires")
}

// babyOf is the baby an answer on a baby route is about, so that the kept
// answer goes with the baby's record.
func babyOf(c *gin.Context, body []byte) string {
	if !strings.HasPrefix(c.FullPath(), "/api/v1/babies") {
		return ""
	}
	if id := c.Param("id"); id != "" {
		return id
	}
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &created) == nil {
		return created.ID
	}
	return ""
}
