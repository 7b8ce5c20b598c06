package redisstore

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagon-go/flagon/internal/ratelimittest"
	"github.com/flagon-go/flagon/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateLimitStorePassesTheStoreConformanceTable(t *testing.T) {
	rdb := startRedis(t).client(t)
	n := 0
	ratelimittest.Run(t, func(t *testing.T) middleware.Store {
		n++
		s := NewRateLimitStore(rdb, "conf"+string(rune('a'+n))+":").(*rateLimitStore)
		s.callerClock = true
		return s
	})
}

func TestRateLimitStoreIsAtomic(t *testing.T) {
	rdb := startRedis(t).client(t)
	store := NewRateLimitStore(rdb, "rl:")
	limit := middleware.Limit{Requests: 100, Per: time.Hour, Burst: 100}
	var allowed, refused atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				res, err := store.Take(context.Background(), "hot", limit, time.Now())
				if !assert.NoError(t, err) {
					return
				}
				if res.Allowed {
					allowed.Add(1)
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 100, allowed.Load(), "50 goroutines × 10 requests on one key admit exactly the burst")
	assert.EqualValues(t, 400, refused.Load())
}

func TestRateLimitStoreUsesRedisClockAndExpiresKeys(t *testing.T) {
	rdb := startRedis(t).client(t)
	store := NewRateLimitStore(rdb, "rl:")
	limit := middleware.Limit{Requests: 1, Per: time.Minute, Burst: 1}
	ctx := context.Background()

	t.Run("the caller's clock is ignored: a skewed instance cannot refill a bucket", func(t *testing.T) {
		res, err := store.Take(ctx, "skew", limit, time.Now())
		require.NoError(t, err)
		assert.True(t, res.Allowed)
		res, err = store.Take(ctx, "skew", limit, time.Now().Add(time.Hour))
		require.NoError(t, err)
		assert.False(t, res.Allowed, "an instance an hour ahead still sees the bucket empty")
		assert.InDelta(t, time.Minute.Seconds(), res.RetryAfter.Seconds(), 2)
	})
	t.Run("a key expires when its bucket would be full again", func(t *testing.T) {
		_, err := store.Take(ctx, "ttl", limit, time.Now())
		require.NoError(t, err)
		ttl, err := rdb.PTTL(ctx, "rl:ttl").Result()
		require.NoError(t, err)
		assert.Greater(t, ttl, 58*time.Second)
		assert.LessOrEqual(t, ttl, time.Minute+time.Millisecond)
	})
	t.Run("keys are kept under the prefix", func(t *testing.T) {
		n, err := rdb.Exists(ctx, "rl:skew", "skew").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
	})
	t.Run("after Redis loses its scripts the store loads the script again", func(t *testing.T) {
		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		res, err := store.Take(ctx, "flushed", limit, time.Now())
		require.NoError(t, err)
		assert.True(t, res.Allowed)
	})
}

func TestRateLimitStoreReportsRedisFailures(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.client(t)
	store := NewRateLimitStore(rdb, "rl:")
	limit := middleware.Limit{Requests: 1, Per: time.Minute, Burst: 1}
	ctx := context.Background()
	_, err := store.Take(ctx, "k", limit, time.Now())
	require.NoError(t, err)
	srv.stop(t)
	_, err = store.Take(ctx, "k", limit, time.Now())
	require.Error(t, err, "a stopped Redis is an error, which RateLimit turns into fail-open or 503")
	assert.Contains(t, err.Error(), "redisstore: rate limit")
	srv.start(t)
	res, err := store.Take(ctx, "k", limit, time.Now())
	require.NoError(t, err, "the store recovers when Redis is back")
	assert.False(t, res.Allowed, "the bucket survived the restart")
}

func TestNewRateLimitStorePanicsWithoutClient(t *testing.T) {
	assert.PanicsWithValue(t, `flagon: redisstore.NewRateLimitStore(nil, ...): pass a Redis client, e.g. redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})`, func() {
		NewRateLimitStore(nil, "rl:")
	})
}
