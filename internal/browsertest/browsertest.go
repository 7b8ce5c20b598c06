// Package browsertest drives a headless Chromium for the tests of pages
// meant to be looked at: a page served by the test runs its checks in the
// browser and writes them as JSON into the element with id "out", which
// Results reads back from the rendered DOM.
package browsertest

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Chromium returns the path of a Chromium binary. When there is none, it
// fails the test under CI=true (where .ci/run installs the Debian package
// chromium) and skips it elsewhere, saying why.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed: under CI=true it is required (.ci/run installs it with apt-get install chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); CI runs this test")
	return ""
}

var outRE = regexp.MustCompile(`(?s)<(?:pre|div) id="out">(.*?)</(?:pre|div)>`)

// Results loads url in headless Chromium, lets its scripts run (virtual
// time, at most a minute of real time), and decodes the JSON the page
// wrote into its "out" element into v. Any failure fails the test.
func Results(t testing.TB, chromium, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-extensions", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=20000", "--dump-dom", url).Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := outRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("the page wrote no results:\n%s", out)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), v); err != nil {
		t.Fatalf("the page's results are not JSON (%v): %s", err, m[1])
	}
}

// Screenshot loads url in headless Chromium at the given window size, lets
// its scripts run as Results does, and writes a PNG of the window to path.
func Screenshot(t testing.TB, chromium, url, path string, width, height int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-extensions", "--user-data-dir="+t.TempDir(), "--hide-scrollbars",
		"--virtual-time-budget=20000", "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--screenshot="+path, url).CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
}
