//go:build unix && !flagon_noreload

package flagon_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/proctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reloader over real processes: a module in a temporary folder, run
// with go run as a user runs it, edited while a steady load of requests
// runs.

const reloadMain = `package main

import (
	_ "embed"
	"os"

	"github.com/flagon-go/flagon"
)

//go:embed page.html
var page string

func main() {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, answer) })
	app.Get("/page", func(c *flagon.Context) error { return c.HTML(200, page) })
	app.Run(os.Getenv("APP_DEBUG") != "0")
}
`

// answerFile is the file the tests edit; its line 3 is the answer.
func answerFile(body string) string {
	return "package main\n\nconst answer = " + body + "\n"
}

// writeModule writes a module that uses this repository's flagon, with
// files, and resolves its requirements from the module cache (offline).
func writeModule(t testing.TB, files map[string]string) string {
	t.Helper()
	repo, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	if _, ok := files["page.html"]; !ok {
		files["page.html"] = "<html><body><p>page</p></body></html>"
	}
	files["go.mod"] = "module example.com/reloaded\n\ngo 1.26\n\nrequire github.com/flagon-go/flagon v0.0.0\n\nreplace github.com/flagon-go/flagon => " + repo + "\n"
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	files["go.sum"] = string(sum)
	for name, src := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	tidy.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := tidy.CombinedOutput()
	require.NoError(t, err, "go mod tidy: %s", out)
	return dir
}

// devServer is `go run .` in a module, in a process group of its own.
type devServer struct {
	cmd    *exec.Cmd
	out    *proctest.Buffer
	addr   string
	exited chan error
}

func startDev(t testing.TB, dir string, env ...string) *devServer {
	t.Helper()
	d := &devServer{out: &proctest.Buffer{}, addr: fmt.Sprintf("127.0.0.1:%d", deployFreePort(t.(*testing.T))), exited: make(chan error, 1)}
	d.cmd = exec.Command("go", "run", ".")
	d.cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FLAGON_") && !strings.HasPrefix(kv, "APP_") {
			d.cmd.Env = append(d.cmd.Env, kv)
		}
	}
	d.cmd.Env = append(d.cmd.Env, append(env, "FLAGON_ADDR="+d.addr)...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, d.cmd.Start())
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL) })
	return d
}

// interrupt sends SIGINT to the process group, as Ctrl+C in a terminal
// does, and waits for go run to exit.
func (d *devServer) interrupt(t testing.TB) {
	t.Helper()
	require.NoError(t, syscall.Kill(-d.cmd.Process.Pid, syscall.SIGINT))
	select {
	case <-d.exited: // go run exits with status 1 after an interrupt, whatever the program's status
	case <-time.After(time.Minute):
		t.Fatalf("go run did not exit after SIGINT:\n%s", d.out.String())
	}
}

// load sends a steady, bounded stream of requests to url, each on a new
// connection, and counts the refused ones and every other failure.
type load struct {
	url     string
	refused atomic.Int64
	failed  atomic.Int64
	sent    atomic.Int64
	bodies  chan string
	mu      sync.Mutex
	errs    []string
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startLoad(t testing.TB, url string) *load {
	l := &load{url: url, bodies: make(chan string, 4096), stop: make(chan struct{})}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	for range 2 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tick := time.NewTicker(5 * time.Millisecond) // the load's pace: 2 x 200 requests a second at most
			defer tick.Stop()
			for {
				select {
				case <-l.stop:
					return
				case <-tick.C:
				}
				l.sent.Add(1)
				res, err := client.Get(l.url)
				if err != nil {
					if errors.Is(err, syscall.ECONNREFUSED) {
						l.refused.Add(1)
					} else {
						l.failed.Add(1)
					}
					l.mu.Lock()
					if len(l.errs) < 5 {
						l.errs = append(l.errs, err.Error())
					}
					l.mu.Unlock()
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				select {
				case l.bodies <- fmt.Sprintf("%d %s", res.StatusCode, b):
				default: // nobody waits for answers now
				}
			}
		}()
	}
	t.Cleanup(l.end)
	return l
}

func (l *load) end() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// reset forgets the failures so far: those of a server still starting.
func (l *load) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused.Store(0)
	l.failed.Store(0)
	l.sent.Store(0)
	l.errs = nil
}

// drain forgets the answers received so far.
func (l *load) drain() {
	for {
		select {
		case <-l.bodies:
		default:
			return
		}
	}
}

// waitFor waits until an answer "<status> <body>" contains want, and
// returns it.
func (l *load) waitFor(t testing.TB, d *devServer, want string) string {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case b := <-l.bodies:
			if strings.Contains(b, want) {
				return b
			}
		case err := <-d.exited:
			t.Fatalf("go run exited (%v) before answering %q:\n%s", err, want, d.out.String())
		case <-deadline:
			t.Fatalf("no answer contains %q:\n%s", want, d.out.String())
		}
	}
}

