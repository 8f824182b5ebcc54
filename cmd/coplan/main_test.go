package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coplan/coplan/demo"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var httpClient = http.Client{Timeout: 10 * time.Second}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServer runs `coplan serve` through run and waits for /healthz.
func startServer(t *testing.T, env map[string]string, args ...string) (base string, stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"coplan", "serve"}, args...), envOf(env), stdout, stderr)
	}()
	base = "http://" + env["COPLAN_ADDR"]
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(40 * time.Second):
				result = fmt.Errorf("serve did not stop")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return base, stdout, stderr, stop
}

func call(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestServeWithDemoDataEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"COPLAN_ADDR": freeAddr(t), "COPLAN_DATABASE_URL": storetest.URL(t, d)}
			base, stdout, stderr, stop := startServer(t, env, "--demo")
			m := regexp.MustCompile(`(?m)^sign in as the demo admin \((\S+)\), once, within 7 days: (\S+)$`).FindStringSubmatch(stdout.String())
			if m == nil || m[1] != demo.AdminEmail {
				t.Fatalf("stdout does not show the demo admin's sign-in link:\n%s", stdout.String())
			}
			login := m[2]
			token := userToken(t, env, demo.AdminEmail)
			// Without an SMTP server the demo shows its mail: the people's invitations.
			if st, body := call(t, "GET", base+"/dev/mail", "", ""); st != 200 || !strings.Contains(string(body), "Uitnodiging voor coplan") ||
				!strings.Contains(string(body), base+"/login/") {
				t.Fatalf("the demo's mail page: %d %.500s", st, body)
			}
			if !strings.HasPrefix(login, base+"/login/") {
				t.Fatalf("login link %q is not under %s", login, base)
			}
			st, body := call(t, "GET", base+"/api/v1/babies?limit=500", token, "")
			if st != 200 {
				t.Fatalf("babies: %d %s", st, body)
			}
			var babies struct {
				Items []store.Baby `json:"items"`
				Total int          `json:"total"`
			}
			if err := json.Unmarshal(body, &babies); err != nil || babies.Total < 200 {
				t.Fatalf("demo babies: %d, %v", babies.Total, err)
			}
			var orgs struct{ Total int }
			_, body = call(t, "GET", base+"/api/v1/organisations", token, "")
			json.Unmarshal(body, &orgs)
			var locs struct {
				Items []store.Location
			}
			_, body = call(t, "GET", base+"/api/v1/locations", token, "")
			json.Unmarshal(body, &locs)
			names := ""
			for _, l := range locs.Items {
				names += l.Name + ";"
			}
			for _, want := range []string{"Ter Apel", "Budel", "Musselkanaal", "Burgum", "Delfzijl", "Emmen"} {
				if !strings.Contains(names, want) {
					t.Errorf("demo locations %q lack %s", names, want)
				}
			}

			// Requests that carry the token, a birth date and a ref in many ways.
			birth := babies.Items[0].BirthDate.String()
			loc := babies.Items[0].LocationID
			call(t, "GET", base+"/api/v1/babies/"+babies.Items[0].ID, token, "")
			call(t, "GET", base+"/api/v1/babies?ref="+babies.Items[0].Ref, token, "")
			call(t, "POST", base+"/api/v1/babies", token, `{"ref":"NEW-1","birth_date":"`+birth+`","location_id":"`+loc+`"}`)
			call(t, "POST", base+"/api/v1/babies", token, `{"ref":"NEW-2","birth_date":"`+birth+`x","location_id":"`+loc+`"}`)
			call(t, "GET", base+"/api/v1/babies", token+"x", "")
			call(t, "GET", base+"/nope/"+token, token, "")
			call(t, "GET", base+"/login/"+strings.TrimPrefix(login, base+"/login/"), "", "")

			if err := stop(); err != nil {
				t.Fatalf("graceful stop: %v", err)
			}
			logs := stderr.String()
			if !strings.Contains(logs, `"msg":"request"`) {
				t.Fatalf("no request log lines:\n%s", logs)
			}
			for _, secret := range []string{token, birth, babies.Items[0].Ref, strings.TrimPrefix(login, base+"/login/")} {
				if strings.Contains(logs, secret) {
					t.Fatalf("the log contains %q:\n%s", secret, logs)
				}
			}

			// A second start on the same database adds nothing, mints no
			// token and prints no link; it says who can sign in.
			tokensBefore := tokenCount(t, env)
			env["COPLAN_ADDR"] = freeAddr(t)
			base, stdout, _, stop = startServer(t, env, "--demo")
			if strings.Contains(stdout.String(), "/login/") || !strings.Contains(stdout.String(), demo.AdminEmail) {
				t.Fatalf("second start:\n%s", stdout.String())
			}
			if n := tokenCount(t, env); n != tokensBefore {
				t.Fatalf("the second start made %d tokens", n-tokensBefore)
			}
			var again struct{ Total int }
			_, body = call(t, "GET", base+"/api/v1/organisations", token, "")
			json.Unmarshal(body, &again)
			if again.Total != orgs.Total {
				t.Fatalf("second --demo changed the organisations: %d, was %d", again.Total, orgs.Total)
			}
			stop()
		})
	}
}

