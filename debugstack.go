package flagon

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// The debug page's stack: the frames of a panic (taken where it was
// recovered), of an error that carries its own (github.com/pkg/errors and
// the like), or else of the framework where the returned error arrived,
// under the handler it was returned from. Frames are sorted into the
// application's, shown open with their source, and the framework's,
// libraries' and the standard library's, collapsed. All of it runs only
// when a debug page is rendered.

// frameworkPath is the framework's module path: its packages' frames are
// collapsed, except the examples', which are applications.
const frameworkPath = "github.com/flagon-go/flagon"

// Kinds of frames.
const (
	kindApp       = "app"
	kindFramework = "framework"
	kindLibrary   = "library"
	kindStdlib    = "stdlib"
)

// kindLabels name the collapsed groups.
var kindLabels = map[string]string{
	kindFramework: "Flagon",
	kindLibrary:   "library",
	kindStdlib:    "Go runtime and standard library",
}

// sourceContext is how many lines around a frame's line are shown.
const sourceContext = 5

// maxFrames bounds the frames a page shows (a deep recursion has more).
const maxFrames = 64

// debugFrame is one call on the page.
type debugFrame struct {
	Func, File string
	Line       int
	Kind       string
	Note       string // "returned from the handler" for the handler's own frame
	Source     []sourceLine
}

// sourceLine is a line of a frame's source file; Current marks the
// frame's line.
type sourceLine struct {
	N       int
	Text    string
	Current bool
}

// frameGroup is a run of frames of one kind: an application group is
// shown open, the others in a closed <details>.
type frameGroup struct {
	Kind, Label string
	Frames      []debugFrame
}

// App reports whether the group is the application's.
func (g frameGroup) App() bool { return g.Kind == kindApp }

// callers returns the program counters of the calling goroutine's stack
// above skip frames (0 is callers' caller).
func callers(skip int) []uintptr {
	pcs := make([]uintptr, maxFrames+16)
	return pcs[:runtime.Callers(skip+2, pcs)]
}

// carriedStack returns the stack carried by the deepest error in err's
// chain that has one: a Callers() []uintptr method, or a StackTrace()
// method returning a slice of program counters (github.com/pkg/errors'
// errors.StackTrace), found by reflection to need no import.
func carriedStack(err error) []uintptr {
	var pcs []uintptr
	walkChain(err, func(e error) bool {
		if s, ok := e.(interface{ Callers() []uintptr }); ok {
			pcs = s.Callers()
			return false
		}
		m := reflect.ValueOf(e).MethodByName("StackTrace")
		if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
			return false
		}
		if t := m.Type().Out(0); t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uintptr {
			out := m.Call(nil)[0]
			pcs = make([]uintptr, out.Len())
			for i := range pcs {
				pcs[i] = uintptr(out.Index(i).Uint())
			}
		}
		return false
	})
	return pcs
}

// panicFrames drops the recovery's own frames from a panic's stack: those
// up to runtime.gopanic, and the runtime's right after it (panicmem,
// sigpanic, goPanicIndex and the like), so the stack starts where the
// code panicked.
func panicFrames(frames []debugFrame) []debugFrame {
	for i, f := range frames {
		if f.Func == "runtime.gopanic" {
			frames = frames[i+1:]
			break
		}
	}
	for len(frames) > 1 && strings.HasPrefix(frames[0].Func, "runtime.") {
		frames = frames[1:]
	}
	return frames
}

// framesOf resolves program counters into frames, without the goroutine's
// start (runtime.goexit).
func framesOf(pcs []uintptr) []debugFrame {
	var out []debugFrame
	fs := runtime.CallersFrames(pcs)
	for {
		f, more := fs.Next()
		if f.Function != "" && f.Function != "runtime.goexit" && len(out) < maxFrames {
			out = append(out, debugFrame{Func: f.Function, File: f.File, Line: f.Line, Kind: frameKind(funcPackage(f.Function), f.File)})
		}
		if !more {
			return out
		}
	}
}

// handlerFrame is the frame of the function a handler's error was returned
// from: its name and where it is defined, with its source from there.
func handlerFrame(h HandlerFunc) (debugFrame, bool) {
	fn := runtime.FuncForPC(reflect.ValueOf(h).Pointer())
	if fn == nil {
		return debugFrame{}, false
	}
	file, line := fn.FileLine(fn.Entry())
	name := fn.Name()
	return debugFrame{Func: name, File: file, Line: line, Kind: frameKind(funcPackage(name), file), Note: "returned from the handler"}, true
}

