package flagon

import (
	"fmt"
	"strings"
)

// Blueprint groups routes, middleware, hooks and error handlers under a
// name, to be registered on an App (or another Blueprint) at a URL prefix.
// Its endpoints are "name.endpoint" on the app ("parent.child.endpoint"
// when nested); its middleware, hooks and error handlers apply only to its
// own routes and, for 404 and 405 errors, to paths under its prefix.
type Blueprint struct {
	scaffold
	children []childBlueprint
	mounts   []mount
}

type childBlueprint struct {
	bp     *Blueprint
	prefix string
}

// mount is one place a blueprint is registered on an app.
type mount struct {
	app    *App
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
	b.attach = b.attachRoute
	b.frozen = func() bool {
		for _, m := range b.mounts {
			if m.app.serving.Load() {
				return true
			}
		}
		return false
	}
	return b
}

// Register nests child under b at prefix. Routes, middleware and handlers
// added to either afterwards still reach every app b is registered on.
func (b *Blueprint) Register(child *Blueprint, prefix string) {
	prefix = checkPrefix(prefix)
	b.checkOpen("register blueprint " + child.name)
	if child == b {
		panic(fmt.Sprintf("flagon: blueprint %s registered on itself at %s", b.name, callSite()))
	}
	b.children = append(b.children, childBlueprint{child, prefix})
	for _, m := range b.mounts {
		child.mount(m.nest(child, prefix))
	}
}

// nest is the mount of child registered at prefix under m's blueprint.
func (m mount) nest(child *Blueprint, prefix string) mount {
	scopes := make([]*scaffold, 0, len(m.scopes)+1)
	scopes = append(scopes, &child.scaffold)
	scopes = append(scopes, m.scopes...)
	return mount{app: m.app, prefix: m.prefix + prefix, names: m.names + child.name + ".", scopes: scopes}
}

// mount registers b's routes (and its children's) on m.app.
func (b *Blueprint) mount(m mount) {
	b.mounts = append(b.mounts, m)
	m.app.groups = append(m.app.groups, m)
	for _, r := range b.routes {
		m.app.addDerived(r, m)
	}
	for _, c := range b.children {
		c.bp.mount(m.nest(c.bp, c.prefix))
	}
}

func (b *Blueprint) attachRoute(r *Route) {
	for _, m := range b.mounts {
		m.app.addDerived(r, m)
	}
}

// checkPrefix validates a registration prefix: empty, or starting with "/"
// and without a trailing slash (which is dropped).
func checkPrefix(prefix string) string {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && prefix[0] != '/' {
		panic(fmt.Sprintf("flagon: prefix %q at %s must start with \"/\"", prefix, callSite()))
	}
	if strings.ContainsAny(prefix, "<>") {
		panic(fmt.Sprintf("flagon: prefix %q at %s must be static text (no variables)", prefix, callSite()))
	}
	return prefix
}
