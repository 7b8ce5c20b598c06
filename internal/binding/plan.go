package binding

import (
	"fmt"
	"net/textproto"
	"reflect"
	"strings"
	"sync"
)

// Sources of request data, as a FieldError's Source names them. A
// field's Source is one of the first five, or "" for a body field.
const (
	Path   = "path"
	Query  = "query"
	Header = "header"
	Cookie = "cookie"
	Form   = "form"
	JSON   = "json"
	XML    = "xml"
	Body   = "body"
)

// Plan is what binding needs to know about a struct type, worked out once
// per type by reflection and cached: where each field's value comes from,
// under which name, and how a string becomes its value. Bind, Typed and
// the OpenAPI document all read it.
type Plan struct {
	Fields   []Field  // every exported field, embedded structs' promoted
	Sourced  []int    // indexes into Fields of those with a path, query, header, cookie or form tag
	Err      error    // the type cannot be bound: a programming mistake
	defaults []int    // body fields (no source tag) with a default
	embedded []string // Go names of the flattened anonymous structs
	json     *jsonType
}

// Field is one field of a Plan.
type Field struct {
	Index  []int
	GoName string
	Source string // Path … Form, or "" for a body field
	Name   string // the source tag's name
	Key    string // the lookup key: the canonical header name, else Name
	JSON   string // the field's name in a JSON body ("" if it has none)
	XML    string // the field's name in an XML body
	InJSON bool   // a json tag names it: a JSON body may set a sourced field
	InXML  bool   // likewise for XML
	Many   bool   // a slice: takes every value, not the first
	Def    string // the default tag's value
	HasDef bool
	File   FileKind
	str    bool     // strings: an empty value is a value, not an absent one
	defAll []string // Def split at commas, for slices
	set    setter   // nil for files
}

// FileKind says whether a form field holds uploads.
type FileKind uint8

// The kinds of form field.
const (
	NotFile   FileKind = iota
	OneFile            // *multipart.FileHeader
	ManyFiles          // []*multipart.FileHeader
)

// sourceTags are the tags that name a field's source, in the order a
// field's client name is looked for.
var sourceTags = [...]string{Path, Query, Header, Cookie, Form}

var plans sync.Map // reflect.Type → *Plan

// For returns the cached plan of struct type t.
func For(t reflect.Type) *Plan {
	if p, ok := plans.Load(t); ok {
		return p.(*Plan)
	}
	p := &Plan{json: fastJSONPlan(t)}
	p.add(t, nil)
	for i := range p.Fields {
		f := &p.Fields[i]
		if f.Source != "" {
			p.Sourced = append(p.Sourced, i)
		} else if f.HasDef {
			p.defaults = append(p.defaults, i)
		}
	}
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*Plan)
}

