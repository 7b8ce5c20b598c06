package flagon

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"

	"github.com/flagon-go/flagon/internal/csrf"
	"github.com/flagon-go/flagon/render"
)

// Template renders the page name of the template folder (Config.TemplateFS,
// else Config.TemplateDir, "templates") with data, as text/html. The page
// is parsed together with the layouts and partials it uses: a page that
// calls {{template "base.html" .}} and defines {{define "content"}} fills
// the {{block "content" .}} of base.html, as Flask's {% extends %} does.
// Pages get the helpers url_for, static, flashes, csrf_token, csp_nonce,
// g, request and session, plus those added with App.TemplateFuncs; M or
// map[string]any data gets the keys of the context processors (see
// ContextProcessor).
//
// Templates are parsed once, on first use; in debug mode a changed file is
// picked up on the next request. A missing page or a template error returns
// an error naming the template (and its line), which the app answers with
// 500; nothing of the page is sent then.
func (c *Context) Template(code int, name string, data any) error {
	p, err := c.app.templateSet().page(name)
	if err != nil {
		return err
	}
	data, _ = c.templateData(data) // before taking a clone, which a panicking processor would lose
	b := p.get()
	b.c = c
	c.Status(code)
	err = render.HTML{Template: b.t, Name: name, Data: data}.Render(c.Response)
	b.c = nil
	p.pool.Put(b)
	return err
}

// templateSet returns the app's templates, set up on first use from the
// configuration the app was frozen with.
func (a *App) templateSet() *templates {
	a.tmplOnce.Do(func() {
		fsys, where := a.Config.TemplateFS, "Config.TemplateFS"
		if fsys == nil {
			dir := a.Config.TemplateDir
			if dir == "" {
				dir = "templates"
			}
			fsys, where = os.DirFS(dir), strconv.Quote(dir)
		}
		user, bound := splitTemplateFuncs(a.tmplFuncs)
		a.tmpl = &templates{fsys: fsys, where: where, user: user, bound: bound, reload: a.Config.Debug}
	})
	return a.tmpl
}

// templates loads template files and builds, for each page, the set of
// templates it needs.
type templates struct {
	fsys   fs.FS
	where  string           // for error messages
	user   template.FuncMap // App.TemplateFuncs, with stand-ins for the bound ones
	bound  []*contextFunc   // App.TemplateFuncs taking the Context
	reload bool             // debug mode: check the files on every request

	mu    sync.Mutex
	stamp string               // the files' names, sizes and times when loaded
	files map[string]*tmplFile // by slash-separated path under the root
	pages map[string]*page
}

// tmplFile is one template file, parsed alone to learn what it defines and
// which templates it calls.
type tmplFile struct {
	src  string
	defs []string
	refs []string
	err  error
}

// page is a parsed set for one page. The master is never executed, so it
// can be cloned; each clone has the request helpers bound to its own slot,
// and clones are pooled, so a page is escaped once per clone, not once per
// request.
type page struct {
	master *template.Template
	user   template.FuncMap
	bound  []*contextFunc
	pool   sync.Pool
}

// boundTemplate is a clone of a page whose helpers (and the App.TemplateFuncs
// taking a Context) read the Context in c.
type boundTemplate struct {
	t *template.Template
	c *Context
}

func (p *page) get() *boundTemplate {
	if b, ok := p.pool.Get().(*boundTemplate); ok {
		return b
	}
	b := &boundTemplate{}
	t, err := p.master.Clone()
	if err != nil { // only possible after the master ran, which never happens
		panic("flagon: cloning a template: " + err.Error())
	}
	b.t = t.Funcs(b.helpers()).Funcs(p.user)
	if len(p.bound) > 0 {
		b.t.Funcs(b.bind(p.bound))
	}
	return b
}

// helpers are the functions every template can call, reading the request
// being rendered.
func (b *boundTemplate) helpers() template.FuncMap {
	return template.FuncMap{
		"url_for": func(endpoint string, args ...any) (string, error) {
			return b.c.URLFor(endpoint, args...)
		},
		"static": func(filename string) (string, error) {
			return b.c.URLFor(staticEndpoint, "filename", filename)
		},
		"flashes": func() []Flash { return b.c.Flashes() },
		"csrf_token": func() (string, error) {
			if b.c.app.Config.SecretKey == "" && b.c.app.Config.SessionStore == nil {
				return "", ErrNoSecretKey
			}
			return csrf.Token(b.c.Session()), nil
		},
		"csp_nonce": func() string {
			v, _ := b.c.Get(CSPNonceKey)
			s, _ := v.(string)
			return s
		},
		"g": func(key string) any {
			v, _ := b.c.Get(key)
			return v
		},
		"request": func() *http.Request { return b.c.Request },
		"config":  func(name string) any { return b.c.app.appValue(name) },
		"session": func() *Session { return b.c.Session() },
	}
}

// CSPNonceKey is the key of Context.Get under which middleware.SecureHeaders
// stores the request's Content-Security-Policy nonce; templates read it with
// {{csp_nonce}}.
const CSPNonceKey = "csp_nonce"

