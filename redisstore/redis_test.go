package redisstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/proctest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// redisServer is a redis-server the test started on a free loopback port,
// its data in a temporary directory; it is killed when the test ends.
type redisServer struct {
	bin, dir, addr string
	proc           *process
}

// startRedis starts a redis-server. Missing, it fails the test under
// CI=true (where .ci/run installs it) and skips it elsewhere.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed: under CI=true it is required (.ci/run installs it with apt-get)")
		}
		t.Skip("redis-server is not installed; install it (apt-get install redis-server) to run this test")
	}
	r := &redisServer{bin: bin, dir: t.TempDir(), addr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	r.start(t)
	return r
}

// start runs the server (again, after stop) on its address and directory,
// and waits until it answers PING. Sessions survive a restart through the
// RDB file written at shutdown, as "save" is on.
func (r *redisServer) start(t testing.TB) {
	t.Helper()
	host, port, _ := net.SplitHostPort(r.addr)
	r.proc = startProcess(t, nil, r.bin, "--bind", host, "--port", port, "--dir", r.dir,
		"--save", "3600 1", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning")
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.Ping(context.Background()).Err(); err == nil {
			return
		}
		select {
		case <-r.proc.Exited:
			t.Fatalf("redis-server exited: %v\n%s", r.proc.Err, r.proc.Output.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server does not answer on %s after 10s\n%s", r.addr, r.proc.Output.String())
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness
	}
}

// stop shuts the server down as an operator would (SIGTERM: it saves its
// data and exits) and waits until it has.
func (r *redisServer) stop(t testing.TB) {
	t.Helper()
	require.NoError(t, r.proc.Cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-r.proc.Exited:
	case <-time.After(15 * time.Second):
		t.Fatal("redis-server did not stop within 15s")
	}
}

// client returns a client of the server, closed when the test ends. It
// does not retry, so a test sees each failure.
func (r *redisServer) client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: time.Second, PoolSize: 64})
	t.Cleanup(func() { c.Close() })
	return c
}

// process is a started server process.
type process = proctest.Process

func startProcess(t testing.TB, env []string, name string, args ...string) *process {
	t.Helper()
	return proctest.Start(t, env, name, args...)
}

func freePort(t testing.TB) int { t.Helper(); return proctest.FreePort(t) }
