package flagon

import (
	"encoding/xml"
	"reflect"
	"strings"

	"github.com/flagon-go/flagon/internal/binding"
)

// The XML body of an operation. Bind decodes an XML body with
// encoding/xml, which reads untagged fields by their Go names too; the
// document states an application/xml body only for a struct that has xml
// tags, so it promises only what the struct declares. Its schema has the
// same property names as the JSON body's, each with an OpenAPI XML Object
// where the XML differs: the element's name, an attribute, a namespace.

var (
	xmlNameType        = reflect.TypeFor[xml.Name]()
	xmlUnmarshalerType = reflect.TypeFor[xml.Unmarshaler]()
)

// xmlField is a struct field as encoding/xml reads it.
type xmlField struct {
	sf   reflect.StructField
	prop string // the property name, the field's JSON name
	name string // its element's or attribute's local name
	ns   string // its namespace, if the tag gives one
	attr bool
}

// xmlStruct is what encoding/xml reads of a struct type.
type xmlStruct struct {
	fields   []xmlField
	root     string // the name XMLName's tag gives the element, if any
	rootNS   string
	declared bool // a field has an xml tag
}

// xmlFields lists the elements and attributes encoding/xml reads into
// struct type t: exported fields by their xml tag's name or Go name,
// embedded structs flattened. Character data, inner XML, comments, ",any"
// and "a>b" paths are left out: the XML Object cannot state them. With
// body set, t is a Bind struct, and a field that only a path, query,
// header, cookie or form tag names is left out too, as Bind keeps the body
// from it.
func xmlFields(t reflect.Type, body bool) xmlStruct {
	var out xmlStruct
	rootDepth := -1
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, tagged := sf.Tag.Lookup("xml")
			if tag == "-" || !sf.IsExported() && !sf.Anonymous {
				continue
			}
			out.declared = out.declared || tagged
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && ft.Kind() == reflect.Struct {
				walk(ft, append(append([]int(nil), index...), i))
				continue
			}
			if !sf.IsExported() {
				continue
			}
			var ns string
			if space, local, ok := strings.Cut(tag, " "); ok {
				ns, tag = space, local
			}
			name, opts, _ := strings.Cut(tag, ",")
			if sf.Name == "XMLName" && sf.Type == xmlNameType {
				if rootDepth < 0 || len(index) < rootDepth { // the outer struct's wins
					out.root, out.rootNS, rootDepth = name, ns, len(index)
				}
				continue
			}
			if !tagged && body && hasSourceTag(sf.Tag) {
				continue // Bind keeps the body from it
			}
			if binding.HasTagOption(opts, "chardata") || binding.HasTagOption(opts, "cdata") || binding.HasTagOption(opts, "innerxml") ||
				binding.HasTagOption(opts, "comment") || binding.HasTagOption(opts, "any") || strings.Contains(name, ">") {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			jsonTag := sf.Tag.Get("json")
			prop, _, _ := strings.Cut(jsonTag, ",")
			switch {
			case jsonTag == "-":
				prop = name // not in the JSON: the XML name is the property's
			case prop == "":
				prop = sf.Name
			}
			sf.Index = append(append([]int(nil), index...), i)
			out.fields = append(out.fields, xmlField{sf: sf, prop: prop, name: name, ns: ns, attr: binding.HasTagOption(opts, "attr")})
		}
	}
	walk(t, nil)
	return out
}

// hasSourceTag reports whether a field names its source with a path,
// query, header, cookie or form tag.
func hasSourceTag(tag reflect.StructTag) bool {
	for _, k := range [...]string{"path", "query", "header", "cookie", "form"} {
		if v, ok := tag.Lookup(k); ok && v != "" && v != "-" {
			return true
		}
	}
	return false
}

// xmlBody is the schema of the application/xml body of struct type t, a
// Bind struct, and whether the body is required; nil when t has no xml
// tags.
func (s *schemaSet) xmlBody(t reflect.Type) (schema, bool) {
	x := xmlFields(t, true)
	if !x.declared || len(x.fields) == 0 {
		return nil, false
	}
	m, required := s.xmlObject(x, map[reflect.Type]bool{t: true})
	root := x.root
	if root == "" {
		root = t.Name() // the name encoding/xml writes it under
	}
	if obj := xmlObject(root, x.rootNS, false); obj != nil {
		m["xml"] = obj
	}
	return m, len(required) > 0
}

// xmlObject is the OpenAPI XML Object of a name, or nil when it says
// nothing.
func xmlObject(name, ns string, attr bool) schema {
	m := schema{}
	if name != "" {
		m["name"] = name
	}
	if ns != "" {
		m["namespace"] = ns
	}
	if attr {
		m["attribute"] = true
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// xmlObject is the object schema of x's fields, with the names of its
// required properties; open holds the struct types being described, so a
// recursive type ends in a free-form object.
func (s *schemaSet) xmlObject(x xmlStruct, open map[reflect.Type]bool) (schema, []string) {
	props := schema{}
	var required []string
	for _, f := range x.fields {
		m, ok := s.xmlValue(f.sf.Type, open)
		if !ok {
			continue // a map, channel or interface: encoding/xml has no form for it
		}
		m = copySchema(m)
		req := applyRules(m, f.sf.Type, f.sf.Tag.Get("validate"))
		if def, ok := f.sf.Tag.Lookup("default"); ok {
			if v, ok := defaultValue(derefType(f.sf.Type), def); ok {
				m["default"] = v
			}
		}
		name := f.name
		if name == f.prop {
			name = ""
		}
		if obj := xmlObject(name, f.ns, f.attr); obj != nil {
			m["xml"] = obj
			if items, ok := m["items"].(schema); ok && name != "" {
				// An unwrapped array's elements are its items: the name
				// is theirs (and on the array too, where readers look).
				items = copySchema(items)
				items["xml"] = schema{"name": name}
				m["items"] = items
			}
		}
		props[f.prop] = m
		if req {
			required = append(required, f.prop)
		}
	}
	return objectSchema(props, required), required
}

// xmlValue is the schema of a value of type t as encoding/xml reads it
// from an element's or attribute's text, or from a nested element; false
// when encoding/xml cannot read one.
func (s *schemaSet) xmlValue(t reflect.Type, open map[reflect.Type]bool) (schema, bool) {
	if m, ok := provided(t); ok {
		return m, true
	}
	switch {
	case t == timeType:
		return schema{"type": "string", "format": "date-time"}, true
	case implements(t, xmlUnmarshalerType):
		return schema{}, true // the type reads what it likes
	case implements(t, textUnmarshalerType):
		return schema{"type": "string"}, true
	}
	switch k := t.Kind(); {
	case k == reflect.Pointer:
		return s.xmlValue(t.Elem(), open)
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return schema{"type": "string"}, true // the text itself
	case k == reflect.Slice:
		items, ok := s.xmlValue(t.Elem(), open)
		if !ok {
			return nil, false
		}
		return schema{"type": "array", "items": items}, true // the element repeated
	case k == reflect.Struct:
		if open[t] {
			return schema{"type": "object"}, true
		}
		open[t] = true
		m, _ := s.xmlObject(xmlFields(t, false), open)
		delete(open, t)
		return m, true
	case k == reflect.Bool, k == reflect.String, k == reflect.Float32, k == reflect.Float64, isIntKind(k):
		m, err := s.of(t, t.String())
		return m, err == nil
	}
	return nil, false
}
