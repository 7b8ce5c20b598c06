package flagon

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

var debugTemplate = template.Must(template.New("debug").Funcs(template.FuncMap{"rows": rowsSection}).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Status}} {{.Title}} // Flagon debugger</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{background:#b00020;color:#fff;padding:1em 2em}header h1{margin:0;font-size:1.6em}
header p{margin:.3em 0 0;opacity:.9}main{padding:0 2em 2em}h2{margin:1.4em 0 .5em;font-size:1.15em}
code,pre,td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{background:#f6f8fa;padding:.8em;overflow:auto;margin:.3em 0}
table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:2px 8px;vertical-align:top;word-break:break-all}
td:first-child{white-space:nowrap;color:#555}
.chain li{margin:.2em 0}.chain .type{color:#6e7781}
.frame{border:1px solid #d0d7de;border-radius:6px;margin:.5em 0;overflow:hidden}
.frame .where{padding:.4em .8em;background:#f6f8fa}.frame .func{font-weight:600}.frame .note{color:#b00020;font-weight:600}
.app>.where{background:#fff8c5}.frame .source{margin:0;background:#fff;padding:.3em 0}
.source span{display:block;padding:0 .8em;white-space:pre}.source .current{background:#ffebe9}
.source i{display:inline-block;width:3.5em;color:#8c959f;font-style:normal}
details.frames{margin:.4em 0}details.frames>summary{cursor:pointer;color:#57606a}
.replay button{font:inherit;padding:.3em .9em;margin-right:.5em;cursor:pointer}
.note{color:#666}
</style></head>
<body>
<header><h1>{{.Status}} {{.Title}}</h1><p id="error">{{.Error}}</p></header>
<main>
<p class="note">Flagon debug mode: this page shows internals. Never run with debug on in production.</p>
{{if .Detail}}<p>Message for the client: {{.Detail}}</p>{{end}}
<section class="replay"><h2>Replay</h2>
<button type="button" id="copy-curl" data-copy="curl">Copy as curl</button><button type="button" id="copy-test" data-copy="gotest">Copy as Go test</button>
<span class="note">Masked values are sent as {{.Placeholder}}.</span>
<details><summary>curl</summary><pre id="curl">{{.Curl}}</pre></details>
<details><summary>Go test</summary><pre id="gotest">{{.GoTest}}</pre></details>
</section>
<h2>Error chain</h2>
<ol class="chain">{{range .Chain}}<li><code class="type">{{.Type}}</code> {{.Text}}</li>{{end}}</ol>
<h2>Stack</h2>
{{if .Origin}}<p class="note">{{.Origin}}</p>{{end}}
<div id="stack">{{range .Groups}}{{if .App}}{{range .Frames}}{{template "frame" .}}{{end}}{{else}}<details class="frames {{.Kind}}"><summary>{{len .Frames}} {{.Label}} frame{{if ne (len .Frames) 1}}s{{end}}</summary>{{range .Frames}}{{template "frame" .}}{{end}}</details>{{end}}{{end}}</div>
{{if .Stack}}<details><summary>Goroutine stack as logged</summary><pre>{{.Stack}}</pre></details>{{end}}
<h2>Request</h2>
<table>
<tr><td>Method</td><td>{{.Method}}</td></tr>
<tr><td>URL</td><td>{{.URL}}</td></tr>
<tr><td>Route</td><td>{{.Rule}}</td></tr>
<tr><td>Endpoint</td><td>{{.Endpoint}}</td></tr>
<tr><td>Remote address</td><td>{{.Remote}}</td></tr>
{{if .RequestID}}<tr><td>Request ID</td><td>{{.RequestID}}</td></tr>{{end}}
</table>
<h2>Headers</h2>
<p class="note">Values of credential headers and cookies are masked.</p>
<table id="headers">{{range .Headers}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
{{template "rows" (rows "Query" "query" .Query "")}}
{{template "rows" (rows "Form" "form" .Form .FormNote)}}
{{template "rows" (rows "Cookies" "cookies" .Cookies "")}}
{{template "rows" (rows "g" "g" .G "")}}
{{template "rows" (rows "Session" "session" .Session .SessionNote)}}
{{if .Body}}<h2>Body</h2><pre id="body">{{.Body}}</pre>{{end}}{{if .BodyNote}}<p class="note">The body: {{.BodyNote}}.</p>{{end}}
</main>
<script>
for (const b of document.querySelectorAll("button[data-copy]")) {
  b.addEventListener("click", async () => {
    const el = document.getElementById(b.dataset.copy);
    try {
      await navigator.clipboard.writeText(el.textContent);
      b.textContent = "Copied";
    } catch (e) {
      el.closest("details").open = true;
      getSelection().selectAllChildren(el);
      b.textContent = "Selected: press Ctrl+C";
    }
  });
}
</script>
</body></html>
{{define "frame"}}<div class="frame {{.Kind}}"><div class="where">{{if .Note}}<span class="note">{{.Note}}</span> {{end}}<span class="func">{{.Func}}</span> <span class="file">{{.File}}:{{.Line}}</span></div>{{if .Source}}<pre class="source">{{range .Source}}<span{{if .Current}} class="current"{{end}}><i>{{.N}}</i>{{.Text}}</span>{{end}}</pre>{{end}}</div>{{end}}
{{define "rows"}}{{if or .Rows .Note}}<h2>{{.Title}}</h2>{{if .Note}}<p class="note">{{.Note}}</p>{{end}}<table id="{{.ID}}">{{range .Rows}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}{{end}}
`))

// rowsSection is a table of name-value rows with a heading, for the page's
// template.
func rowsSection(title, id string, rows [][2]string, note string) map[string]any {
	return map[string]any{"Title": title, "ID": id, "Rows": rows, "Note": note}
}

// chainLink is one error of an error's chain on the page.
type chainLink struct{ Type, Text string }

// debugPage renders the debug-mode error page: the error's chain, the
// stack, the request and its replays. Everything is escaped by
// html/template. Secrets are masked (see debugmask.go): a script on a page
// could otherwise read an HttpOnly session cookie by provoking an error.
func debugPage(c *Context, p problem, err error, stack []byte) string {
	r := c.Request
	var secrets []string
	rp := &replay{Method: r.Method, Target: r.URL.RequestURI(), Status: p.Status, Test: testName(c.Endpoint()), Package: "main"}

	var headers [][2]string
	for _, k := range sortedHeaders(r.Header) {
		for _, v := range r.Header[k] {
			shown, sent := v, v
			switch {
			case k == "Cookie":
				shown, secrets = maskCookies(v, secrets)
				sent = replayCookies(v)
			case secretHeader(k):
				var cred string
				shown, cred = maskCredential(k, v)
				secrets = append(secrets, v, cred)
				sent = replayCredential(k, v)
			}
			headers = append(headers, [2]string{k, shown})
			if !replayOmitted[k] {
				rp.Header = append(rp.Header, [2]string{k, sent})
			}
		}
	}
	var cookies [][2]string
	for _, ck := range r.Cookies() {
		cookies = append(cookies, [2]string{ck.Name, redacted(len(ck.Value))})
	}
	if ck, e := r.Cookie(c.app.Config.SessionCookieName); e == nil {
		secrets = append(secrets, ck.Value)
	}

	query, maskedQuery, secrets := maskValues(c.QueryValues(), secrets)
	if maskedQuery != nil {
		u := *r.URL
		u.RawQuery = maskedQuery.Encode()
		rp.Target = u.RequestURI()
	}
	var form [][2]string
	formNote := ""
	if x := c.get(); x.formOK && r.PostForm != nil {
		form, _, secrets = maskValues(r.PostForm, secrets)
	} else if r.ContentLength != 0 {
		formNote = "The handler did not read the body as a form."
	}
	g, secrets := maskedMap(c.keys, secrets)
	var session [][2]string
	sessionNote := ""
	if s := c.get().session; s != nil {
		session, secrets = maskedMap(s.values, secrets)
	} else if values, _, e := c.app.sessionStore().Load(c); e == nil && len(values) > 0 {
		session, secrets = maskedMap(values, secrets)
		sessionNote = "The handler did not use the session; these are its stored values."
	}
	body, secrets := replayBody(c, rp, secrets)

	scrub := newSecretScrubber(secrets)
	for i, h := range headers {
		if h[0] != "Cookie" && !secretHeader(h[0]) {
			headers[i][1] = scrub(h[1])
		}
	}
	for _, rows := range [][][2]string{query, form, g, session} {
		for i := range rows {
			rows[i][1] = scrub(rows[i][1])
		}
	}
	for i, h := range rp.Header {
		rp.Header[i][1] = scrub(h[1])
	}
	rp.Body = scrub(rp.Body)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	rp.URL = scheme + "://" + r.Host + rp.Target

	var chain []chainLink
	walkChain(err, func(e error) bool {
		if pe, ok := e.(*panicError); ok {
			chain = append(chain, chainLink{fmt.Sprintf("panic(%T)", pe.value), scrub(pe.Error())})
			if inner, ok := pe.value.(error); ok {
				walkChain(inner, func(e error) bool {
					chain = append(chain, chainLink{fmt.Sprintf("%T", e), scrub(e.Error())})
					return false
				})
			}
			return false
		}
		chain = append(chain, chainLink{fmt.Sprintf("%T", e), scrub(e.Error())})
		return false
	})
	rp.Failure = scrub(err.Error())

	frames, origin := errorFrames(c, err)
	if len(frames) > 0 && frames[0].Note != "" {
		rp.Package = packageName(frames[0].Func)
	} else if c.route != nil {
		if f, ok := handlerFrame(c.route.handler); ok {
			rp.Package = packageName(f.Func)
		}
	}
	withSource(frames)
	for i := range frames {
		for j := range frames[i].Source {
			frames[i].Source[j].Text = scrub(frames[i].Source[j].Text)
		}
	}

	var buf bytes.Buffer
	_ = debugTemplate.Execute(&buf, map[string]any{
		"Status": p.Status, "Title": p.Title, "Detail": scrub(p.Detail),
		"Error": scrub(err.Error()), "Chain": chain, "Origin": origin, "Groups": groupFrames(frames),
		"Stack":  scrub(string(stack)),
		"Method": r.Method, "URL": scrub(scheme + "://" + r.Host + r.URL.RequestURI()), "Rule": c.Rule(), "Endpoint": c.Endpoint(),
		"Remote": r.RemoteAddr, "RequestID": p.RequestID, "Headers": headers,
		"Query": query, "Form": form, "FormNote": formNote, "Cookies": cookies, "G": g,
		"Session": session, "SessionNote": sessionNote, "Body": body, "BodyNote": rp.BodyNote,
		"Placeholder": placeholderSecret, "Curl": rp.curl(), "GoTest": rp.goTest(),
	})
	return buf.String()
}

// errorFrames returns the frames the page shows for err, and a sentence
// on where they come from: a panic's, where it happened; an error carrying
// a stack, where it was made; any other error, the handler it was returned
// from (when it was) above the framework's frames where it arrived.
func errorFrames(c *Context, err error) ([]debugFrame, string) {
	var pe *panicError
	if errors.As(err, &pe) && len(pe.pcs) > 0 {
		return panicFrames(framesOf(pe.pcs)), "Where the panic happened, innermost call first."
	}
	if pcs := carriedStack(err); len(pcs) > 0 {
		return framesOf(pcs), "Where the error was made (its chain carries the stack), innermost call first."
	}
	// The debug page's own frames and the error handling's are left out:
	// the stack starts where the error was handed to the error handlers.
	frames := framesOf(callers(1))
	for len(frames) > 1 && errorHandling(frames[0].Func) {
		frames = frames[1:]
	}
	if c.route != nil && c.get().handlerFailed {
		if f, ok := handlerFrame(c.route.handler); ok {
			return append([]debugFrame{f}, frames...), "The error was returned by the route's handler; below it, the calls it returned through. An error that carries its stack (github.com/pkg/errors and the like) shows where it was made."
		}
	}
	return frames, "Where the error was answered, innermost call first."
}

// errorHandling reports whether fn is one of the framework's functions
// that hand an error to the error handlers and render it.
func errorHandling(fn string) bool {
	if funcPackage(fn) != frameworkPath {
		return false
	}
	for _, s := range []string{".debugPage", ".errorFrames", ".(*App).renderError", ".(*App).answerError", ".(*App).handleError", ".(*App).settle", ".(*App).runErrorHandler", ".(*App).runErrorHandler.func1", ".(*App).answerError.func1", ".(*App).answerError.func2"} {
		if strings.HasSuffix(fn, s) {
			return true
		}
	}
	return false
}

// maskedMap lists a g or session map's values by key, sorted, the values
// of secret keys masked and added to secrets.
func maskedMap(m map[string]any, secrets []string) ([][2]string, []string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows [][2]string
	for _, k := range keys {
		v := fmt.Sprintf("%+v", m[k])
		if secretField(k) {
			secrets = append(secrets, v)
			v = redacted(len(v))
		} else {
			v = truncated(v) + fmt.Sprintf("  (%T)", m[k])
		}
		rows = append(rows, [2]string{k, v})
	}
	return rows, secrets
}

// replayBody sets the replay's body from what the handler read, with
// secret form fields and JSON keys masked, and returns the body to show.
func replayBody(c *Context, rp *replay, secrets []string) (string, []string) {
	raw, whole := c.recordedBody()
	if len(raw) == 0 {
		if c.Request.ContentLength > 0 {
			rp.BodyNote = "not recorded (debug mode records the bodies it admits)"
		}
		return "", secrets
	}
	mt, _, _ := mime.ParseMediaType(c.Request.Header.Get("Content-Type"))
	switch {
	case !whole:
		rp.BodyNote = fmt.Sprintf("longer than %d bytes, not replayed", maxRecordedBody)
		return "", secrets
	case mt == "multipart/form-data" || !utf8.Valid(raw):
		rp.BodyNote = fmt.Sprintf("%d bytes of %s, not replayed", len(raw), mt)
		return "", secrets
	case mt == "application/x-www-form-urlencoded":
		if vs, err := url.ParseQuery(string(raw)); err == nil {
			var masked url.Values
			_, masked, secrets = maskValues(vs, secrets)
			if masked != nil {
				raw = []byte(masked.Encode())
			}
		}
	case strings.HasSuffix(mt, "json"):
		raw, _, secrets = maskJSON(raw, secrets)
	}
	rp.Body = string(raw)
	return rp.Body, secrets
}
