package flagon

import (
	"encoding"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bindPlan is what Bind needs to know about a struct type, worked out once
// per type by reflection and cached: where each field's value comes from,
// under which name, and how a string becomes its value.
type bindPlan struct {
	fields   []bindField // every exported field, embedded structs' promoted
	sourced  []int       // fields with a path, query, header, cookie or form tag
	defaults []int       // body fields (no source tag) with a default
	embedded []string    // Go names of the flattened anonymous structs
	json     *jsonType   // the fast JSON decoder's plan, nil to use encoding/json
	err      error       // the type cannot be bound: a programming mistake
}

// bindField is one field of a bindPlan.
type bindField struct {
	index  []int
	goName string
	source string // sourcePath … sourceForm, or "" for a body field
	name   string // the source tag's name (a header's canonical form in key)
	key    string // the lookup key: the canonical header name, else name
	json   string // the field's name in a JSON body ("" if it has none)
	xml    string // the field's name in an XML body
	inJSON bool   // a json tag names it: a JSON body may set a sourced field
	inXML  bool   // likewise for XML
	str    bool   // strings: an empty value is a value, not an absent one
	many   bool   // a slice: takes every value, not the first
	def    string
	defAll []string // def split at commas, for slices
	hasDef bool
	file   fileKind
	set    setter // nil for files
}

// fileKind says whether a form field holds uploads.
type fileKind uint8

const (
	notFile   fileKind = iota
	oneFile            // *multipart.FileHeader
	manyFiles          // []*multipart.FileHeader
)

// setter stores the values of a field: one for scalars, all for slices.
// Its error is the message for the client ("must be a whole number").
type setter func(v reflect.Value, one string, all []string) error

// sourceTags are the tags that name a field's source, in the order a
// field's client name is looked for.
var sourceTags = [...]string{sourcePath, sourceQuery, sourceHeader, sourceCookie, sourceForm}

var plans sync.Map // reflect.Type → *bindPlan

// planFor returns the cached plan of struct type t.
func planFor(t reflect.Type) *bindPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*bindPlan)
	}
	p := &bindPlan{json: fastJSONPlan(t)}
	p.add(t, nil)
	for i := range p.fields {
		f := &p.fields[i]
		if f.source != "" {
			p.sourced = append(p.sourced, i)
		} else if f.hasDef {
			p.defaults = append(p.defaults, i)
		}
	}
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*bindPlan)
}

