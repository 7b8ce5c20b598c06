//go:build !flagon_noreload

package flagon

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The reloader of Run(true), in the process the user started:
//
//  1. It listens (Run's address rules) and keeps the sockets for its whole
//     life: they are never closed, so no connection is refused; while no
//     process accepts, connections wait in the kernel's backlog.
//  2. It starts the app as a child process (the running binary at first),
//     which serves on the inherited sockets (reload_child.go) and says so
//     on a pipe once it serves.
//  3. It scans the module's sources every reloadPoll. On a change it runs
//     go build while the running child keeps serving. A build that works
//     is started; once it serves, the old child gets SIGTERM and finishes
//     its requests in flight (Run's graceful shutdown), and the pages open
//     in browsers reload (reload_inject.go).
//  4. A build that fails, or a child that exits before or while serving,
//     stops the app: the reloader answers every request itself with the
//     error page (reload_page.go) until the next change.
//
// Werkzeug's reloader keeps its socket in the parent the same way; unlike
// it, this one builds before it replaces the app, so the old build serves
// during the compilation.

// reloadOff is the environment variable that turns the reloader off: "0".
const reloadOff = "FLAGON_RELOAD"

// reloader is the state of Run(true)'s supervising process.
type reloader struct {
	a     *App
	out   io.Writer // the terminal
	goBin string    // the go command
	dir   string    // the working directory, where go build runs
	pkg   string    // the main package, as go build takes it
	flags []string  // the build flags of the running binary
	root  string    // the main module's folder, which is watched
	tmp   string    // where the builds go

	embeds   []string      // the files the module's packages embed
	embedsCh chan []string // the embedded files, listed again after a build
	snap     sources       // the last scan
	saved    time.Time     // when the change being built was seen

	ls    []net.Listener
	files []*os.File // the sockets, as passed to every child
	epoch int64      // makes build IDs unique across reloader runs
	gen   int

	cur  *appProcess   // the app that serves, if any
	next *appProcess   // the build starting, if any
	all  []*appProcess // every app process not known to have exited, the stopping ones too

	errSrv     *http.Server // the error page's server, while the app is down
	errHandoff *handoff
}

// appProcess is one running build of the app.
type appProcess struct {
	cmd   *exec.Cmd
	bin   string // removed at exit; "" for the binary the user started
	ready chan struct{}
	done  chan struct{}
	err   error // the exit status, once done
	out   *tailBuffer
	life  *os.File // held open while the reloader lives
}

// runReloader runs the reloader when Run(true) should: in a process no
// reloader started, outside tests, unless FLAGON_RELOAD=0. It reports
// false when the reloader is off, or cannot find the go command or the
// module (it says why then): Run then serves as it would without it.
func (a *App) runReloader() (supervised bool, err error) {
	if !reloadSupported || os.Getenv(reloadOff) == "0" || reloadChild().listeners > 0 || flag.Lookup("test.run") != nil {
		return false, nil
	}
	r, why := newReloader(a)
	if why != "" {
		fmt.Fprintf(a.consoleOut(), " * Reloader off: %s\n", why)
		return false, nil
	}
	addr := runAddr(a.Config.Addr)
	ls, err := listen(addr)
	if err != nil {
		return true, fmt.Errorf("flagon: listen on %s: %w", addr, err)
	}
	r.ls = ls
	return true, r.run()
}

// newReloader finds what the reloader needs, or says what is missing.
func newReloader(a *App) (*reloader, string) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, "the go command is not on PATH"
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err.Error()
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return nil, "the working directory is not inside a Go module"
	}
	r := &reloader{a: a, out: a.consoleOut(), goBin: goBin, dir: dir, pkg: ".", root: filepath.Dir(gomod), epoch: time.Now().UnixNano()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		// A program started from another module's folder is not rebuilt
		// from that module's sources.
		if mod := modulePath(gomod); bi.Main.Path != "" && mod != bi.Main.Path {
			return nil, "the program is built from module " + bi.Main.Path + ", the working directory is in " + mod
		}
		if bi.Path != "" && bi.Path != "command-line-arguments" {
			r.pkg = bi.Path
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "-tags", "-gcflags", "-ldflags":
				r.flags = append(r.flags, s.Key+"="+s.Value)
			case "-race", "-trimpath":
				if s.Value == "true" {
					r.flags = append(r.flags, s.Key)
				}
			}
		}
	}
	if !slices.ContainsFunc(r.flags, func(f string) bool { return strings.HasPrefix(f, "-ldflags=") }) {
		// Without DWARF and the symbol table the link takes a third less
		// time; stacks and panics still name files and lines.
		r.flags = append(r.flags, "-ldflags=-s -w")
	}
	return r, ""
}

// modulePath reads the module path of the go.mod file at path.
func modulePath(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			rest, _, _ = strings.Cut(rest, "//")
			return strings.Trim(strings.TrimSpace(rest), "\"`")
		}
	}
	return ""
}

