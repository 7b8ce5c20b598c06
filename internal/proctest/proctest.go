// Package proctest starts the processes integration tests drive (the
// app's own binaries, nginx, Apache, redis-server) and stops them when the
// test ends. It is shared by the root module's tests and the modules
// beside it, so they start and stop processes one way.
package proctest

import (
	"bytes"
	"fmt"
	"net"
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

// Buffer is a bytes.Buffer safe for concurrent use: a process's output.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Process is a started process: its command, its output (standard output
// and standard error together), and Exited, closed when it has exited with
// Err.
type Process struct {
	Cmd    *exec.Cmd
	Output *Buffer
	Exited chan struct{}
	Err    error
}

// Start starts name with args and env (added to this process's
// environment) in its own process group, and kills the group when the test
// ends if it still runs, logging its output when the test failed. Servers
// that fork workers inherit the output pipe, so waiting for it stops soon.
func Start(t testing.TB, env []string, name string, args ...string) *Process {
	t.Helper()
	p := &Process{Output: &Buffer{}, Exited: make(chan struct{})}
	p.Cmd = exec.Command(name, args...)
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Stdout = p.Output
	p.Cmd.Stderr = p.Output
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.Cmd.WaitDelay = 2 * time.Second
	require.NoError(t, p.Cmd.Start())
	go func() {
		p.Err = p.Cmd.Wait()
		close(p.Exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.Exited:
		default:
			_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
			<-p.Exited
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(name), p.Output.String())
		}
	})
	return p
}

// Wait returns the process's exit error, failing the test after d.
func (p *Process) Wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case <-p.Exited:
		return p.Err
	case <-time.After(d):
		t.Fatalf("process did not exit within %s", d)
		return nil
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, p.Cmd.Process.Signal(sig))
}

// WaitDial waits until network/addr accepts connections, failing the test
// when the process exits first or after 15 seconds. It polls: a listener
// that opens sends no event.
func WaitDial(t testing.TB, p *Process, network, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.Exited:
			t.Fatalf("process exited before listening on %s: %v\n%s", addr, p.Err, p.Output.String())
		default:
		}
		if c, err := net.DialTimeout(network, addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after 15s\n%s", addr, p.Output.String())
}

// FreePort returns a TCP port free on 127.0.0.1 and, when there is IPv6
// loopback, on ::1 too.
func FreePort(t testing.TB) int {
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

// StartNginx runs the nginx binary bin in the foreground, as the current
// user, with its files in a temporary folder and http, the content of the
// configuration's http block (upstreams, servers), and waits until it
// accepts on 127.0.0.1:port. Its error log is shown when the test fails.
func StartNginx(t testing.TB, bin, http string, port int) *Process {
	t.Helper()
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
`, dir, http)
	path := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	p := Start(t, nil, bin, "-p", dir, "-c", path)
	WaitDial(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error.log:\n%s", b)
		}
	})
	return p
}
