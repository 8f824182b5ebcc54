package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// recorder keeps a copy of what a handler writes.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

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
	if rec.Status() >= 500 {
		_ = s.db.ForgetIdempotencyKey(ctx, tok, key)
		return
	}
	_ = s.db.SaveIdempotentAnswer(ctx, tok, key, rec.Status(), rec.Header().Get("Content-Type"), rec.body.String())
}
