// Package redisstore keeps Flagon's rate limits and sessions in Redis (or
// Valkey), so that several instances of an app behind a load balancer
// share them: NewRateLimitStore is a middleware.Store for
// middleware.RateLimit, NewSessionStore a flagon.SessionStore for
// Config.SessionStore.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	app.Config.SessionStore = redisstore.NewSessionStore(rdb, "myapp:sess:")
//	app.Use(middleware.RateLimit(middleware.RateLimitConfig{
//		Requests: 100, Per: time.Minute,
//		Store:    redisstore.NewRateLimitStore(rdb, "myapp:rl:"),
//	}))
//
// Both cost one round trip to Redis per request and need nothing but the
// client: no background goroutine, no schema. When Redis is unreachable,
// rate limiting fails open or closed (RateLimitConfig.FailClosed) and
// sessions answer 503 Service Unavailable; both recover by themselves when
// Redis is back, as the client reconnects.
//
// It is a module of its own, so that only apps that use it depend on
// github.com/redis/go-redis/v9.
package redisstore
