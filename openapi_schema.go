package flagon

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/flagon-go/flagon/internal/binding"
)

// schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses it) as it is
// written into the document.
type schema = map[string]any

// The types the document describes by what they read and write as text.
var (
	timeType            = reflect.TypeFor[time.Time]()
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaProvider is the optional interface of a type, or of a custom
// Converter, that gives its own JSON Schema: a type the document would
// otherwise describe as free-form (a json.Marshaler) or wrongly, or a
// converter whose segments are more than strings.
type schemaProvider interface {
	OpenAPISchema() map[string]any
}

var (
	schemaProviderType = reflect.TypeFor[schemaProvider]()
	jsonMarshalerType  = reflect.TypeFor[json.Marshaler]()
	textMarshalerType  = reflect.TypeFor[encoding.TextMarshaler]()
	rawMessageType     = reflect.TypeFor[json.RawMessage]()
)

// schemaSet builds the schemas of one document: named struct types become
// components, referenced by $ref, each under a name no other type has.
type schemaSet struct {
	comps map[string]schema       // component name → schema
	names map[reflect.Type]string // named struct type → component name
	owner map[string]reflect.Type // component name → its type
}

func newSchemaSet() *schemaSet {
	return &schemaSet{comps: map[string]schema{}, names: map[reflect.Type]string{}, owner: map[string]reflect.Type{}}
}

// provided returns the schema t gives itself, through OpenAPISchema on its
// value or its pointer.
func provided(t reflect.Type) (schema, bool) {
	switch {
	case t.Implements(schemaProviderType):
		return reflect.Zero(t).Interface().(schemaProvider).OpenAPISchema(), true
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(schemaProviderType):
		return reflect.New(t).Interface().(schemaProvider).OpenAPISchema(), true
	}
	return nil, false
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface)
}

// of returns the schema of a value of type t in a JSON body, as
// encoding/json writes and reads it. where names the value for errors
// ("CreateUser.Tags[]").
func (s *schemaSet) of(t reflect.Type, where string) (schema, error) {
	if m, ok := provided(t); ok {
		return m, nil
	}
	switch {
	case t == timeType:
		return schema{"type": "string", "format": "date-time"}, nil
	case t == rawMessageType, implements(t, jsonMarshalerType):
		return schema{}, nil // free-form: the type writes its own JSON
	case implements(t, textMarshalerType):
		return schema{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return schema{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return integerSchema(t), nil
	case reflect.Float32:
		return schema{"type": "number", "format": "float"}, nil
	case reflect.Float64:
		return schema{"type": "number", "format": "double"}, nil
	case reflect.String:
		return schema{"type": "string"}, nil
	case reflect.Interface:
		return schema{}, nil // any value
	case reflect.Pointer:
		return s.of(t.Elem(), where)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), jsonMarshalerType) && !implements(t.Elem(), textMarshalerType) {
			return schema{"type": "string", "contentEncoding": "base64"}, nil
		}
		items, err := s.of(t.Elem(), where+"[]")
		if err != nil {
			return nil, err
		}
		return schema{"type": "array", "items": items}, nil
	case reflect.Array:
		items, err := s.of(t.Elem(), where+"[]")
		if err != nil {
			return nil, err
		}
		return schema{"type": "array", "items": items, "minItems": t.Len(), "maxItems": t.Len()}, nil
	case reflect.Map:
		k := t.Key()
		if k.Kind() != reflect.String && !implements(k, textMarshalerType) && !isIntKind(k.Kind()) {
			return nil, fmt.Errorf("%s is a map keyed by %s, which JSON cannot write", where, k)
		}
		vals, err := s.of(t.Elem(), where+"[]")
		if err != nil {
			return nil, err
		}
		return schema{"type": "object", "additionalProperties": vals}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return s.object(t, where)
		}
		return s.ref(t, where)
	}
	return nil, fmt.Errorf("%s is a %s, which has no JSON form; leave it out of the JSON (json:\"-\") or give its type an OpenAPISchema method", where, t)
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// integerSchema is the integer schema of an integer kind, bounded when
// the kind is narrower than its format.
func integerSchema(t reflect.Type) schema {
	m := schema{"type": "integer"}
	bits := t.Bits()
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		m["format"] = "int64"
	case reflect.Int32:
		m["format"] = "int32"
	case reflect.Int8, reflect.Int16:
		m["format"] = "int32"
		m["minimum"], m["maximum"] = -(1 << (bits - 1)), 1<<(bits-1)-1
	default: // unsigned
		m["minimum"] = 0
		if bits < 64 {
			m["maximum"] = uint64(1)<<bits - 1
		}
	}
	return m
}

// ref returns a $ref to the component of the named struct type t, made on
// first use.
func (s *schemaSet) ref(t reflect.Type, where string) (schema, error) {
	name, ok := s.names[t]
	if !ok {
		name = s.componentName(t)
		s.names[t] = name
		s.owner[name] = t
		s.comps[name] = nil // taken: recursive types refer to it
		obj, err := s.object(t, t.String())
		if err != nil {
			delete(s.names, t)
			delete(s.comps, name)
			delete(s.owner, name)
			return nil, err
		}
		s.comps[name] = obj
	}
	return schema{"$ref": "#/components/schemas/" + name}, nil
}

