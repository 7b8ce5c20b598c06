//go:build !flagon_noreload

package flagon

import (
	"bufio"
	"bytes"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// buildProblem is what the reloader's error page shows: a build that did
// not compile, or a build that stopped while starting or serving.
type buildProblem struct {
	Title  string
	Output string        // the compiler's or the app's output, as printed
	Places []sourcePlace // where it points into the sources, first first
}

// sourcePlace is one place in the sources that an error names, with the
// lines around it when the file is readable.
type sourcePlace struct {
	File    string // as the output names it
	Line    int
	Column  int // 0 when not known
	Message string
	Lines   []sourceLine
}

// compileError matches the go command's "file.go:line:col: message".
var compileError = regexp.MustCompile(`^(\S+\.go):(\d+)(?::(\d+))?: (.+)$`)

// panicFrame matches the file line of a goroutine's frame in a panic:
// "\t/abs/path/file.go:12 +0x1d".
var panicFrame = regexp.MustCompile(`^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$`)

// maxPlaces bounds the places shown with their source: the first errors
// are the ones to fix (the compiler stops at ten anyway).
const maxPlaces = 10

// compileProblem reads the output of a go build that failed in dir.
func compileProblem(dir string, out []byte) buildProblem {
	p := buildProblem{Title: "Build failed", Output: string(out)}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() && len(p.Places) < maxPlaces {
		m := compileError.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		p.Places = append(p.Places, place(dir, m[1], line, col, m[4]))
	}
	return p
}

// exitProblem reads the output of an app that stopped by itself: the
// frames of a panic inside root (the module's own code) are the places.
func exitProblem(title, root string, out []byte) buildProblem {
	p := buildProblem{Title: title, Output: string(out)}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() && len(p.Places) < 3 {
		m := panicFrame.FindStringSubmatch(sc.Text())
		if m == nil || !strings.HasPrefix(m[1], root+string(filepath.Separator)) {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		p.Places = append(p.Places, place(root, m[1], line, 0, ""))
	}
	return p
}

// place reads the lines around line of file (relative to dir) for the page.
func place(dir, file string, line, col int, msg string) sourcePlace {
	pl := sourcePlace{File: file, Line: line, Column: col, Message: msg}
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return pl
	}
	const around = 5
	pl.Lines = numbered(strings.Split(string(src), "\n"), line-around, line+around, line)
	return pl
}

var buildProblemTemplate = template.Must(template.New("build").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} // Flagon reloader</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{color:#b00020}pre{background:#f6f6f6;padding:1em;overflow:auto}
.src{font-family:monospace;background:#f6f6f6;padding:.5em 0;white-space:pre;overflow:auto}
.src div{padding:0 1em}.src .here{background:#ffd7d7}.src span{color:#888;display:inline-block;width:4em}
.note{color:#666}
</style></head>
<body>
<h1>{{.Title}}</h1>
<p class="note">Flagon reloader (debug mode): every request gets this page until the code builds and starts again; the page reloads by itself then.</p>
{{range .Places}}<h2 class="place"><code>{{.File}}:{{.Line}}{{if .Column}}:{{.Column}}{{end}}</code>{{if .Message}}: {{.Message}}{{end}}</h2>
{{if .Lines}}<div class="src">{{range .Lines}}<div{{if .Current}} class="here"{{end}}><span>{{.N}}</span>{{.Text}}</div>{{end}}</div>{{end}}
{{end}}<h2>Output</h2>
<pre>{{.Output}}</pre>
</body></html>
`))

// page renders the problem as the HTML page the reloader answers with.
func (p buildProblem) page() []byte {
	var buf bytes.Buffer
	_ = buildProblemTemplate.Execute(&buf, p)
	return buf.Bytes()
}
