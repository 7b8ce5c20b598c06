package flagon

import (
	"bytes"
	"html/template"
	"sort"
	"strconv"
	"strings"
)

var debugTemplate = template.Must(template.New("debug").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Status}} {{.Title}} // Flagon debugger</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{color:#b00020}pre{background:#f6f6f6;padding:1em;overflow:auto}
table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:2px 8px;vertical-align:top;font-family:monospace}
.note{color:#666}
</style></head>
<body>
<h1>{{.Status}} {{.Title}}</h1>
<p class="note">Flagon debug mode: this page shows internals. Never run with debug on in production.</p>
<h2>Error</h2>
<pre>{{.Error}}</pre>
{{if .Detail}}<p>Message for the client: {{.Detail}}</p>{{end}}
{{if .Stack}}<h2>Stack</h2><pre>{{.Stack}}</pre>{{end}}
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
<table>{{range .Headers}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
</body></html>
`))

// debugPage renders the debug-mode error page: the error, the stack of a
// panic, and the request. Everything is escaped by html/template. Values
// of credential headers and of cookies are masked (a script on a page could
// otherwise read an HttpOnly session cookie by provoking an error), and
// wherever else they appear on the page they are replaced.
func debugPage(c *Context, p problem, err error, stack []byte) string {
	r := c.Request
	var headers [][2]string
	var secrets []string
	for k, vs := range r.Header {
		for _, v := range vs {
			shown := v
			switch {
			case k == "Cookie":
				shown, secrets = maskCookies(v, secrets)
			case secretHeader(k):
				var cred string
				shown, cred = maskCredential(k, v)
				secrets = append(secrets, v, cred)
			}
			headers = append(headers, [2]string{k, shown})
		}
	}
	if ck, e := r.Cookie(c.app.Config.SessionCookieName); e == nil {
		secrets = append(secrets, ck.Value)
	}
	scrub := newSecretScrubber(secrets)
	for i, h := range headers {
		if h[0] != "Cookie" && !secretHeader(h[0]) {
			headers[i][1] = scrub(h[1])
		}
	}
	sort.SliceStable(headers, func(i, j int) bool { return headers[i][0] < headers[j][0] })
	var buf bytes.Buffer
	_ = debugTemplate.Execute(&buf, map[string]any{
		"Status": p.Status, "Title": p.Title, "Detail": scrub(p.Detail),
		"Error": scrub(err.Error()), "Stack": scrub(string(stack)),
		"Method": r.Method, "URL": scrub(r.URL.String()), "Rule": c.Rule(), "Endpoint": c.Endpoint(),
		"Remote": r.RemoteAddr, "RequestID": p.RequestID, "Headers": headers,
	})
	return buf.String()
}

// secretWords mark a header, by a word in its lowercased name, as carrying
// credentials: Authorization, Proxy-Authorization, Cookie, Set-Cookie,
// X-Api-Key, X-Auth-Token, X-Csrf-Token, X-Session-Id and the like.
var secretWords = []string{"auth", "cookie", "key", "token", "secret", "passw", "session", "signature", "credential"}

// secretHeader reports whether the header named k (canonical) carries
// credentials, so the debug page masks its value.
func secretHeader(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redacted stands for a masked value of n bytes.
func redacted(n int) string { return "[redacted, " + strconv.Itoa(n) + " bytes]" }

// maskCredential masks a credential header's value and returns the part
// it hid. For Authorization and Proxy-Authorization the scheme ("Bearer",
// "Basic") stays readable.
func maskCredential(k, v string) (shown, hidden string) {
	if k == "Authorization" || k == "Proxy-Authorization" {
		if scheme, cred, ok := strings.Cut(v, " "); ok && scheme != "" && len(scheme) <= 16 && isToken(scheme) {
			cred = strings.TrimSpace(cred)
			return scheme + " " + redacted(len(cred)), cred
		}
	}
	return redacted(len(v)), v
}

// maskCookies lists the cookies of a Cookie header value by name, each
// value masked, and adds the values to secrets.
func maskCookies(v string, secrets []string) (string, []string) {
	var b strings.Builder
	for part := range strings.SplitSeq(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, "=")
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name)
		b.WriteString("=")
		b.WriteString(redacted(len(val)))
		secrets = append(secrets, strings.Trim(val, `"`), val)
	}
	return b.String(), secrets
}

// newSecretScrubber returns a function replacing each secret in a string
// with a mark. Secrets shorter than 6 bytes are left alone: they are too
// common as substrings to mean anything, and too short to be worth much.
func newSecretScrubber(secrets []string) func(string) string {
	// Longest first: the replacer tries its pairs in order, so a secret
	// that contains another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 6 {
			pairs = append(pairs, s, redacted(len(s)))
		}
	}
	if len(pairs) == 0 {
		return func(s string) string { return s }
	}
	return strings.NewReplacer(pairs...).Replace
}
