// Package smtptest is a real SMTP server on loopback for tests
// (github.com/emersion/go-smtp): it records what arrives and can answer a
// recipient with a temporary (4xx) or permanent (5xx) error.
package smtptest

import (
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one delivered message.
type Received struct {
	From, To  string
	MessageID string
	Subject   string
	Raw       string
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	mu   sync.Mutex
	msgs []Received
	// Answer decides the reply to RCPT TO; nil accepts.
	answer func(to string, attempt int) error
	tries  map[string]int
	delay  time.Duration
}

// Slow makes the server take d before it accepts each message's data.
func (s *Server) Slow(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{tries: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// URL is the server's COPLAN_SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Answer sets how RCPT TO is answered, per recipient and attempt (1, 2, ...).
func (s *Server) Answer(f func(to string, attempt int) error) {
	s.mu.Lock()
	s.answer = f
	s.mu.Unlock()
}

// Temporary is a 451 answer.
var Temporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}

// Permanent is a 550 answer.
var Permanent = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}

// Messages returns what arrived so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received{}, s.msgs...)
}

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.tries[to]++
	if x.s.answer != nil {
		if err := x.s.answer(to, x.s.tries[to]); err != nil {
			return err
		}
	}
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	x.s.mu.Lock()
	delay := x.s.delay
	x.s.mu.Unlock()
	time.Sleep(delay)
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	rec := Received{From: x.from, To: x.to, Raw: string(raw)}
	if err == nil {
		rec.MessageID = msg.Header.Get("Message-Id")
		rec.Subject, _ = new(mimeDecoder).DecodeHeader(msg.Header.Get("Subject"))
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, rec)
	x.s.mu.Unlock()
	return nil
}
