package redisstore

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/proctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The deployment of docs/deployment.md's "Several instances": three app
// instances (this test binary, run as the app) behind one nginx upstream,
// sharing sessions and rate limits through one redis-server.

// limitN is the rate limit of /limited, a minute per client.
const limitN = 30

func TestNginxThreeInstancesShareRedis(t *testing.T) {
	nginxBin := findNginx(t)
	rds := startRedis(t)
	var apps []*process
	var servers strings.Builder
	for i := range 3 {
		port := freePort(t)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		apps = append(apps, startProcess(t, []string{
			"REDISSTORE_APP=1", "FLAGON_ADDR=" + addr, "REDIS_ADDR=" + rds.addr,
			"LIMIT=" + strconv.Itoa(limitN), "INSTANCE=" + strconv.Itoa(i+1), "FLAGON_SHUTDOWN_TIMEOUT=10s",
		}, os.Args[0]))
		waitDial(t, apps[i], addr)
		fmt.Fprintf(&servers, "        server %s max_fails=1 fail_timeout=5s;\n", addr)
	}
	nginxPort := freePort(t)
	startNginx(t, nginxBin, nginxPort, servers.String())
	base := fmt.Sprintf("http://127.0.0.1:%d", nginxPort)

	t.Run("a limit of N a minute admits exactly N of 3N concurrent requests over the instances", func(t *testing.T) {
		c := loopbackClient(t, "127.0.0.2", false)
		codes := make([]int, 3*limitN)
		bodies := make([]string, 3*limitN)
		answeredBy := make([]string, 3*limitN)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := c.Get(base + "/limited")
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				codes[i], bodies[i], answeredBy[i] = res.StatusCode, string(b), res.Header.Get("X-Instance")
			}()
		}
		wg.Wait()
		admitted, refused := 0, 0
		instances := map[string]bool{}
		for i, code := range codes {
			instances[answeredBy[i]] = true
			switch code {
			case 200:
				admitted++
			case 429:
				refused++
			default:
				t.Errorf("request %d: %d %s", i, code, bodies[i])
			}
		}
		assert.Equal(t, limitN, admitted)
		assert.Equal(t, 2*limitN, refused)
		// With every instance answering, limits per instance would admit 3N.
		assert.Equal(t, map[string]bool{"1": true, "2": true, "3": true}, instances, "the requests were spread over the three instances")
	})

	c := loopbackClient(t, "127.0.0.3", true)
	t.Run("a user logged in on one instance is logged in on the others", func(t *testing.T) {
		code, body := fetch(c, base+"/login?user=ada")
		require.Equal(t, 200, code, body)
		seen := map[string]bool{}
		for range 6 {
			code, body := fetch(c, base+"/me")
			require.Equal(t, 200, code, body)
			seen[body] = true
		}
		assert.Equal(t, map[string]bool{"ada on 1": true, "ada on 2": true, "ada on 3": true}, seen)
	})

	t.Run("stopping an instance under load loses no request and no session", func(t *testing.T) {
		results := load(c, base+"/me", 8, 240, func(done int) bool { return done == 60 }, func() {
			require.NoError(t, apps[1].Cmd.Process.Signal(syscall.SIGTERM))
		})
		for i, r := range results {
			if !strings.HasPrefix(r, "200 ada on ") {
				t.Errorf("request %d: %s", i, r)
			}
		}
		select {
		case <-apps[1].Exited:
			assert.NoError(t, apps[1].Err, "the instance exits 0 after its graceful shutdown")
		case <-time.After(15 * time.Second):
			t.Fatal("the stopped instance did not exit")
		}
		for range 6 {
			_, body := fetch(c, base+"/me")
			assert.NotEqual(t, "ada on 2", body)
			assert.True(t, strings.HasPrefix(body, "ada on "), body)
		}
	})

	t.Run("restarting Redis mid-load: 503 or the user's answer, never anonymous; recovery without restarting the apps", func(t *testing.T) {
		var mu sync.Mutex
		var sessionDown, strictDown, openThrough int
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					url := []string{"/me", "/strict", "/limited", "/me"}[w]
					code, body := fetch(c, base+url)
					mu.Lock()
					switch {
					case url == "/me" && code == 200 && strings.HasPrefix(body, "ada on "):
					case url == "/me" && code == 503:
						sessionDown++
					case url == "/strict" && code == 200:
					case url == "/strict" && code == 503:
						strictDown++
					case url == "/limited" && code == 200:
						openThrough++ // its bucket is empty: only fail-open lets it through
					case url == "/limited" && code == 429:
					default:
						t.Errorf("%s: %d %q", url, code, body)
					}
					mu.Unlock()
				}
			}()
		}
		rds.stop(t)
		// While Redis is down each route shows its behaviour.
		code, body := fetch(c, base+"/me")
		assert.Equal(t, 503, code, "sessions: 503, %s", body)
		code, _ = fetch(c, base+"/strict")
		assert.Equal(t, 503, code, "FailClosed: 503")
		code, _ = fetch(c, base+"/limited")
		assert.Equal(t, 200, code, "fail open: let through")
		rds.start(t)
		close(stop)
		wg.Wait()
		mu.Lock()
		assert.Positive(t, sessionDown)
		assert.Positive(t, strictDown)
		mu.Unlock()
		// Pooled connections to the old server are dropped as they are
		// found dead; within a few requests every instance answers again.
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, _ := fetch(c, base+"/me")
			if code == 200 || time.Now().After(deadline) {
				break
			}
		}
		for range 12 {
			code, body := fetch(c, base+"/me")
			assert.Equal(t, 200, code, body)
			assert.True(t, strings.HasPrefix(body, "ada on "), "the session survived the restart: %s", body)
			code, _ = fetch(c, base+"/strict")
			assert.Equal(t, 200, code)
		}
		res, err := loopbackClient(t, "127.0.0.2", false).Get(base + "/limited")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, strconv.Itoa(limitN), res.Header.Get("RateLimit-Limit"), "the limit is enforced again (fail-open answers carry no RateLimit headers)")
		n, err := rds.client(t).Exists(context.Background(), "rl:127.0.0.2").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 1, n, "the bucket survived the restart")
	})
}

