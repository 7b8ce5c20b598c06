package flagon

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// docBlock is a ```go block of the documentation.
type docBlock struct {
	file     string // README.md or docs/x.md
	line     int    // the line of its opening fence
	src      string
	fragment bool // marked <!-- fragment --> on the line before the fence
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// docBlocks returns the ```go blocks of README.md and docs/*.md.
func docBlocks(t *testing.T) []docBlock {
	files, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	files = append([]string{"README.md"}, files...)
	var out []docBlock
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "```go" {
				continue
			}
			start := i
			var src []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				src = append(src, lines[i])
			}
			marked := start > 0 && strings.TrimSpace(lines[start-1]) == "<!-- fragment -->"
			out = append(out, docBlock{file: f, line: start + 1, src: strings.Join(src, "\n") + "\n", fragment: marked})
		}
	}
	return out
}

var (
	packageClause = regexp.MustCompile(`(?m)^package \w+`)
	embedLine     = regexp.MustCompile(`(?m)^//go:embed (.+)$`)
)

// TestDocsExamplesCompile builds every complete ```go block of README.md
// and docs/ (one with a package clause: a program or a test file) in a
// module of their own that uses this repository, so what users copy
// compiles as written. A block without a package clause is a fragment: it
// must parse as Go declarations or statements (see docs/testing.md,
// "Examples in the docs"). Everything is type-checked by one go vet, offline.
func TestDocsExamplesCompile(t *testing.T) {
	blocks := docBlocks(t)
	require.NotEmpty(t, blocks)
	repo, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	complete := map[string]docBlock{}
	for _, b := range blocks {
		if b.fragment && packageClause.MatchString(b.src) {
			// A whole file that needs what the reader's package has (its app
			// factory, say): it must parse.
			if _, err := parser.ParseFile(token.NewFileSet(), "", b.src, 0); err != nil {
				t.Errorf("%s: a marked file that is not Go: %v", b, err)
			}
			continue
		}
		if !packageClause.MatchString(b.src) {
			if err := parseFragment(b.src); err != nil {
				t.Errorf("%s: a fragment that is not Go: %v", b, err)
			}
			continue
		}
		if host := siblingHost(b.src); host != "" {
			vetInModule(t, host, b)
			continue
		}
		name := blockDir(b)
		file := "main.go"
		if strings.Contains(b.src, "*testing.T") || strings.Contains(b.src, "\nfunc Example") {
			file = "example_test.go"
		}
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, file), []byte(b.src), 0o644))
		complete[name] = b
		// What a //go:embed line names is the user's: stand in for it.
		for _, m := range embedLine.FindAllStringSubmatch(b.src, -1) {
			for _, pat := range strings.Fields(m[1]) {
				sub := filepath.Join(dir, name, filepath.FromSlash(pat))
				require.NoError(t, os.MkdirAll(sub, 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(sub, "index.html"), nil, 0o644))
			}
		}
	}
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	gomod := strings.Replace(string(mod), "module github.com/flagon-go/flagon", "module flagondocs", 1) +
		"\nrequire github.com/flagon-go/flagon v0.0.0\n\nreplace github.com/flagon-go/flagon => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))

	// A page's first complete example may have a test of its behaviour:
	// testdata/docexamples/<page>_test.go, run in that example's package.
	tested := []string{}
	for _, page := range pagesTested(t) {
		name := firstComplete(blocks, page)
		require.NotEmpty(t, name, "testdata/docexamples has a test for %s, which has no complete example", page)
		src, err := os.ReadFile(filepath.Join("testdata", "docexamples", strings.TrimSuffix(filepath.Base(page), ".md")+"_test.go"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "page_test.go"), src, 0o644))
		tested = append(tested, "./"+name)
	}

	run := func(what string, args ...string) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			// Name the doc block of each error; its folder (docs_x_md_LINE)
			// names it too.
			msg := string(out)
			for name, b := range complete {
				msg = strings.ReplaceAll(msg, "flagondocs/"+name, b.String())
			}
			t.Fatalf("%s:\n%s", what, msg)
		}
	}
	run("the docs' complete examples do not compile", "vet", "./...")
	if len(tested) > 0 {
		run("a docs example does not do what its page says", append([]string{"test", "-count=1"}, tested...)...)
	}
}

