package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rateApp(cfg middleware.RateLimitConfig) *flagon.App {
	app := quietApp()
	app.Config.TrustedProxies = []string{"10.0.0.1"}
	app.Use(middleware.RateLimit(cfg))
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })
	return app
}

func TestRateLimitRefusesTheRequestPastTheBurst(t *testing.T) {
	srv := serve(t, rateApp(middleware.RateLimitConfig{Requests: 3, Per: time.Minute}))
	for i, want := range []string{"2", "1", "0"} {
		res, body := do(t, "GET", srv.URL+"/", nil, nil)
		require.Equal(t, 200, res.StatusCode, "request %d", i+1)
		assert.Equal(t, "ok", body)
		assert.Equal(t, "3", res.Header.Get("RateLimit-Limit"))
		assert.Equal(t, want, res.Header.Get("RateLimit-Remaining"))
		assert.Equal(t, "3;w=60", res.Header.Get("RateLimit-Policy"))
		assert.Empty(t, res.Header.Get("Retry-After"))
	}
	res, body := do(t, "GET", srv.URL+"/", map[string]string{"Accept": "application/json"}, nil)
	assert.Equal(t, 429, res.StatusCode)
	assert.Contains(t, body, `"status":429`)
	assert.Equal(t, "20", res.Header.Get("Retry-After"), "one request every 20 seconds")
	assert.Equal(t, "0", res.Header.Get("RateLimit-Remaining"))
	reset, err := strconv.Atoi(res.Header.Get("RateLimit-Reset"))
	require.NoError(t, err)
	assert.InDelta(t, 60, reset, 1, "the bucket is full again in a minute")
}

func TestRateLimitCountsEachClientApart(t *testing.T) {
	tc := rateApp(middleware.RateLimitConfig{Requests: 1, Per: time.Hour}).TestClient()
	from := func(remote, forwarded string) int {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		return tc.Do(req).Code
	}
	cases := []struct {
		name, remote, forwarded string
		code                    int
	}{
		{"a first client is let in", "192.0.2.1:1000", "", 200},
		{"its second request is refused", "192.0.2.1:2000", "", 429},
		{"a second client has its own bucket", "192.0.2.2:1000", "", 200},
		{"a client behind the trusted proxy is counted by its own address", "10.0.0.1:1000", "198.51.100.7", 200},
		{"another client behind the proxy is not refused for it", "10.0.0.1:1000", "198.51.100.8", 200},
		{"the first client behind the proxy is refused on its second request", "10.0.0.1:1000", "198.51.100.7", 429},
		{"an untrusted peer cannot pick its key with the header", "192.0.2.1:3000", "203.0.113.9", 429},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.code, from(tt.remote, tt.forwarded)) })
	}
}

func TestRateLimitOptions(t *testing.T) {
	t.Run("a request with an empty key is not limited", func(t *testing.T) {
		tc := rateApp(middleware.RateLimitConfig{Requests: 1, Per: time.Hour, Key: func(*flagon.Context) string { return "" }}).TestClient()
		for range 3 {
			res := tc.Get("/")
			assert.Equal(t, 200, res.Code)
			assert.Empty(t, res.Header.Get("RateLimit-Limit"))
		}
	})
	t.Run("a burst larger than the rate is announced in the policy", func(t *testing.T) {
		res := rateApp(middleware.RateLimitConfig{Requests: 10, Per: time.Second, Burst: 50}).TestClient().Get("/")
		assert.Equal(t, "50", res.Header.Get("RateLimit-Limit"))
		assert.Equal(t, "10;w=1;burst=50", res.Header.Get("RateLimit-Policy"))
	})
	t.Run("a failing store lets the request through and logs", func(t *testing.T) {
		var logs bytes.Buffer
		app := rateApp(middleware.RateLimitConfig{Requests: 1, Per: time.Hour, Store: failingStore{}})
		app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		assert.Equal(t, 200, app.TestClient().Get("/").Code)
		assert.Contains(t, logs.String(), "rate limit store failed")
	})
	t.Run("a failing store with FailClosed answers 503 and logs", func(t *testing.T) {
		var logs bytes.Buffer
		app := rateApp(middleware.RateLimitConfig{Requests: 1, Per: time.Hour, Store: failingStore{}, FailClosed: true})
		app.Config.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		srv := serve(t, app)
		res, body := do(t, "GET", srv.URL+"/", map[string]string{"Accept": "application/json"}, nil)
		assert.Equal(t, 503, res.StatusCode)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		assert.Contains(t, body, `"status":503`)
		assert.NotContains(t, body, "ok")
		assert.Contains(t, logs.String(), "rate limit store failed; the request is refused")
	})
	t.Run("a custom store decides", func(t *testing.T) {
		store := &countingStore{}
		tc := rateApp(middleware.RateLimitConfig{Requests: 1, Per: time.Hour, Store: store}).TestClient()
		assert.Equal(t, 200, tc.Get("/").Code)
		assert.Equal(t, 429, tc.Get("/").Code)
		assert.Equal(t, []string{"127.0.0.1", "127.0.0.1"}, store.keys)
	})
	t.Run("a config without a rate panics at once", func(t *testing.T) {
		assert.PanicsWithValue(t, "flagon: RateLimitConfig{Requests: 0, Per: 1m0s}: both must be positive, e.g. Requests: 100, Per: time.Minute", func() {
			middleware.RateLimit(middleware.RateLimitConfig{Per: time.Minute})
		})
	})
}

