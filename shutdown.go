package flagon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
)

// Graceful shutdown, whoever starts it (Run on SIGINT or SIGTERM, a call
// to App.Shutdown, or a call to Shutdown on the *http.Server that
// App.Server returned):
//
//  1. The server stops accepting and closes idle connections (net/http).
//  2. Streams end: the request context of every response that was flushed
//     (Stream, Server-Sent Events, any Response.Flush) is cancelled at
//     once, and so is that of a stream that starts later, so a handler
//     that watches c.Context() returns instead of holding the shutdown.
//  3. Every other request in flight gets the grace period (the context
//     given to Shutdown; Config.ShutdownTimeout for Run) to finish.
//  4. At the deadline every remaining request context is cancelled and the
//     connections are closed.
//
// Serve and Run return only after that: once every request in flight has
// finished, or the deadline has passed.

// connKey is the connection context key of a connection's drain state.
type connKey struct{}

// drain tracks the streams of one server, so that shutdown can end them.
type drain struct {
	mu       sync.Mutex
	draining bool
	streams  map[*conn]int // connections with a stream, and how many (HTTP/2 multiplexes)

	done chan struct{} // closed when a shutdown through App.Shutdown ends
	once sync.Once
}

// conn is one connection's state: the cancel function of its context.
type conn struct {
	d      *drain
	cancel context.CancelFunc
}

// newServer returns the app's server with its drain state wired in: a
// cancellable context per connection, and the shutdown hook that ends
// streams.
func (a *App) newServer() (*http.Server, *drain) {
	def, cfg := DefaultConfig(), a.Config
	d := &drain{streams: map[*conn]int{}, done: make(chan struct{})}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a,
		ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, def.ReadHeaderTimeout),
		ReadTimeout:       orDefault(cfg.ReadTimeout, def.ReadTimeout),
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       orDefault(cfg.IdleTimeout, def.IdleTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.logger().Handler(), slog.LevelWarn),
		ConnContext:       d.connContext,
	}
	srv.RegisterOnShutdown(d.begin)
	srv.RegisterOnShutdown(func() { a.stopping.Store(true) })
	return srv, d
}

// connContext gives each connection a context that a shutdown can cancel
// when a stream on it must end. It is not a child of the server's context
// (which is never cancelled), so a connection that never streams leaves
// nothing behind when it closes.
func (d *drain) connContext(ctx context.Context, _ net.Conn) context.Context {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return context.WithValue(ctx, connKey{}, &conn{d: d, cancel: cancel})
}

// begin runs when the server's Shutdown begins: every connection with a
// stream has its context cancelled, and streams that start later are
// cancelled at once (see markStream).
func (d *drain) begin() {
	d.mu.Lock()
	d.draining = true
	for cn := range d.streams {
		cn.cancel()
	}
	d.mu.Unlock()
}

// markStream records that r's response is a stream (it was flushed), when
// r came through one of the app's servers; during a shutdown the stream's
// context is cancelled at once.
func markStream(r *http.Request) {
	cn, _ := r.Context().Value(connKey{}).(*conn)
	if cn == nil {
		return
	}
	d := cn.d
	d.mu.Lock()
	d.streams[cn]++
	if d.draining {
		cn.cancel()
	}
	d.mu.Unlock()
}

// endStream undoes markStream when the stream's request ends, so a later
// request on the same keep-alive connection gets the grace period.
func endStream(r *http.Request) {
	cn, _ := r.Context().Value(connKey{}).(*conn)
	if cn == nil {
		return
	}
	d := cn.d
	d.mu.Lock()
	if d.streams[cn]--; d.streams[cn] <= 0 {
		delete(d.streams, cn)
	}
	d.mu.Unlock()
}

// track records a server that Run or Serve serves, for App.Shutdown; it
// reports false when the app is already shut down.
func (a *App) track(srv *http.Server, d *drain) bool {
	a.srvMu.Lock()
	defer a.srvMu.Unlock()
	if a.closed {
		return false
	}
	if a.servers == nil {
		a.servers = map[*http.Server]*drain{}
	}
	a.servers[srv] = d
	return true
}

// untrack forgets a server whose Serve returned by itself (a listener
// error, not a shutdown).
func (a *App) untrack(srv *http.Server) {
	a.srvMu.Lock()
	delete(a.servers, srv)
	a.srvMu.Unlock()
}

// Shutdown gracefully stops every server started by Run or Serve, as
// described for Run: they stop accepting, streams are ended through their
// request contexts, and the requests in flight finish. When ctx ends
// first, the remaining connections are closed (which cancels their
// request contexts) and ctx's error is returned. Then the OnShutdown
// functions run. Run and Serve return once all of it is done. After
// Shutdown, Serve and Run return nil at once.
func (a *App) Shutdown(ctx context.Context) error {
	a.stopping.Store(true)
	a.srvMu.Lock()
	servers := a.servers
	a.servers = nil
	a.closed = true
	a.srvMu.Unlock()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := shutdownServer(ctx, srv)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}()
	}
	wg.Wait()
	errs = append(errs, a.release(ctx))
	for _, d := range servers {
		d.finished()
	}
	return errors.Join(errs...)
}

// finished lets Serve and Run return: the shutdown is done.
func (d *drain) finished() { d.once.Do(func() { close(d.done) }) }

// shutdownServer shuts srv down within ctx; at the deadline it closes the
// connections still open, which cancels their requests' contexts.
func shutdownServer(ctx context.Context, srv *http.Server) error {
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	return err
}