func (l *load) report(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.Zero(t, l.refused.Load(), "no connection is refused (of %d): %v", l.sent.Load(), l.errs)
	assert.Zero(t, l.failed.Load(), "no request fails (of %d): %v", l.sent.Load(), l.errs)
}

func TestReloaderRebuildsOnSaveWithoutRefusingAConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module with the go command")
	}
	dir := writeModule(t, map[string]string{"main.go": reloadMain, "answer.go": answerFile(`"Hello 1"`)})
	d := startDev(t, dir)
	url := "http://" + d.addr
	l := startLoad(t, url+"/")
	l.waitFor(t, d, "200 Hello 1")
	l.reset()

	t.Run("a saved change is served, and no connection is refused meanwhile", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "answer.go"), []byte(answerFile(`"Hello 2"`)), 0o644))
		l.waitFor(t, d, "200 Hello 2")
		l.report(t)
	})

	t.Run("HTML pages get the reload script, other answers do not", func(t *testing.T) {
		page := getBody(t, url+"/page")
		assert.Contains(t, page, `<p>page</p></body></html><script src="/__flagon/reload.js" data-build="`)
		assert.Contains(t, getBody(t, url+"/__flagon/reload.js"), `new EventSource("/__flagon/reload")`)
		assert.NotContains(t, getBody(t, url+"/"), "<script")
	})

	t.Run("an embedded file is watched too", func(t *testing.T) {
		pl := startLoad(t, url+"/page")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "page.html"), []byte("<p>page 2</p>"), 0o644))
		pl.waitFor(t, d, `200 <p>page 2</p><script src="/__flagon/reload.js"`)
		pl.end()
		pl.report(t)
	})

	t.Run("a compile error is the answer to every request, with its file and line", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "answer.go"), []byte(answerFile("undefinedName")), 0o644))
		page := l.waitFor(t, d, "Build failed")
		assert.True(t, strings.HasPrefix(page, "500 "), "the error page is a 500")
		assert.Contains(t, page, "answer.go:3:16</code>: undefined: undefinedName")
		assert.Contains(t, page, `<div class="here"><span>3</span>const answer = undefinedName</div>`, "the failing line is marked among its neighbours")
		assert.Contains(t, d.out.String(), "answer.go:3:16: undefined: undefinedName", "the terminal shows the compiler's error")
		l.drain()
		l.waitFor(t, d, "Build failed") // still answering, with the page
		l.report(t)
	})

	t.Run("fixing it brings the app back", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "answer.go"), []byte(answerFile(`"Hello 3"`)), 0o644))
		l.waitFor(t, d, "200 Hello 3")
		l.report(t)
	})

	t.Run("a panic at start-up is shown like a compile error", func(t *testing.T) {
		src := "package main\n\nconst answer = \"Hello 4\"\n\nfunc init() { panic(\"broken at start-up\") }\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "answer.go"), []byte(src), 0o644))
		page := l.waitFor(t, d, "stopped while starting")
		assert.True(t, strings.HasPrefix(page, "500 "), "the error page is a 500")
		assert.Contains(t, page, "panic: broken at start-up")
		assert.Contains(t, page, "answer.go:5</code>", "the panicking line of the module is named")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "answer.go"), []byte(answerFile(`"Hello 5"`)), 0o644))
		l.waitFor(t, d, "200 Hello 5")
		l.report(t)
	})

	l.end()
	d.interrupt(t)
	_, err := net.Dial("tcp", d.addr)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "after Ctrl+C no process holds the socket: the app was stopped")
	if _, err := os.Stat("/proc/self/environ"); err == nil {
		assert.Empty(t, processesWithEnv(t, "FLAGON_ADDR="+d.addr), "no build of the app outlives the reloader")
	}
}

// processesWithEnv lists the processes (Linux /proc) whose environment
// has kv.
func processesWithEnv(t *testing.T, kv string) []string {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []string
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil {
			continue
		}
		st, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if strings.Contains(string(st), ") Z ") {
			continue // exited, not yet reaped by its new parent
		}
		for _, e := range strings.Split(string(env), "\x00") {
			if e == kv {
				pids = append(pids, d.Name())
			}
		}
	}
	return pids
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

func TestReloaderIsOffWithFlagonReload0AndWithoutDebug(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module with the go command")
	}
	dir := writeModule(t, map[string]string{"main.go": reloadMain, "answer.go": answerFile(`"Hello"`)})
	for _, env := range [][]string{{"FLAGON_RELOAD=0"}, {"APP_DEBUG=0"}} {
		t.Run(strings.Join(env, " ")+" serves without a reloader", func(t *testing.T) {
			d := startDev(t, dir, env...)
			l := startLoad(t, "http://"+d.addr+"/")
			l.waitFor(t, d, "200 Hello")
			l.end()
			assert.NotContains(t, getBody(t, "http://"+d.addr+"/page"), "<script", "no reload script")
			d.interrupt(t)
			assert.Contains(t, d.out.String(), "shutting down")
			assert.NotContains(t, d.out.String(), " * Reloader")
		})
	}
}