type failingStore struct{}

func (failingStore) Take(context.Context, string, middleware.Limit, time.Time) (middleware.Result, error) {
	return middleware.Result{}, errors.New("connection refused")
}

// countingStore lets each key make Limit.Burst requests, ever.
type countingStore struct{ keys []string }

func (s *countingStore) Take(_ context.Context, key string, l middleware.Limit, _ time.Time) (middleware.Result, error) {
	s.keys = append(s.keys, key)
	n := 0
	for _, k := range s.keys {
		if k == key {
			n++
		}
	}
	return middleware.Result{Allowed: n <= l.Burst, Remaining: max(l.Burst-n, 0), RetryAfter: time.Hour}, nil
}

func TestMemoryStoreRefillsTheBucket(t *testing.T) {
	limit := middleware.Limit{Requests: 2, Per: time.Second, Burst: 2} // a token every 500ms
	t0 := time.Unix(1_000_000, 0)
	steps := []struct {
		name      string
		at        time.Duration
		allowed   bool
		remaining int
		retry     time.Duration
	}{
		{"a new key starts with a full bucket", 0, true, 1, 0},
		{"the burst is used up", 0, true, 0, 0},
		{"the next is refused with the time until a token", 100 * time.Millisecond, false, 0, 400 * time.Millisecond},
		{"a token has come back after 500ms", 500 * time.Millisecond, true, 0, 0},
		{"a clock going back adds no token", 400 * time.Millisecond, false, 0, 500 * time.Millisecond},
		{"the bucket never holds more than the burst", time.Hour, true, 1, 0},
	}
	store := middleware.NewMemoryStore(0)
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res, err := store.Take(context.Background(), "k", limit, t0.Add(s.at))
			require.NoError(t, err)
			assert.Equal(t, s.allowed, res.Allowed)
			assert.Equal(t, s.remaining, res.Remaining)
			assert.Equal(t, s.retry, res.RetryAfter)
		})
	}
}

func TestMemoryStoreMemoryIsBounded(t *testing.T) {
	limit := middleware.Limit{Requests: 10, Per: time.Second, Burst: 10}
	t0 := time.Unix(1_000_000, 0)
	t.Run("no more keys than the cap are kept", func(t *testing.T) {
		store := middleware.NewMemoryStore(64)
		for i := range 10_000 {
			_, err := store.Take(context.Background(), "client-"+strconv.Itoa(i), limit, t0)
			require.NoError(t, err)
		}
		assert.LessOrEqual(t, store.Len(), 64)
	})
	t.Run("idle keys are dropped", func(t *testing.T) {
		store := middleware.NewMemoryStore(0)
		for i := range 1000 {
			_, _ = store.Take(context.Background(), "client-"+strconv.Itoa(i), limit, t0)
		}
		require.Equal(t, 1000, store.Len())
		// Two minutes later every bucket is full again; new requests sweep
		// the shards they land in.
		for i := range 200 {
			_, _ = store.Take(context.Background(), "later-"+strconv.Itoa(i), limit, t0.Add(2*time.Minute))
		}
		assert.Less(t, store.Len(), 400)
	})
}
