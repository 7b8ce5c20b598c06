package binding

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
)

// maxJSONDepth is how deeply objects and arrays may nest in a JSON body;
// deeper is malformed (encoding/json alone allows 10 000).
const maxJSONDepth = 512

// decodeJSON decodes a JSON body strictly into dst: checkJSON first refuses
// what encoding/json lets through (duplicate keys, invalid UTF-8, deep
// nesting), then the fast decoder fills dst when p has a plan for it
// (v is dst's struct), else encoding/json.
func decodeJSON(data []byte, dst any, p *Plan, v reflect.Value) error {
	if e := checkJSON(data); e != nil {
		return e
	}
	if p != nil && p.json != nil && fastJSON(data, v, p.json) {
		return nil
	}
	err := unmarshalJSON(data, dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return Malformed(JSON, te.Field, "type", "must be "+jsonTypeName(te.Type)+", not "+jsonValueName(te.Value), err)
	}
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ie) {
		return err // a programming mistake: 500
	}
	// An UnmarshalJSON method refused its value (time.Time, custom types).
	return Malformed(JSON, "", "type", "A value in the JSON body is not valid: "+err.Error()+".", err)
}

// jsonDecoder is a json.Decoder kept for reuse: unlike json.Unmarshal it
// keeps its scanner and decode state, so decoding allocates only what the
// value holds.
type jsonDecoder struct {
	src bytes.Reader
	dec *json.Decoder
}

var jsonDecoders = sync.Pool{New: func() any {
	d := &jsonDecoder{}
	d.dec = json.NewDecoder(&d.src)
	return d
}}

// unmarshalJSON is json.Unmarshal for data checkJSON accepted: one value
// and white space. A decoder goes back to the pool only after a clean
// decode of a small body, when all it holds is that white space.
func unmarshalJSON(data []byte, dst any) error {
	d := jsonDecoders.Get().(*jsonDecoder)
	d.src.Reset(data)
	err := d.dec.Decode(dst)
	d.src.Reset(nil)
	if err == nil && len(data) <= maxPooledBody {
		jsonDecoders.Put(d)
	}
	return err
}

// jsonTypeName describes a Go type by the JSON it accepts.
func jsonTypeName(t reflect.Type) string {
	if t == timeType {
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	if r := numberRule(t); r != "" {
		return r[len("must be "):]
	}
	return "a " + t.String()
}

// jsonValueName describes what encoding/json found ("number 1e99").
func jsonValueName(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "bool":
		return "true or false"
	}
	return v
}

// keySpan is an object key seen by checkJSON: its bytes between the
// quotes, a hash of them, and whether it has escapes (then it is compared
// decoded).
type keySpan struct {
	start, end int32
	hash       uint32
	esc        bool
}

// jsonFrame is an open object or array in checkJSON.
type jsonFrame struct {
	obj  bool
	esc  bool                // some key of this object has escapes
	keys int32               // where this object's keys start in the key list
	n    int32               // keys seen
	mask uint64              // one bit per key hash: most new keys skip the comparisons
	set  map[string]struct{} // the keys, once there are too many to compare one by one
}

// keysBeforeSet is how many keys of one object are compared pairwise before
// they go into a map (so a huge object stays linear).
const keysBeforeSet = 16

// checkJSON reports the first thing that makes data malformed as strict
// JSON: a syntax error, data after the value, nesting deeper than
// maxJSONDepth, invalid UTF-8 or a lone surrogate escape, or a key repeated
// in one object. It does not allocate for bodies without escaped keys,
// large objects or deep nesting.
func checkJSON(d []byte) error {
	var framesBuf [16]jsonFrame
	var keysBuf [32]keySpan
	frames, keys := framesBuf[:0], keysBuf[:0]
	const (
		value = iota
		after
		key
	)
	state := value
	i := skipSpace(d, 0)
	if i == len(d) {
		return Malformed(JSON, "", "missing", "The JSON body is empty.", nil)
	}
	for {
		switch state {
		case value:
			i = skipSpace(d, i)
			if i == len(d) {
				return jsonSyntax(i, "the body ends before the value does")
			}
			switch c := d[i]; {
			case c == '{' || c == '[':
				if len(frames) == maxJSONDepth {
					return Malformed(JSON, "", "depth", "The JSON body nests objects and arrays more than "+strconv.Itoa(maxJSONDepth)+" levels deep.", nil)
				}
				frames = append(frames, jsonFrame{obj: c == '{', keys: int32(len(keys))})
				i = skipSpace(d, i+1)
				if i < len(d) && (d[i] == '}' && c == '{' || d[i] == ']' && c == '[') {
					frames = frames[:len(frames)-1]
					i++
					state = after
				} else if c == '{' {
					state = key
				}
				continue
			case c == '"':
				end, _, err := scanString(d, i)
				if err != nil {
					return err
				}
				i = end
			case c == 't':
				if !bytes.HasPrefix(d[i:], []byte("true")) {
					return jsonSyntax(i, "expected a value")
				}
				i += 4
			case c == 'f':
				if !bytes.HasPrefix(d[i:], []byte("false")) {
					return jsonSyntax(i, "expected a value")
				}
				i += 5
			case c == 'n':
				if !bytes.HasPrefix(d[i:], []byte("null")) {
					return jsonSyntax(i, "expected a value")
				}
				i += 4
			case c == '-' || c >= '0' && c <= '9':
				end, ok := scanNumber(d, i)
				if !ok {
					return jsonSyntax(i, "malformed number")
				}
				i = end
			default:
				return jsonSyntax(i, "expected a value")
			}
			state = after
		case after:
			i = skipSpace(d, i)
			if len(frames) == 0 {
				if i != len(d) {
					return jsonSyntax(i, "data after the JSON value")
				}
				return nil
			}
			if i == len(d) {
				return jsonSyntax(i, "the body ends inside an object or array")
			}
			top := &frames[len(frames)-1]
			switch {
			case d[i] == ',':
				i++
				state = value
				if top.obj {
					state = key
				}
			case top.obj && d[i] == '}' || !top.obj && d[i] == ']':
				keys = keys[:top.keys]
				frames = frames[:len(frames)-1]
				i++
			case top.obj:
				return jsonSyntax(i, "expected ',' or '}'")
			default:
				return jsonSyntax(i, "expected ',' or ']'")
			}
		case key:
			i = skipSpace(d, i)
			if i == len(d) || d[i] != '"' {
				return jsonSyntax(i, "expected a string key")
			}
			end, esc, err := scanString(d, i)
			if err != nil {
				return err
			}
			k := keySpan{start: int32(i + 1), end: int32(end - 1), esc: esc}
			if !esc {
				k.hash = keyHash(d[i+1 : end-1])
			}
			top := &frames[len(frames)-1]
			var dup bool
			if keys, dup = addKey(d, top, keys, k); dup {
				return Malformed(JSON, jsonKey(d, k), "duplicate", "The key "+strconv.Quote(jsonKey(d, k))+" appears twice in one JSON object.", nil)
			}
			i = skipSpace(d, end)
			if i == len(d) || d[i] != ':' {
				return jsonSyntax(i, "expected ':' after a key")
			}
			i++
			state = value
		}
	}
}