// add records the exported fields of t, whose index path is prefix;
// anonymous struct fields without a tag of their own are flattened, as
// encoding/json does.
func (p *bindPlan) add(t reflect.Type, prefix []int) {
	for i := 0; i < t.NumField() && p.err == nil; i++ {
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
		f := bindField{index: index, goName: sf.Name}
		f.json, f.inJSON = bodyName(sf, "json")
		f.xml, f.inXML = bodyName(sf, "xml")
		f.def, f.hasDef = sf.Tag.Lookup("default")
		if f.hasDef {
			f.defAll = strings.Split(f.def, ",")
		}
		f.many = sf.Type.Kind() == reflect.Slice
		f.str = baseKind(sf.Type) == reflect.String && !reflect.PointerTo(baseType(sf.Type)).Implements(textUnmarshalerType)
		for _, src := range sourceTags {
			if name, ok := sf.Tag.Lookup(src); ok && name != "-" && name != "" {
				f.source, f.name, f.key = src, name, name
				break
			}
		}
		if f.source == sourceHeader {
			f.key = textproto.CanonicalMIMEHeaderKey(f.name)
		}
		switch sf.Type {
		case fileHeaderPtrType:
			f.file = oneFile
		case fileHeaderSliceType:
			f.file = manyFiles
		}
		if f.file != notFile {
			if f.source != sourceForm {
				p.err = fmt.Errorf("flagon: Bind: field %s.%s holds uploads (%s) but has no form tag; add `form:\"name\"`", t, sf.Name, sf.Type)
			}
			p.fields = append(p.fields, f)
			continue
		}
		if f.source != "" || f.hasDef {
			f.set = setterFor(sf.Type)
			if f.set == nil {
				tag := "default"
				if f.source != "" {
					tag = f.source
				}
				p.err = fmt.Errorf("flagon: Bind: field %s.%s has a %s tag, but its type %s cannot be read from a string; use a string, number, bool, time.Time, time.Duration, an encoding.TextUnmarshaler, or a pointer or slice of one", t, sf.Name, tag, sf.Type)
			} else if f.hasDef {
				if err := f.set(reflect.New(sf.Type).Elem(), f.def, f.defAll); err != nil {
					p.err = fmt.Errorf("flagon: Bind: field %s.%s has default %q, which %s", t, sf.Name, f.def, err)
				}
			}
		}
		p.fields = append(p.fields, f)
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

// setBodyDefaults gives the body fields with a default tag their default
// when they are zero, before the body is decoded: what the body sets wins,
// what it leaves out keeps the default.
func (p *bindPlan) setBodyDefaults(v reflect.Value) {
	for _, i := range p.defaults {
		f := &p.fields[i]
		if fv := v.FieldByIndex(f.index); fv.IsZero() {
			_ = f.set(fv, f.def, f.defAll) // checked when the plan was made
		}
	}
}

// guarded reports whether a body of kind body could reach fields that only
// a source tag names.
func (p *bindPlan) guarded(body string) bool {
	for _, i := range p.sourced {
		if f := &p.fields[i]; !f.inBody(body) {
			return true
		}
	}
	return false
}

// inBody reports whether the body may set the field.
func (f *bindField) inBody(body string) bool {
	switch body {
	case sourceJSON:
		return f.source == "" || f.inJSON
	case sourceXML:
		return f.source == "" || f.inXML
	}
	return true
}

// keep copies the fields the body must not reach (an invalid Value for a
// zero one), and restore puts them back after the body is decoded.
func (p *bindPlan) keep(v reflect.Value, body string) []reflect.Value {
	kept := make([]reflect.Value, 0, len(p.sourced))
	for _, i := range p.sourced {
		f := &p.fields[i]
		if f.inBody(body) {
			continue
		}
		fv := v.FieldByIndex(f.index)
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

func (p *bindPlan) restore(v reflect.Value, body string, kept []reflect.Value) {
	k := 0
	for _, i := range p.sourced {
		f := &p.fields[i]
		if f.inBody(body) {
			continue
		}
		fv := v.FieldByIndex(f.index)
		if kept[k].IsValid() {
			fv.Set(kept[k])
		} else {
			fv.SetZero()
		}
		k++
	}
}

// bodyName is the name of the field in a body of the given source.
func (f *bindField) bodyName(body string) string {
	switch body {
	case sourceJSON:
		return f.json
	case sourceXML:
		return f.xml
	case sourceForm:
		if f.source == sourceForm {
			return f.name
		}
	}
	return ""
}

// byGoName returns the top-level field named name in Go, or nil.
func (p *bindPlan) byGoName(name string) *bindField {
	for i := range p.fields {
		if f := &p.fields[i]; f.goName == name {
			return f
		}
	}
	return nil
}

// clientName is the name the client gives the field and where it sent it,
// given the body the request had ("" for none). A form field that a json
// or xml tag also names is named by the body that came.
func (f *bindField) clientName(body string) (string, string) {
	switch {
	case f.source == sourceForm && body == sourceJSON && f.inJSON:
		return f.json, sourceJSON
	case f.source == sourceForm && body == sourceXML && f.inXML:
		return f.xml, sourceXML
	case f.source == sourceForm && body == "" && f.inJSON:
		return f.json, sourceJSON
	case f.source != "":
		return f.name, f.source
	}
	if body == "" || body == sourceForm {
		body = sourceJSON
	}
	if n := f.bodyName(body); n != "" {
		return n, body
	}
	return f.goName, body
}

// isEmbedded reports whether name is a flattened anonymous struct.
func (p *bindPlan) isEmbedded(name string) bool {
	for _, e := range p.embedded {
		if e == name {
			return true
		}
	}
	return false
}

var (
	fileHeaderPtrType   = reflect.TypeFor[*multipart.FileHeader]()
	fileHeaderSliceType = reflect.TypeFor[[]*multipart.FileHeader]()
	timeType            = reflect.TypeFor[time.Time]()
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// setterFor returns how to store strings into a field of type t, or nil
// when strings cannot become a t.
func setterFor(t reflect.Type) setter {
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		elem := scalarSetter(t.Elem())
		if elem == nil {
			return nil
		}
		return func(v reflect.Value, one string, all []string) error {
			s := reflect.MakeSlice(t, 0, len(all))
			for _, a := range all {
				if a == "" && t.Elem().Kind() != reflect.String {
					continue
				}
				s = reflect.Append(s, reflect.Zero(t.Elem()))
				if err := elem(s.Index(s.Len()-1), a); err != nil {
					return err
				}
			}
			v.Set(s)
			return nil
		}
	}
	one := scalarSetter(t)
	if one == nil {
		return nil
	}
	return func(v reflect.Value, s string, _ []string) error { return one(v, s) }
}

// scalarSetter converts one string into a value of type t (or a pointer to
// one, allocated when there is a value).
func scalarSetter(t reflect.Type) func(reflect.Value, string) error {
	if t.Kind() == reflect.Pointer {
		elem := scalarSetter(t.Elem())
		if elem == nil {
			return nil
		}
		return func(v reflect.Value, s string) error {
			p := reflect.New(t.Elem())
			if err := elem(p.Elem(), s); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}
	}
	switch t {
	case timeType:
		return func(v reflect.Value, s string) error {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return errMessage("must be an RFC 3339 time, such as 2025-01-31T15:04:05Z")
			}
			v.Set(reflect.ValueOf(tm))
			return nil
		}
	case durationType:
		return func(v reflect.Value, s string) error {
			d, err := time.ParseDuration(s)
			if err != nil {
				return errMessage("must be a duration, such as 90s or 1h30m")
			}
			v.SetInt(int64(d))
			return nil
		}
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return func(v reflect.Value, s string) error {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return errMessage("is not valid: " + err.Error())
			}
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string) error { v.SetString(s); return nil }
	case reflect.Bool:
		return func(v reflect.Value, s string) error {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return errMessage("must be true or false")
			}
			v.SetBool(b)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseInt(s, 10, bits)
			if err != nil {
				return errMessage(numberRule(t))
			}
			v.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseUint(s, 10, bits)
			if err != nil {
				return errMessage(numberRule(t))
			}
			v.SetUint(n)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			f, err := strconv.ParseFloat(s, bits)
			if err != nil {
				return errMessage("must be a number")
			}
			v.SetFloat(f)
			return nil
		}
	}
	return nil
}

// errMessage is a setter's error: the message for the client.
type errMessage string

func (e errMessage) Error() string { return string(e) }

// numberRule says which numbers an integer type holds; the range is
// spelt out for the types narrower than 64 bits.
func numberRule(t reflect.Type) string {
	bits := t.Bits()
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if bits == 64 {
			return "must be a whole number"
		}
		return "must be a whole number from " + strconv.FormatInt(-1<<(bits-1), 10) + " to " + strconv.FormatInt(1<<(bits-1)-1, 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if bits == 64 {
			return "must be a whole number, 0 or more"
		}
		return "must be a whole number from 0 to " + strconv.FormatUint(1<<bits-1, 10)
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	}
	return ""
}
