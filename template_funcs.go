package flagon

import (
	"fmt"
	"html/template"
	"reflect"
	"unicode"
)

// TemplateFuncs adds functions to the ones every template can call (Gin's
// SetFuncMap, Flask's template_global). Register them before the app
// serves; a name clashing with a built-in helper replaces it.
//
// A function whose first parameter is *Context gets the Context of the
// request being rendered: templates call it without that argument, so
// func(c *flagon.Context, role string) bool registered as "has_role" is
// called as {{has_role "admin"}}. Like any template function, a function
// returns one value, or a value and an error that stops the page.
// TemplateFuncs panics, naming the function, when a value is not a
// function, returns anything else, or has a name templates cannot call.
func (a *App) TemplateFuncs(funcs template.FuncMap) {
	a.checkOpen("add template functions")
	if a.tmplFuncs == nil {
		a.tmplFuncs = template.FuncMap{}
	}
	for k, v := range funcs {
		a.tmplFuncs[k] = checkTemplateFunc(k, v)
	}
}

// contextFunc is a function of App.TemplateFuncs whose first parameter is
// *Context. a.tmplFuncs keeps it in place of the function itself, so that
// the reflection is done once, at registration.
type contextFunc struct {
	name string // set by splitTemplateFuncs
	fn   reflect.Value
	view reflect.Type // fn's type without the Context: what templates call
}

var contextType = reflect.TypeFor[*Context]()
var errorType = reflect.TypeFor[error]()

// checkTemplateFunc panics when fn cannot be a template function named
// name, and returns it, or a *contextFunc when it takes the Context.
func checkTemplateFunc(name string, fn any) any {
	v := reflect.ValueOf(fn)
	fail := func(why string) {
		panic(fmt.Sprintf("flagon: template function %q passed to TemplateFuncs at %s %s", name, callSite(), why))
	}
	if !templateName(name) {
		fail("has a name templates cannot call: use letters, digits and underscores, starting with a letter")
	}
	if v.Kind() != reflect.Func || v.IsNil() {
		fail(fmt.Sprintf("is a %T, not a function", fn))
	}
	t := v.Type()
	if n := t.NumOut(); n == 0 || n > 2 || n == 2 && t.Out(1) != errorType {
		fail("must return one value, or a value and an error")
	}
	if t.NumIn() == 0 || t.In(0) != contextType {
		return fn
	}
	in := make([]reflect.Type, t.NumIn()-1)
	for i := range in {
		in[i] = t.In(i + 1)
	}
	out := make([]reflect.Type, t.NumOut())
	for i := range out {
		out[i] = t.Out(i)
	}
	return &contextFunc{fn: v, view: reflect.FuncOf(in, out, t.IsVariadic())}
}

// templateName reports whether templates can call a function by name (the
// rule of text/template).
func templateName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_':
		case i == 0 && !unicode.IsLetter(r):
			return false
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}

// splitTemplateFuncs returns the functions templates are parsed with (the
// Context-taking ones as stand-ins, never called: the parsed master is
// never executed) and the Context-taking ones, which each clone binds.
func splitTemplateFuncs(funcs template.FuncMap) (template.FuncMap, []*contextFunc) {
	user := template.FuncMap{}
	var bound []*contextFunc
	var idle boundTemplate
	for name, fn := range funcs {
		if cf, ok := fn.(*contextFunc); ok {
			cf := *cf
			cf.name = name
			user[name] = idle.call(&cf)
			bound = append(bound, &cf)
			continue
		}
		user[name] = fn
	}
	return user, bound
}

// bind returns funcs as the templates of b call them.
func (b *boundTemplate) bind(funcs []*contextFunc) template.FuncMap {
	m := make(template.FuncMap, len(funcs))
	for _, cf := range funcs {
		m[cf.name] = b.call(cf)
	}
	return m
}

// call is cf as templates call it: it calls cf's function with the
// Context of b, then the template's arguments.
func (b *boundTemplate) call(cf *contextFunc) any {
	return reflect.MakeFunc(cf.view, func(args []reflect.Value) []reflect.Value {
		in := make([]reflect.Value, 1, len(args)+1)
		in[0] = reflect.ValueOf(b.c)
		in = append(in, args...)
		if cf.view.IsVariadic() {
			return cf.fn.CallSlice(in)
		}
		return cf.fn.Call(in)
	}).Interface()
}