// run supervises until SIGINT or SIGTERM, or until the app exits by itself
// with status 0 (it called Shutdown), then stops everything and returns.
func (r *reloader) run() error {
	defer func() {
		for _, l := range r.ls {
			l.Close()
		}
	}()
	for _, l := range r.ls {
		f, err := socketFile(l)
		if err != nil {
			return fmt.Errorf("flagon: reloader: %w", err)
		}
		defer f.Close()
		r.files = append(r.files, f)
	}
	tmp, err := os.MkdirTemp("", "flagon-reload-")
	if err != nil {
		return fmt.Errorf("flagon: reloader: %w", err)
	}
	r.tmp = tmp
	defer os.RemoveAll(tmp)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r.embeds = embeddedFiles(ctx, r.goBin, r.dir, r.pkg, r.flags)
	r.snap = r.scan()
	fmt.Fprintf(r.out, " * Reloader: watching %d files in %s (FLAGON_RELOAD=0 turns it off)\n", len(r.snap), r.root)
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("flagon: reloader: %w", err)
	}
	r.launch(exe, "")
	tick := time.NewTicker(reloadPoll)
	defer tick.Stop()
	r.embedsCh = make(chan []string, 1)
	for {
		select {
		case <-ctx.Done():
			stop()
			r.stopAll()
			return nil
		case <-r.cur.doneChan():
			c := r.cur
			r.cur = nil
			if c.err == nil {
				fmt.Fprintln(r.out, " * Reloader: the app exited; stopping")
				r.stopAll()
				return nil
			}
			fmt.Fprintf(r.out, " * Reloader: the app stopped: %v; serving its output until the next change\n", c.err)
			r.showProblem(exitProblem("The app stopped: "+c.err.Error(), r.root, c.out.bytes()))
		case <-r.next.readyChan():
			r.promote()
		case files := <-r.embedsCh:
			r.rewatch(files)
		case <-r.next.doneChan():
			c := r.next
			r.next = nil
			fmt.Fprintf(r.out, " * Reloader: the new build stopped while starting: %v\n", c.err)
			r.showProblem(exitProblem("The app stopped while starting: "+exitText(c.err), r.root, c.out.bytes()))
		case <-tick.C:
			now := r.scan()
			name := r.snap.changed(now)
			if name == "" {
				continue
			}
			r.snap, r.saved = now, time.Now()
			if rel, err := filepath.Rel(r.root, name); err == nil {
				name = rel
			}
			fmt.Fprintf(r.out, " * Detected change in %s, rebuilding\n", name)
			r.rebuild(ctx)
		}
	}
}

// rebuild builds the sources and starts the build; the app that serves
// keeps serving until the new one does. A build that fails stops the app
// and puts the compiler's errors on the error page.
func (r *reloader) rebuild(ctx context.Context) {
	if r.next != nil {
		select {
		case <-r.next.ready: // it serves already: replace it as the app
			r.promote()
		default:
			r.next.stop() // a build still starting is out of date already
			r.next = nil
		}
	}
	r.gen++
	bin := filepath.Join(r.tmp, "app-"+strconv.Itoa(r.gen))
	args := append([]string{"build", "-o", bin, "-buildvcs=false"}, r.flags...)
	cmd := exec.CommandContext(ctx, r.goBin, append(args, r.pkg)...)
	cmd.Dir = r.dir
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		fmt.Fprintf(r.out, " * Build failed (%v); every request gets the error page until it builds:\n%s", time.Since(began).Round(time.Millisecond), out)
		r.showProblem(compileProblem(r.dir, out))
		return
	}
	fmt.Fprintf(r.out, " * Built in %v\n", time.Since(began).Round(time.Millisecond))
	r.launch(bin, bin)
	go func() { // off the loop: go list takes a tenth of a second or more
		files := embeddedFiles(ctx, r.goBin, r.dir, r.pkg, r.flags)
		select {
		case r.embedsCh <- files:
		case <-ctx.Done():
		}
	}()
}

// launch starts bin as the next app; remove is the file to remove when it
// exits. The first launch is promoted at once when it serves (see run).
func (r *reloader) launch(bin, remove string) {
	r.gen++
	build := strconv.FormatInt(r.epoch, 36) + "-" + strconv.Itoa(r.gen)
	c, err := r.startApp(bin, remove, build)
	if err != nil {
		fmt.Fprintf(r.out, " * Reloader: cannot start the app: %v\n", err)
		r.showProblem(buildProblem{Title: "The app did not start", Output: err.Error()})
		return
	}
	r.next = c
}

