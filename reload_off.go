//go:build flagon_noreload

package flagon

import (
	"net"
	"net/http"
)

// Built with -tags flagon_noreload, a program has no reloader linked in:
// Run(true) serves the app itself, as with FLAGON_RELOAD=0, and these
// stand in for the reloader's entry points (reload.go, reload_child.go).

func (a *App) runReloader() (supervised bool, err error) { return false, nil }

func serveReloaded(*http.Server) {}

func inheritedListeners() (ls []net.Listener, ok bool, err error) { return nil, false, nil }