// siblings are the modules beside the root that doc examples import, each
// with the module whose go.mod has what such an example needs.
var siblings = []struct{ imports, host string }{
	{"github.com/flagon-go/flagon/otelflagon", "examples/observability"},
	{"github.com/flagon-go/flagon/redisstore", "redisstore"},
}

// siblingHost returns the module folder that can build src, when src
// imports a module beside the root, else "".
func siblingHost(src string) string {
	for _, s := range siblings {
		if strings.Contains(src, `"`+s.imports+`"`) {
			return s.host
		}
	}
	return ""
}

// vetInModule type-checks a doc block that imports a module beside the
// root inside the module that has its dependencies (fetched through the
// module proxy when the cache lacks them), from a folder it removes.
func vetInModule(t *testing.T, host string, b docBlock) {
	t.Helper()
	dir, err := os.MkdirTemp(host, "docblock")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.src), 0o644))
	cmd := exec.Command("go", "vet", "./"+filepath.Base(dir))
	cmd.Dir = host
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s does not compile (in %s):\n%s", b, host, out)
	}
}

// pagesTested lists the pages testdata/docexamples has a test for.
func pagesTested(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "docexamples", "*_test.go"))
	require.NoError(t, err)
	var pages []string
	for _, f := range files {
		pages = append(pages, "docs/"+strings.TrimSuffix(filepath.Base(f), "_test.go")+".md")
	}
	return pages
}

// firstComplete returns the folder name of the page's first complete block.
func firstComplete(blocks []docBlock, page string) string {
	for _, b := range blocks {
		if b.file == page && packageClause.MatchString(b.src) {
			return blockDir(b)
		}
	}
	return ""
}

func blockDir(b docBlock) string {
	return fmt.Sprintf("%s_%d", strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(b.file), b.line)
}

// parseFragment parses src as Go: its top-level declarations (the lines
// from one starting with func, type, var, const or import to the next
// unindented statement) as a file, the rest as the statements of a
// function body. A line that is only "..." stands for elided code.
func parseFragment(src string) error {
	var decls, stmts strings.Builder
	inDecl := false
	for _, l := range strings.Split(src, "\n") {
		if strings.TrimSpace(l) == "..." {
			l = ""
		}
		if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != '}' && l[0] != ')' && !strings.HasPrefix(l, "//") {
			inDecl = declStart.MatchString(l)
		}
		if inDecl {
			decls.WriteString(l)
		} else {
			stmts.WriteString(l)
		}
		decls.WriteByte('\n')
		stmts.WriteByte('\n')
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\n"+decls.String(), 0); err != nil {
		return err
	}
	_, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+stmts.String()+"\n}", 0)
	return err
}

var declStart = regexp.MustCompile(`^(func|type|var|const|import)\b`)

// TestDocsHelloIsExamplesHello keeps the hello world of README.md and
// docs/quickstart.md the program examples/hello tests (it exits 1 with the
// reason on a busy port, 0 after Ctrl+C).
func TestDocsHelloIsExamplesHello(t *testing.T) {
	b, err := os.ReadFile("examples/hello/main.go")
	require.NoError(t, err)
	src := string(b)
	src = src[strings.Index(src, "package main"):]
	for _, page := range []string{"README.md", "docs/quickstart.md"} {
		var first string
		for _, blk := range docBlocks(t) {
			if blk.file == page {
				first = blk.src
				break
			}
		}
		require.Equal(t, src, first, "%s's first example is not examples/hello/main.go", page)
	}
}
