package flagon

import (
	"bytes"
	"html/template"
	"sort"
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
<table>{{range .Headers}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
</body></html>
`))

// debugPage renders the debug-mode error page: the error, the stack of a
// panic, and the request. Everything is escaped by html/template.
func debugPage(c *Context, p problem, err error, stack []byte) string {
	r := c.Request
	var headers [][2]string
	for k, vs := range r.Header {
		for _, v := range vs {
			headers = append(headers, [2]string{k, v})
		}
	}
	sort.Slice(headers, func(i, j int) bool { return headers[i][0] < headers[j][0] })
	var buf bytes.Buffer
	_ = debugTemplate.Execute(&buf, map[string]any{
		"Status": p.Status, "Title": p.Title, "Detail": p.Detail,
		"Error": err.Error(), "Stack": string(stack),
		"Method": r.Method, "URL": r.URL.String(), "Rule": c.Rule(), "Endpoint": c.Endpoint(),
		"Remote": r.RemoteAddr, "RequestID": p.RequestID, "Headers": headers,
	})
	return buf.String()
}
