package flagon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/flagon-go/flagon/internal/binding"
)

// OpenAPI returns the OpenAPI 3.1 document (JSON) of every route: each
// rule as a path ("/users/<int:id>" is "/users/{id}") with its variables
// typed by their converters; for Typed routes, the query, header, cookie
// and form parameters and the JSON (and, with xml tags, XML) body that
// In's tags and validate rules describe, the JSON of Out as the 200 answer
// (or Route.Status's), and the problem+json answers of a bad request (400,
// 415, 422, 413); for plain handlers, the same from Route.Reads and
// Route.Returns, else the rule's parameters and an undescribed answer. The
// info is Config.APITitle and APIVersion. The operationId is the endpoint,
// the tags those given with Route.Tags, else the blueprint's name.
// Mounted handlers (App.Mount) and methods OpenAPI has no name for are
// left out. docs/openapi.md lists what each tag and rule becomes.
//
// The first call freezes the app, as serving does (registration closes),
// and builds the document once; later calls return the same bytes, which
// the caller must not modify. The error names the route when a rule
// cannot be stated in OpenAPI (two rules of the same path and method that
// differ only in their converters).
func (a *App) OpenAPI() ([]byte, error) {
	if err := a.start(); err != nil {
		return nil, err
	}
	a.openapi.once.Do(func() { a.openapi.doc, a.openapi.err = a.buildOpenAPI() })
	return a.openapi.doc, a.openapi.err
}

// openapiCache holds the document App.OpenAPI built.
type openapiCache struct {
	once sync.Once
	doc  []byte
	err  error
}

// routeDoc is what Route.Summary, Tags, Status, Reads and Returns set.
type routeDoc struct {
	summary string
	tags    []string
	status  int          // the success status (Route.Status); 0: 200
	reads   reflect.Type // a plain handler's bound struct (Route.Reads)
	returns reflect.Type // a plain handler's JSON answer (Route.Returns)
}

// Summary sets the route's one-line summary in the OpenAPI document. It
// panics once the app serves.
func (r *Route) Summary(s string) *Route {
	r.owner.checkOpen("set the summary of " + r.rule)
	r.doc.summary = s
	return r
}

// Tags sets the route's tags in the OpenAPI document, in place of its
// blueprint's name. It panics on an empty tag, or once the app serves.
func (r *Route) Tags(tags ...string) *Route {
	r.owner.checkOpen("set the tags of " + r.rule)
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			panic(fmt.Sprintf("flagon: empty tag for %s (registered at %s)", r.rule, r.site))
		}
	}
	r.doc.tags = append([]string(nil), tags...)
	return r
}

// openapiMethods are the methods an OpenAPI 3.1 path item has a field for.
var openapiMethods = map[string]string{
	http.MethodGet: "get", http.MethodPut: "put", http.MethodPost: "post", http.MethodDelete: "delete",
	http.MethodOptions: "options", http.MethodHead: "head", http.MethodPatch: "patch", http.MethodTrace: "trace",
}

// operation is one method of one route in the document being built.
type operation struct {
	op       schema
	endpoint string
	method   string
}

