package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coplan/coplan/api/pagetest"
	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"github.com/coplan/coplan/survey"
)

func openSurvey(t *testing.T, e *env, db *store.DB) (token string, org *store.Organisation, surveyID string) {
	t.Helper()
	org = storetest.MustCreateOrganisation(t, db, "GGD Groningen")
	storetest.MustCreateLocation(t, db, org.ID, "azc Musselkanaal")
	storetest.MustCreateLocation(t, db, org.ID, "AC Ter Apel")
	a := e.do("POST", "/api/v1/surveys", e.admin, map[string]any{"title": "Interessepeiling 2027", "opens_on": "2027-01-04", "deadline": "2027-02-01"})
	if a.status != 201 {
		t.Fatalf("create survey: %d %s", a.status, a.body)
	}
	m := a.json(t)
	link := m["invitations"].([]any)[0].(map[string]any)["answer_url"].(string)
	u, _ := url.Parse(link)
	return strings.TrimPrefix(u.Path, "/survey/"), org, m["survey"].(map[string]any)["id"].(string)
}

// A coordinator opens the answer link, submits without a contact email, sees
// the message at the field, corrects it, and the answer shows up in the API.
func TestBrowserSurveyAnswer(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	token, _, surveyID := openSurvey(t, e, db)
	b := pagetest.Browser(t)
	pagetest.Do(t, b, chromedp.Navigate(e.srv.URL+"/survey/"+token), chromedp.WaitVisible(chromedp.CSS("form")))
	pagetest.CheckAccessibility(t, b)
	pagetest.Do(t, b,
		chromedp.Click(chromedp.CSS("#interested-yes")),
		chromedp.Click(chromedp.CSS(`input[name="location_ids"]`)),
		chromedp.SetValue(chromedp.CSS("#start_quarter"), "2027-Q3"),
		chromedp.SetValue(chromedp.CSS("#trained_facilitators"), "2"),
		chromedp.SetValue(chromedp.CSS("#to_train"), "4"),
		chromedp.SetValue(chromedp.CSS("#contact_name"), "Joke Hoekstra"),
		chromedp.Click(chromedp.CSS("form button")),
		chromedp.WaitVisible(chromedp.CSS("#email-err")))
	if msg := pagetest.Text(t, b, "#email-err"); !strings.Contains(msg, "e-mailadres") {
		t.Fatalf("message at the email field: %q", msg)
	}
	pagetest.CheckAccessibility(t, b)
	pagetest.Do(t, b,
		chromedp.SetValue(chromedp.CSS("#contact_email"), "centering@ggd-groningen.example"),
		chromedp.Click(chromedp.CSS("form button")),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	pagetest.Screenshot(t, b, "survey-answered")
	a := e.do("GET", "/api/v1/surveys/"+surveyID+"/responses", e.admin, nil)
	if !strings.Contains(string(a.body), `"contact_email":"centering@ggd-groningen.example"`) || !strings.Contains(string(a.body), `"to_train":4`) {
		t.Fatalf("the answer is not in the responses: %s", a.body)
	}
}

func TestSurveyLinksAndCSRF(t *testing.T) {
	storetest.Each(t, clock, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token, org, surveyID := openSurvey(t, e, db)
		for _, bad := range []string{"nope", token[:len(token)-2] + "xx", survey.Token([]byte("another secret entirely, 32 chars"), strings.Split(token, ".")[0])} {
			if a := e.do("GET", "/survey/"+bad, "", nil); a.status != 404 || !strings.Contains(string(a.body), "<html") {
				t.Fatalf("GET a bad link: %d", a.status)
			}
		}
		// A POST without the CSRF token is refused and stores nothing.
		res, err := http.PostForm(e.srv.URL+"/survey/"+token, url.Values{"interested": {"no"}, "contact_name": {"X"}, "contact_email": {"x@y.test"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("POST without CSRF: %d", res.StatusCode)
		}
		// By API, a coordinator answers for its own organisation only.
		coord, _ := storetest.MustCreateToken(t, db, store.Token{Role: store.RoleCoordinator, OrganisationID: org.ID})
		problem(t, e.do("PUT", "/api/v1/surveys/"+surveyID+"/responses/"+org.ID, coord, map[string]any{"interested": "yes", "contact_name": "A", "contact_email": "a@b.test"}), 400, "location_ids")
		if a := e.do("PUT", "/api/v1/surveys/"+surveyID+"/responses/"+org.ID, coord, map[string]any{"interested": "no", "contact_name": "A", "contact_email": "a@b.test"}); a.status != 200 {
			t.Fatalf("PUT: %d %s", a.status, a.body)
		}
		other := storetest.MustCreateOrganisation(t, db, "GGD Drenthe")
		problem(t, e.do("PUT", "/api/v1/surveys/"+surveyID+"/responses/"+other.ID, coord, map[string]any{"interested": "no"}), 404, "")
		if a := e.do("GET", "/surveys/"+surveyID, e.admin, nil); a.status != 200 || !strings.Contains(string(a.body), "1 / 1 (100%)") {
			t.Fatalf("results page: %d", a.status)
		}
		if a := e.do("GET", "/surveys/"+surveyID, coord, nil); a.status != 403 {
			t.Fatalf("a coordinator on the results page: %d", a.status)
		}
		if a := e.do("GET", "/api/v1/surveys/"+surveyID+"/responses.csv", e.admin, nil); !strings.HasPrefix(string(a.body), "\ufeffOrganisatie-id;") || !strings.Contains(string(a.body), ";no;Nee;") || strings.Contains(string(a.body), "csv.") {
			t.Fatalf("CSV: %s", a.body)
		}
	})
}

// After the deadline the answer shows read-only; 30 days later the link is gone.
func TestSurveyLinkExpires(t *testing.T) {
	now := civil.MustParse("2027-01-10").At(600)
	db := storetest.Open(t, store.SQLite, func() timeT { return now })
	e := newEnvClock(t, db, func() timeT { return now })
	token, _, _ := openSurvey(t, e, db)
	now = civil.MustParse("2027-02-10").At(600)
	if a := e.do("GET", "/survey/"+token, "", nil); a.status != 200 || strings.Contains(string(a.body), "<form method=\"post\" action=\"/survey/") {
		t.Fatalf("after the deadline: %d (a form is shown: %v)", a.status, strings.Contains(string(a.body), "<form"))
	}
	now = civil.MustParse("2027-03-05").At(600)
	if a := e.do("GET", "/survey/"+token, "", nil); a.status != 404 {
		t.Fatalf("30 days after the deadline: %d", a.status)
	}
	_ = context.Background()
}