func TestReloaderAppStopsWhenTheReloaderIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module with the go command")
	}
	dir := writeModule(t, map[string]string{"main.go": reloadMain, "answer.go": answerFile(`"Hello"`)})
	d := startDev(t, dir)
	l := startLoad(t, "http://"+d.addr+"/")
	l.waitFor(t, d, "200 Hello")
	l.end()
	// SIGKILL leaves the reloader no chance to stop the app, which runs in
	// a process group of its own: the app notices that the reloader's pipe
	// ended and shuts down by itself, which releases the socket.
	require.NoError(t, syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL))
	<-d.exited
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.Dial("tcp", d.addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if c != nil {
			c.Close()
		}
		require.True(t, time.Now().Before(deadline), "the app still holds the socket a minute after the reloader was killed")
		time.Sleep(20 * time.Millisecond) // polling for another process to exit
	}
}

// TestReloaderMeasure measures the development loop: time from save to the
// new answer, for hello world and for examples/site, and refused
// connections over 20 rebuilds under load. It runs when
// FLAGON_RELOAD_MEASURE=1 (it takes a minute); docs/development.md has the
// numbers.
func TestReloaderMeasure(t *testing.T) {
	if os.Getenv("FLAGON_RELOAD_MEASURE") != "1" {
		t.Skip("set FLAGON_RELOAD_MEASURE=1 to measure the reloader")
	}
	t.Run("hello", func(t *testing.T) {
		dir := writeModule(t, map[string]string{"main.go": reloadMain, "answer.go": answerFile(`"v0"`)})
		measureRebuilds(t, dir, "/", "answer.go", answerFile, 20)
	})
	t.Run("site", func(t *testing.T) {
		files := map[string]string{}
		root := filepath.Join("examples", "site")
		require.NoError(t, filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files[rel] = string(b)
			return err
		}))
		require.Contains(t, files["main.go"], "app := newApp()\n")
		files["main.go"] = strings.Replace(files["main.go"], "app := newApp()\n",
			"app := newApp()\n\tapp.Get(\"/version\", func(c *flagon.Context) error { return c.Text(200, answer) })\n", 1)
		files["main.go"] = strings.Replace(files["main.go"], "import (\n", "import (\n\t\"github.com/flagon-go/flagon\"\n", 1)
		dir := writeModule(t, files)
		measureRebuilds(t, dir, "/version", "answer.go", answerFile, 20)
	})
}

var (
	builtIn  = regexp.MustCompile(`Built in ([0-9.]+)(ms|s)`)
	servesIn = regexp.MustCompile(`the new build serves, ([0-9.]+)(ms|s) after`)
)

func measureRebuilds(t *testing.T, dir, path, file string, src func(string) string, n int) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(src(`"v0"`)), 0o644))
	d := startDev(t, dir)
	l := startLoad(t, "http://"+d.addr+path)
	l.waitFor(t, d, "200 v0")
	l.reset()
	var total []time.Duration
	var from []int
	for i := 1; i <= n; i++ {
		want := fmt.Sprintf("v%d", i)
		// Saves come at random moments, as a person's do: saving right
		// after each answer would keep the same phase to the reloader's
		// scans, and measure the same part of the wait each time.
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		from = append(from, len(d.out.String()))
		saved := time.Now()
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(src(`"`+want+`"`)), 0o644))
		l.waitFor(t, d, "200 "+want)
		total = append(total, time.Since(saved))
	}
	l.end()
	d.interrupt(t)
	// The first build after an edit is the edit's (a save seen twice,
	// truncated then written, is built twice), and the first switch after
	// that build is its.
	out := d.out.String()
	builtAt, servesAt := builtIn.FindAllStringSubmatchIndex(out, -1), servesIn.FindAllStringSubmatchIndex(out, -1)
	first := func(ms [][]int, after int) time.Duration {
		for _, m := range ms {
			if m[0] >= after {
				v, err := time.ParseDuration(out[m[2]:m[3]] + out[m[4]:m[5]])
				require.NoError(t, err)
				return v
			}
		}
		t.Fatalf("no line after offset %d:\n%s", after, out[after:])
		return 0
	}
	var builds, over, start, poll []time.Duration
	for i, f := range from {
		built := first(builtAt, f)
		var at int
		for _, m := range builtAt {
			if m[0] >= f {
				at = m[0]
				break
			}
		}
		serves := first(servesAt, at)
		builds = append(builds, built)
		over = append(over, total[i]-built)
		start = append(start, serves-built)
		poll = append(poll, total[i]-serves)
	}
	t.Logf("%d rebuilds: save to new answer %s; go build %s; reloader overhead %s = until the change is seen and answered %s + start of the new build %s; %d requests, %d refused, %d failed",
		n, stats(total), stats(builds), stats(over), stats(poll), stats(start), l.sent.Load(), l.refused.Load(), l.failed.Load())
	l.report(t)
}

func stats(ds []time.Duration) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	r := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("median %v (min %v, max %v)", r(s[len(s)/2]), r(s[0]), r(s[len(s)-1]))
}
