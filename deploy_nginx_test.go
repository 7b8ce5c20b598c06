package flagon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flaskServer is the nginx server block Flask apps are usually deployed with, with only the listen port
// and the upstream port changed.
func flaskServer(listen, upstream int) string {
	return fmt.Sprintf(`    server {
        listen 127.0.0.1:%d;
        server_name _;
        location / {
            proxy_pass http://localhost:%d;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
        }
    }`, listen, upstream)
}

type whoami struct {
	ClientIP    string `json:"client_ip"`
	Host        string `json:"host"`
	Scheme      string `json:"scheme"`
	ExternalURL string `json:"external_url"`
	URL         string `json:"url"`
}

func getWhoami(t *testing.T, c *http.Client, url string, headers map[string]string) whoami {
	t.Helper()
	code, body := deployGet(t, c, url, headers)
	require.Equal(t, 200, code, body)
	var w whoami
	require.NoError(t, json.Unmarshal([]byte(body), &w), body)
	return w
}

// startProxiedApp runs examples/proxied on localhost:port (127.0.0.1 and
// ::1, as "localhost" in nginx's proxy_pass means both) with extra env.
func startProxiedApp(t *testing.T, port int, env ...string) *deployProcess {
	t.Helper()
	bin := deployBuildProxied(t)
	env = append([]string{fmt.Sprintf("FLAGON_ADDR=localhost:%d", port)}, env...)
	app := deployStart(t, env, bin)
	deployWaitDial(t, app, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	return app
}

func TestNginxSeedDeployment(t *testing.T) {
	appPort, nginxPort := deployFreePort(t), deployFreePort(t)
	startProxiedApp(t, appPort, "FLAGON_TRUSTED_PROXIES=127.0.0.1,::1", "FLAGON_CLIENT_IP_HEADER=X-Real-IP")
	deployNginx(t, flaskServer(nginxPort, appPort), nginxPort)
	base := fmt.Sprintf("http://127.0.0.1:%d", nginxPort)
	client := deployClient()

	t.Run("hello world comes through the proxy", func(t *testing.T) {
		code, body := deployGet(t, client, base+"/", nil)
		assert.Equal(t, 200, code)
		assert.Equal(t, "Hello, World!", body)
	})

	t.Run("the app sees the original host and the client's address", func(t *testing.T) {
		w := getWhoami(t, client, base+"/whoami", map[string]string{"Host": "public.example"})
		assert.Equal(t, "127.0.0.2", w.ClientIP, "X-Real-IP set by the trusted nginx")
		assert.Equal(t, "public.example", w.Host)
		assert.Equal(t, "http", w.Scheme)
		assert.Equal(t, "http://public.example/whoami", w.ExternalURL)
	})

	t.Run("a client forging X-Real-IP and X-Forwarded-For gets nowhere", func(t *testing.T) {
		w := getWhoami(t, client, base+"/whoami", map[string]string{
			"X-Real-IP":        "6.6.6.6",
			"X-Forwarded-For":  "6.6.6.6",
			"Forwarded":        "for=6.6.6.6",
			"X-Forwarded-Host": "evil.example",
		})
		assert.Equal(t, "127.0.0.2", w.ClientIP)
		assert.NotContains(t, w.ExternalURL, "evil.example")
	})

	t.Run("200 concurrent requests all succeed", func(t *testing.T) {
		var wg sync.WaitGroup
		var ok atomic.Int32
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := client.Get(base + "/")
				if err != nil {
					return
				}
				defer res.Body.Close()
				var b [64]byte
				n, _ := res.Body.Read(b[:])
				if res.StatusCode == 200 && string(b[:n]) == "Hello, World!" {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 200, ok.Load())
	})
}

func TestNginxUntrustedProxyIsNotBelieved(t *testing.T) {
	appPort, nginxPort := deployFreePort(t), deployFreePort(t)
	startProxiedApp(t, appPort, "FLAGON_CLIENT_IP_HEADER=X-Real-IP") // no trusted proxies
	deployNginx(t, flaskServer(nginxPort, appPort), nginxPort)
	w := getWhoami(t, deployClient(), fmt.Sprintf("http://127.0.0.1:%d/whoami", nginxPort), map[string]string{"X-Real-IP": "6.6.6.6"})
	assert.Contains(t, []string{"127.0.0.1", "::1"}, w.ClientIP, "the client is nginx itself when nginx is not trusted")
}

func TestNginxGracefulShutdownLosesNoRequest(t *testing.T) {
	appPort, nginxPort := deployFreePort(t), deployFreePort(t)
	app := startProxiedApp(t, appPort, "FLAGON_TRUSTED_PROXIES=127.0.0.1,::1", "FLAGON_CLIENT_IP_HEADER=X-Real-IP", "FLAGON_SHUTDOWN_TIMEOUT=10s")
	deployNginx(t, flaskServer(nginxPort, appPort), nginxPort)
	client := deployClient()
	url := fmt.Sprintf("http://127.0.0.1:%d/slow?d=700ms", nginxPort)

	const n = 40
	var started sync.WaitGroup
	var wg sync.WaitGroup
	results := make([]string, n)
	started.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			started.Done()
			res, err := client.Do(req)
			if err != nil {
				results[i] = err.Error()
				return
			}
			defer res.Body.Close()
			var b [16]byte
			k, _ := res.Body.Read(b[:])
			results[i] = fmt.Sprintf("%d %s", res.StatusCode, b[:k])
		}()
	}
	started.Wait()
	time.Sleep(300 * time.Millisecond) // every request is in flight in the app
	app.Signal(t, syscall.SIGTERM)
	wg.Wait()
	for i, r := range results {
		assert.Equal(t, "200 done", r, "request %d", i)
	}
	assert.NoError(t, app.Wait(t, 15*time.Second), "the app exits 0 after a graceful shutdown")
}

