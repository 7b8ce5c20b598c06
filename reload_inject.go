//go:build !flagon_noreload

package flagon

import (
	"bufio"
	"html"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// reloadPath is where the pages of a reloaded app listen for new builds.
const reloadPath = "/__flagon/reload"

// reloadScriptPath is where the pages of a reloaded app load the reload
// script from: a file, not an inline script, so that a
// Content-Security-Policy allowing scripts from 'self' lets it run.
const reloadScriptPath = "/__flagon/reload.js"

// reloadScript is the reload script: it listens on reloadPath for the
// build that serves, and reloads the page when that is not the build the
// page came from (its tag's data-build). The server ends the event stream
// when it stops; the browser reconnects by itself (after the retry delay
// the stream sets) and so reaches the next build, or the error page of a
// build that failed.
const reloadScript = `/* Flagon reloader: debug mode only */(function(){` +
	`var b=document.currentScript.dataset.build,s=new EventSource("` + reloadPath + `");` +
	`s.onmessage=function(e){if(e.data!==b){s.close();location.reload()}}})();` + "\n"

// reloadInjector serves the pages of a build under the reloader: it
// answers reloadPath with the build's ID and reloadScriptPath with
// reloadScript, and adds a tag that loads the script to the end of every
// HTML answer of next. Only a reloader's processes install it.
type reloadInjector struct {
	next    http.Handler
	build   string   // the build's ID
	tag     []byte   // the tag for a page without a nonce
	handoff *handoff // told of each request that reaches the handler
}

func newReloadInjector(next http.Handler, build string, h *handoff) *reloadInjector {
	return &reloadInjector{next: next, build: build, tag: []byte(scriptTag(build, "")), handoff: h}
}

// scriptTag returns the tag that loads the reload script into a page of
// build; nonce, when not "", is the nonce the page's policy asks for.
func scriptTag(build, nonce string) string {
	var n string
	if nonce != "" {
		n = ` nonce="` + html.EscapeString(nonce) + `"`
	}
	return `<script src="` + reloadScriptPath + `"` + n + ` data-build="` + html.EscapeString(build) + `"></script>`
}

func (h *reloadInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.handoff != nil {
		h.handoff.seen(r)
	}
	if r.URL.Path == reloadPath {
		h.events(w, r)
		return
	}
	if r.URL.Path == reloadScriptPath {
		h.script(w, r)
		return
	}
	if r.Method == http.MethodHead {
		h.next.ServeHTTP(w, r)
		return
	}
	iw := &injectWriter{ResponseWriter: w, inj: h}
	h.next.ServeHTTP(iw, r)
	if iw.inject {
		_, _ = iw.ResponseWriter.Write(iw.tag)
	}
}

// script answers GET and HEAD with reloadScript. It is the same for every
// build (the tag holds the build); not cached, so that a browser always
// runs the script of the Flagon that serves it.
func (h *reloadInjector) script(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(reloadScript)))
	_, _ = io.WriteString(w, reloadScript)
}

// events sends the build's ID as a Server-Sent Event and holds the stream
// open until the server shuts down (which ends streams at once, see
// shutdown.go) or the page goes away.
func (h *reloadInjector) events(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("retry: 250\ndata: " + h.build + "\n\n"))
	_ = http.NewResponseController(w).Flush()
	markStream(r)
	defer endStream(r)
	<-r.Context().Done()
}

// injectWriter appends the reload script's tag to an HTML answer. The
// body is not held back (streams stay streams): the tag goes after the
// last byte, where browsers still run it, and a Content-Length the
// handler set grows by its size. The tag carries the nonce of the
// answer's Content-Security-Policy, if it has one: the header is read as
// the answer is sent, so any middleware's policy counts.
type injectWriter struct {
	http.ResponseWriter
	inj    *reloadInjector
	tag    []byte // the tag for this answer, once the header is written
	wrote  bool
	inject bool
}

func (w *injectWriter) WriteHeader(code int) {
	if w.wrote || code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wrote = true
	h := w.Header()
	w.inject = code != http.StatusNoContent && code != http.StatusNotModified && code != http.StatusPartialContent &&
		strings.HasPrefix(h.Get("Content-Type"), "text/html") && h.Get("Content-Encoding") == ""
	if !w.inject {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.tag = w.inj.tag
	if nonce := scriptNonce(h); nonce != "" {
		w.tag = []byte(scriptTag(w.inj.build, nonce))
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			h.Set("Content-Length", strconv.FormatInt(n+int64(len(w.tag)), 10))
		} else {
			w.inject = false
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *injectWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		// net/http would sniff the type of an untyped answer from its
		// first bytes; do it here, before deciding.
		if w.Header().Get("Content-Type") == "" && len(p) > 0 {
			w.Header().Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends what was written so far, so streams pass through.
func (w *injectWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over (WebSockets); nothing is injected then.
func (w *injectWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.inject = false
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *injectWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
