package flagon

import (
	"context"
	"errors"
	"fmt"
)

// Key is the typed name of a value an app keeps for itself: its own
// settings and resources (Flask's app.config["DATABASE"] and
// app.extensions), set before serving and read from any handler through
// c.App(), without a package-level registry that would keep apps alive.
// Declare each key once, as a package-level variable:
//
//	var DB = flagon.NewKey[*sql.DB]("db")
//
//	DB.Set(app, db)                    // in the app factory
//	rows, err := DB.Get(c.App()).QueryContext(c.Context(), q)
//
// Templates read a value by its key's name: {{config "site_name"}}. Set
// and Get are safe for concurrent use; Get costs a map lookup.
type Key[T any] struct{ name string }

// NewKey returns the key named name for values of type T. It panics when
// name is empty.
func NewKey[T any](name string) Key[T] {
	if name == "" {
		panic(fmt.Sprintf("flagon: NewKey at %s needs a name", callSite()))
	}
	return Key[T]{name: name}
}

// Name returns the key's name, the one templates use.
func (k Key[T]) Name() string { return k.name }

// Set stores v in a under the key, replacing the value it had. It panics
// when another key of the same name stored a value of another type.
func (k Key[T]) Set(a *App, v T) {
	if old, ok := a.values.Load(k.name); ok {
		if _, same := old.(T); !same {
			panic(fmt.Sprintf("flagon: app value %q at %s holds a %T, not a %T: two keys share the name", k.name, callSite(), old, v))
		}
	}
	a.values.Store(k.name, v)
}

// Lookup returns the value a keeps under the key, and whether there is
// one.
func (k Key[T]) Lookup(a *App) (T, bool) {
	v, ok := a.values.Load(k.name)
	if !ok {
		var zero T
		return zero, false
	}
	t, ok := v.(T)
	return t, ok
}

// Get returns the value a keeps under the key, or T's zero value.
func (k Key[T]) Get(a *App) T {
	v, _ := k.Lookup(a)
	return v
}

// appValue is the value stored under name, for the config template helper.
func (a *App) appValue(name string) any {
	v, _ := a.values.Load(name)
	return v
}

// OnShutdown adds a function that releases what the app holds (a database
// pool, a client's connections) when the app shuts down: after the
// requests in flight have finished (or the shutdown deadline passed), in
// Shutdown and in Run, in the reverse order of registration, as defer
// does. Each gets the shutdown's context and runs once; their errors are
// returned by Shutdown and Run.
func (a *App) OnShutdown(fn func(ctx context.Context) error) {
	notNil(fn == nil, "OnShutdown function")
	a.srvMu.Lock()
	a.onShutdown = append(a.onShutdown, fn)
	a.srvMu.Unlock()
}

// release runs the OnShutdown functions once.
func (a *App) release(ctx context.Context) error {
	var errs []error
	a.releaseOnce.Do(func() {
		a.srvMu.Lock()
		fns := a.onShutdown
		a.srvMu.Unlock()
		for i := len(fns) - 1; i >= 0; i-- {
			if err := fns[i](ctx); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}
