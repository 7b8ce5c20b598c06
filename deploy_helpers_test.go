package flagon_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/proctest"
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

var (
	examplesMu    sync.Mutex
	examplesBuilt = map[string]string{}
)

// buildExample builds ./examples/<name> once per test binary and returns
// the binary's path.
// deployProcess is a process the deployment tests start (proctest.Start).
type deployProcess = proctest.Process

// These tests are about serving, not reloading: Run(true) runs no reloader
// in them (reload_process_test.go tests it).
func deployStart(t *testing.T, env []string, name string, args ...string) *deployProcess {
	t.Helper()
	return proctest.Start(t, append([]string{"FLAGON_RELOAD=0"}, env...), name, args...)
}

func deployFreePort(t *testing.T) int { t.Helper(); return proctest.FreePort(t) }

func deployWaitDial(t *testing.T, p *deployProcess, network, addr string) {
	t.Helper()
	proctest.WaitDial(t, p, network, addr)
}

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

// deployNginx writes an nginx configuration around the given server
// block(s) and runs nginx in the foreground as the current user.
func deployNginx(t *testing.T, servers string, listenPort int) *deployProcess {
	t.Helper()
	return proctest.StartNginx(t, deployRequire(t, "nginx", "/usr/sbin/nginx"), servers, listenPort)
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
