package flagon

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The debug page's replays: the failed request as a curl command and as a
// Go test through the test client, secrets replaced by placeholderSecret.
// In debug mode the body the handler read is recorded for them.

// placeholderSecret stands for a masked value in a replay.
const placeholderSecret = "REDACTED"

// maxRecordedBody bounds the body a debug page replays.
const maxRecordedBody = 64 << 10

// bodyRecord passes a request body through, keeping its first
// maxRecordedBody bytes for the debug page (debug mode only).
type bodyRecord struct {
	rc   io.ReadCloser
	buf  bytes.Buffer
	cut  bool // the body was longer than what buf keeps
	done bool // the body was read to its end
}

func (b *bodyRecord) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	keep := min(n, maxRecordedBody-b.buf.Len())
	b.buf.Write(p[:keep])
	b.cut = b.cut || keep < n
	b.done = b.done || err == io.EOF
	return n, err
}

func (b *bodyRecord) Close() error { return b.rc.Close() }

// recordBody wraps a request body so the debug page can replay it.
func (c *Context) recordBody(rc io.ReadCloser) io.ReadCloser {
	b := &bodyRecord{rc: rc}
	c.state().body = b
	return b
}

// recordedBody returns the request's body for a replay, reading what the
// handler left unread, and whether it is whole.
func (c *Context) recordedBody() ([]byte, bool) {
	b := c.get().body
	if b == nil {
		return nil, true
	}
	if !b.done && !b.cut && c.Request.ContentLength <= maxRecordedBody {
		_, _ = io.Copy(io.Discard, io.LimitReader(b, maxRecordedBody+1-int64(b.buf.Len())))
	}
	return b.buf.Bytes(), b.done && !b.cut
}

// replay is the failed request as the replays send it: masked values are
// placeholderSecret.
type replay struct {
	Method, URL, Target string // Target is the path and query
	Header              [][2]string
	Body                string
	BodyNote            string // why the body is not replayed whole
	Status              int
	Failure             string // the error's text, masked
	Package, Test       string // for the Go test
}

// replayOmitted are headers a replay leaves to the client: the connection's,
// the body's length and the compression curl would not undo.
var replayOmitted = map[string]bool{
	"Host": true, "Content-Length": true, "Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Transfer-Encoding": true, "Te": true, "Trailer": true, "Upgrade": true, "Accept-Encoding": true,
}

// browserNoise are headers of a browser's every request, left out of the Go
// test: they say nothing about the failure.
func browserNoise(k string) bool {
	switch k {
	case "User-Agent", "Accept-Language", "Cache-Control", "Pragma", "Upgrade-Insecure-Requests", "Dnt", "Priority", "Referer":
		return true
	}
	return strings.HasPrefix(k, "Sec-")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// curl returns the request as a curl command line.
func (r *replay) curl() string {
	var b strings.Builder
	b.WriteString("curl -i")
	switch {
	case r.Method == http.MethodHead:
		b.WriteString(" --head")
	case r.Method != http.MethodGet || r.Body != "":
		b.WriteString(" -X " + shellQuote(r.Method))
	}
	b.WriteString(" " + shellQuote(r.URL))
	for _, h := range r.Header {
		b.WriteString(" \\\n  -H " + shellQuote(h[0]+": "+h[1]))
	}
	if r.Body != "" {
		b.WriteString(" \\\n  --data-binary " + shellQuote(r.Body))
	}
	return b.String()
}

// goTest returns the request as a Go test file for the handler's package:
// it replays the request through the test client and fails while the app
// answers it as it did.
func (r *replay) goTest() string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", r.Package)
	b.WriteString("import (\n\t\"net/http/httptest\"\n")
	if r.Body != "" {
		b.WriteString("\t\"strings\"\n")
	}
	b.WriteString("\t\"testing\"\n)\n\n")
	fmt.Fprintf(&b, "// %s replays a request that failed in the Flagon debugger:\n", r.Test)
	fmt.Fprintf(&b, "// %s %s answered %d %s (%s).\n", r.Method, r.Target, r.Status, http.StatusText(r.Status), oneLine(r.Failure, 120))
	b.WriteString("// It fails while the app answers the request so, and passes once the bug\n// is fixed. newApp stands for the function that builds your *flagon.App.\n")
	fmt.Fprintf(&b, "func %s(t *testing.T) {\n", r.Test)
	b.WriteString("\tapp := newApp() // your app factory\n")
	body := "nil"
	if r.Body != "" {
		body = "strings.NewReader(" + strconv.Quote(r.Body) + ")"
	}
	fmt.Fprintf(&b, "\treq := httptest.NewRequest(%q, %q, %s)\n", r.Method, r.Target, body)
	if r.BodyNote != "" {
		fmt.Fprintf(&b, "\t// The body: %s.\n", r.BodyNote)
	}
	for _, h := range r.Header {
		if browserNoise(h[0]) {
			continue
		}
		fmt.Fprintf(&b, "\treq.Header.Add(%q, %q)", h[0], h[1])
		if strings.Contains(h[1], placeholderSecret) {
			b.WriteString(" // masked by the debugger: put a test value here")
		}
		b.WriteString("\n")
	}
	b.WriteString("\tres := app.TestClient().Do(req)\n")
	fmt.Fprintf(&b, "\tif res.Code == %d {\n", r.Status)
	fmt.Fprintf(&b, "\t\tt.Fatalf(\"%%s %%s answered %%d, the failure the debugger showed\", req.Method, req.URL, res.Code)\n")
	b.WriteString("\t}\n}\n")
	return b.String()
}

// oneLine shortens s to its first line and at most n bytes, for a comment.
func oneLine(s string, n int) string {
	s, _, cut := strings.Cut(s, "\n")
	if len(s) > n {
		s, cut = s[:n], true
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	if cut {
		s += "…"
	}
	return s
}

// testName is the Go test's name for an endpoint: "users.show" is
// TestReplayUsersShow, no endpoint TestReplayRequest.
func testName(endpoint string) string {
	var b strings.Builder
	b.WriteString("TestReplay")
	up := true
	for _, r := range endpoint {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
		up = false
	}
	if b.Len() == len("TestReplay") {
		b.WriteString("Request")
	}
	return b.String()
}

// packageName is the name of a function's package, from its full name
// ("main" when unknown).
func packageName(fn string) string {
	pkg := funcPackage(fn)
	if pkg == "" || pkg == fn {
		return "main"
	}
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(pkg)
}

// sortedHeaders returns the names of h sorted.
func sortedHeaders(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
