package flagon_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These helpers run the real servers of a deployment: nginx, Apache and
// the examples/proxied binary, as the current user on free loopback ports.

// deployRequire finds a server binary. Missing, it fails the test under
// CI=true (where .ci/run installs it) and skips it elsewhere, saying why.
func deployRequire(t *testing.T, name string, candidates ...string) string {
	t.Helper()
	for _, c := range append([]string{name}, candidates...) {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
		if filepath.IsAbs(c) {
			if _, err := os.Stat(c); err == nil {
				return c
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed: under CI=true it is required (.ci/run installs it with apt-get)", name)
	}
	t.Skipf("%s is not installed; install it (apt-get install %s) to run this integration test", name, name)
	return ""
}

// deployFreePort returns a TCP port free on 127.0.0.1 and ::1.
func deployFreePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if l6, err := net.Listen("tcp", fmt.Sprintf("[::1]:%d", port)); err == nil {
			l6.Close()
			return port
		} else if !strings.Contains(err.Error(), "address already in use") {
			return port // no IPv6 loopback here
		}
	}
	t.Fatal("no free port")
	return 0
}

var (
	examplesMu    sync.Mutex
	examplesBuilt = map[string]string{}
)

// buildExample builds ./examples/<name> once per test binary and returns
// the binary's path.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	examplesMu.Lock()
	defer examplesMu.Unlock()
	if bin, ok := examplesBuilt[name]; ok {
		return bin
	}
	dir, err := os.MkdirTemp("", "flagon-"+name+"-")
	require.NoError(t, err)
	bin := filepath.Join(dir, name)
	out, err := exec.Command("go", "build", "-o", bin, "./examples/"+name).CombinedOutput()
	require.NoError(t, err, "go build ./examples/%s:\n%s", name, out)
	examplesBuilt[name] = bin
	return bin
}

// deployBuildProxied builds examples/proxied once per test binary.
func deployBuildProxied(t *testing.T) string { return buildExample(t, "proxied") }

// deployProcess is a started server process.
type deployProcess struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// deployStart starts a process and stops it (SIGKILL) when the test ends.
func deployStart(t *testing.T, env []string, name string, args ...string) *deployProcess {
	t.Helper()
	p := &deployProcess{output: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	// These tests are about serving, not reloading: Run(true) runs no
	// reloader (reload_process_test.go tests it).
	p.cmd.Env = append(append(os.Environ(), "FLAGON_RELOAD=0"), env...)
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	// Servers fork workers that inherit the output pipe: run them in their
	// own process group, kill the group, and stop waiting for the pipe soon.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.WaitDelay = 2 * time.Second
	require.NoError(t, p.cmd.Start())
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(name), p.output.String())
		}
	})
	return p
}

// wait returns the process's exit error, failing after d.
func (p *deployProcess) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("process did not exit within %s", d)
		return nil
	}
}

// deployWaitDial waits until network/addr accepts connections.
func deployWaitDial(t *testing.T, p *deployProcess, network, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("process exited before listening on %s: %v\n%s", addr, p.err, p.output.String())
		default:
		}
		if c, err := net.DialTimeout(network, addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after 15s\n%s", addr, p.output.String())
}

// deployNginx writes an nginx configuration around the given server
// block(s) and runs nginx in the foreground as the current user.
func deployNginx(t *testing.T, servers string, listenPort int) *deployProcess {
	t.Helper()
	bin := deployRequire(t, "nginx", "/usr/sbin/nginx")
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, servers)
	path := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	p := deployStart(t, nil, bin, "-p", dir, "-c", path)
	deployWaitDial(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", listenPort))
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error.log:\n%s", b)
		}
	})
	return p
}

// deployClient is an HTTP client that connects from 127.0.0.2, so the
// proxy sees a client address different from its own, and does not follow
// redirects.
func deployClient() *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConnsPerHost: 256,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// deployGet sends GET url with extra headers (Host sets the Host).
func deployGet(t *testing.T, c *http.Client, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b.String()
}

// deploySignal sends sig to the process.
func (p *deployProcess) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
}
