package flagon_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replayApp is an application as a user writes one, in its own module: its
// handler panics on a nil map. newApp is its factory, which the Go test the
// debugger generates calls.
const replayApp = `package main

import "github.com/flagon-go/flagon"

func newApp() *flagon.App {
	app := flagon.New()
	app.Config.Debug = true
	app.Config.SecretKey = "replay-app-secret-key-0123456789abcdef"
	app.Post("/users/<int:id>", updateUser)
	return app
}

func updateUser(c *flagon.Context) error {
	c.Set("user_id", c.ParamInt("id"))
	var renames map[string]int
	renames[c.Form("name")]++ // the bug
	return c.Text(200, "renamed")
}

// deleteUser is here so the bug has source lines after it.
func deleteUser(c *flagon.Context) error {
	return c.NoContent(204)
}
`

// replayMain serves the app on a free port of 127.0.0.1, and the probe page
// (probe.html) at /probe, on the same origin so the probe reads the page.
const replayMain = `package main

import (
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/flagon-go/flagon"
)

func main() {
	probe, err := os.ReadFile("probe.html")
	if err != nil {
		panic(err)
	}
	app := newApp()
	app.Get("/probe", func(c *flagon.Context) error { return c.HTML(200, string(probe)) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("http://" + l.Addr().String())
	_ = http.Serve(l, app)
}
`

// Secrets the probe sends; none may appear on the page.
var replaySecrets = []string{
	"bearer-secret-token-123456", "csrf-secret-value-5678", "session-cookie-secret-42",
	"theme-cookie-secret-77", "query-token-secret-99", "form-password-secret-1",
}

// replayProbe sends the failing request as a browser would (cookies,
// credentials, a form), shows the debugger page it gets in a same-origin
// frame, reads the page's DOM, clicks both copy buttons, and writes what it
// saw into #out.
const replayProbe = `<!doctype html>
<style>body{margin:0}iframe{position:fixed;inset:0;width:100%;height:100%;border:0}#out{display:none}</style>
<div id="out">pending</div>
<script>
(async () => {
  const seen = {};
  try {
    document.cookie = "session=session-cookie-secret-42; path=/";
    document.cookie = "theme=theme-cookie-secret-77; path=/";
    const res = await fetch("/users/42?tab=profile&api_token=query-token-secret-99", {
      method: "POST",
      headers: {"Authorization": "Bearer bearer-secret-token-123456", "X-Csrf-Token": "csrf-secret-value-5678",
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
      body: "name=ada&password=form-password-secret-1",
    });
    seen.status = res.status;
    const f = document.createElement("iframe");
    f.srcdoc = await res.text();
    const loaded = new Promise(r => f.onload = r);
    document.body.append(f);
    await loaded;
    const d = f.contentDocument, w = f.contentWindow;
    seen.html = d.documentElement.outerHTML;
    seen.frames = [...d.querySelectorAll("#stack .frame")].map(fr => ({
      kind: fr.classList[1],
      func: fr.querySelector(".func").textContent,
      file: fr.querySelector(".file").textContent,
      current: (fr.querySelector(".current") || {textContent: ""}).textContent,
      lines: fr.querySelectorAll(".source span").length,
      collapsed: !!fr.closest("details") && !fr.closest("details").open,
      shown: fr.checkVisibility(),
    }));
    if (location.hash === "#shot") { // for the docs' screenshot: the curl command shown, no clicks
      d.getElementById("curl").closest("details").open = true;
      throw "screenshot";
    }
    const copied = {};
    Object.defineProperty(w.navigator, "clipboard", {value: {writeText: async t => { copied.text = t; }}});
    for (const id of ["copy-curl", "copy-test"]) {
      copied.text = null;
      const b = d.getElementById(id);
      b.click();
      await new Promise(r => setTimeout(r, 0));
      seen[id] = copied.text;
      seen[id + "-label"] = b.textContent;
    }
  } catch (e) {
    seen.error = String(e);
  }
  document.getElementById("out").textContent = JSON.stringify(seen);
})();
</script>`

type probeFrame struct {
	Kind, Func, File, Current string
	Lines                     int
	Collapsed, Shown          bool
}

type probeSeen struct {
	Error, HTML string
	Status      int
	Frames      []probeFrame
	Curl        string `json:"copy-curl"`
	CurlLabel   string `json:"copy-curl-label"`
	GoTest      string `json:"copy-test"`
	GoTestLabel string `json:"copy-test-label"`
}

// goEnv is the environment of the go commands the test runs: offline (the
// module cache has the framework's dependencies) and without the test's
// own flags.
func goEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
}

// writeReplayModule writes the user's module into a temporary folder, its
// flagon replaced by this repository, and returns the folder.
func writeReplayModule(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":     "module example.com/replayapp\n\ngo 1.26.0\n\nrequire github.com/flagon-go/flagon v0.0.0\n\nreplace github.com/flagon-go/flagon => " + root + "\n",
		"app.go":     replayApp,
		"main.go":    replayMain,
		"probe.html": replayProbe,
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	files["go.sum"] = string(sum)
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	run(t, dir, "go", "mod", "tidy")
	return dir
}

// run runs a command in dir and returns its output; a failure fails the
// test.
func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, err := command(dir, name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

func command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = goEnv()
	return cmd
}

// startReplayApp builds and starts the user's app, stopped when the test
// ends, and returns its URL.
func startReplayApp(t *testing.T, dir string) string {
	t.Helper()
	run(t, dir, "go", "build", "-o", "replayapp", ".")
	cmd := command(dir, filepath.Join(dir, "replayapp"))
	logs, err := os.Create(filepath.Join(dir, "app.log"))
	require.NoError(t, err)
	defer logs.Close()
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log, _ := os.ReadFile(logs.Name())
		t.Fatalf("the app printed no address (%v); its log:\n%s", err, log)
	}
	return strings.TrimSpace(line)
}