func TestTokenCreatePrintsAWorkingTokenAndStoresItsHash(t *testing.T) {
	dbURL := storetest.URL(t, store.SQLite)
	env := map[string]string{"COPLAN_DATABASE_URL": dbURL, "COPLAN_ADDR": freeAddr(t)}
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
	db.Close()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"coplan", "token", "create", "--role", "coordinator", "--organisation", org.ID}, envOf(env), &out, &errb); err != nil {
		t.Fatalf("token create: %v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "login: http://"+env["COPLAN_ADDR"]+"/login/") {
		t.Fatalf("output = %q; want the token, then the login line", out.String())
	}
	secret := lines[0]
	db, _ = store.Open(ctx, dbURL, store.Options{})
	defer db.Close()
	hashes := storetest.Strings(t, db, "SELECT hash FROM tokens")
	if len(hashes) != 1 || hashes[0] != store.HashSecret(secret) {
		t.Fatalf("tokens table = %v; want only the hash of the printed token", hashes)
	}
	raw, _ := json.Marshal(hashes)
	if strings.Contains(string(raw), secret) {
		t.Fatal("the token is stored in the clear")
	}
	base, _, _, stop := startServer(t, env)
	defer stop()
	if st, body := call(t, "GET", base+"/api/v1/organisations/"+org.ID, secret, ""); st != 200 {
		t.Fatalf("the printed token does not work: %d %s", st, body)
	}
	if st, _ := call(t, "GET", base+"/dev/mail", "", ""); st != 404 {
		t.Fatalf("the demo's mail page without --demo: %d, want 404", st)
	}
	if err := run(ctx, []string{"coplan", "token", "create", "--role", "nurse"}, envOf(env), &out, &errb); err == nil {
		t.Fatal("a nurse token without a facilitator was created")
	}
}

func TestInvalidConfigurationNamesTheVariable(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]map[string]string{
		"COPLAN_ADDR":            {"COPLAN_ADDR": "localhost"},
		"COPLAN_BASE_URL":        {"COPLAN_BASE_URL": "ftp://x"},
		"COPLAN_SECRET":          {"COPLAN_SECRET": "short"},
		"COPLAN_DATABASE_URL":    {"COPLAN_DATABASE_URL": "mysql://x"},
		"COPLAN_TRUSTED_PROXIES": {"COPLAN_TRUSTED_PROXIES": "not-an-ip"},
		"COPLAN_NOW":             {"COPLAN_NOW": "tomorrow"},
		"COPLAN_OIDC_ISSUER":     {"COPLAN_OIDC_ISSUER": "http://idp.example.org", "COPLAN_OIDC_CLIENT_ID": "c", "COPLAN_OIDC_CLIENT_SECRET": "s"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			if env["COPLAN_DATABASE_URL"] == "" {
				env["COPLAN_DATABASE_URL"] = dir + "/" + name + ".db"
			}
			err := run(context.Background(), []string{"coplan", "serve"}, envOf(env), io.Discard, io.Discard)
			if err == nil || !strings.HasPrefix(err.Error(), name+":") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error = %v; want one line starting with %s:", err, name)
			}
		})
	}
}

// userToken mints a personal token for the user with address email through
// the command line, as automation would.
func userToken(t *testing.T, env map[string]string, email string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"coplan", "token", "create", "--user", email}, envOf(env), &out, &errs); err != nil {
		t.Fatalf("token create --user: %v\n%s", err, errs.String())
	}
	return strings.SplitN(out.String(), "\n", 2)[0]
}

// tokenCount counts the tokens of the database env names.
func tokenCount(t *testing.T, env map[string]string) int {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"coplan", "token", "list"}, envOf(env), &out, &errs); err != nil {
		t.Fatalf("token list: %v\n%s", err, errs.String())
	}
	return strings.Count(out.String(), "\n") - 1
}
