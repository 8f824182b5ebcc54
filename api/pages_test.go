package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
)

func TestLoginLinkOpensOneSessionAndPostsNeedCSRF(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		org := storetest.MustCreateOrganisation(t, db, "GGD Groningen")
		_, coord := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		code, err := db.CreateLoginCode(ctx, coord.TokenID)
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		get := func(path string) (int, string) {
			res, err := client.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		post := func(path string, form url.Values) (int, string) {
			res, err := client.PostForm(e.srv.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		// Signed out, the start page asks to sign in; another page does too, as a 401.
		if st, body := get("/"); st != http.StatusOK || !strings.Contains(body, "Inloggen bij coplan") || strings.Contains(body, `aria-label="Hoofdmenu"`) {
			t.Fatalf("start page without login = %d:\n%.400s", st, body)
		}
		if st, body := get("/plan"); st != http.StatusUnauthorized || !strings.Contains(body, "Inloggen bij coplan") {
			t.Fatalf("plan page without login = %d:\n%.400s", st, body)
		}
		// Fetching the link (as a mail scanner would) does not use it up.
		for i := 0; i < 2; i++ {
			if st, body := get("/login/" + code); st != 200 || !strings.Contains(body, `method="post"`) {
				t.Fatalf("login page = %d:\n%s", st, body)
			}
		}
		st, body := post("/login/"+code, nil)
		if st != 200 || !strings.Contains(body, "GGD Groningen") || !strings.Contains(body, "coördinator") {
			t.Fatalf("after login = %d:\n%s", st, body)
		}
		u, _ := url.Parse(e.srv.URL)
		var sessionCookie *http.Cookie
		for _, c := range jar.Cookies(u) {
			if c.Name == "coplan_session" {
				sessionCookie = c
			}
		}
		if sessionCookie == nil {
			t.Fatal("no session cookie")
		}
		// The cookie jar hides the flags; read them from a fresh redemption.
		code2, _ := db.CreateLoginCode(ctx, coord.TokenID)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).
			PostForm(e.srv.URL+"/login/"+code2, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		setCookie := res.Header.Get("Set-Cookie")
		if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
			t.Fatalf("Set-Cookie = %q; want HttpOnly and SameSite", setCookie)
		}
		// The link never works again.
		if st, _ := post("/login/"+code, nil); st != http.StatusNotFound {
			t.Fatalf("second use of the login link = %d; want 404", st)
		}
		if st, _ := get("/login/" + code); st != http.StatusNotFound {
			t.Fatalf("the used link's page = %d; want 404", st)
		}
		// English on request.
		if _, body := get("/?lang=en"); !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Log out") {
			t.Fatalf("English start page:\n%s", body)
		}
		// A POST with the cookie but without the CSRF token is refused.
		if st, _ := post("/logout", nil); st != http.StatusForbidden {
			t.Fatalf("logout without CSRF token = %d; want 403", st)
		}
		_, page := get("/")
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token in the page:\n%s", page)
		}
		if st, _ := post("/logout", url.Values{"csrf_token": {m[1]}}); st != 200 {
			t.Fatalf("logout with CSRF token = %d", st)
		}
		if st, body := get("/"); st != http.StatusOK || !strings.Contains(body, "Inloggen bij coplan") {
			t.Fatalf("after logout = %d; want the sign-in page", st)
		}
		if st, _ := get("/plan"); st != http.StatusUnauthorized {
			t.Fatalf("the plan page after logout = %d; want 401", st)
		}
	})
}
