package flagon

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Blueprint groups routes, middleware, hooks and error handlers under a
// name, to be registered on an App (or another Blueprint) at a URL prefix.
// Its endpoints are "name.endpoint" on the app ("parent.child.endpoint"
// when nested); its middleware, hooks and error handlers apply only to its
// own routes and, for 404 and 405 errors, to paths under its prefix.
//
// As in Flask, a blueprint is a record that each registration applies to
// an app: App.Register copies what the app needs, and the blueprint keeps
// no reference to any app. One blueprint can therefore be registered on
// many apps, from several goroutines at once, but it is closed by its first
// registration: adding to it afterwards panics.
type Blueprint struct {
	scaffold
	children   []childBlueprint
	app        appWide     // hooks and handlers for every app that registers it
	registered atomic.Bool // an app took it in (itself or through a parent): closed
}

type childBlueprint struct {
	bp     *Blueprint
	prefix string
}

// mount is one place a blueprint is registered on an app, as the app keeps
// it for 404 and 405 scoping.
type mount struct {
	prefix string      // full URL prefix
	names  string      // endpoint prefix, "parent.child."
	scopes []*scaffold // this blueprint, its parents, then the app
}

// NewBlueprint returns an empty blueprint. The name prefixes its endpoints
// and must not contain dots or spaces.
func NewBlueprint(name string) *Blueprint {
	if name == "" || strings.ContainsAny(name, ". /") {
		panic(fmt.Sprintf("flagon: blueprint name %q at %s: use a non-empty name without dots, spaces or slashes", name, callSite()))
	}
	b := &Blueprint{}
	b.name = name
	b.attach = func(*Route) {} // routes reach an app when it registers b
	b.frozen = b.registered.Load
	return b
}

// Register nests child under b at prefix. An app registering b takes
// child's routes, middleware and handlers as they are at that moment, so
// complete child before b is registered; adding to b after it was
// registered panics.
func (b *Blueprint) Register(child *Blueprint, prefix string) {
	prefix = checkPrefix(prefix)
	b.checkOpen("register blueprint " + child.name)
	if child == b {
		panic(fmt.Sprintf("flagon: blueprint %s registered on itself at %s", b.name, callSite()))
	}
	b.children = append(b.children, childBlueprint{child, prefix})
}

// close marks b and its children registered, so that later additions,
// which no app would see, panic.
func (b *Blueprint) close() {
	b.registered.Store(true)
	for _, c := range b.children {
		c.bp.close()
	}
}

// registeredMessage is the panic of an addition to a registered blueprint.
func registeredMessage(name, what string) string {
	return fmt.Sprintf("flagon: cannot %s at %s: blueprint %s has already been registered, and an app takes a blueprint's routes, middleware, hooks and error handlers when it registers it; add them all to the blueprint before registering it", what, callSite(), name)
}

// nest is the mount of child registered at prefix under m's blueprint.
func (m mount) nest(child *Blueprint, prefix string) mount {
	scopes := make([]*scaffold, 0, len(m.scopes)+1)
	scopes = append(scopes, &child.scaffold)
	scopes = append(scopes, m.scopes...)
	return mount{prefix: m.prefix + prefix, names: m.names + child.name + ".", scopes: scopes}
}

// mount registers b's routes (and its children's) on a at m. It only reads
// b, which is closed by then, so apps may register b concurrently.
func (b *Blueprint) mount(a *App, m mount) {
	b.app.registerOn(a, b) // before b's mount is in a.groups
	a.groups = append(a.groups, m)
	for _, r := range b.routes {
		a.addDerived(r, m)
	}
	for _, c := range b.children {
		c.bp.mount(a, m.nest(c.bp, c.prefix))
	}
}

// checkPrefix validates a registration prefix: empty, or starting with "/"
// (a trailing slash is dropped, so "/foo/" and "/foo" are the same
// prefix). A blueprint's prefix may hold variables ("/<lang>"), which its
// routes' rules then have; a Mount prefix may not (see checkMountPrefix).
func checkPrefix(prefix string) string {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && prefix[0] != '/' {
		panic(fmt.Sprintf("flagon: prefix %q at %s must start with \"/\"", prefix, callSite()))
	}
	return prefix
}

// joinRule joins a prefix and a blueprint rule as Flask does: one slash
// between them, whichever side has it ("/foo" + "bar" and "/foo" + "/bar"
// are "/foo/bar"; "/foo" + "/" is "/foo/"; "/foo" + "" is "/foo").
func joinRule(prefix, rule string) string {
	if rule == "" {
		if prefix == "" {
			return "/"
		}
		return prefix
	}
	return prefix + "/" + strings.TrimLeft(rule, "/")
}