// addKey records key k of the object top in keys and reports whether it
// was already there.
func addKey(d []byte, top *jsonFrame, keys []keySpan, k keySpan) ([]keySpan, bool) {
	top.n++
	if top.set == nil && top.n <= keysBeforeSet {
		top.esc = top.esc || k.esc
		bit := uint64(1) << (k.hash * 0x9E3779B1 >> 26)
		if top.esc || top.mask&bit != 0 {
			for _, o := range keys[top.keys:] {
				if (top.esc || o.hash == k.hash) && sameKey(d, o, k) {
					return keys, true
				}
			}
		}
		top.mask |= bit
		return append(keys, k), false
	}
	if top.set == nil {
		top.set = make(map[string]struct{}, 2*keysBeforeSet)
		for _, o := range keys[top.keys:] {
			top.set[jsonKey(d, o)] = struct{}{}
		}
		keys = keys[:top.keys]
	}
	s := jsonKey(d, k)
	if _, ok := top.set[s]; ok {
		return keys, true
	}
	top.set[s] = struct{}{}
	return keys, false
}

// keyHash is a cheap hash of a key: its length and three of its bytes,
// enough to tell most keys of one object apart without comparing them.
func keyHash(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(len(b))<<24 ^ uint32(b[0])<<16 ^ uint32(b[len(b)/2])<<8 ^ uint32(b[len(b)-1])
}

func sameKey(d []byte, a, b keySpan) bool {
	if !a.esc && !b.esc {
		return string(d[a.start:a.end]) == string(d[b.start:b.end])
	}
	return jsonKey(d, a) == jsonKey(d, b)
}

// jsonKey is the decoded key.
func jsonKey(d []byte, k keySpan) string {
	if !k.esc {
		return string(d[k.start:k.end])
	}
	var s string
	_ = json.Unmarshal(d[k.start-1:k.end+1], &s)
	return s
}

func jsonSyntax(off int, what string) error {
	return Malformed(JSON, "", "syntax", "The JSON body is malformed at byte "+strconv.Itoa(off)+": "+what+".", nil)
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	return i
}

// plainByte marks the bytes a string holds as they are: printable ASCII
// other than the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString checks the string starting at d[i] == '"' and returns the
// index after its closing quote and whether it has escapes.
func scanString(d []byte, i int) (end int, esc bool, err error) {
	j := i + 1
	for {
		for j < len(d) && plainByte[d[j]] {
			j++
		}
		if j == len(d) {
			return 0, false, jsonSyntax(i, "the string is not closed")
		}
		switch c := d[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			if j+1 == len(d) {
				return 0, false, jsonSyntax(j, "the string is not closed")
			}
			switch d[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				r, ok := hex4(d, j+2)
				if !ok {
					return 0, false, jsonSyntax(j, `malformed \u escape`)
				}
				j += 6
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					return 0, false, badUTF8(j - 6)
				case r >= 0xD800 && r <= 0xDBFF:
					if j+1 >= len(d) || d[j] != '\\' || d[j+1] != 'u' {
						return 0, false, badUTF8(j - 6)
					}
					lo, ok := hex4(d, j+2)
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return 0, false, badUTF8(j - 6)
					}
					j += 6
				}
			default:
				return 0, false, jsonSyntax(j, "unknown escape")
			}
		case c < 0x20:
			return 0, false, jsonSyntax(j, "a control character in a string")
		default:
			r, size := utf8.DecodeRune(d[j:])
			if r == utf8.RuneError && size <= 1 {
				return 0, false, badUTF8(j)
			}
			j += size
		}
	}
}

func badUTF8(off int) error {
	return Malformed(JSON, "", "utf8", "The JSON body has invalid UTF-8 at byte "+strconv.Itoa(off)+".", nil)
}

// hex4 decodes the four hex digits at d[i:].
func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// IsJSONNumber reports whether s is a number as JSON writes it.
func IsJSONNumber(s string) bool {
	if s == "" {
		return false
	}
	end, ok := scanNumber([]byte(s), 0)
	return ok && end == len(s)
}

// scanNumber checks the number at d[i:] and returns the index after it.
func scanNumber(d []byte, i int) (int, bool) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(d, i)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}
