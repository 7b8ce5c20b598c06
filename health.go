package flagon

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Health endpoints, for load balancers and orchestrators (Kubernetes
// probes): Liveness answers whether the process serves at all, Readiness
// whether it should be sent traffic. Readiness fails as soon as a graceful
// shutdown begins (App.Shutdown, Run's SIGINT or SIGTERM, or Shutdown on a
// server from App.Server), while the requests in flight still finish, so
// a balancer that probes it stops routing to the app before its
// connections close.

// defaultCheckTimeout bounds a HealthCheck without a Timeout: Kubernetes'
// default probe timeout, past which the probe has failed anyway.
const defaultCheckTimeout = time.Second

// HealthCheck is one dependency that Readiness checks, such as a database.
type HealthCheck struct {
	// Name names the check in Readiness's answer ("db").
	Name string
	// Check returns nil when the dependency is usable. Its context ends
	// at Timeout, or when the request ends.
	Check func(ctx context.Context) error
	// Timeout bounds Check; zero means one second. A check that runs past
	// it fails as "timeout" (Readiness does not wait for it to return).
	Timeout time.Duration
}

// healthAnswer is the JSON body of the health endpoints.
type healthAnswer struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Liveness returns a handler that answers 200 with {"status":"ok"} for as
// long as the app serves, during a graceful shutdown too: it says the
// process is alive, not that it wants traffic (see Readiness).
func Liveness() HandlerFunc {
	body := []byte(`{"status":"ok"}`)
	return func(c *Context) error {
		c.SetHeader("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, "application/json", body)
	}
}

// Readiness returns a handler that answers whether the app should get
// traffic: 200 with {"status":"ready","checks":{"db":"ok"}} when every
// check passes, 503 with the failing checks ("fail", "timeout") otherwise,
// and 503 with {"status":"shutting down"} as soon as a graceful shutdown
// has begun. The checks run concurrently, each within its Timeout; a
// failing check's error is logged at Warn level, not sent to the client.
// Readiness panics when a check has no Name or no Check, or when two
// checks share a Name.
func Readiness(checks ...HealthCheck) HandlerFunc {
	own := make([]HealthCheck, len(checks))
	seen := map[string]bool{}
	for i, hc := range checks {
		if hc.Name == "" || hc.Check == nil {
			panic(fmt.Sprintf("flagon: Readiness at %s: check %d needs a Name and a Check", callSite(), i))
		}
		if seen[hc.Name] {
			panic(fmt.Sprintf("flagon: Readiness at %s: two checks are named %q", callSite(), hc.Name))
		}
		seen[hc.Name] = true
		if hc.Timeout <= 0 {
			hc.Timeout = defaultCheckTimeout
		}
		own[i] = hc
	}
	return func(c *Context) error {
		c.SetHeader("Cache-Control", "no-store")
		if c.App().stopping.Load() {
			return c.JSON(http.StatusServiceUnavailable, healthAnswer{Status: "shutting down"})
		}
		results, ok := runChecks(c, own)
		if c.App().stopping.Load() { // a shutdown began while the checks ran
			return c.JSON(http.StatusServiceUnavailable, healthAnswer{Status: "shutting down", Checks: results})
		}
		if !ok {
			return c.JSON(http.StatusServiceUnavailable, healthAnswer{Status: "unavailable", Checks: results})
		}
		return c.JSON(http.StatusOK, healthAnswer{Status: "ready", Checks: results})
	}
}

// checkResult is what one check returned: nil, its error, or that it timed
// out.
type checkResult struct {
	i       int
	err     error
	timeout bool
}

// runChecks runs the checks concurrently and reports each one's outcome by
// name, and whether all passed. A check that outlives its timeout is left
// to finish on its own; its result is dropped (the channel has room).
func runChecks(c *Context, checks []HealthCheck) (map[string]string, bool) {
	if len(checks) == 0 {
		return nil, true
	}
	done := make(chan checkResult, len(checks))
	for i, hc := range checks {
		go func() {
			ctx, cancel := context.WithTimeout(c.Context(), hc.Timeout)
			defer cancel()
			ran := make(chan error, 1)
			go func() {
				defer func() {
					if p := recover(); p != nil {
						ran <- fmt.Errorf("the check panicked: %v", p)
					}
				}()
				ran <- hc.Check(ctx)
			}()
			select {
			case err := <-ran:
				done <- checkResult{i: i, err: err}
			case <-ctx.Done():
				done <- checkResult{i: i, err: ctx.Err(), timeout: true}
			}
		}()
	}
	results := make(map[string]string, len(checks))
	ok := true
	for range checks {
		r := <-done
		name := checks[r.i].Name
		switch {
		case r.timeout:
			results[name], ok = "timeout", false
		case r.err != nil:
			results[name], ok = "fail", false
		default:
			results[name] = "ok"
			continue
		}
		c.App().logger().WarnContext(c.Context(), "flagon: readiness check failed", "check", name, "timeout", r.timeout, "error", r.err.Error())
	}
	return results, ok
}
