package api_test

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/coplan/coplan/api"
	"github.com/coplan/coplan/planner"
	"github.com/coplan/coplan/store"
	"github.com/coplan/coplan/store/storetest"
	"gopkg.in/yaml.v3"
)

// The OpenAPI document (the JSON API and the feeds) and web.yaml (the pages and
// the operational routes) together list exactly the routes the server has,
// each once.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	db := storetest.Open(t, store.SQLite, clock)
	e := newEnv(t, db)
	a := e.do("GET", "/openapi.yaml", "", nil)
	if a.status != http.StatusOK {
		t.Fatalf("GET /openapi.yaml = %d", a.status)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(a.body, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q; want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			if _, ok := op.(map[string]any)["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var web struct {
		Routes []struct {
			Method, Path, Summary string
			Responses             map[string]string
		}
	}
	data, err := os.ReadFile("web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &web); err != nil {
		t.Fatalf("web.yaml does not parse: %v", err)
	}
	for _, r := range web.Routes {
		key := r.Method + " " + r.Path
		if documented[key] || r.Summary == "" || len(r.Responses) == 0 {
			t.Errorf("%s is in both documents, or has no summary or responses", key)
		}
		documented[key] = true
	}
	srv, _ := api.New(api.Config{DB: db, BaseURL: "http://x"})
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		if r.Method == http.MethodHead {
			continue
		}
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Fatalf("routes not documented: %v\ndocumented but not served: %v", missing, extra)
	}
}

// The document lists exactly the planner's rule codes.
func TestOpenAPIListsEveryRuleCode(t *testing.T) {
	data, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Rule struct {
					Enum []string `yaml:"enum"`
				} `yaml:"Rule"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range planner.AllRules {
		want = append(want, string(r))
	}
	if !slices.Equal(doc.Components.Schemas.Rule.Enum, want) {
		t.Fatalf("the document's rule codes %v; the planner's %v", doc.Components.Schemas.Rule.Enum, want)
	}
}