func (a *App) buildOpenAPI() ([]byte, error) {
	s := newSchemaSet()
	errs := errorComponents(s)
	paths := map[string]schema{}
	shapes := map[string]*parsedRule{} // shape → the first rule of it, whose names the path has
	sites := map[string]*Route{}       // path + method → its route
	var ops []operation
	tagSet := map[string]bool{}
	for _, r := range a.all {
		if len(r.methods) > 0 && r.methods[0] == anyMethod {
			continue // Mount: a handler of its own
		}
		shape := r.parsed.shape()
		first, ok := shapes[shape]
		if !ok {
			shapes[shape], first = r.parsed, r.parsed
		}
		path := openapiPath(first)
		op, err := a.operation(s, r, first.names)
		if err != nil {
			return nil, err
		}
		for _, t := range op["tags"].([]string) {
			tagSet[t] = true
		}
		if len(op["tags"].([]string)) == 0 {
			delete(op, "tags")
		}
		item := paths[path]
		if item == nil {
			item = schema{}
			paths[path] = item
		}
		for _, m := range r.methods {
			name, ok := openapiMethods[m]
			if !ok {
				continue
			}
			if other := sites[path+" "+m]; other != nil {
				return nil, fmt.Errorf("flagon: OpenAPI: %s %s (registered at %s) and %s %s (registered at %s) are the same OpenAPI path %s; OpenAPI cannot tell rules apart by their converters, so give one of them another path", m, other.rule, other.site, m, r.rule, r.site, path)
			}
			sites[path+" "+m] = r
			o := copySchema(op)
			item[name] = o
			ops = append(ops, operation{op: o, endpoint: r.endpoint, method: name})
		}
	}
	nameOperations(ops)
	for name, c := range errs {
		s.comps[name] = c
	}
	doc := schema{
		"openapi": "3.1.0",
		"info":    schema{"title": stringOr(a.Config.APITitle, defaultAPITitle), "version": stringOr(a.Config.APIVersion, defaultAPIVersion)},
		"paths":   paths,
		"components": schema{
			"schemas":   s.comps,
			"responses": errorResponses(),
		},
	}
	if len(tagSet) > 0 {
		names := make([]string, 0, len(tagSet))
		for t := range tagSet {
			names = append(names, t)
		}
		sort.Strings(names)
		tags := make([]schema, len(names))
		for i, t := range names {
			tags[i] = schema{"name": t}
		}
		doc["tags"] = tags
	}
	return json.MarshalIndent(doc, "", "  ")
}

