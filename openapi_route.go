package flagon

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/flagon-go/flagon/internal/binding"
)

// Status sets the status of the route's success answer: a Typed handler
// writes its Out with it unless fn calls c.Status, and the OpenAPI
// document states it as the success response. With 204 or 205, statuses
// that carry no body, a Typed handler sends the status alone and the
// document states no content. A plain handler still writes the status it
// gives; Status only tells the document which one that is. It panics for
// a code outside 200–299, for 204 or 205 on a route whose Returns
// describes a body, or once the app serves.
func (r *Route) Status(code int) *Route {
	site := callSite()
	r.owner.checkOpen(fmt.Sprintf("set the status of %s", r.rule))
	if code < 200 || code > 299 {
		panic(fmt.Sprintf("flagon: Status(%d) for %s at %s: the status of a success answer is 200–299; errors are answered by returning them (Abort)", code, r.rule, site))
	}
	if !bodyAllowed(code) && r.doc.returns != nil {
		panic(fmt.Sprintf("flagon: Status(%d) for %s at %s: a %d answer has no body, but Returns describes one; drop one of them", code, r.rule, site, code))
	}
	r.doc.status = code
	return r
}

// Reads says which struct the route's handler binds, so the document
// states its parameters and body as it does for a Typed handler's In,
// with the 400, 415, 422 and 413 answers Bind gives. in is a struct value
// or a pointer to one: .Reads(CreateUser{}) or .Reads((*CreateUser)(nil)).
// It panics when in is not a struct, when Bind cannot bind it or a field
// has no schema (a channel, a function), on a Typed route (whose In is
// known already), or once the app serves.
func (r *Route) Reads(in any) *Route {
	site := callSite()
	r.owner.checkOpen("set what " + r.rule + " reads")
	r.notTyped("Reads", site)
	t := reflect.TypeOf(in)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("flagon: Reads(%v) for %s at %s: give a struct value or a pointer to one, e.g. Reads(CreateUser{})", t, r.rule, site))
	}
	if p := binding.For(t); p.Err != nil {
		panic(fmt.Sprintf("%v (Reads for %s at %s)", p.Err, r.rule, site))
	}
	if err := checkReads(t); err != nil {
		panic(fmt.Sprintf("flagon: Reads(%s) for %s at %s: %v", t, r.rule, site, err))
	}
	r.doc.reads = t
	return r
}

// Returns says what the handler writes as JSON on success, for the
// document: the success response (at Status, else 200) has out's schema.
// It panics when out is nil or its type has no JSON schema (a channel, a
// function), on a Typed route (whose Out is known already), when Status
// is 204 or 205, or once the app serves.
func (r *Route) Returns(out any) *Route {
	site := callSite()
	r.owner.checkOpen("set what " + r.rule + " returns")
	r.notTyped("Returns", site)
	t := reflect.TypeOf(out)
	if t == nil {
		panic(fmt.Sprintf("flagon: Returns(nil) for %s at %s: give a value of the type the handler writes, e.g. Returns(User{})", r.rule, site))
	}
	if err := checkReturns(t); err != nil {
		panic(fmt.Sprintf("flagon: Returns(%s) for %s at %s: %v", t, r.rule, site, err))
	}
	if r.doc.status != 0 && !bodyAllowed(r.doc.status) {
		panic(fmt.Sprintf("flagon: Returns(%s) for %s at %s: the route's status %d has no body; drop Status or Returns", t, r.rule, site, r.doc.status))
	}
	r.doc.returns = t
	return r
}

// notTyped panics when r's handler is a Typed one, whose types the
// document knows already.
func (r *Route) notTyped(what, site string) {
	if t := typedOf(r.handler); t != nil {
		panic(fmt.Sprintf("flagon: %s for %s at %s: the route's handler is Typed(%s), whose In and Out the document already states; %s is for plain handlers", what, r.rule, site, t.label(), what))
	}
}

// bodyAllowed reports whether a success answer of status code has a body:
// 204 and 205 have none.
func bodyAllowed(code int) bool {
	return code != http.StatusNoContent && code != http.StatusResetContent
}
