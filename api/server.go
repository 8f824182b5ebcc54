// Package api owns coplan's HTTP surface: the Gin routes of the JSON API under
// /api/v1, authentication and CSRF, problem+json errors, the OpenAPI document and
// the server-rendered pages. Handlers decode, validate, call one use case (or a
// plain store read or write) and respond.
package api

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/calendars"
	"github.com/coplan/coplan/coordination"
	"github.com/coplan/coplan/store"
	"github.com/gin-gonic/gin"
)

// Config is what the server needs from its wiring.
type Config struct {
	DB *store.DB
	// Coordination runs the use cases that plan; nil means one on DB.
	Coordination   *coordination.Service
	Logger         *slog.Logger
	Now            func() time.Time
	BaseURL        string   // public URL used in links, e.g. https://coplan.ggd.nl
	Secret         []byte   // key for CSRF tokens and capability links
	TrustedProxies []string // proxies whose X-Forwarded-For is believed; none by default
	MaxBodyBytes   int64    // request body limit; 1 MiB by default
	// RatePerToken and RatePerIP are requests per second (bursts of twice as
	// many); 0 switches a limit off. Per token on the API; per client IP on
	// feeds, survey and login links, and on the API before authentication.
	RatePerToken, RatePerIP float64
	// MailSent, when set, asks the mail sender to send now (a sign-in link
	// should not wait for the next poll).
	MailSent func()
	// SSO is the organisation's identity provider for single sign-on; nil
	// when none is configured.
	SSO *accounts.SSO
	// DevMail shows the outbox on /dev/mail, for the demo without an SMTP
	// server: never set it where real people's mail goes through.
	DevMail bool
}

// Server serves coplan's API and pages.
type Server struct {
	db       *store.DB
	uc       *coordination.Service // the use cases that plan
	accounts *accounts.Service     // invitations and sign-in
	sso      *accounts.SSO         // single sign-on; nil when not configured
	work     chan struct{}         // bounds the sign-in work done after the answer
	devMail  bool
	log      *slog.Logger
	now      func() time.Time
	baseURL  *url.URL
	secret   []byte
	maxBody  int64
	engine   *gin.Engine
	pages    *pages
	renderer calendars.Renderer
	feeds    *feedCache
	byToken  *limiter
	byIP     *limiter
	auth     authCache
	origin   *http.CrossOriginProtection // refuses page POSTs from other sites
	proxies  []*net.IPNet                // whose X-Forwarded-For is believed
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New() // no default logger: it would log paths that carry capability tokens
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	if cfg.Coordination == nil {
		cfg.Coordination = coordination.New(cfg.DB).WithBaseURL(cfg.BaseURL)
	}
	s := &Server{db: cfg.DB, uc: cfg.Coordination, log: cfg.Logger, now: cfg.Now, baseURL: base, secret: cfg.Secret,
		maxBody: cfg.MaxBodyBytes, engine: e, pages: newPages(),
		renderer: calendars.Renderer{Host: base.Hostname()}, feeds: newFeedCache(),
		byToken:  newLimiter("token", cfg.RatePerToken, int(2*cfg.RatePerToken)),
		byIP:     newLimiter("ip", cfg.RatePerIP, int(2*cfg.RatePerIP)),
		auth:     authCache{now: cfg.Now, entries: map[string]authEntry{}},
		accounts: accounts.New(cfg.DB, strings.TrimRight(cfg.BaseURL, "/"), cfg.Logger, cfg.MailSent), sso: cfg.SSO,
		work: make(chan struct{}, 16), devMail: cfg.DevMail}
	if s.proxies, err = parseProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s.origin = http.NewCrossOriginProtection()
	if err := s.origin.AddTrustedOrigin(base.Scheme + "://" + base.Host); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler. Feed polls, the busiest answer
// by far, go straight to serveFeed; everything else through the router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(r.URL.Path, "/feeds/") {
		s.serveFeed(w, r)
		return
	}
	s.engine.ServeHTTP(w, r)
}

// trusted reports whether a peer address is one of the trusted proxies.
func (s *Server) trusted(host string) bool {
	ip := net.ParseIP(host)
	for _, n := range s.proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseProxies reads proxy IPs and CIDR ranges.
func parseProxies(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range list {
		if !strings.Contains(p, "/") {
			if strings.Contains(p, ":") {
				p += "/128"
			} else {
				p += "/32"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Routes lists method and path of every route, for the OpenAPI check.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// secureCookies reports whether cookies must be marked Secure.
func (s *Server) secureCookies() bool { return s.baseURL.Scheme == "https" }

// clientOf is the client address of a request, through trusted proxies, as
// the access log records it.
func (s *Server) clientOf(c *gin.Context) string { return c.ClientIP() }
