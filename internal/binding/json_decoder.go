package binding

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast JSON decoder fills structs made of plain values (strings,
// numbers, bools, and pointers, slices and structs of those) in one pass
// over a body checkJSON has accepted, guided by a plan made once per type.
// It does what encoding/json does for these types, and leaves anything
// else to it: a type it has no plan for is decoded by encoding/json
// alone, and a value of the wrong kind makes it give up, so that
// encoding/json decodes the body again and reports the error its own way
// (decoding these types twice gives the same result as once).

// jsonType is how the fast decoder fills a value of one type.
type jsonType struct {
	t      reflect.Type
	kind   reflect.Kind
	elem   *jsonType   // pointers and slices
	fields []jsonField // structs
	ascii  bool        // structs: every field name is ASCII
}

// jsonField is one field a JSON object can set.
type jsonField struct {
	name  string
	index int
	typ   *jsonType
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	jsonNumberType      = reflect.TypeFor[json.Number]()
)

// fastJSONPlan returns the fast decoder's plan for struct type t, or nil
// when encoding/json must decode it: a field of a kind it does not handle
// (maps, interfaces, arrays, []byte), a type with its own UnmarshalJSON or
// UnmarshalText, an embedded struct, the ",string" option, or two fields
// under one name.
func fastJSONPlan(t reflect.Type) *jsonType {
	return buildJSONType(t, map[reflect.Type]bool{})
}

func buildJSONType(t reflect.Type, open map[reflect.Type]bool) *jsonType {
	if t == jsonNumberType || t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	jt := &jsonType{t: t, kind: t.Kind()}
	switch jt.kind {
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return jt
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Pointer { // encoding/json's null rules
			return nil
		}
		if jt.elem = buildJSONType(t.Elem(), open); jt.elem == nil {
			return nil
		}
		return jt
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // base64 in encoding/json
			return nil
		}
		if jt.elem = buildJSONType(t.Elem(), open); jt.elem == nil {
			return nil
		}
		return jt
	case reflect.Struct:
		if open[t] {
			return nil // a recursive type
		}
		open[t] = true
		defer delete(open, t)
		seen := map[string]bool{}
		jt.ascii = true
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if sf.Anonymous {
				return nil // encoding/json's embedding rules
			}
			if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !validJSONTag(name) {
				name = ""
			}
			if name == "" {
				name = sf.Name
			}
			if HasTagOption(opts, "string") || seen[name] {
				return nil
			}
			seen[name] = true
			for _, c := range []byte(name) {
				jt.ascii = jt.ascii && c < utf8.RuneSelf
			}
			ft := buildJSONType(sf.Type, open)
			if ft == nil {
				return nil
			}
			jt.fields = append(jt.fields, jsonField{name: name, index: i, typ: ft})
		}
		return jt
	}
	return nil
}

// HasTagOption reports whether a struct tag's comma-separated options
// (after the name) include want.
func HasTagOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// validJSONTag is encoding/json's rule for a usable tag name.
func validJSONTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// fastJSON decodes data, which checkJSON accepted, into v by plan jt. It
// returns false when encoding/json must decode it instead.
func fastJSON(data []byte, v reflect.Value, jt *jsonType) bool {
	d := jsonDec{d: data}
	if !d.value(v, jt) {
		return false
	}
	return skipSpace(data, d.i) == len(data)
}

// jsonDec is the fast decoder's position in a checked body.
type jsonDec struct {
	d []byte
	i int
}