// parseFuncs stand for the helpers while files are parsed: parsing needs
// the names, the bound versions replace them in each clone.
var parseFuncs = (&boundTemplate{}).helpers()

// page returns the parsed set for name, loading the files first when
// needed (or, in debug mode, when they changed).
func (ts *templates) page(name string) (*page, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.files == nil || ts.reload {
		stamp, err := ts.fingerprint()
		if err != nil {
			return nil, fmt.Errorf("flagon: reading the templates in %s: %w", ts.where, err)
		}
		if ts.files == nil || stamp != ts.stamp {
			if err := ts.load(stamp); err != nil {
				return nil, err
			}
		}
	}
	if p := ts.pages[name]; p != nil {
		return p, nil
	}
	if ts.files[name] == nil {
		return nil, fmt.Errorf("flagon: template %q not found in %s", name, ts.where)
	}
	master, err := ts.build(name)
	if err != nil {
		return nil, err
	}
	p := &page{master: master, user: ts.user, bound: ts.bound}
	ts.pages[name] = p
	return p, nil
}

// fingerprint lists every template file with its size and time, so a
// change of any of them is seen.
func (ts *templates) fingerprint() (string, error) {
	var sb strings.Builder
	err := fs.WalkDir(ts.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir // no template folder: every page is missing
			}
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&sb, "%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return sb.String(), err
}

// load reads and pre-parses every file.
func (ts *templates) load(stamp string) error {
	files := map[string]*tmplFile{}
	for _, line := range strings.Split(strings.TrimSuffix(stamp, "\n"), "\n") {
		name, _, _ := strings.Cut(line, "\x00")
		if name == "" {
			continue
		}
		src, err := fs.ReadFile(ts.fsys, name)
		if err != nil {
			return fmt.Errorf("flagon: reading template %q in %s: %w", name, ts.where, err)
		}
		files[name] = ts.scan(name, string(src))
	}
	ts.files, ts.pages, ts.stamp = files, map[string]*page{}, stamp
	return nil
}

// scan parses one file alone and records what it defines and calls.
func (ts *templates) scan(name, src string) *tmplFile {
	f := &tmplFile{src: src}
	t, err := template.New(name).Funcs(parseFuncs).Funcs(ts.user).Parse(src)
	if err != nil {
		f.err = err
		return f
	}
	for _, d := range t.Templates() {
		if d.Name() != name {
			f.defs = append(f.defs, d.Name())
		}
		if d.Tree != nil {
			f.refs = appendCalls(f.refs, d.Tree.Root)
		}
	}
	sort.Strings(f.defs)
	return f
}

// build parses page together with the files it needs: the files it calls
// by name ({{template "base.html" .}}), and for every other template it
// calls that nothing included defines yet, the first file (by name) that
// defines it; and so on for what those call. The page is parsed last, so
// its {{define}}s replace the {{block}} defaults of its layouts.
func (ts *templates) build(name string) (*template.Template, error) {
	defined := map[string]bool{}
	included := map[string]bool{name: true}
	var order []string
	var queue []string
	add := func(fname string) error {
		f := ts.files[fname]
		if f.err != nil {
			return f.err
		}
		defined[fname] = true
		for _, d := range f.defs {
			defined[d] = true
		}
		queue = append(queue, f.refs...)
		return nil
	}
	if err := add(name); err != nil {
		return nil, err
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if defined[ref] {
			continue
		}
		fname := ""
		if ts.files[ref] != nil {
			fname = ref
		} else {
			fname = ts.definer(ref, included)
		}
		if fname == "" || included[fname] {
			continue // executing the page reports the missing template
		}
		included[fname] = true
		order = append(order, fname)
		if err := add(fname); err != nil {
			return nil, err
		}
	}
	root := template.New(name).Funcs(parseFuncs).Funcs(ts.user)
	for _, fname := range order {
		if _, err := root.New(fname).Parse(ts.files[fname].src); err != nil {
			return nil, err
		}
	}
	if _, err := root.Parse(ts.files[name].src); err != nil {
		return nil, err
	}
	return root, nil
}

// definer returns the first file, by name, that defines the template ref
// and is not included yet.
func (ts *templates) definer(ref string, included map[string]bool) string {
	var names []string
	for fname, f := range ts.files {
		if !included[fname] && f.err == nil {
			for _, d := range f.defs {
				if d == ref {
					names = append(names, fname)
					break
				}
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// appendCalls adds the names of the templates n calls, at any depth.
func appendCalls(refs []string, n parse.Node) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return refs
		}
		for _, c := range n.Nodes {
			refs = appendCalls(refs, c)
		}
	case *parse.TemplateNode:
		refs = append(refs, n.Name)
	case *parse.IfNode:
		refs = appendCalls(appendCalls(refs, n.List), n.ElseList)
	case *parse.RangeNode:
		refs = appendCalls(appendCalls(refs, n.List), n.ElseList)
	case *parse.WithNode:
		refs = appendCalls(appendCalls(refs, n.List), n.ElseList)
	}
	return refs
}
