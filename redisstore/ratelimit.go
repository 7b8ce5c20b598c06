package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/flagon-go/flagon/middleware"
	"github.com/redis/go-redis/v9"
)

// takeScript is MemoryStore's token bucket, run atomically in Redis: the
// bucket is a hash of its tokens (t) and the time of its last request (l),
// read, refilled, taken from and written back in one script, so
// concurrent instances never spend a token twice. The arithmetic is exact:
// time is counted in units of ARGV[4] microseconds and tokens in
// 1/per-token steps, so a refill of elapsed units adds elapsed*requests
// and a request takes per; Go picks the unit so that every number stays
// below 2^52, where Lua's doubles are exact integers. The time is Redis's
// own (TIME), so instances with skewed clocks agree; ARGV[5] gives it
// instead in tests. The key expires when the bucket would be full again:
// a missing key is a full bucket, so idle keys cost no memory.
var takeScript = redis.NewScript(`
local requests, per, burst, unit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) * tonumber(ARGV[2]), tonumber(ARGV[4])
local now
if ARGV[5] ~= "" then
  now = tonumber(ARGV[5])
else
  local t = redis.call('TIME')
  now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / unit)
end
local b = redis.call('HMGET', KEYS[1], 't', 'l')
local tokens = tonumber(b[1])
if tokens then
  local elapsed = now - tonumber(b[2])
  if elapsed > 0 then
    tokens = math.min(burst, tokens + elapsed * requests)
  end
else
  tokens = burst
end
local allowed, retry = 0, 0
if tokens >= per then
  tokens = tokens - per
  allowed = 1
else
  retry = math.ceil((per - tokens) / requests)
end
local reset = math.ceil((burst - tokens) / requests)
redis.call('HSET', KEYS[1], 't', string.format('%.0f', tokens), 'l', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.floor(reset * unit / 1000) + 1)
return {allowed, math.floor(tokens / per), reset * unit, retry * unit}
`)

// exact is the largest number takeScript computes with: Lua's doubles
// hold integers exactly up to 2^53, and a refill may briefly pass burst.
const exact = 1 << 51

// rateLimitStore is the Redis middleware.Store.
type rateLimitStore struct {
	rdb    redis.UniversalClient
	prefix string
	// callerClock makes Take use its now argument in place of Redis's
	// clock, so the conformance table can step time; tests only.
	callerClock bool
}

// NewRateLimitStore returns a middleware.Store keeping each key's token
// bucket in Redis under prefix+key, shared by every instance using the
// same Redis and prefix. Each Take is one round trip (EVALSHA of a Lua
// script, sent again with EVAL when Redis has lost its script cache, as
// after a restart), atomic on the server, timed by Redis's clock; a key
// expires once its bucket is full again. Its answers are MemoryStore's. A
// Redis error is returned, so RateLimit fails open or closed as its
// config says. It panics when rdb is nil.
func NewRateLimitStore(rdb redis.UniversalClient, prefix string) middleware.Store {
	if rdb == nil {
		panic("flagon: redisstore.NewRateLimitStore(nil, ...): pass a Redis client, e.g. redis.NewClient(&redis.Options{Addr: \"127.0.0.1:6379\"})")
	}
	return &rateLimitStore{rdb: rdb, prefix: prefix}
}

// Take implements middleware.Store.
func (s *rateLimitStore) Take(ctx context.Context, key string, l middleware.Limit, now time.Time) (middleware.Result, error) {
	// The unit of time: a microsecond, or coarser when Burst × Per would
	// not be exact in microseconds (a burst of a million a day, say).
	unit := int64(1)
	per := max(l.Per.Microseconds(), 1)
	for float64(l.Burst)*float64(per) > exact || float64(l.Requests)*float64(per) > exact {
		unit *= 10
		per = max(l.Per.Microseconds()/unit, 1)
	}
	at := ""
	if s.callerClock {
		at = strconv.FormatInt(now.UnixMicro()/unit, 10)
	}
	v, err := takeScript.Run(ctx, s.rdb, []string{s.prefix + key}, l.Requests, per, l.Burst, unit, at).Int64Slice()
	if err != nil {
		return middleware.Result{}, fmt.Errorf("redisstore: rate limit: %w", err)
	}
	if len(v) != 4 {
		return middleware.Result{}, fmt.Errorf("redisstore: rate limit: the script answered %d values, want 4", len(v))
	}
	return middleware.Result{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		Reset:      time.Duration(v[2]) * time.Microsecond,
		RetryAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}
