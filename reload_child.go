//go:build !flagon_noreload

package flagon

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// reloadChildEnv tells a process that a reloader started it, as
// "<n>:<build ID>": the reloader's n listening sockets are its files 3 to
// 3+n-1, then come the write end of a pipe on which it says that it serves
// (one byte, before it accepts) and the read end of a pipe that ends when
// the reloader does.
const reloadChildEnv = "FLAGON_RELOAD_CHILD"

// reloadChildInfo is what a reloader's child learned from reloadChildEnv.
type reloadChildInfo struct {
	listeners int // 0: not a reloader's child
	build     string
	handoff   *handoff // of the inherited listeners
}

// reloadChild reads reloadChildEnv once and removes it, so that programs
// the app starts are not taken for reloader children.
var reloadChild = sync.OnceValue(func() reloadChildInfo {
	v, ok := os.LookupEnv(reloadChildEnv)
	if !ok {
		return reloadChildInfo{}
	}
	_ = os.Unsetenv(reloadChildEnv)
	ns, build, _ := strings.Cut(v, ":")
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 || n > 16 || build == "" {
		return reloadChildInfo{}
	}
	return reloadChildInfo{listeners: n, build: build, handoff: newHandoff()}
})

// inheritedListeners returns the listening sockets of the reloader that
// started this process; ok is false in a process no reloader started.
func inheritedListeners() (ls []net.Listener, ok bool, err error) {
	info := reloadChild()
	if info.listeners == 0 {
		return nil, false, nil
	}
	for i := range info.listeners {
		f := os.NewFile(uintptr(3+i), "flagon-reload-listener")
		l, err := net.FileListener(f)
		f.Close() // FileListener has its own copy
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, true, fmt.Errorf("flagon: the reloader's socket %d: %w", i, err)
		}
		ls = append(ls, info.handoff.listener(l))
	}
	return ls, true, nil
}

// serveReloaded prepares srv to serve as a reloader's child, just before
// Run starts serving: it adds the browser reload (see reloadInjector) and
// tells the reloader that this build serves. When the reloader says that
// the next build serves (a byte on the life pipe), or ends (the pipe
// ends), the app hands the sockets over (see handoff) and shuts down
// gracefully, as on SIGTERM.
func serveReloaded(srv *http.Server) {
	info := reloadChild()
	if info.listeners == 0 {
		return
	}
	info.handoff.serve(srv)
	srv.Handler = newReloadInjector(srv.Handler, info.build, info.handoff)
	if ready := os.NewFile(uintptr(3+info.listeners), "flagon-reload-ready"); ready != nil {
		_, _ = ready.Write([]byte{1})
		ready.Close()
	}
	if life := os.NewFile(uintptr(4+info.listeners), "flagon-reload-life"); life != nil {
		go func() {
			_, _ = life.Read(make([]byte, 1))
			info.handoff.stop()
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(syscall.SIGTERM)
			}
		}()
	}
}
