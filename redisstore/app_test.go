package redisstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	"github.com/redis/go-redis/v9"
)

// testSecret signs the test apps' sessions; every instance shares it.
const testSecret = "a long random secret shared by every instance"

// appOptions vary the test app.
type appOptions struct {
	limit int // requests a minute on /limited (fail open), by client address; /strict fails closed
}

// newTestApp is the app the session and nginx tests run: sessions and
// a rate limit in Redis.
func newTestApp(rdb redis.UniversalClient, opt appOptions) *flagon.App {
	app := flagon.New()
	app.Config.SecretKey = testSecret
	app.Config.SessionStore = NewSessionStore(rdb, "sess:")
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Config.TrustedProxies = []string{"127.0.0.1", "::1"}
	app.Config.ClientIPHeader = "X-Real-IP"
	instance := os.Getenv("INSTANCE")
	// Every answer names the instance that gave it, refusals included.
	app.AfterRequest(func(c *flagon.Context) { c.SetHeader("X-Instance", instance) })
	app.Get("/login", func(c *flagon.Context) error {
		s := c.Session()
		s.Clear()
		s.Set("user", c.Query("user"))
		if c.Query("permanent") != "" {
			s.SetPermanent(true)
		}
		return c.Text(200, "hi "+c.Query("user"))
	})
	app.Get("/me", func(c *flagon.Context) error {
		u := c.Session().GetString("user")
		if u == "" {
			u = "anonymous"
		}
		return c.Text(200, u+" on "+instance)
	})
	app.Get("/count", func(c *flagon.Context) error {
		s := c.Session()
		n := s.GetInt("n") + 1
		s.Set("n", n)
		return c.Text(200, strconv.Itoa(n))
	})
	app.Get("/flash", func(c *flagon.Context) error {
		c.Flash("saved")
		return c.Text(200, "flashed")
	})
	app.Get("/flashes", func(c *flagon.Context) error {
		f := c.Flashes()
		if len(f) == 0 {
			return c.Text(200, "none")
		}
		return c.Text(200, f[0].Message)
	})
	app.Get("/logout", func(c *flagon.Context) error {
		c.Session().Clear()
		return c.Text(200, "bye")
	})
	app.Get("/id", func(c *flagon.Context) error { return c.Text(200, SessionID(c)) })
	app.Get("/health", func(c *flagon.Context) error { return c.Text(200, "ok") })
	if opt.limit > 0 {
		app.Get("/limited", func(c *flagon.Context) error { return c.Text(200, "in on "+instance) }).Use(middleware.RateLimit(middleware.RateLimitConfig{
			Requests: opt.limit, Per: time.Minute,
			Store: NewRateLimitStore(rdb, "rl:"),
		}))
		app.Get("/strict", func(c *flagon.Context) error { return c.Text(200, "in on "+instance) }).Use(middleware.RateLimit(middleware.RateLimitConfig{
			Requests: 1_000_000, Per: time.Minute,
			Key:        func(c *flagon.Context) string { return "strict:" + c.ClientIP() },
			Store:      NewRateLimitStore(rdb, "rl:"),
			FailClosed: true,
		}))
	}
	return app
}

// TestMain runs the test app instead of the tests when the nginx test
// starts this binary as an instance (REDISSTORE_APP=1).
func TestMain(m *testing.M) {
	redis.SetLogger(quietRedis{}) // the tests stop Redis on purpose: its dial errors are expected
	if os.Getenv("REDISSTORE_APP") == "1" {
		os.Exit(runTestApp())
	}
	os.Exit(m.Run())
}

func runTestApp() int {
	limit, _ := strconv.Atoi(os.Getenv("LIMIT"))
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR"), MaxRetries: -1, DialTimeout: time.Second, PoolSize: 64})
	app := newTestApp(rdb, appOptions{limit: limit})
	if err := app.Config.FromEnv("FLAGON"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := app.Run(false); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// roundTrips counts the client's round trips to Redis: one a command, one
// a pipeline.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// take returns the round trips counted since the last call.
func (r *roundTrips) take() int64 { return r.n.Swap(0) }

// quietRedis drops go-redis's own log lines.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