// A panic in a user's app, in debug mode, seen in a real browser: the
// page, its copy buttons, and the replays they give, run for real.
func TestDebuggerPageInARealBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module of its own")
	}
	chromium := browsertest.Chromium(t)
	dir := writeReplayModule(t)
	base := startReplayApp(t, dir)

	var seen probeSeen
	browsertest.Results(t, chromium, base+"/probe", &seen)
	require.Empty(t, seen.Error)
	require.Equal(t, 500, seen.Status)
	require.NotEmpty(t, seen.Frames)

	t.Run("the application's frame comes first, open, with its source lines", func(t *testing.T) {
		first := seen.Frames[0]
		assert.Equal(t, "app", first.Kind)
		assert.Equal(t, "main.updateUser", first.Func)
		assert.Equal(t, filepath.Join(dir, "app.go")+":16", first.File)
		assert.Contains(t, first.Current, `renames[c.Form("name")]++ // the bug`)
		assert.Equal(t, 11, first.Lines, "five lines either side")
		assert.True(t, first.Shown && !first.Collapsed)
	})
	t.Run("the framework's and the standard library's frames are collapsed", func(t *testing.T) {
		kinds := map[string]int{}
		for _, f := range seen.Frames[1:] {
			kinds[f.Kind]++
			if f.Kind != "app" {
				assert.True(t, f.Collapsed && !f.Shown, "%s is collapsed", f.Func)
			}
		}
		assert.Positive(t, kinds["framework"])
		assert.Positive(t, kinds["stdlib"])
		for _, f := range seen.Frames {
			if strings.HasPrefix(f.Func, "github.com/flagon-go/flagon.") {
				assert.Equal(t, "framework", f.Kind)
			}
			if strings.HasPrefix(f.Func, "net/http.") {
				assert.Equal(t, "stdlib", f.Kind)
			}
		}
	})
	t.Run("no secret the browser sent is on the page", func(t *testing.T) {
		for _, s := range replaySecrets {
			assert.NotContains(t, seen.HTML, s)
			assert.NotContains(t, seen.Curl, s)
			assert.NotContains(t, seen.GoTest, s)
		}
		assert.Contains(t, seen.HTML, "Bearer [redacted, 26 bytes]")
		assert.Contains(t, seen.HTML, "session=[redacted, 24 bytes]; theme=[redacted, 22 bytes]")
	})
	t.Run("the copy buttons copy the replays", func(t *testing.T) {
		assert.Equal(t, "Copied", seen.CurlLabel)
		assert.Equal(t, "Copied", seen.GoTestLabel)
		assert.True(t, strings.HasPrefix(seen.Curl, "curl -i -X 'POST' '"+base+"/users/42?api_token=REDACTED&tab=profile'"), seen.Curl)
		assert.Contains(t, seen.Curl, "-H 'Authorization: Bearer REDACTED'")
		assert.Contains(t, seen.Curl, "--data-binary 'name=ada&password=REDACTED'")
	})
	t.Run("the curl command is valid and fails the same way", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("curl is not installed: under CI=true it is required (.ci/run installs it)")
			}
			words, err := shellWords(seen.Curl)
			require.NoError(t, err)
			assert.Equal(t, "curl", words[0])
			assert.Contains(t, words, base+"/users/42?api_token=REDACTED&tab=profile")
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "sh", "-c", seen.Curl+" --silent --show-error --max-time 20").CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.True(t, strings.HasPrefix(string(out), "HTTP/1.1 500 Internal Server Error\r\n"), "%.200s", out)
		assert.Contains(t, string(out), "assignment to entry in nil map")
		assert.Contains(t, string(out), `<tr><td>name</td><td>ada</td></tr>`, "the form was replayed")
	})
	t.Run("the Go test compiles, and fails as the request did", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "replay_test.go"), []byte(seen.GoTest), 0o644))
		assert.Empty(t, run(t, dir, "gofmt", "-l", "replay_test.go"), "it is gofmt-formatted")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", "^TestReplay", ".")
		cmd.Dir, cmd.Env = dir, goEnv()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "the test fails:\n%s", out)
		assert.Contains(t, string(out), "--- FAIL: TestReplayUpdateUser")
		assert.Contains(t, string(out), "POST /users/42?api_token=REDACTED&tab=profile answered 500, the failure the debugger showed")
		assert.Contains(t, string(out), "assignment to entry in nil map", "the app's log says why, as on the page")
		assert.NotContains(t, string(out), "[build failed]")
	})
	if path := os.Getenv("FLAGON_SCREENSHOT"); path != "" {
		// FLAGON_SCREENSHOT=$PWD/docs/images/debugger.png go test -run TestDebuggerPageInARealBrowser
		browsertest.Screenshot(t, chromium, base+"/probe#shot", path, 1100, 1400)
	}
}

// shellWords splits a POSIX shell command line of single-quoted words,
// plain words and backslash-newlines, as the curl command is written.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, started := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case in && ch == '\'':
			in = false
		case in:
			w.WriteByte(ch)
		case ch == '\'':
			in, started = true, true
		case ch == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case ch == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			started = true
		case ch == ' ' || ch == '\n' || ch == '\t':
			if started {
				words = append(words, w.String())
				w.Reset()
				started = false
			}
		default:
			w.WriteByte(ch)
			started = true
		}
	}
	if in {
		return nil, errUnclosedQuote
	}
	if started {
		words = append(words, w.String())
	}
	return words, nil
}

var errUnclosedQuote = errors.New("an unclosed single quote")