func (d *jsonDec) value(v reflect.Value, jt *jsonType) bool {
	d.i = skipSpace(d.d, d.i)
	c := d.d[d.i]
	if c == 'n' { // null: pointers and slices become nil, the rest stay
		d.i += 4
		if jt.kind == reflect.Pointer || jt.kind == reflect.Slice {
			v.SetZero()
		}
		return true
	}
	switch jt.kind {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(jt.elem.t))
		}
		return d.value(v.Elem(), jt.elem)
	case reflect.String:
		if c != '"' {
			return false
		}
		s, ok := d.str()
		if !ok {
			return false
		}
		v.SetString(s)
		return true
	case reflect.Bool:
		switch c {
		case 't':
			v.SetBool(true)
			d.i += 4
		case 'f':
			v.SetBool(false)
			d.i += 5
		default:
			return false
		}
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		tok, ok := d.number(c)
		if !ok {
			return false
		}
		n, err := strconv.ParseInt(string(tok), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		tok, ok := d.number(c)
		if !ok {
			return false
		}
		n, err := strconv.ParseUint(string(tok), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
		return true
	case reflect.Float32, reflect.Float64:
		if c != '-' && (c < '0' || c > '9') {
			return false
		}
		end, _ := scanNumber(d.d, d.i)
		f, err := strconv.ParseFloat(string(d.d[d.i:end]), jt.t.Bits())
		if err != nil {
			return false
		}
		d.i = end
		v.SetFloat(f)
		return true
	case reflect.Slice:
		if c != '[' {
			return false
		}
		n := d.count()
		s := reflect.MakeSlice(jt.t, n, n)
		d.i++
		for k := 0; k < n; k++ {
			if !d.value(s.Index(k), jt.elem) {
				return false
			}
			d.i = skipSpace(d.d, d.i) + 1 // ',' or ']'
		}
		if n == 0 {
			d.i = skipSpace(d.d, d.i) + 1
		}
		v.Set(s)
		return true
	case reflect.Struct:
		if c != '{' {
			return false
		}
		d.i = skipSpace(d.d, d.i+1)
		if d.d[d.i] == '}' {
			d.i++
			return true
		}
		for {
			start := d.i + 1
			end, esc, _ := scanString(d.d, d.i)
			key := d.d[start : end-1]
			if esc {
				s, ok := unquoteJSON(key)
				if !ok {
					return false
				}
				key = []byte(s)
			}
			d.i = skipSpace(d.d, end) + 1 // ':'
			f, ok := jt.field(key)
			if !ok {
				return false
			}
			if f == nil {
				d.i = skipValue(d.d, skipSpace(d.d, d.i))
			} else if !d.value(v.Field(f.index), f.typ) {
				return false
			}
			d.i = skipSpace(d.d, d.i)
			if d.d[d.i] == '}' {
				d.i++
				return true
			}
			d.i = skipSpace(d.d, d.i+1) // ','
		}
	}
	return false
}

// field finds the field key sets as encoding/json does: the exact name,
// else the first name equal under case folding. ok is false when a key
// matches no name exactly and either has other than ASCII: Unicode
// folding is left to encoding/json.
func (jt *jsonType) field(key []byte) (f *jsonField, ok bool) {
	for i := range jt.fields {
		if string(key) == jt.fields[i].name {
			return &jt.fields[i], true
		}
	}
	if !jt.ascii {
		return nil, false
	}
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return nil, false
		}
	}
	for i := range jt.fields {
		if asciiEqualFold(key, jt.fields[i].name) {
			return &jt.fields[i], true
		}
	}
	return nil, true
}

// asciiEqualFold compares an ASCII key with an ASCII name under case
// folding.
func asciiEqualFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// number returns the token of an integer: false for anything else, so a
// fraction or an exponent goes to encoding/json's error.
func (d *jsonDec) number(c byte) ([]byte, bool) {
	if c != '-' && (c < '0' || c > '9') {
		return nil, false
	}
	end, _ := scanNumber(d.d, d.i)
	tok := d.d[d.i:end]
	if bytes.ContainsAny(tok, ".eE") {
		return nil, false
	}
	d.i = end
	return tok, true
}

// str returns the string at d.i and moves past it.
func (d *jsonDec) str() (string, bool) {
	start := d.i + 1
	end, esc, _ := scanString(d.d, d.i)
	d.i = end
	if !esc {
		return string(d.d[start : end-1]), true
	}
	return unquoteJSON(d.d[start : end-1])
}

// count returns the number of elements of the array at d.i.
func (d *jsonDec) count() int {
	i := skipSpace(d.d, d.i+1)
	if d.d[i] == ']' {
		return 0
	}
	n := 0
	for {
		n++
		i = skipSpace(d.d, skipValue(d.d, i))
		if d.d[i] == ']' {
			return n
		}
		i = skipSpace(d.d, i+1)
	}
}

// skipValue returns the index after the checked value at d[i].
func skipValue(d []byte, i int) int {
	switch d[i] {
	case '"':
		end, _, _ := scanString(d, i)
		return end
	case '{', '[':
		depth := 0
		for {
			switch d[i] {
			case '{', '[':
				depth++
				i++
			case '}', ']':
				depth--
				i++
				if depth == 0 {
					return i
				}
			case '"':
				i, _, _ = scanString(d, i)
			default:
				i++
			}
		}
	case 't', 'n':
		return i + 4
	case 'f':
		return i + 5
	}
	end, _ := scanNumber(d, i)
	return end
}

// unquoteJSON decodes the escapes of a checked string's contents.
func unquoteJSON(s []byte) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch s[i+1] {
		case '"', '\\', '/':
			b = append(b, s[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, _ := hex4(s, i+2)
			if utf16.IsSurrogate(r) {
				lo, _ := hex4(s, i+8)
				r = utf16.DecodeRune(r, lo)
				i += 6
			}
			b = utf8.AppendRune(b, r)
			i += 4
		default:
			return "", false
		}
		i += 2
	}
	return string(b), true
}