// load sends total GETs to url from workers goroutines and returns each
// answer as "code body"; when the number of answers reaches the point at
// says, it calls event once (while the rest are in flight).
func load(c *http.Client, url string, workers, total int, at func(done int) bool, event func()) []string {
	results := make([]string, total)
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				code, body := fetch(c, url)
				results[i] = strconv.Itoa(code) + " " + body
				mu.Lock()
				done++
				fire := at(done)
				mu.Unlock()
				if fire {
					event()
				}
			}
		}()
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// fetch returns the status and body of GET url; a transport error is
// status 0 with the error as the body.
func fetch(c *http.Client, url string) (int, string) {
	res, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// loopbackClient is an HTTP client connecting from the loopback address
// ip (so nginx's X-Real-IP tells clients apart), with a cookie jar when
// jar is true.
func loopbackClient(t *testing.T, ip string, jar bool) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 128}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	if jar {
		j, err := cookiejar.New(nil)
		require.NoError(t, err)
		c.Jar = j
	}
	return c
}

// findNginx finds nginx; missing, it fails under CI=true and skips
// elsewhere.
func findNginx(t *testing.T) string {
	t.Helper()
	for _, c := range []string{"nginx", "/usr/sbin/nginx"} {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nginx is not installed: under CI=true it is required (.ci/run installs it with apt-get)")
	}
	t.Skip("nginx is not installed; install it (apt-get install nginx) to run this test")
	return ""
}

// startNginx runs nginx in the foreground, as the current user, with the
// upstream of docs/deployment.md's "Several instances".
func startNginx(t *testing.T, bin string, port int, servers string) {
	t.Helper()
	proctest.StartNginx(t, bin, fmt.Sprintf(`    upstream app {
%s        keepalive 16;
    }
    server {
        listen 127.0.0.1:%d;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
        }
    }`, servers, port), port)
}

// waitDial waits until addr accepts connections.
func waitDial(t *testing.T, p *process, addr string) {
	t.Helper()
	proctest.WaitDial(t, p, "tcp", addr)
}