func TestNginxUnixSocket(t *testing.T) {
	nginxPort := deployFreePort(t)
	sock := filepath.Join(t.TempDir(), "app.sock")
	bin := deployBuildProxied(t)
	app := deployStart(t, []string{"FLAGON_ADDR=unix:" + sock, "FLAGON_TRUSTED_PROXIES=unix", "FLAGON_CLIENT_IP_HEADER=X-Real-IP"}, bin)
	deployWaitDial(t, app, "unix", sock)
	deployNginx(t, fmt.Sprintf(`    server {
        listen 127.0.0.1:%d;
        location / {
            proxy_pass http://unix:%s:;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
        }
    }`, nginxPort, sock), nginxPort)
	client := deployClient()
	base := fmt.Sprintf("http://127.0.0.1:%d", nginxPort)

	code, body := deployGet(t, client, base+"/", nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "Hello, World!", body)
	w := getWhoami(t, client, base+"/whoami", map[string]string{"Host": "public.example", "X-Real-IP": "6.6.6.6"})
	assert.Equal(t, "127.0.0.2", w.ClientIP)
	assert.Equal(t, "http://public.example/whoami", w.ExternalURL)

	app.Signal(t, syscall.SIGTERM)
	require.NoError(t, app.Wait(t, 15*time.Second))
	_, err := os.Stat(sock)
	assert.True(t, os.IsNotExist(err), "the socket file is removed on exit")
}

func TestNginxFastCGI(t *testing.T) {
	nginxPort, fcgiPort := deployFreePort(t), deployFreePort(t)
	bin := deployBuildProxied(t)
	addr := fmt.Sprintf("127.0.0.1:%d", fcgiPort)
	app := deployStart(t, []string{"FASTCGI_ADDR=" + addr}, bin)
	deployWaitDial(t, app, "tcp", addr)
	deployNginx(t, fmt.Sprintf(`    server {
        listen 127.0.0.1:%d;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass %s;
        }
    }`, nginxPort, addr), nginxPort)
	client := deployClient()
	base := fmt.Sprintf("http://127.0.0.1:%d", nginxPort)

	code, body := deployGet(t, client, base+"/", nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "Hello, World!", body)
	w := getWhoami(t, client, base+"/whoami", map[string]string{"Host": "public.example", "X-Real-IP": "6.6.6.6"})
	assert.Equal(t, "127.0.0.2", w.ClientIP, "REMOTE_ADDR is the client; no proxy header is needed or believed")
	assert.Equal(t, "public.example", w.Host)
}
