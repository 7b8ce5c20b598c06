package flagon

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/flagon-go/flagon/internal/binding"
)

// Typed turns fn into a handler that binds and validates an In from the
// request exactly as Context.Bind does, calls fn with it, and writes the
// Out it returns as JSON, with status 200, the route's Route.Status, or
// the one fn set with c.Status (fn's wins); with 204 or 205 the status is
// sent with no body. An error from binding (a *BindError: 400, 415 or
// 422, or a 413) or from fn goes to the error handlers as a handler's
// error does; nothing is written for Out when fn returns an error or has
// written the response itself.
//
// The route's OpenAPI operation (see App.OpenAPI) is derived from In's
// tags and validate rules and from Out, and its default endpoint is fn's
// name, as a plain handler's is its own. Typed panics when fn is nil, when
// In is not a struct, or when In or Out holds a type that has no JSON
// Schema (a channel, a function, a complex number); the message names the
// field and the call site.
func Typed[In, Out any](fn func(c *Context, in *In) (Out, error)) HandlerFunc {
	site := callSite()
	if fn == nil {
		panic(fmt.Sprintf("flagon: Typed at %s needs a function, got nil", site))
	}
	info := &typedInfo{
		in:   reflect.TypeFor[In](),
		out:  reflect.TypeFor[Out](),
		name: endpointOf(reflect.ValueOf(fn).Pointer()),
		id:   reflect.ValueOf(fn).Pointer(),
		site: site,
	}
	if info.in.Kind() != reflect.Struct {
		panic(fmt.Sprintf("flagon: Typed(%s) at %s: In must be a struct type, got %s", info.label(), site, info.in))
	}
	p := binding.For(info.in)
	if p.Err != nil {
		panic(fmt.Sprintf("%v (Typed(%s) at %s)", p.Err, info.label(), site))
	}
	if err := info.check(); err != nil {
		panic(fmt.Sprintf("flagon: Typed(%s) at %s: %v", info.label(), site, err))
	}
	return func(c *Context) error {
		if c == describing {
			return info
		}
		in := new(In)
		if err := c.bindPlanned(in, reflect.ValueOf(in).Elem(), p, bindAll); err != nil {
			return err
		}
		if r := c.route; r != nil && r.doc.status != 0 {
			c.Status(r.doc.status) // Route.Status; fn's own c.Status still wins
		}
		out, err := fn(c, in)
		if err != nil || c.Response.written {
			return err
		}
		if !bodyAllowed(c.Response.status) {
			return c.NoContent(c.Response.status)
		}
		return c.JSON(c.Response.status, out)
	}
}

// typedInfo is what a Typed handler tells the OpenAPI document about
// itself: its In and Out types and the function it wraps.
type typedInfo struct {
	in, out reflect.Type
	name    string  // fn's name, the route's default endpoint
	id      uintptr // fn's code, to tell handlers apart
	site    string  // where Typed was called
}

// Error makes a typedInfo the answer of a Typed handler to describing.
func (t *typedInfo) Error() string { return "flagon: the description of a Typed handler" }

func (t *typedInfo) label() string {
	if t.name == "" {
		return "func literal"
	}
	return t.name
}

// check builds In's and Out's schemas once, so a type the document cannot
// express panics at registration rather than when the document is built.
func (t *typedInfo) check() error {
	if err := checkReads(t.in); err != nil {
		return err
	}
	return checkReturns(t.out)
}

// checkReads builds the parameters and body of struct type in, as the
// document will (Typed's In, Route.Reads).
func checkReads(in reflect.Type) error {
	_, err := newSchemaSet().operationInput(in)
	return err
}

// checkReturns builds the schema of out, as the document will (Typed's
// Out, Route.Returns).
func checkReturns(out reflect.Type) error {
	_, err := newSchemaSet().of(out, out.String())
	return err
}

// describing is the Context a Typed handler answers with its typedInfo,
// without running: the one pointer comparison it costs per request is the
// price of finding Typed's types without a registry.
var describing = new(Context)

// typedPrefix starts the symbol of every Typed handler's closure.
const typedPrefix = "github.com/flagon-go/flagon.Typed["

// typedOf returns the typedInfo of a handler made by Typed, or nil.
func typedOf(h HandlerFunc) *typedInfo {
	if h == nil {
		return nil
	}
	fn := runtime.FuncForPC(reflect.ValueOf(h).Pointer())
	if fn == nil || !strings.HasPrefix(fn.Name(), typedPrefix) {
		return nil
	}
	info, _ := h(describing).(*typedInfo)
	return info
}
