package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/flagon-go/flagon"
)

// RateLimitConfig configures RateLimit: Requests per Per, in bursts of up
// to Burst.
type RateLimitConfig struct {
	// Requests is how many requests a key may make per Per, on average.
	// Required.
	Requests int
	// Per is the period Requests are counted over. Required.
	Per time.Duration
	// Burst is how many requests a key may make at once, after being idle.
	// Default Requests.
	Burst int
	// Key names the client a request counts against; a request whose key
	// is "" is not limited. Default c.ClientIP(), which is right behind
	// trusted proxies (Config.TrustedProxies). Use a user or API key ID
	// for authenticated APIs.
	Key func(c *flagon.Context) string
	// Store keeps the buckets. Default: a MemoryStore of its own (with
	// DefaultMaxKeys). Replace it with a shared store when the app runs as
	// several instances.
	Store Store
	// FailClosed answers 503 Service Unavailable when the Store fails, so
	// no request goes unlimited while a shared store is down. Default
	// false: the request is let through (fail open). Either way the
	// failure is logged, and the next request asks the Store again.
	FailClosed bool
}

// Limit is the bucket a Store applies: it holds Burst tokens and refills
// at Requests per Per; a request takes one.
type Limit struct {
	Requests int
	Per      time.Duration
	Burst    int
}

// Result is a Store's answer for one request.
type Result struct {
	// Allowed reports whether the request may go on (a token was taken).
	Allowed bool
	// Remaining is how many requests the key may still make at once.
	Remaining int
	// Reset is how long until the bucket is full again.
	Reset time.Duration
	// RetryAfter is how long until the next request will be allowed, when
	// this one is not.
	RetryAfter time.Duration
}

// Store keeps one token bucket per key. MemoryStore keeps them in the
// process; an implementation over a shared database (Redis, say) lets
// several instances of an app share the limits. Take must be safe for
// concurrent use. Keys of RateLimit middleware with different Limits
// sharing one Store must differ (give each its own Key function, prefixing
// the client's address with a name, say).
type Store interface {
	// Take takes one token from key's bucket at now, the bucket created
	// full when the key is new, and reports the outcome. An error is
	// logged and lets the request through, or answers 503 with
	// RateLimitConfig.FailClosed.
	Take(ctx context.Context, key string, limit Limit, now time.Time) (Result, error)
}

// RateLimit limits how often each client may call: a token bucket per key
// (the client's IP by default) holding Burst tokens, refilled at Requests
// per Per. A request over the limit gets the app's 429 Too Many Requests
// answer with Retry-After (seconds); every answer carries RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset (seconds), as the IETF
// RateLimit header fields draft describes, and RateLimit-Policy. It
// panics when Requests or Per is not positive.
func RateLimit(cfg RateLimitConfig) flagon.Middleware {
	if cfg.Requests <= 0 || cfg.Per <= 0 {
		panic(fmt.Sprintf("flagon: RateLimitConfig{Requests: %d, Per: %s}: both must be positive, e.g. Requests: 100, Per: time.Minute", cfg.Requests, cfg.Per))
	}
	limit := Limit{Requests: cfg.Requests, Per: cfg.Per, Burst: cfg.Burst}
	if limit.Burst <= 0 {
		limit.Burst = limit.Requests
	}
	key := cfg.Key
	if key == nil {
		key = func(c *flagon.Context) string { return c.ClientIP() }
	}
	store := cfg.Store
	if store == nil {
		store = NewMemoryStore(DefaultMaxKeys)
	}
	failClosed := cfg.FailClosed
	limitHeader := []string{strconv.Itoa(limit.Burst)}
	policy := []string{strconv.Itoa(limit.Requests) + ";w=" + strconv.Itoa(int(math.Ceil(limit.Per.Seconds())))}
	if limit.Burst != limit.Requests {
		policy[0] += ";burst=" + limitHeader[0]
	}
	return func(next flagon.HandlerFunc) flagon.HandlerFunc {
		return func(c *flagon.Context) error {
			k := key(c)
			if k == "" {
				return next(c)
			}
			res, err := store.Take(c.Context(), k, limit, time.Now())
			if err != nil {
				l := c.App().Config.Logger
				if l == nil {
					l = slog.Default()
				}
				if failClosed {
					l.Error("flagon: rate limit store failed; the request is refused", "error", err.Error())
					return flagon.Abort(http.StatusServiceUnavailable, "The rate limiter is unavailable: retry later.")
				}
				l.Error("flagon: rate limit store failed; the request is let through", "error", err.Error())
				return next(c)
			}
			h := c.Response.Header()
			h["Ratelimit-Limit"] = limitHeader[:1:1]
			h["Ratelimit-Policy"] = policy[:1:1]
			h["Ratelimit-Remaining"] = []string{strconv.Itoa(max(res.Remaining, 0))}
			h["Ratelimit-Reset"] = []string{strconv.Itoa(ceilSeconds(res.Reset))}
			if !res.Allowed {
				h["Retry-After"] = []string{strconv.Itoa(max(ceilSeconds(res.RetryAfter), 1))}
				return flagon.Abort(http.StatusTooManyRequests, "Too many requests: retry later.")
			}
			return next(c)
		}
	}
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