// withSource reads each frame's source lines (files that cannot be read
// show none). A handler's frame shows its function from the declaration
// on; the others the lines around the frame's line.
func withSource(frames []debugFrame) {
	files := map[string][]string{}
	for i := range frames {
		f := &frames[i]
		lines, ok := files[f.File]
		if !ok {
			if b, err := os.ReadFile(f.File); err == nil {
				lines = strings.Split(string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), "\n")
			}
			files[f.File] = lines
		}
		if f.Line < 1 || f.Line > len(lines) {
			continue
		}
		from, to := f.Line-sourceContext, f.Line+sourceContext
		if f.Note != "" {
			from, to = f.Line-1, functionEnd(lines, f.Line)
		}
		f.Source = numbered(lines, from, to, f.Line)
	}
}

// numbered returns lines from to to (1-based, clamped to the file) as
// numbered source lines, current marked: the debugger's frames and the
// reloader's build error page show source this way.
func numbered(lines []string, from, to, current int) []sourceLine {
	from, to = max(from, 1), min(to, len(lines))
	var out []sourceLine
	for n := from; n <= to; n++ {
		out = append(out, sourceLine{N: n, Text: lines[n-1], Current: n == current})
	}
	return out
}

// functionEnd guesses the last line of the function declared on line
// decl: the first later line that is a closing brace indented as the
// declaration, at most 30 lines on.
func functionEnd(lines []string, decl int) int {
	d := lines[decl-1]
	indent := d[:len(d)-len(strings.TrimLeft(d, " \t"))]
	for n := decl + 1; n <= len(lines) && n <= decl+30; n++ {
		if strings.HasPrefix(lines[n-1], indent+"}") {
			return n
		}
	}
	return decl + 10
}

// groupFrames puts consecutive frames of a kind together.
func groupFrames(frames []debugFrame) []frameGroup {
	var groups []frameGroup
	for _, f := range frames {
		if n := len(groups); n > 0 && groups[n-1].Kind == f.Kind {
			groups[n-1].Frames = append(groups[n-1].Frames, f)
			continue
		}
		groups = append(groups, frameGroup{Kind: f.Kind, Label: kindLabels[f.Kind], Frames: []debugFrame{f}})
	}
	return groups
}

// funcPackage is the import path of a function's package, from its full
// name ("net/http.HandlerFunc.ServeHTTP" is in "net/http", "main.main.func1"
// in "main").
func funcPackage(name string) string {
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// frameKind sorts a package, with its source file: the framework's, the
// main module's (the application), the standard library's (no dot in its
// first element), a dependency's (a library: listed in the build info, or
// compiled from the module cache; test binaries list no dependencies), or
// else the application's.
func frameKind(pkg, file string) string {
	mod := buildModules()
	switch {
	case within(pkg, frameworkPath) && !within(pkg, frameworkPath+"/examples"):
		return kindFramework
	case pkg == "main" || mod.main != "" && within(pkg, mod.main):
		return kindApp
	case !strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		return kindStdlib
	}
	if strings.Contains(filepath.ToSlash(file), "/pkg/mod/") {
		return kindLibrary
	}
	for _, d := range mod.deps {
		if within(pkg, d) {
			return kindLibrary
		}
	}
	return kindApp
}

// within reports whether the package path pkg is path or under it.
func within(pkg, path string) bool {
	return pkg == path || strings.HasPrefix(pkg, path+"/")
}

// modules are a binary's main module and its dependencies.
type modules struct {
	main string
	deps []string
}

// buildModules reads the binary's modules, once.
var buildModules = sync.OnceValue(func() (m modules) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		m.main = bi.Main.Path
		for _, d := range bi.Deps {
			m.deps = append(m.deps, d.Path)
		}
	}
	return m
})

// traced returns h, in debug mode wrapped to note that it returned an
// error, so the debug page can tell the handler's errors from those of the
// route's middleware and hooks.
func (a *App) traced(h HandlerFunc) HandlerFunc {
	if !a.Config.Debug || h == nil {
		return h
	}
	return func(c *Context) error {
		err := h(c)
		if err != nil {
			c.state().handlerFailed = true
		}
		return err
	}
}
