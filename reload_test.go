//go:build !flagon_noreload

package flagon

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReloadInjectorAddsTheScriptToHTMLOnly(t *testing.T) {
	script := `<script src="/__flagon/reload.js" data-build="b7"></script>`
	nonced := `<script src="/__flagon/reload.js" nonce="abc+/123==" data-build="b7"></script>`
	cases := []struct {
		name    string
		handler http.HandlerFunc
		method  string
		want    string // the body expected
	}{
		{"an HTML page gets the script after its last byte", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + script},
		{"an HTML page with a Content-Length gets it too, the length grown", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "9")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + script},
		{"an untyped page is sniffed as net/http would", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<!doctype html><p>hi</p>")
		}, "GET", "<!doctype html><p>hi</p>" + script},
		{"an HTML error page gets it, so that it reloads once fixed", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "<p>boom</p>")
		}, "GET", "<p>boom</p>" + script},
		{"a page under a nonce policy gets the nonce in the tag", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-abc+/123==' 'strict-dynamic'")
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + nonced},
		{"with a Content-Length too, grown by the longer tag", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Security-Policy", "script-src 'nonce-abc+/123=='")
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "9")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + nonced},
		{"a policy without a nonce gets the plain tag", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'nonce-abc123'")
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "9")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + script},
		{"a report-only policy's nonce is not taken", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Security-Policy-Report-Only", "script-src 'nonce-abc123'")
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>hi</p>")
		}, "GET", "<p>hi</p>" + script},
		{"a nonce set after the header was written does not count", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>hi</p>")
			w.Header().Set("Content-Security-Policy", "script-src 'nonce-abc123'")
		}, "GET", "<p>hi</p>" + script},
		{"JSON is left alone", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"a":1}`)
		}, "GET", `{"a":1}`},
		{"plain text is left alone", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "Hello")
		}, "GET", "Hello"},
		{"a partial answer (206) is left alone", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(206)
			_, _ = io.WriteString(w, "<p>")
		}, "GET", "<p>"},
		{"a 304 is left alone", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(304)
		}, "GET", ""},
		{"HEAD is left alone", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "9")
		}, "HEAD", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(newReloadInjector(tc.handler, "b7", nil))
			defer srv.Close()
			req, err := http.NewRequest(tc.method, srv.URL, nil)
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err, "the body matches its Content-Length")
			assert.Equal(t, tc.want, string(b))
			if res.ContentLength >= 0 && tc.method != "HEAD" {
				assert.Equal(t, int64(len(b)), res.ContentLength, "the Content-Length is the body's")
			}
			if tc.method == "HEAD" {
				assert.Equal(t, int64(9), res.ContentLength, "HEAD keeps the handler's Content-Length")
			}
		})
	}

	t.Run("a compressed page is left alone", func(t *testing.T) {
		srv := httptest.NewServer(newReloadInjector(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = io.WriteString(zw, "<p>zipped</p>")
			_ = zw.Close()
		}), "b7", nil))
		defer srv.Close()
		res, err := http.Get(srv.URL)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body) // the transport gunzips
		require.NoError(t, err)
		assert.Equal(t, "<p>zipped</p>", string(b))
	})

	t.Run("a streamed page still streams", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(newReloadInjector(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>first</p>")
			w.(http.Flusher).Flush()
			<-release
			_, _ = io.WriteString(w, "<p>second</p>")
		}), "b7", nil))
		defer srv.Close()
		res, err := http.Get(srv.URL)
		require.NoError(t, err)
		defer res.Body.Close()
		first := make([]byte, len("<p>first</p>"))
		_, err = io.ReadFull(res.Body, first)
		require.NoError(t, err, "the first part arrives before the handler ends")
		close(release)
		rest, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		assert.Equal(t, "<p>second</p>"+script, string(rest))
	})
}

func TestReloadInjectorServesTheScript(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "the app", http.StatusTeapot) })
	srv := httptest.NewServer(newReloadInjector(next, "b7", nil))
	defer srv.Close()
	for _, method := range []string{"GET", "HEAD"} {
		t.Run(method+" gets the script, never cached", func(t *testing.T) {
			req, err := http.NewRequest(method, srv.URL+"/__flagon/reload.js", nil)
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
			assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
			assert.Equal(t, int64(len(reloadScript)), res.ContentLength)
			if method == "GET" {
				assert.Equal(t, reloadScript, string(b))
				assert.Contains(t, string(b), `document.currentScript.dataset.build`, "the build comes from the tag")
				assert.Contains(t, string(b), `new EventSource("/__flagon/reload")`)
				assert.NotContains(t, string(b), "<", "a script file, not a tag")
			} else {
				assert.Empty(t, b)
			}
		})
	}
	t.Run("POST is not allowed", func(t *testing.T) {
		res, err := http.Post(srv.URL+"/__flagon/reload.js", "text/plain", strings.NewReader("x"))
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
	})
	t.Run("other paths are the app's", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/__flagon/reload.jsx")
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusTeapot, res.StatusCode)
	})
}

func TestReloadEventsSendTheBuildAndEndAtShutdown(t *testing.T) {
	app := New()
	srv := httptest.NewUnstartedServer(nil)
	s, _ := app.newServer()
	s.Handler = newReloadInjector(http.NotFoundHandler(), "b42", nil)
	srv.Config = s
	srv.Start()
	defer srv.Close()
	res, err := http.Get(srv.URL + reloadPath)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	want := "retry: 250\ndata: b42\n\n"
	got := make([]byte, len(want))
	_, err = io.ReadFull(res.Body, got)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))

	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(res.Body); done <- err }()
	require.NoError(t, s.Shutdown(t.Context()), "the stream does not hold the shutdown")
	assert.NoError(t, <-done, "the stream ends cleanly, so the page reconnects")
}

func TestCompileProblemNamesFileLineAndColumnWithTheSource(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\nfunc main() {\n\tundefinedName()\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644))
	out := "# example.com/app\n./main.go:4:2: undefined: undefinedName\nother.go:9: a message without a column\n"
	p := compileProblem(dir, []byte(out))
	require.Len(t, p.Places, 2)
	assert.Equal(t, sourcePlace{File: "./main.go", Line: 4, Column: 2, Message: "undefined: undefinedName", Lines: []sourceLine{
		{1, "package main", false}, {2, "", false}, {3, "func main() {", false}, {4, "\tundefinedName()", true},
		{5, "}", false}, {6, "", false},
	}}, p.Places[0])
	assert.Equal(t, "other.go", p.Places[1].File)
	assert.Equal(t, 9, p.Places[1].Line)
	assert.Zero(t, p.Places[1].Column)
	assert.Nil(t, p.Places[1].Lines, "an unreadable file shows no source")

	page := string(p.page())
	assert.Contains(t, page, "<code>./main.go:4:2</code>: undefined: undefinedName")
	assert.Contains(t, page, `<div class="here"><span>4</span>	undefinedName()</div>`)
	assert.Contains(t, page, "# example.com/app", "the whole output is shown")
}

func TestExitProblemPointsAtTheModulesFrames(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "main.go")
	require.NoError(t, os.WriteFile(file, []byte("package main\n\nfunc init() { panic(\"no\") }\n"), 0o644))
	out := "panic: no\n\ngoroutine 1 [running]:\nruntime.doInit1()\n\t/usr/local/go/src/runtime/proc.go:7350 +0x1d\nmain.init.0()\n\t" + file + ":3 +0x25\n"
	p := exitProblem("The app stopped", root, []byte(out))
	require.Len(t, p.Places, 1, "frames outside the module are not places")
	assert.Equal(t, file, p.Places[0].File)
	assert.Equal(t, 3, p.Places[0].Line)
}

func TestScanSourcesWatchesWhatABuildReads(t *testing.T) {
	root := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	for _, name := range []string{"go.mod", "go.sum", "main.go", "pkg/lib.go", "main_test.go", "README.md",
		"testdata/x.go", "vendor/v/v.go", ".git/x.go", "_old/x.go", "nested/go.mod", "nested/n.go"} {
		write(name, "x")
	}
	s := scanSources(root)
	var names []string
	for p := range s {
		rel, _ := filepath.Rel(root, p)
		names = append(names, filepath.ToSlash(rel))
	}
	assert.ElementsMatch(t, []string{"go.mod", "go.sum", "main.go", "pkg/lib.go"}, names)
	assert.Empty(t, s.changed(scanSources(root)), "nothing changed")

	t.Run("a save is a change", func(t *testing.T) {
		s := scanSources(root)
		p := filepath.Join(root, "pkg/lib.go")
		later := time.Now().Add(time.Minute)
		require.NoError(t, os.Chtimes(p, later, later))
		assert.Equal(t, p, s.changed(scanSources(root)))
	})
	t.Run("a new file is a change", func(t *testing.T) {
		s := scanSources(root)
		write("new.go", "x")
		assert.Equal(t, filepath.Join(root, "new.go"), s.changed(scanSources(root)))
	})
	t.Run("a removed file is a change", func(t *testing.T) {
		s := scanSources(root)
		require.NoError(t, os.Remove(filepath.Join(root, "new.go")))
		assert.Equal(t, filepath.Join(root, "new.go"), s.changed(scanSources(root)))
	})
	t.Run("a test file is not", func(t *testing.T) {
		s := scanSources(root)
		write("main_test.go", "changed")
		assert.Empty(t, s.changed(scanSources(root)))
	})
}

func TestModulePathReadsTheModuleLine(t *testing.T) {
	for _, tc := range []struct{ gomod, want string }{
		{"module example.com/app\n\ngo 1.26\n", "example.com/app"},
		{"// a comment\nmodule   example.com/app // the app\n", "example.com/app"},
		{"module \"example.com/quoted\"\n", "example.com/quoted"},
		{"modules example.com/no\n", ""},
	} {
		t.Run(tc.gomod, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "go.mod")
			require.NoError(t, os.WriteFile(p, []byte(tc.gomod), 0o644))
			assert.Equal(t, tc.want, modulePath(p))
		})
	}
}
