package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// Page forms carry a one-time key (form_key, made when the form is shown),
// so that a double submit (a second click, the back button and submit again)
// changes nothing twice: the first submit runs, and a submit with the same key
// is sent where the first one went. Only a done form is remembered; a refused
// one changed nothing and may be sent again. It uses the API's idempotency
// records, under the key "form:" and the form's key, with the answer's
// redirect as its body.

// newFormKey is a fresh key for a form.
func newFormKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formOnce runs a page POST once per form key.
func (s *Server) formOnce(c *gin.Context) {
	key := c.PostForm("form_key") // a multipart form parses here too
	a, ok := c.Get(ctxActor)
	if key == "" || !ok || len(key) > 64 {
		c.Next()
		return
	}
	tok := a.(store.Actor).TokenID
	key = "form:" + key
	ctx := c.Request.Context()
	old, err := s.db.ClaimIdempotencyKey(ctx, tok, key, c.Request.URL.Path)
	if err != nil {
		s.fail(c, err)
		return
	}
	if old != nil {
		switch {
		case old.Status >= 300 && old.Status < 400:
			c.Redirect(http.StatusSeeOther, old.Body)
		default: // the first submit still runs: show where it will land when done
			c.Redirect(http.StatusSeeOther, withLang(c, c.Request.URL.Path))
		}
		c.Abort()
		return
	}
	// The answer is held back until the key is settled, so that a second
	// submit that follows at once finds it.
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Next()
	c.Writer = rec.ResponseWriter
	keep, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyTimeout)
	defer cancel()
	status := rec.Status()
	if status < 300 || status >= 400 {
		if err := s.db.ForgetIdempotencyKey(keep, tok, key); err != nil {
			s.log.Warn("form key not dropped", "request_id", requestID(c), "err", err)
		}
	} else if err := s.db.SaveIdempotentAnswer(keep, tok, key, status, "", rec.Header().Get("Location"), ""); err != nil {
		s.log.Warn("form answer not recorded", "request_id", requestID(c), "err", err)
	}
	rec.send()
}