// add records the exported fields of t, whose index path is prefix;
// anonymous struct fields without a tag of their own are flattened, as
// encoding/json does.
func (p *Plan) add(t reflect.Type, prefix []int) {
	for i := 0; i < t.NumField() && p.Err == nil; i++ {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && !hasAnyTag(sf.Tag) {
			p.embedded = append(p.embedded, sf.Name)
			p.add(sf.Type, index)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := Field{Index: index, GoName: sf.Name}
		f.JSON, f.InJSON = bodyName(sf, "json")
		f.XML, f.InXML = bodyName(sf, "xml")
		f.Def, f.HasDef = sf.Tag.Lookup("default")
		if f.HasDef {
			f.defAll = strings.Split(f.Def, ",")
		}
		f.Many = sf.Type.Kind() == reflect.Slice
		f.str = baseKind(sf.Type) == reflect.String && !reflect.PointerTo(baseType(sf.Type)).Implements(textUnmarshalerType)
		for _, src := range sourceTags {
			if name, ok := sf.Tag.Lookup(src); ok && name != "-" && name != "" {
				f.Source, f.Name, f.Key = src, name, name
				break
			}
		}
		if f.Source == Header {
			f.Key = textproto.CanonicalMIMEHeaderKey(f.Name)
		}
		switch sf.Type {
		case fileHeaderPtrType:
			f.File = OneFile
		case fileHeaderSliceType:
			f.File = ManyFiles
		}
		if f.File != NotFile {
			if f.Source != Form {
				p.Err = fmt.Errorf("flagon: Bind: field %s.%s holds uploads (%s) but has no form tag; add `form:\"name\"`", t, sf.Name, sf.Type)
			}
			p.Fields = append(p.Fields, f)
			continue
		}
		if f.Source != "" || f.HasDef {
			f.set = setterFor(sf.Type)
			if f.set == nil {
				tag := "default"
				if f.Source != "" {
					tag = f.Source
				}
				p.Err = fmt.Errorf("flagon: Bind: field %s.%s has a %s tag, but its type %s cannot be read from a string; use a string, number, bool, time.Time, time.Duration, an encoding.TextUnmarshaler, or a pointer or slice of one", t, sf.Name, tag, sf.Type)
			} else if f.HasDef {
				if err := f.set(reflect.New(sf.Type).Elem(), f.Def, f.defAll); err != nil {
					p.Err = fmt.Errorf("flagon: Bind: field %s.%s has default %q, which %s", t, sf.Name, f.Def, err)
				}
			}
		}
		p.Fields = append(p.Fields, f)
	}
}

func hasAnyTag(tag reflect.StructTag) bool {
	for _, k := range [...]string{"json", "xml", "path", "query", "header", "cookie", "form"} {
		if _, ok := tag.Lookup(k); ok {
			return true
		}
	}
	return false
}

// bodyName is the name encoding/json or encoding/xml gives the field: its
// tag's name, else the Go name; "" when the tag says "-". tagged reports
// whether the tag names the field.
func bodyName(sf reflect.StructField, tag string) (name string, tagged bool) {
	v, ok := sf.Tag.Lookup(tag)
	name, _, _ = strings.Cut(v, ",")
	if name == "-" && v == "-" {
		return "", false
	}
	if name == "" {
		return sf.Name, ok
	}
	return name, true
}

// baseType is t without pointers and slices around it.
func baseType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

func baseKind(t reflect.Type) reflect.Kind { return baseType(t).Kind() }

// SetBodyDefaults gives the body fields with a default tag their default
// when they are zero, before the body is decoded: what the body sets wins,
// what it leaves out keeps the default.
func (p *Plan) SetBodyDefaults(v reflect.Value) {
	for _, i := range p.defaults {
		f := &p.Fields[i]
		if fv := v.FieldByIndex(f.Index); fv.IsZero() {
			_ = f.set(fv, f.Def, f.defAll) // checked when the plan was made
		}
	}
}

// Fill stores into v the values a source sent for the field (every one
// for a slice, the first otherwise), or its default when it sent none.
// An empty value counts only for strings, so an empty number input is
// absent, not malformed. The error is the message for the client.
func (f *Field) Fill(v reflect.Value, all []string) error {
	switch {
	case present(all, f.str):
		return f.set(v, all[0], all)
	case f.HasDef:
		return f.set(v, f.Def, f.defAll)
	}
	return nil
}

// SetOne stores one value, a route variable's, into v.
func (f *Field) SetOne(v reflect.Value, s string) error { return f.set(v, s, nil) }

// present reports whether values hold a value: an empty one counts only for
// string fields.
func present(all []string, str bool) bool {
	if len(all) == 0 {
		return false
	}
	if str {
		return true
	}
	for _, s := range all {
		if s != "" {
			return true
		}
	}
	return false
}

// guarded reports whether a body of kind body could reach fields that only
// a source tag names.
func (p *Plan) guarded(body string) bool {
	for _, i := range p.Sourced {
		if f := &p.Fields[i]; !f.InBody(body) {
			return true
		}
	}
	return false
}

// InBody reports whether the body may set the field.
func (f *Field) InBody(body string) bool {
	switch body {
	case JSON:
		return f.Source == "" || f.InJSON
	case XML:
		return f.Source == "" || f.InXML
	}
	return true
}

// keep copies the fields the body must not reach (an invalid Value for a
// zero one), and restore puts them back after the body is decoded.
func (p *Plan) keep(v reflect.Value, body string) []reflect.Value {
	kept := make([]reflect.Value, 0, len(p.Sourced))
	for _, i := range p.Sourced {
		f := &p.Fields[i]
		if f.InBody(body) {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		if fv.IsZero() {
			kept = append(kept, reflect.Value{})
			continue
		}
		cp := reflect.New(fv.Type()).Elem()
		cp.Set(fv)
		kept = append(kept, cp)
	}
	return kept
}

func (p *Plan) restore(v reflect.Value, body string, kept []reflect.Value) {
	k := 0
	for _, i := range p.Sourced {
		f := &p.Fields[i]
		if f.InBody(body) {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		if kept[k].IsValid() {
			fv.Set(kept[k])
		} else {
			fv.SetZero()
		}
		k++
	}
}

// bodyName is the name of the field in a body of the given source.
func (f *Field) bodyName(body string) string {
	switch body {
	case JSON:
		return f.JSON
	case XML:
		return f.XML
	case Form:
		if f.Source == Form {
			return f.Name
		}
	}
	return ""
}

// byGoName returns the top-level field named name in Go, or nil.
func (p *Plan) byGoName(name string) *Field {
	for i := range p.Fields {
		if f := &p.Fields[i]; f.GoName == name {
			return f
		}
	}
	return nil
}

// clientName is the name the client gives the field and where it sent it,
// given the body the request had ("" for none). A form field that a json
// or xml tag also names is named by the body that came.
func (f *Field) clientName(body string) (string, string) {
	switch {
	case f.Source == Form && body == JSON && f.InJSON:
		return f.JSON, JSON
	case f.Source == Form && body == XML && f.InXML:
		return f.XML, XML
	case f.Source == Form && body == "" && f.InJSON:
		return f.JSON, JSON
	case f.Source != "":
		return f.Name, f.Source
	}
	if body == "" || body == Form {
		body = JSON
	}
	if n := f.bodyName(body); n != "" {
		return n, body
	}
	return f.GoName, body
}

// isEmbedded reports whether name is a flattened anonymous struct.
func (p *Plan) isEmbedded(name string) bool {
	for _, e := range p.embedded {
		if e == name {
			return true
		}
	}
	return false
}
