//go:build !flagon_noreload

package flagon

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// handoff lets a server on the reloader's sockets give them up to the
// next process without dropping a connection. Shutdown alone would: once
// it begins, net/http closes a connection whose first request it reads
// afterwards, unanswered, and on a socket that another process keeps
// serving, connections arrive at every moment. So the server first stops
// accepting (the next process accepts them), then waits until each
// connection it accepted has reached the handler (or closed), and only
// then shuts down, which finishes the requests in flight.
type handoff struct {
	mu       sync.Mutex
	fresh    map[net.Conn]struct{} // accepted, not yet handled
	stopping bool
	drained  chan struct{} // closed when stopping and no connection is fresh
	ls       []*handoffListener
}

// handoffGrace bounds the wait for accepted connections to send their
// request: a browser's speculative connection may send none.
const handoffGrace = 2 * time.Second

func newHandoff() *handoff {
	return &handoff{fresh: map[net.Conn]struct{}{}, drained: make(chan struct{})}
}

// listener wraps l so that h can stop its accepting.
func (h *handoff) listener(l net.Listener) net.Listener {
	hl := &handoffListener{Listener: l, h: h, closed: make(chan struct{}), parked: make(chan struct{})}
	h.ls = append(h.ls, hl)
	return hl
}

// serve installs h on srv: it notes the connection of each request that
// reaches the handler, and forgets connections that close unhandled.
func (h *handoff) serve(srv *http.Server) {
	connCtx := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if connCtx != nil {
			ctx = connCtx(ctx, c)
		}
		return context.WithValue(ctx, handoffConnKey{}, c)
	}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateClosed || s == http.StateHijacked {
			h.handled(c)
		}
	}
}

// handoffConnKey is the connection context key of the net.Conn, for
// handoff.seen.
type handoffConnKey struct{}

// seen notes that r reached the handler.
func (h *handoff) seen(r *http.Request) {
	if c, ok := r.Context().Value(handoffConnKey{}).(net.Conn); ok {
		h.handled(c)
	}
}

func (h *handoff) handled(c net.Conn) {
	h.mu.Lock()
	if _, ok := h.fresh[c]; ok {
		delete(h.fresh, c)
		h.checkDrained()
	}
	h.mu.Unlock()
}

func (h *handoff) checkDrained() {
	if h.stopping && len(h.fresh) == 0 {
		close(h.drained)
		h.stopping = false // closed once; stop is called once
	}
}

// stop stops accepting and returns once every accepted connection has
// reached the handler, or closed, or handoffGrace has passed. The
// listeners' sockets stay open in the processes that keep them.
func (h *handoff) stop() {
	for _, l := range h.ls {
		l.stopAccepting()
	}
	t := time.NewTimer(handoffGrace)
	defer t.Stop()
	// Once the server waits in Accept again, every connection it accepted
	// is noted as fresh; only then may the count of fresh ones end the
	// wait (before, a connection being accepted is not counted yet).
	for _, l := range h.ls {
		select {
		case <-l.parked:
		case <-t.C:
			return
		}
	}
	h.mu.Lock()
	h.stopping = true
	h.checkDrained()
	h.mu.Unlock()
	select {
	case <-h.drained:
	case <-t.C:
	}
}

// handoffListener is a listener whose accepting handoff can stop before
// the server closes it.
type handoffListener struct {
	net.Listener
	h       *handoff
	mu      sync.Mutex
	stopped bool
	closed  chan struct{} // closed by Close
	once    sync.Once
	parked  chan struct{} // closed when Accept waits for Close
	park    sync.Once
}

func (l *handoffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	l.mu.Lock()
	stopped := l.stopped
	l.mu.Unlock()
	if err != nil {
		if stopped {
			l.park.Do(func() { close(l.parked) })
			<-l.closed // until the server's Close: Serve then returns ErrServerClosed
			return nil, net.ErrClosed
		}
		return nil, err
	}
	l.h.mu.Lock()
	l.h.fresh[c] = struct{}{}
	l.h.mu.Unlock()
	return c, nil
}

// stopAccepting closes the process's copy of the socket: connections go
// to the other processes that accept on it.
func (l *handoffListener) stopAccepting() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	_ = l.Listener.Close()
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	l.mu.Lock()
	stopped := l.stopped
	l.mu.Unlock()
	if stopped {
		return nil
	}
	return l.Listener.Close()
}
