// Package pagetest drives Debian's headless Chromium for the page tests and
// checks pages with axe-core against WCAG 2.1 AA. The browser is a real one, so
// the tests see what a coordinator or nurse sees, JavaScript off or on.
package pagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser returns a chromedp context on a fresh headless Chromium. A missing
// Chromium fails the test: `make test` installs it.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed; run `make test-deps` (Debian package chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it lives as long as ctx, so no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Do runs steps with a time limit, failing the test on error.
func Do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Attribute is the value of attribute name of the first element matching
// the search (CSS, XPath or text).
func Attribute(t *testing.T, ctx context.Context, search, name string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Run(tctx, chromedp.AttributeValue(chromedp.Search(search), name))
	if err != nil || !res.Exists {
		t.Fatalf("attribute %s of %s: %v", name, search, err)
	}
	return res.Value
}

// WaitText waits until the first element matching css holds text: after a
// click that leads to a page with the same elements as the last one.
func WaitText(t *testing.T, ctx context.Context, css, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ""`, strconv.Quote(css))))
		cancel()
		if err == nil && strings.Contains(got, text) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q", css, text)
}

// Value is the value of the form field matching css.
func Value(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("value of %s: %v", css, err)
	}
	return v
}

// FirstOption is the value of the first option of a select that has one.
func FirstOption(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelector(%s).options].map(o => o.value).find(v => v) || ""`, strconv.Quote(css))))
	if err != nil {
		t.Fatalf("options of %s: %v", css, err)
	}
	return v
}

// Text returns the text content of the first element matching the CSS selector.
func Text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Violation is one axe-core finding.
type Violation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// CheckAccessibility runs axe-core on the current page for WCAG 2.1 A and AA and
// fails the test for every violation.
func CheckAccessibility(t *testing.T, ctx context.Context) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(), "tools", "axe", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed; run `make test-deps`: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		t.Fatalf("load axe: %v", err)
	}
	raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	for _, v := range vs {
		var targets []string
		for _, n := range v.Nodes {
			b, _ := json.Marshal(n.Target)
			targets = append(targets, string(b))
		}
		t.Errorf("WCAG violation %s: %s at %s", v.ID, v.Help, strings.Join(targets, ", "))
	}
}

// Shots saves full-page screenshots of the current page at 1280 and 375 px
// wide into $COPLAN_SCREENSHOTS (make screenshots sets it), and checks at
// 375 px that nothing makes the page scroll sideways. Without the variable it
// only checks the width.
func Shots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("COPLAN_SCREENSHOTS")
	for _, width := range []int64{375, 1280} {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if _, err := chromedp.Run(tctx, chromedp.EmulateViewport(width, 800)); err != nil {
			cancel()
			t.Fatalf("viewport %d: %v", width, err)
		}
		if width == 375 {
			wide, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				cancel()
				t.Fatalf("width check: %v", err)
			}
			if wide {
				over, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
				t.Errorf("%s scrolls sideways at 375 px (too wide: %s)", name, over)
			}
		}
		if dir != "" {
			png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100)) // 100: PNG, lossless
			if err != nil {
				cancel()
				t.Fatalf("screenshot: %v", err)
			}
			_ = os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
	}
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, _ = chromedp.Run(tctx, chromedp.EmulateViewport(1280, 900))
}

// Screenshot saves a full-page PNG under artifacts/ (kept by CI) and returns its path.
func Screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join(repoRoot(), "artifacts")
	_ = os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
