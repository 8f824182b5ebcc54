package api_test

import (
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/accounts"
	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/mail"
	"github.com/coplan/coplan/mail/smtptest"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/oauth2-proxy/mockoidc"
)

// accountsEnv is a server whose links point at itself and whose mail goes
// out at once to a real SMTP server in the test.
type accountsEnv struct {
	*env
	smtp *smtptest.Server
}

func newAccountsEnv(t *testing.T, db *store.DB, now func() time.Time, sso func(base string) *accounts.SSO) *accountsEnv {
	t.Helper()
	smtp := smtptest.Start(t)
	u, _ := url.Parse(smtp.URL())
	sender := &mail.Sender{DB: db, Server: u, From: "coplan@coplan.test", Name: "test", Now: now, Stale: time.Minute,
		Log: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := api.Config{DB: db, Now: now, BaseURL: base, Secret: []byte("0123456789abcdef0123456789abcdef"),
		MailSent: func() { go sender.SendPending(context.Background()) }}
	if sso != nil {
		cfg.SSO = sso(base)
	}
	s, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	admin, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleAdmin})
	return &accountsEnv{env: &env{t: t, db: db, h: s, srv: srv, admin: admin, logs: &syncBuffer{}}, smtp: smtp}
}

// mailTo waits for the newest mail to address and returns the sign-in link
// in it (under the server's own address).
func (e *accountsEnv) mailTo(t *testing.T, address string, after int) (string, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var found []smtptest.Received
		for _, m := range e.smtp.Messages() {
			if strings.Contains(m.To, address) {
				found = append(found, m)
			}
		}
		if len(found) > after {
			m := found[len(found)-1]
			body := decodedBody(t, m.Raw)
			link := regexp.MustCompile(regexp.QuoteMeta(e.srv.URL) + `/login/[A-Za-z0-9_-]+`).FindString(body)
			if link == "" {
				t.Fatalf("the mail to %s holds no sign-in link:\n%s", address, body)
			}
			return link, body
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s arrived", address)
	return "", ""
}

func decodedBody(t *testing.T, raw string) string {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openLink signs in through a link from a mail, in a fresh browser: the
// page and its button.
func openLink(t *testing.T, link string) context.Context {
	t.Helper()
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main button")))
	pagetest.CheckAccessibility(t, b)
	pagetest.Do(t, b, chromedp.Click(chromedp.CSS("main button")), chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
	return b
}

// People, not tokens: an admin invites a coordinator, who gets the mail on
// a real SMTP server, signs in and invites a nurse; the nurse asks for a
// sign-in link on /login and signs in with it; her personal API token
// expires; disabling her ends her session within 2 seconds; the access log
// names each of them.
func TestBrowserAccounts(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			m := &movable{}
			m.set("2027-01-04 09:00")
			db := storetest.Open(t, d, m.now)
			provider, err := mockoidc.Run()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { provider.Shutdown() })
			e := newAccountsEnv(t, db, m.now, func(base string) *accounts.SSO {
				pc := provider.Config()
				sso, err := accounts.NewSSO(context.Background(), accounts.SSOConfig{Issuer: pc.Issuer, ClientID: pc.ClientID,
					ClientSecret: pc.ClientSecret, RedirectURL: base + "/login/sso/callback"})
				if err != nil {
					t.Fatal(err)
				}
				return sso
			})
			ctx := context.Background()
			w := newFlowWorld(t, db)

			// The admin (added by the command line, signed in with the
			// link it printed) invites the coordinator on the users page.
			admin := &store.User{Name: "Bram Beheer", Email: "beheer@coplan.example", Role: store.RoleAdmin}
			if err := db.InviteUser(ctx, store.System, admin, nil); err != nil {
				t.Fatal(err)
			}
			adminLink, err := db.SignInLink(ctx, admin.ID, store.SignInLinkTTL)
			if err != nil {
				t.Fatal(err)
			}
			ab := openLink(t, e.srv.URL+"/login/"+adminLink)
			visit(t, e.env, ab, "/users", "users-admin")
			pagetest.Do(t, ab, chromedp.SetValue(chromedp.CSS("#name"), "Fatima Bakker"), chromedp.SetValue(chromedp.CSS("#email"), "fatima@ggd-groningen.example"),
				chromedp.SetValue(chromedp.CSS("#role"), "coordinator"), chromedp.SetValue(chromedp.CSS("#organisation"), w.org.ID))
			click(t, ab, "Uitnodiging sturen", ".flash")
			check(t, ab, "users-admin-invited")
			coordinator, err := db.UserByEmail(ctx, "fatima@ggd-groningen.example")
			if err != nil || coordinator.Role != store.RoleCoordinator || coordinator.OrganisationID != w.org.ID {
				t.Fatalf("the invited coordinator: %+v %v", coordinator, err)
			}
			link, _ := e.mailTo(t, coordinator.Email, 0)
			b := openLink(t, link)
			visit(t, e.env, b, "/users", "users")

			// She invites the nurse from the page, by the labels on it; a
			// refused invitation names every field and keeps what was typed.
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#name"), "Anna de Vries"), chromedp.SetValue(chromedp.CSS("#email"), "geen adres"),
				chromedp.SetValue(chromedp.CSS("#role"), "nurse"))
			click(t, b, "Uitnodiging sturen", "#problems")
			text := check(t, b, "users-refused")
			if !strings.Contains(text, "Dit is geen e-mailadres.") || !strings.Contains(text, "Vul dit in.") {
				t.Fatalf("the refused invitation: %s", text)
			}
			if v := pagetest.Value(t, b, "#name"); v != "Anna de Vries" {
				t.Fatalf("the form lost the name: %q", v)
			}
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#email"), "anna@example.org"), chromedp.SetValue(chromedp.CSS("#facilitator"), w.nurse.ID))
			click(t, b, "Uitnodiging sturen", ".flash")
			if text := check(t, b, "users-invited"); !strings.Contains(text, "De uitnodiging is verstuurd.") || !strings.Contains(text, "Anna de Vries") {
				t.Fatalf("after inviting: %s", text)
			}
			_, invitation := e.mailTo(t, "anna@example.org", 0)
			if !strings.Contains(invitation, "Fatima Bakker heeft u uitgenodigd voor coplan, als jeugdverpleegkundige") {
				t.Fatalf("the invitation mail: %s", invitation)
			}

			// The nurse does not use the invitation: she asks for a link on
			// /login, as she will every day. An unknown address gets the same page.
			nb := pagetest.Browser(t)
			pagetest.Do(t, nb, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
			pagetest.CheckAccessibility(t, nb)
			pagetest.Shots(t, nb, "signin")
			pagetest.Do(t, nb, chromedp.SetValue(chromedp.CSS("#email"), "nobody@example.org"))
			click(t, nb, "Stuur mij een inloglink", "[role=status]")
			unknown := pagetest.Text(t, nb, "main")
			pagetest.Do(t, nb, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
				chromedp.SetValue(chromedp.CSS("#email"), "Anna@Example.org"))
			click(t, nb, "Stuur mij een inloglink", "[role=status]")
			check(t, nb, "signin-sent")
			if known := pagetest.Text(t, nb, "main"); known != unknown {
				t.Fatalf("the answer differs for a known address:\n%s\n---\n%s", known, unknown)
			}
			link, _ = e.mailTo(t, "anna@example.org", 1)
			pagetest.Do(t, nb, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main button")),
				chromedp.Click(chromedp.CSS("main button")), chromedp.WaitVisible(chromedp.CSS(`header form[action^="/logout"]`)))
			if text := check(t, nb, "nurse-home"); !strings.Contains(text, "Mijn bijeenkomsten") {
				t.Fatalf("the nurse's start page: %s", text)
			}

			// Her personal token, made on her account page, expires.
			visit(t, e.env, nb, "/me/account", "account")
			pagetest.Do(t, nb, chromedp.SetValue(chromedp.CSS("#name"), "agenda-export"), chromedp.SetValue(chromedp.CSS("#days"), "2"))
			click(t, nb, "Token maken", "#newtoken")
			check(t, nb, "account-token")
			token := strings.TrimSpace(pagetest.Value(t, nb, "#newtoken"))
			if st := e.do("GET", "/api/v1/sessions", token, "").status; st != http.StatusOK {
				t.Fatalf("the new token: %d", st)
			}
			m.set("2027-01-06 09:01")
			if st := e.do("GET", "/api/v1/sessions", token, "").status; st != http.StatusUnauthorized {
				t.Fatalf("the token after its 2 days: %d", st)
			}
			m.set("2027-01-04 10:00")

			// Later she signs in through her organisation's provider: matched
			// by her verified address. An unverified one, or a callback that
			// did not start here, is refused in words.
			ob := pagetest.Browser(t)
			provider.QueueUser(&mockoidc.MockUser{Subject: "anna-1", Email: "anna@example.org", EmailVerified: false})
			pagetest.Do(t, ob, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
			click(t, ob, "Inloggen met het account van uw organisatie", "#problems")
			if text := check(t, ob, "sso-unverified"); !strings.Contains(text, "heeft uw e-mailadres niet bevestigd") {
				t.Fatalf("an unverified address: %s", text)
			}
			pagetest.Do(t, ob, chromedp.Navigate(e.srv.URL+"/login/sso/callback?state=forged&code=x"), chromedp.WaitVisible(chromedp.CSS("#problems")))
			if text := pagetest.Text(t, ob, "#problems"); !strings.Contains(text, "verlopen of niet hier begonnen") {
				t.Fatalf("a forged callback: %s", text)
			}
			provider.QueueUser(&mockoidc.MockUser{Subject: "anna-1", Email: "anna@example.org", EmailVerified: true})
			pagetest.Do(t, ob, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
			click(t, ob, "Inloggen met het account van uw organisatie", `header form[action^="/logout"]`)
			visit(t, e.env, ob, "/me/account", "account-sso")
			if text := pagetest.Text(t, ob, "main"); !strings.Contains(text, "Anna de Vries") || !strings.Contains(text, "account van de organisatie") ||
				!strings.Contains(text, "link per e-mail") {
				t.Fatalf("her sessions after single sign-on: %s", text)
			}

			// Disabling her ends her sessions within 2 seconds.
			nurseID := userID(t, db, "anna@example.org")
			visit(t, e.env, b, "/users", "users-before-disable")
			click(t, b, "Uitschakelen", ".flash")
			start := time.Now()
			for {
				pagetest.Do(t, nb, chromedp.Navigate(e.srv.URL+"/me/sessions"), chromedp.WaitVisible(chromedp.CSS("main h1")))
				if strings.Contains(pagetest.Text(t, nb, "main"), "Vul uw werk-e-mailadres in") {
					break
				}
				if time.Since(start) > 2*time.Second {
					t.Fatal("the disabled nurse's session still works after 2 seconds")
				}
				time.Sleep(100 * time.Millisecond)
			}
			pagetest.Do(t, ob, chromedp.Navigate(e.srv.URL+"/me/account"), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if !strings.Contains(pagetest.Text(t, ob, "main"), "Vul uw werk-e-mailadres in") {
				t.Fatal("the disabled nurse's single sign-on session still works")
			}

			// The coordinator reviews the log of the nurse on her page, and
			// downloads the filtered period.
			visit(t, e.env, b, "/audit", "audit")
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#user"), nurseID), chromedp.SetValue(chromedp.CSS("#from"), "04-01-2027"),
				chromedp.SetValue(chromedp.CSS("#to"), "04-01-2027"))
			click(t, b, "Toon", "[role=status]")
			review := check(t, b, "audit-filtered")
			if !strings.Contains(review, "Anna de Vries (jeugdverpleegkundige, sessie)") || !strings.Contains(review, "ingelogd") || strings.Contains(review, "Fatima Bakker (") {
				t.Fatalf("the filtered log: %s", review)
			}
			pagetest.Do(t, b, chromedp.SetValue(chromedp.CSS("#from"), "31-02-2027"))
			click(t, b, "Toon", "#problems")
			if text := check(t, b, "audit-refused"); !strings.Contains(text, "Geef een datum") {
				t.Fatalf("a bad date in the filter: %s", text)
			}
			exported := e.do("GET", "/audit.csv?user="+nurseID+"&from=04-01-2027&to=04-01-2027", e.tokenOf(t, store.Token{Role: store.RoleCoordinator, OrganisationID: w.org.ID}), "")
			if exported.status != 200 || !strings.HasPrefix(string(exported.body), "\ufeffTijdstip;") || !strings.Contains(string(exported.body), "Anna de Vries") ||
				!strings.Contains(exported.header.Get("Content-Disposition"), "audit.csv") {
				t.Fatalf("the export: %d %s", exported.status, exported.body)
			}
			if n := storetest.Count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'audit_log' AND detail LIKE 'period 04-01-2027..04-01-2027, % rows'"); n != 1 {
				t.Fatalf("%d audit rows for the export, want 1", n)
			}

			// The access log names the people who did each of these.
			rows, _, err := db.AuditLog(ctx, store.System, store.AuditFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			did := map[string]bool{}
			for _, r := range rows {
				if r.UserID != "" {
					did[r.UserName+": "+r.Action+" "+r.Entity] = true
				}
			}
			for _, want := range []string{"Bram Beheer: create user", "Fatima Bakker: sign_in session", "Fatima Bakker: create user", "Anna de Vries: sign_in session",
				"Anna de Vries: create token", "Fatima Bakker: disable user"} {
				if !did[want] {
					t.Errorf("the access log lacks %q: %v", want, did)
				}
			}
			for _, r := range rows {
				if r.Action == store.ActionDisable && r.RecordID != nurseID {
					t.Errorf("the disable row names %s, not the nurse", r.RecordID)
				}
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func userID(t *testing.T, db *store.DB, email string) string {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// tokenOf mints a service token and returns its secret.
func (e *env) tokenOf(t *testing.T, tok store.Token) string {
	t.Helper()
	secret, _ := storetest.MustCreateToken(t, e.db, tok)
	return secret
}