// startApp starts one build of the app on the reloader's sockets.
func (r *reloader) startApp(bin, remove, build string) (*appProcess, error) {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		readyR.Close()
		readyW.Close()
		return nil, err
	}
	c := &appProcess{bin: remove, ready: make(chan struct{}), done: make(chan struct{}), out: &tailBuffer{}, life: lifeW}
	cmd := exec.Command(bin, os.Args[1:]...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), reloadChildEnv+"="+strconv.Itoa(len(r.files))+":"+build)
	cmd.ExtraFiles = append(append([]*os.File{}, r.files...), readyW, lifeR)
	cmd.Stdout = io.MultiWriter(os.Stdout, c.out)
	cmd.Stderr = io.MultiWriter(os.Stderr, c.out)
	cmd.WaitDelay = time.Second // output pipes a grandchild holds open
	ownGroup(cmd)
	err = cmd.Start()
	readyW.Close()
	lifeR.Close()
	if err != nil {
		readyR.Close()
		lifeW.Close()
		return nil, err
	}
	c.cmd = cmd
	r.all = slices.DeleteFunc(r.all, func(c *appProcess) bool { return c.exited() })
	r.all = append(r.all, c)
	go func() {
		defer readyR.Close()
		if n, _ := readyR.Read(make([]byte, 1)); n == 1 {
			close(c.ready)
		}
	}()
	go func() {
		c.err = cmd.Wait()
		lifeW.Close()
		if c.bin != "" {
			os.Remove(c.bin)
		}
		close(c.done)
	}()
	return c, nil
}

// promote makes the started build the app: the error page's server, or
// the old build, hands the sockets over and stops gracefully (requests in
// flight finish) once the new build accepts, so that connections always
// find a process.
func (r *reloader) promote() {
	if !r.saved.IsZero() {
		fmt.Fprintf(r.out, " * Reloader: the new build serves, %v after the change was seen\n", time.Since(r.saved).Round(time.Millisecond))
	}
	old := r.cur
	r.cur, r.next = r.next, nil
	r.stopErrorPage()
	if old != nil {
		old.handOver()
	}
}

// stopAll stops every process and server of the reloader and waits until
// they are done: the app's own graceful shutdown, and that of older
// builds still finishing their requests. A process still running past
// their time (Config.ShutdownTimeout and the hand-over's) is killed, so
// that none outlives the reloader.
func (r *reloader) stopAll() {
	for _, c := range []*appProcess{r.cur, r.next} {
		if c != nil {
			c.stop()
		}
	}
	r.cur, r.next = nil, nil
	r.stopErrorPage()
	limit := time.NewTimer(orDefault(r.a.Config.ShutdownTimeout, DefaultConfig().ShutdownTimeout) + handoffGrace + 5*time.Second)
	defer limit.Stop()
	for _, c := range r.all {
		select {
		case <-c.done:
		case <-limit.C:
			_ = c.cmd.Process.Kill()
			<-c.done
			limit.Reset(0)
		}
	}
	r.all = nil
}

// stop asks the app to shut down gracefully (SIGTERM: Run's shutdown).
func (c *appProcess) stop() { _ = c.cmd.Process.Signal(syscall.SIGTERM) }

// handOver asks an app that serves to give the sockets over to the
// process that serves next, and then to shut down gracefully.
func (c *appProcess) handOver() { _, _ = c.life.Write([]byte{1}) }

// exited reports whether the process has exited.
func (c *appProcess) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *appProcess) doneChan() <-chan struct{} {
	if c == nil {
		return nil
	}
	return c.done
}

func (c *appProcess) readyChan() <-chan struct{} {
	if c == nil {
		return nil
	}
	return c.ready
}

// exitText describes an app's exit; nil is a clean exit before serving.
func exitText(err error) string {
	if err == nil {
		return "it exited with status 0 before serving"
	}
	return err.Error()
}

// showProblem stops the app and answers every request with p's page,
// from the reloader, until a build serves again. A new problem replaces
// the last one on a new server, so that open pages reload to show it.
func (r *reloader) showProblem(p buildProblem) {
	oldSrv, oldHandoff, app := r.errSrv, r.errHandoff, r.cur
	r.cur = nil
	defer func() {
		// The page serves first; then the servers it replaces hand over.
		if oldSrv != nil {
			r.stopServer(oldSrv, oldHandoff)
		}
		if app != nil {
			app.handOver()
		}
	}()
	page := p.page()
	r.gen++
	build := strconv.FormatInt(r.epoch, 36) + "-" + strconv.Itoa(r.gen)
	srv, _ := r.a.newServer()
	h := newHandoff()
	h.serve(srv)
	srv.Handler = newReloadInjector(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(page)
	}), build, h)
	for _, f := range r.files {
		l, err := net.FileListener(f) // a copy: closing it leaves the socket open
		if err != nil {
			fmt.Fprintf(r.out, " * Reloader: cannot serve the error page: %v\n", err)
			continue
		}
		hl := h.listener(l)
		go func() { _ = srv.Serve(hl) }()
	}
	r.errSrv, r.errHandoff = srv, h
}

// stopErrorPage stops the error page's server gracefully, if it runs.
func (r *reloader) stopErrorPage() {
	if r.errSrv != nil {
		r.stopServer(r.errSrv, r.errHandoff)
		r.errSrv, r.errHandoff = nil, nil
	}
}

// stopServer hands the sockets of one of the reloader's own servers over
// and shuts it down.
func (r *reloader) stopServer(srv *http.Server, h *handoff) {
	h.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = shutdownServer(ctx, srv)
}

// tailBuffer keeps the last tailMax bytes written to it: the output of an
// app, for the error page when it stops.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 64 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	t.mu.Unlock()
	return len(p), nil
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf)
}
