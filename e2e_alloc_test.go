package flagon_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keepAliveClient sends a pre-built GET / over one keep-alive connection
// and reads each response into a fixed buffer: it allocates nothing per
// request, so what the process allocates meanwhile is the server's.
type keepAliveClient struct {
	conn net.Conn
	req  []byte
	buf  []byte
}

var (
	keepAliveHeadEnd       = []byte("\r\n\r\n")
	keepAliveContentLength = []byte("\r\nContent-Length: ")
	errKeepAliveResponse   = errors.New("malformed or oversized response")
)

// do sends the request and reads one response; it returns the response
// body, valid until the next call. The response must have a Content-Length.
func (c *keepAliveClient) do() (string, error) {
	if _, err := c.conn.Write(c.req); err != nil {
		return "", err
	}
	n, head, length := 0, -1, 0
	for {
		m, err := c.conn.Read(c.buf[n:])
		n += m
		if head < 0 {
			if i := bytes.Index(c.buf[:n], keepAliveHeadEnd); i >= 0 {
				head = i + len(keepAliveHeadEnd)
				j := bytes.Index(c.buf[:i], keepAliveContentLength)
				if j < 0 || !bytes.HasPrefix(c.buf, []byte("HTTP/1.1 200 ")) {
					return "", errKeepAliveResponse
				}
				for _, d := range c.buf[j+len(keepAliveContentLength) : i] {
					if d < '0' || d > '9' {
						break
					}
					length = length*10 + int(d-'0')
				}
			}
		}
		switch {
		case head >= 0 && n == head+length:
			return string(c.buf[head:n]), nil // no allocation: compared, never kept
		case head >= 0 && n > head+length, n == len(c.buf):
			return "", errKeepAliveResponse
		case err != nil:
			return "", err
		}
	}
}

// serveKeepAlive serves srv on a fresh 127.0.0.1 port until the test ends
// and returns a keep-alive client of it, warmed up with requests that
// must all answer body.
func serveKeepAlive(t *testing.T, srv *http.Server, body string) *keepAliveClient {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	conn, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	c := &keepAliveClient{conn: conn, req: []byte("GET / HTTP/1.1\r\nHost: " + l.Addr().String() + "\r\n\r\n"), buf: make([]byte, 4096)}
	// The connection's buffers, the pools and the app's lazy state are
	// filled before anything is counted.
	for range 200 {
		got, err := c.do()
		require.NoError(t, err)
		require.Equal(t, body, got)
	}
	return c
}

// allocsPerRequest is the fewest heap allocations per request the process
// made over rounds of n requests with c (runtime.MemStats deltas): the
// garbage collector's noise only ever adds.
func allocsPerRequest(t *testing.T, c *keepAliveClient, rounds, n int) float64 {
	t.Helper()
	fewest := math.Inf(1)
	var before, after runtime.MemStats
	for range rounds {
		runtime.ReadMemStats(&before)
		for range n {
			if _, err := c.do(); err != nil {
				require.NoError(t, err)
			}
		}
		runtime.ReadMemStats(&after)
		fewest = min(fewest, float64(after.Mallocs-before.Mallocs)/float64(n))
	}
	return fewest
}

// textPlain is set as the bare handler's Content-Type without an
// allocation (Header().Set makes a new []string each time), as Flagon sets
// its own: the baseline is the cheapest net/http handler that sends the
// same response, so any allocation Flagon adds shows.
var textPlain = []string{"text/plain; charset=utf-8"}

// TestServeOverConnectionAllocatesNothingMoreThanNetHTTP serves hello world
// over a real keep-alive connection on 127.0.0.1, with Flagon and with a
// bare http.HandlerFunc under the same server settings, and compares the
// heap allocations per request of the whole process; the raw client
// allocates nothing, so what is counted is net/http's and the handler's.
func TestServeOverConnectionAllocatesNothingMoreThanNetHTTP(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	const (
		hello     = "Hello, World!"
		rounds    = 3
		requests  = 5000
		tolerance = 0.25 // allocations per request, for the garbage collector's noise
	)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	server := func(h func(*flagon.App) http.Handler) *keepAliveClient {
		app := flagon.New()
		app.Config.Logger = quiet
		srv := app.Server()
		srv.Handler = h(app)
		return serveKeepAlive(t, srv, hello)
	}
	bare := server(func(*flagon.App) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = textPlain
			_, _ = io.WriteString(w, hello)
		})
	})
	app := server(func(app *flagon.App) http.Handler {
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, hello) })
		return app
	})
	// The same app with one allocation per request in its handler: the
	// measurement must see it, or the comparison proves nothing.
	allocating := server(func(app *flagon.App) http.Handler {
		app.Get("/", func(c *flagon.Context) error {
			b := append(make([]byte, 0, 64), hello...)
			c.Response.Header()["Content-Type"] = textPlain
			_, err := c.Response.Write(b)
			return err
		})
		return app
	})

	bareAllocs := allocsPerRequest(t, bare, rounds, requests)
	appAllocs := allocsPerRequest(t, app, rounds, requests)
	allocatingAllocs := allocsPerRequest(t, allocating, rounds, requests)
	t.Logf("allocations per request: net/http %.2f, Flagon %.2f, Flagon with one more %.2f", bareAllocs, appAllocs, allocatingAllocs)

	require.Greater(t, allocatingAllocs, bareAllocs+tolerance, "the measurement sees a handler's one allocation per request")
	assert.LessOrEqual(t, appAllocs, bareAllocs+tolerance, "Flagon allocates no more per request than a bare net/http handler")
}
