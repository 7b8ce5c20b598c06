package flagon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// maxHeaderBytes bounds request headers; past it net/http answers 431.
const maxHeaderBytes = 64 << 10

// Server returns an *http.Server for the app with Config's address and
// timeouts; read-header, read and idle timeouts are always set (a zero
// Config value falls back to the default), so slow clients cannot hold
// connections open. Its Shutdown ends the app's streams as App.Shutdown
// does (see Run); its ConnContext is the app's and must be kept.
func (a *App) Server() *http.Server {
	srv, _ := a.newServer()
	return srv
}

// Serve serves the app on l with Server's settings until Shutdown. It
// returns nil after a graceful shutdown, once the requests in flight have
// finished or Shutdown's deadline has passed; it returns the error of an
// app that failed to start (see ServeHTTP) without serving.
func (a *App) Serve(l net.Listener) error {
	if err := a.start(); err != nil {
		return err
	}
	srv, d := a.newServer()
	if !a.track(srv, d) {
		return nil
	}
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		a.untrack(srv)
		return err
	}
	<-d.done
	return nil
}

// Run serves the app until SIGINT or SIGTERM, or until Shutdown is called,
// then shuts down gracefully and returns nil: streams are ended at once
// through their request contexts, and the other requests in flight get
// Config.ShutdownTimeout to finish (see App.Shutdown). It returns only
// once they have, or the timeout has passed (an error then).
//
// It listens on Config.Addr; when that is left at its default, the
// FLAGON_ADDR and then PORT environment variables choose the address
// (PORT=8080 listens on ":8080"). The default address also listens on
// [::1] so that http://localhost:5000 works whichever way localhost resolves.
// Run(true) turns debug mode on: debug pages, a banner with the route table,
// and a log line per request; it warns when the address is reachable from
// other machines, since debug pages show internals. Run(false) turns it off.
//
// Run(true) also runs the reloader, unless FLAGON_RELOAD=0 or inside a
// test: this process keeps the listening sockets and runs the app as a
// child process, which it rebuilds and replaces when the module's Go
// sources change; a compile error is answered as a page until it is fixed,
// and open pages reload after a rebuild (see docs/development.md). The
// reloader returns as Run does, after a graceful shutdown of the app.
func (a *App) Run(debug bool) error {
	a.Config.Debug = debug
	a.logAll = debug
	if debug {
		if supervised, err := a.runReloader(); supervised {
			return err // this process was the reloader (reload.go)
		}
	}
	if err := a.start(); err != nil {
		return err
	}
	addr := runAddr(a.Config.Addr)
	ls, err := listen(addr)
	if err != nil {
		return fmt.Errorf("flagon: listen on %s: %w", addr, err)
	}
	srv, d := a.newServer()
	srv.Addr = addr
	if !a.track(srv, d) {
		for _, l := range ls {
			l.Close()
		}
		return nil
	}
	a.banner(a.consoleOut(), ls)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	serveReloaded(srv) // in a reloader's child only (reload_child.go)
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func(l net.Listener) { errc <- srv.Serve(l) }(l)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			a.untrack(srv)
			_ = srv.Close()
			return err
		}
		<-d.done // Shutdown was called: wait until it is done (it runs OnShutdown)
		return nil
	case <-ctx.Done():
	}
	a.stopping.Store(true)
	stop()
	// A zero ShutdownTimeout falls back to the default, as Server's
	// timeouts do: zero would cut off every request in flight.
	timeout := orDefault(a.Config.ShutdownTimeout, DefaultConfig().ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	a.logger().Info("flagon: shutting down", "timeout", timeout)
	a.untrack(srv)
	err = shutdownServer(sctx, srv)
	if rerr := a.release(sctx); rerr != nil {
		err = errors.Join(err, rerr)
	}
	d.finished()
	if err != nil {
		return fmt.Errorf("flagon: graceful shutdown: %w", err)
	}
	return nil
}

// runAddr is the address Run listens on: Config.Addr, unless it is left at
// its default, where FLAGON_ADDR and then PORT (":" + PORT) choose.
func runAddr(addr string) string {
	if addr != "" && addr != defaultAddr {
		return addr
	}
	if v := os.Getenv("FLAGON_ADDR"); v != "" {
		return v
	}
	if p := os.Getenv("PORT"); p != "" {
		return ":" + p
	}
	return defaultAddr
}

// listen opens the listeners for addr: "unix:/path" for a unix socket
// (removed when the listener closes), or host:port, where the default
// loopback address also gets [::1] when IPv6 loopback is available.
func listen(addr string) ([]net.Listener, error) {
	if ls, ok, err := inheritedListeners(); ok {
		return ls, err // the sockets of the reloader that started this process
	}
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		// A socket left by a killed process is replaced. A socket someone
		// still serves on, or anything else at path (a mistyped address
		// naming a real file), is left alone: Listen reports "address
		// already in use".
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 && !socketServed(path) {
			_ = os.Remove(path)
		}
		l, err := net.Listen("unix", path)
		if err != nil {
			return nil, err
		}
		return []net.Listener{l}, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	ls := []net.Listener{l}
	host, port, _ := net.SplitHostPort(addr)
	if host == "127.0.0.1" && port == "5000" || host == "localhost" {
		if l6, err := net.Listen("tcp", net.JoinHostPort("::1", port)); err == nil {
			ls = append(ls, l6)
		}
	}
	return ls, nil
}

// socketServed reports whether a process accepts connections on the unix
// socket at path.
func socketServed(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// consoleOut is where Run writes what a developer reads in the terminal:
// its banner, the request log of debug mode and the reloader's messages.
func (a *App) consoleOut() io.Writer {
	if a.console != nil {
		return a.console
	}
	return os.Stderr
}

// banner prints what Flask prints, plus the route table in debug mode.
func (a *App) banner(w io.Writer, ls []net.Listener) {
	fmt.Fprintln(w, " * Serving Flagon app")
	if a.Config.Debug {
		fmt.Fprintln(w, " * Debug mode: on")
	} else {
		fmt.Fprintln(w, " * Debug mode: off")
	}
	for _, l := range ls {
		fmt.Fprintf(w, " * Running on %s\n", listenURL(l.Addr()))
	}
	a.folderBanner(w) // folders.go
	fmt.Fprintln(w, "Press CTRL+C to quit")
	if !a.Config.Debug {
		return
	}
	for _, l := range ls {
		if !isLoopback(l.Addr()) {
			fmt.Fprintf(w, " * WARNING: debug mode is on and %s is reachable from other machines.\n"+
				"   Debug pages show source, stacks, configuration and request data to anyone who can reach it.\n"+
				"   Never run with debug on in production: use Run(false), or listen on 127.0.0.1.\n", listenURL(l.Addr()))
		}
	}
	fmt.Fprintln(w, " * Routes:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range a.Routes() {
		ep := r.Endpoint
		if ep == "" {
			ep = "-"
		}
		fmt.Fprintf(tw, "   %s\t%s\t%s\n", r.Method, r.Rule, ep)
	}
	_ = tw.Flush()
}

func orDefault(v, d time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return d
}

func listenURL(addr net.Addr) string {
	if addr.Network() == "unix" {
		return "unix:" + addr.String()
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "0.0.0.0"
		if ip.To4() == nil {
			host = "[::]"
		}
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "http://" + host + ":" + port
}

// isLoopback reports whether addr can only be reached from this machine:
// a unix socket or a loopback IP (an unspecified address such as ":8080"
// listens on every interface).
func isLoopback(addr net.Addr) bool {
	if addr.Network() == "unix" {
		return true
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
