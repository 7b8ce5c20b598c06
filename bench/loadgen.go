package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult is what a bounded load run measured.
type LoadResult struct {
	OK      int64 // 200 responses with a complete body
	Errors  int64
	Elapsed time.Duration
}

// RPS is successful requests per second.
func (r LoadResult) RPS() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// Load sends GET url over conns keep-alive connections (one client each)
// for d, and stops by itself. Loopback only: it is meant for the servers
// the benchmarks start on 127.0.0.1.
func Load(url string, conns int, d time.Duration) LoadResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{
				MaxIdleConnsPerHost: 1,
				MaxConnsPerHost:     1,
				DisableCompression:  true,
				DialContext:         (&net.Dialer{Timeout: time.Second}).DialContext,
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			for ctx.Err() == nil {
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
					}
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err == nil && res.StatusCode == 200 {
					ok.Add(1)
				} else if ctx.Err() == nil {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return LoadResult{OK: ok.Load(), Errors: bad.Load(), Elapsed: time.Since(start)}
}