// componentName is the name of t's component: its Go name, with the
// package's when two packages have a type of that name; generic type
// arguments are spelt with "_" (Page[main.User] is Page_User).
func (s *schemaSet) componentName(t reflect.Type) string {
	name := componentChars(t.Name())
	if other, taken := s.owner[name]; !taken || other == t {
		return name
	}
	pkg := t.PkgPath()
	pkg = pkg[strings.LastIndexByte(pkg, '/')+1:]
	base := componentChars(pkg) + "." + name
	name = base
	for i := 2; s.owner[name] != nil; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// componentChars keeps what a component name may hold: letters, digits,
// ".", "-" and "_"; a generic's arguments lose their package paths.
func componentChars(s string) string {
	var b strings.Builder
	word := 0 // start of the current word, to drop a package path
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		case c == '.' || c == '/':
			// "[main.User" → drop "main": cut back to the word's start.
			str := b.String()[:word]
			b.Reset()
			b.WriteString(str)
		default: // "[", "]", ",", "*", " "
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") && c != ']' {
				b.WriteByte('_')
			}
			word = b.Len()
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// schemaField is a struct field as encoding/json sees it.
type schemaField struct {
	sf        reflect.StructField
	name      string
	omitEmpty bool
	asString  bool // the ",string" option
}

// schemaFields lists the fields encoding/json writes for struct type t:
// exported fields by their json names, untagged embedded structs
// flattened, the shallower of two same-named fields winning.
func schemaFields(t reflect.Type) []schemaField {
	var out []schemaField
	seen := map[string]int{} // name → depth
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, append(append([]int(nil), index...), i), depth+1)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if d, ok := seen[name]; ok && d <= depth {
				continue
			}
			seen[name] = depth
			sf.Index = append(append([]int(nil), index...), i)
			f := schemaField{sf: sf, name: name, omitEmpty: binding.HasTagOption(opts, "omitempty") || binding.HasTagOption(opts, "omitzero")}
			f.asString = binding.HasTagOption(opts, "string")
			out = append(out, f)
		}
	}
	walk(t, nil, 0)
	return out
}

// object is the object schema of struct type t.
func (s *schemaSet) object(t reflect.Type, where string) (schema, error) {
	props := schema{}
	var required []string
	for _, f := range schemaFields(t) {
		m, req, err := s.field(f, where+"."+f.sf.Name)
		if err != nil {
			return nil, err
		}
		props[f.name] = m
		if req {
			required = append(required, f.name)
		}
	}
	return objectSchema(props, required), nil
}

func objectSchema(props schema, required []string) schema {
	m := schema{"type": "object", "properties": props}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

// field is the schema of one JSON field with its validate rules, and
// whether the rules make it required.
func (s *schemaSet) field(f schemaField, where string) (schema, bool, error) {
	t := f.sf.Type
	m, err := s.of(t, where)
	if err != nil {
		return nil, false, err
	}
	if f.asString && isScalarKind(derefType(t).Kind()) {
		m = schema{"type": "string"}
	}
	m = copySchema(m)
	required := applyRules(m, t, f.sf.Tag.Get("validate"))
	if def, ok := f.sf.Tag.Lookup("default"); ok {
		if v, ok := defaultValue(derefType(t), def); ok {
			m["default"] = v
		}
	}
	if !required && !f.omitEmpty {
		m = nullable(m, t)
	}
	return m, required, nil
}

func isScalarKind(k reflect.Kind) bool {
	return k == reflect.Bool || k == reflect.String || k == reflect.Float32 || k == reflect.Float64 || isIntKind(k)
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// nullable lets m be null where encoding/json writes null for t's nil
// value (a pointer, slice or map) and reads null into it.
func nullable(m schema, t reflect.Type) schema {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map:
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return m // nil []byte is null too, but documented as a string
		}
	default:
		return m
	}
	if typ, ok := m["type"].(string); ok {
		m["type"] = []string{typ, "null"}
		return m
	}
	if len(m) == 0 {
		return m // free-form already holds null
	}
	return schema{"anyOf": []any{m, schema{"type": "null"}}}
}

// copySchema copies the top level of m, so rules never change a shared
// schema (a component's $ref, a provided one).
func copySchema(m schema) schema {
	out := make(schema, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// defaultValue is the value of a default tag as JSON: a number for a
// number field, a boolean for a bool, an array for a slice, else the text.
func defaultValue(t reflect.Type, def string) (any, bool) {
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		var out []any
		for _, d := range strings.Split(def, ",") {
			v, ok := defaultValue(derefType(t.Elem()), d)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	}
	return typedLiteral(t, def)
}

// typedLiteral is text as a JSON value of kind t: a number for number
// kinds (refused when it is not one), true or false for bool, else the text.
func typedLiteral(t reflect.Type, text string) (any, bool) {
	if t == timeType || t == durationType || implements(t, textUnmarshalerType) {
		return text, true
	}
	switch k := t.Kind(); {
	case isIntKind(k), k == reflect.Float32, k == reflect.Float64:
		if !binding.IsJSONNumber(text) {
			return nil, false
		}
		return json.Number(text), true
	case k == reflect.Bool:
		switch text {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	}
	return text, true
}
