// Package ratelimittest is the conformance table every middleware.Store
// passes: the in-memory store's tests and the Redis store's run it, so
// both give the same answers to the same requests.
package ratelimittest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/flagon-go/flagon/middleware"
)

// step is one Take and the answer it must get.
type step struct {
	name      string
	key       string
	at        time.Duration // after t0
	allowed   bool
	remaining int
	retry     time.Duration
	reset     time.Duration // checked when not zero
}

// Run checks a store against the table. newStore returns an empty store
// that takes the time from Take's now argument; each case gets its own.
func Run(t *testing.T, newStore func(t *testing.T) middleware.Store) {
	t0 := time.Unix(1_000_000, 0)
	cases := []struct {
		name  string
		limit middleware.Limit
		steps []step
	}{
		{"a bucket refills at the rate and never past the burst", middleware.Limit{Requests: 2, Per: time.Second, Burst: 2}, []step{ // a token every 500ms
			{"a new key starts with a full bucket", "k", 0, true, 1, 0, 500 * time.Millisecond},
			{"the burst is used up", "k", 0, true, 0, 0, time.Second},
			{"the next is refused with the time until a token", "k", 100 * time.Millisecond, false, 0, 400 * time.Millisecond, 900 * time.Millisecond},
			{"a token has come back after 500ms", "k", 500 * time.Millisecond, true, 0, 0, time.Second},
			{"a clock going back adds no token", "k", 400 * time.Millisecond, false, 0, 500 * time.Millisecond, time.Second},
			{"the bucket never holds more than the burst", "k", time.Hour, true, 1, 0, 500 * time.Millisecond},
		}},
		{"each key has its own bucket", middleware.Limit{Requests: 1, Per: time.Minute, Burst: 1}, []step{
			{"a first key is let in", "a", 0, true, 0, 0, time.Minute},
			{"its second request is refused", "a", time.Second, false, 0, 59 * time.Second, 59 * time.Second},
			{"a second key is let in", "b", time.Second, true, 0, 0, time.Minute},
		}},
		{"a burst larger than the rate is spent at once", middleware.Limit{Requests: 1, Per: time.Second, Burst: 3}, []step{
			{"the first of the burst", "k", 0, true, 2, 0, time.Second},
			{"the second of the burst", "k", 0, true, 1, 0, 2 * time.Second},
			{"the third of the burst", "k", 0, true, 0, 0, 3 * time.Second},
			{"past the burst the wait is one token's", "k", 0, false, 0, time.Second, 3 * time.Second},
			{"after 2.5s two tokens are back, one taken", "k", 2500 * time.Millisecond, true, 1, 0, 1500 * time.Millisecond},
		}},
		{"a refused request takes nothing", middleware.Limit{Requests: 10, Per: time.Second, Burst: 1}, []step{ // a token every 100ms
			{"the token is taken", "k", 0, true, 0, 0, 100 * time.Millisecond},
			{"refused at 50ms", "k", 50 * time.Millisecond, false, 0, 50 * time.Millisecond, 50 * time.Millisecond},
			{"refused again at 60ms", "k", 60 * time.Millisecond, false, 0, 40 * time.Millisecond, 40 * time.Millisecond},
			{"allowed at 100ms: the refusals did not push it back", "k", 100 * time.Millisecond, true, 0, 0, 100 * time.Millisecond},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			for i, s := range tc.steps {
				res, err := store.Take(context.Background(), s.key, tc.limit, t0.Add(s.at))
				if err != nil {
					t.Fatalf("step %d (%s): %v", i+1, s.name, err)
				}
				if res.Allowed != s.allowed || res.Remaining != s.remaining || !near(res.RetryAfter, s.retry) || (s.reset != 0 && !near(res.Reset, s.reset)) {
					t.Errorf("step %d (%s): got allowed=%v remaining=%d retry=%s reset=%s, want allowed=%v remaining=%d retry=%s reset=%s",
						i+1, s.name, res.Allowed, res.Remaining, res.RetryAfter, res.Reset, s.allowed, s.remaining, s.retry, s.reset)
				}
			}
		})
	}
	t.Run("many keys are independent", func(t *testing.T) {
		store := newStore(t)
		limit := middleware.Limit{Requests: 1, Per: time.Hour, Burst: 1}
		for i := range 50 {
			res, err := store.Take(context.Background(), "client-"+strconv.Itoa(i), limit, t0)
			if err != nil || !res.Allowed {
				t.Fatalf("key %d: allowed=%v err=%v, want a full bucket", i, res.Allowed, err)
			}
		}
	})
}

// near reports whether a duration is want, up to a microsecond of
// rounding (a store may count in microseconds).
func near(got, want time.Duration) bool {
	d := got - want
	return d >= -time.Microsecond && d <= time.Microsecond
}