// stringOr is s, or def when s is empty.
func stringOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// nameOperations sets each operation's operationId to its endpoint, with
// "_method" added where an endpoint has several operations (a rule with
// several methods, or several rules) and a number where that is not
// enough; routes without an endpoint have none.
func nameOperations(ops []operation) {
	count := map[string]int{}
	for _, o := range ops {
		count[o.endpoint]++
	}
	used := map[string]bool{}
	for _, o := range ops {
		if o.endpoint == "" {
			continue
		}
		id := o.endpoint
		if count[id] > 1 {
			id += "_" + o.method
		}
		for i, base := 2, id; used[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		used[id] = true
		o.op["operationId"] = id
	}
}

// openapiPath is the rule in OpenAPI's form: "/users/<int:id>" is
// "/users/{id}".
func openapiPath(p *parsedRule) string {
	var b strings.Builder
	vars := 0
	for _, seg := range p.segs {
		b.WriteByte('/')
		if seg.spec.kind == kindStatic {
			b.WriteString(seg.static)
			continue
		}
		b.WriteString("{" + p.names[vars] + "}")
		vars++
	}
	return b.String()
}

// operation is the operation of route r, whose path variables the
// document names names.
func (a *App) operation(s *schemaSet, r *Route, names []string) (schema, error) {
	op := schema{}
	var params []schema
	vars := 0
	for _, seg := range r.parsed.segs {
		if seg.spec.kind == kindStatic {
			continue
		}
		p := schema{"name": names[vars], "in": "path", "required": true, "schema": converterSchema(seg.spec)}
		if seg.spec.kind == kindPath {
			p["description"] = "The rest of the path; it may contain slashes."
		}
		params = append(params, p)
		vars++
	}
	responses := schema{}
	in, out := r.doc.reads, r.doc.returns // a plain handler's, from Reads and Returns
	t := typedOf(r.handler)
	if t != nil {
		in, out = t.in, t.out
	}
	status := r.doc.status
	if status == 0 {
		status = http.StatusOK
	}
	code := fmt.Sprint(status)
	if in != nil {
		input, err := s.operationInput(in)
		if err != nil {
			return nil, fmt.Errorf("flagon: OpenAPI: %s (registered at %s): %w", r.rule, r.site, err)
		}
		params = append(params, input.params...)
		if input.body != nil {
			op["requestBody"] = input.body
			responses["413"] = responseRef("ContentTooLarge")
			responses["415"] = responseRef("UnsupportedMediaType")
		}
		if input.fields {
			responses["400"] = responseRef("BadRequest")
			responses["422"] = responseRef("UnprocessableEntity")
		}
	}
	switch {
	case out != nil && !bodyAllowed(status):
		responses[code] = schema{"description": http.StatusText(status)}
	case out != nil:
		m, err := s.of(out, out.String())
		if err != nil {
			return nil, fmt.Errorf("flagon: OpenAPI: %s (registered at %s): %w", r.rule, r.site, err)
		}
		responses[code] = schema{"description": http.StatusText(status), "content": schema{"application/json": schema{"schema": m}}}
	default:
		if r.doc.status != 0 {
			responses[code] = schema{"description": http.StatusText(status) + "; the document does not describe its body."}
		}
		responses["default"] = schema{"description": "The handler's answer, which the document does not describe."}
	}
	if vars > 0 {
		responses["404"] = responseRef("NotFound")
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	op["responses"] = responses
	if r.doc.summary != "" {
		op["summary"] = r.doc.summary
	}
	tags := r.doc.tags
	if tags == nil && r.prefix != "" {
		tags = []string{strings.TrimSuffix(r.prefix, ".")}
	}
	op["tags"] = append([]string{}, tags...)
	return op, nil
}

// converterSchema is the schema of a rule variable, from its converter.
func converterSchema(spec converterSpec) schema {
	switch spec.kind {
	case kindInt:
		return schema{"type": "integer", "format": "int64", "minimum": 0}
	case kindFloat:
		return schema{"type": "number", "minimum": 0}
	case kindUUID:
		return schema{"type": "string", "format": "uuid"}
	case kindAny:
		words := spec.conv.(anyConverter)
		enum := make([]any, len(words))
		for i, w := range words {
			enum[i] = w
		}
		return schema{"type": "string", "enum": enum}
	case kindCustom:
		if p, ok := spec.conv.(schemaProvider); ok {
			return p.OpenAPISchema()
		}
	}
	return schema{"type": "string", "minLength": 1}
}

// operationInput is what a Typed handler's In reads, as the document
// states it.
type operationInput struct {
	params []schema // query, header and cookie parameters
	body   schema   // the requestBody, nil when In reads no body
	fields bool     // In reads more than the path: a 400 or 422 can come
}

// operationInput reads In's binding plan, the one Bind uses: fields with
// a query, header or cookie tag are parameters; form fields and JSON body
// fields make the request body. Path fields are stated by the rule's
// converters.
func (s *schemaSet) operationInput(t reflect.Type) (*operationInput, error) {
	p := binding.For(t)
	if p.Err != nil {
		return nil, p.Err
	}
	in := &operationInput{}
	jsonProps, formProps := schema{}, schema{}
	var jsonReq, formReq []string
	files, sourced := false, false
	for i := range p.Fields {
		f := &p.Fields[i]
		sf := t.FieldByIndex(f.Index)
		where := t.String() + "." + f.GoName
		rules := sf.Tag.Get("validate")
		switch f.Source {
		case binding.Query, binding.Header, binding.Cookie, binding.Form:
			var m schema
			if f.File == binding.OneFile {
				m = schema{"type": "string", "contentMediaType": "application/octet-stream"}
				files = true
			} else if f.File == binding.ManyFiles {
				m = schema{"type": "array", "items": schema{"type": "string", "contentMediaType": "application/octet-stream"}}
				files = true
			} else {
				m = paramSchema(sf.Type)
			}
			required := applyRules(m, sf.Type, rules)
			if f.HasDef {
				if v, ok := defaultValue(derefType(sf.Type), f.Def); ok {
					m["default"] = v
				}
			}
			if f.Source == binding.Form {
				formProps[f.Name] = m
				if required {
					formReq = append(formReq, f.Name)
				}
				break
			}
			param := schema{"name": f.Name, "in": f.Source, "schema": m}
			if required {
				param["required"] = true
			}
			in.params = append(in.params, param)
		}
		if f.Source != "" {
			sourced = true
		}
		if f.Source != binding.Path {
			in.fields = true // a path value is the converter's: it matched
		}
		if !f.InBody(binding.JSON) || f.JSON == "" {
			continue
		}
		tag := sf.Tag.Get("json")
		_, opts, _ := strings.Cut(tag, ",")
		m, req, err := s.field(schemaField{sf: sf, name: f.JSON, omitEmpty: binding.HasTagOption(opts, "omitempty") || binding.HasTagOption(opts, "omitzero"), asString: binding.HasTagOption(opts, "string")}, where)
		if err != nil {
			return nil, err
		}
		jsonProps[f.JSON] = m
		if req {
			jsonReq = append(jsonReq, f.JSON)
		}
	}
	content := schema{}
	required := false
	if len(jsonProps) > 0 {
		var body schema
		if !sourced && t.Name() != "" {
			var err error
			if body, err = s.ref(t, t.String()); err != nil {
				return nil, err
			}
		} else {
			body = objectSchema(jsonProps, jsonReq)
		}
		content["application/json"] = schema{"schema": body}
		required = len(jsonReq) > 0
	}
	if len(formProps) > 0 {
		form := schema{"schema": objectSchema(formProps, formReq)}
		if !files {
			content["application/x-www-form-urlencoded"] = form
		}
		content["multipart/form-data"] = form
		required = required || len(formReq) > 0
	}
	if x, req := s.xmlBody(t); x != nil { // see openapi_xml.go
		content["application/xml"] = schema{"schema": x}
		required = required || req
	}
	if len(content) > 0 {
		in.body = schema{"content": content}
		if required {
			in.body["required"] = true
		}
	}
	return in, nil
}

// paramSchema is the schema of a parameter read from text by Bind: a
// slice is an array of its items (the parameter repeated).
func paramSchema(t reflect.Type) schema {
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		return schema{"type": "array", "items": paramSchema(t.Elem())}
	}
	t = derefType(t)
	if m, ok := provided(t); ok {
		return copySchema(m)
	}
	switch {
	case t == timeType:
		return schema{"type": "string", "format": "date-time"}
	case t == durationType:
		return schema{"type": "string", "description": "A duration such as 90s or 1h30m."}
	case implements(t, textUnmarshalerType):
		return schema{"type": "string"}
	}
	switch k := t.Kind(); {
	case k == reflect.Bool:
		return schema{"type": "boolean"}
	case isIntKind(k):
		return integerSchema(t)
	case k == reflect.Float32:
		return schema{"type": "number", "format": "float"}
	case k == reflect.Float64:
		return schema{"type": "number", "format": "double"}
	}
	return schema{"type": "string"}
}

func responseRef(name string) schema {
	return schema{"$ref": "#/components/responses/" + name}
}

// errorComponents reserves the names of the error schemas in s and
// returns them: Problem (RFC 9457, the default error answer), BindError
// (a Problem with the fields at fault) and FieldError.
func errorComponents(s *schemaSet) map[string]schema {
	s.owner["Problem"] = reflect.TypeFor[problem]()
	s.owner["BindError"] = reflect.TypeFor[BindError]()
	fe, _ := s.of(reflect.TypeFor[FieldError](), "FieldError") // its own component
	props := func() schema {
		return schema{
			"type":       schema{"type": "string"},
			"title":      schema{"type": "string"},
			"status":     schema{"type": "integer"},
			"detail":     schema{"type": "string"},
			"request_id": schema{"type": "string"},
		}
	}
	bind := props()
	bind["errors"] = schema{"type": "array", "items": fe}
	return map[string]schema{
		"Problem":   objectSchema(props(), []string{"type", "title", "status"}),
		"BindError": objectSchema(bind, []string{"type", "title", "status", "errors"}),
	}
}

// errorResponses are the error answers operations refer to: problem+json,
// or a small HTML page for clients that prefer HTML (see renderError).
func errorResponses() schema {
	answer := func(desc, comp string) schema {
		return schema{"description": desc, "content": schema{
			"application/problem+json": schema{"schema": schema{"$ref": "#/components/schemas/" + comp}},
			"text/html":                schema{"schema": schema{"type": "string"}}, // for clients that prefer HTML
		}}
	}
	return schema{
		"BadRequest":           answer("The request data is malformed.", "BindError"),
		"UnsupportedMediaType": answer("The request body has a media type the server does not read.", "BindError"),
		"UnprocessableEntity":  answer("The request data fails validation.", "BindError"),
		"NotFound":             answer("No such resource.", "Problem"),
		"MethodNotAllowed":     answer("The path does not take this method.", "Problem"),
		"ContentTooLarge":      answer("The request body is larger than the server accepts.", "Problem"),
	}
}
