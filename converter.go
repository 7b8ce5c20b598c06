package flagon

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Converter matches one variable of a rule and builds it back for URLFor.
//
// Match receives the percent-decoded segment and reports whether the
// variable accepts it; it must not allocate on success if the app is to stay
// allocation-free. Build turns a value given to URLFor into the decoded text
// of the segment; URLFor then checks it with Match and percent-encodes it.
// Register a custom converter with App.Converter; in a rule it is tried after
// the built-in uuid converter and before string.
type Converter interface {
	Match(segment string) bool
	Build(value any) (string, error)
}

// convKind orders the variables tried at one segment: the router tries
// static text first, then these kinds in declaration order.
type convKind uint8

const (
	kindStatic convKind = iota
	kindAny
	kindInt
	kindFloat
	kindUUID
	kindCustom
	kindString
	kindPath
)

// converterSpec is a converter as a rule names it: the kind decides the
// precedence, the key tells two variables of the same shape apart.
type converterSpec struct {
	kind convKind
	key  string // "int", "any(en,fr)", "custom:name"
	conv Converter
}

// resolveConverter makes the spec for the converter a rule names: a
// built-in one or one from custom (registered with App.Converter).
func resolveConverter(name string, args []string, hasArgs bool, custom map[string]Converter) (converterSpec, error) {
	if hasArgs && name != "any" {
		return converterSpec{}, fmt.Errorf("converter %q takes no arguments (only any(...) does)", name)
	}
	switch name {
	case "string", "default":
		return converterSpec{kind: kindString, key: "string", conv: stringConverter{}}, nil
	case "int":
		return converterSpec{kind: kindInt, key: "int", conv: intConverter{}}, nil
	case "float":
		return converterSpec{kind: kindFloat, key: "float", conv: floatConverter{}}, nil
	case "uuid":
		return converterSpec{kind: kindUUID, key: "uuid", conv: uuidConverter{}}, nil
	case "path":
		return converterSpec{kind: kindPath, key: "path", conv: pathConverter{}}, nil
	case "any":
		if len(args) == 0 {
			return converterSpec{}, errors.New("converter \"any\" needs at least one word, as in any(en,fr)")
		}
		for _, w := range args {
			if w == "" || w == "." || w == ".." || strings.ContainsAny(w, "/<>%") {
				return converterSpec{}, fmt.Errorf("converter \"any\" has an invalid word %q (a word is not empty, \".\" or \"..\", and has no \"/\", \"<\", \">\" or \"%%\")", w)
			}
		}
		return converterSpec{kind: kindAny, key: "any(" + strings.Join(args, ",") + ")", conv: anyConverter(args)}, nil
	}
	if c, ok := custom[name]; ok {
		return converterSpec{kind: kindCustom, key: "custom:" + name, conv: c}, nil
	}
	return converterSpec{}, fmt.Errorf("unknown converter %q (built in: string, int, float, uuid, any, path; add your own with App.Converter)", name)
}

// isBuiltinConverter reports whether name is reserved by a built-in converter.
func isBuiltinConverter(name string) bool {
	switch name {
	case "string", "int", "float", "uuid", "path", "any", "default":
		return true
	}
	return false
}

// stringConverter matches one non-empty segment. The decoded value may
// contain "/" when the client escaped it as %2F.
type stringConverter struct{}

func (stringConverter) Match(s string) bool { return s != "" }

func (stringConverter) Build(v any) (string, error) {
	s, err := textOf(v)
	if err != nil {
		return "", err
	}
	return s, nil
}

// intConverter matches ASCII digits whose value fits in int64.
type intConverter struct{}

func (intConverter) Match(s string) bool {
	if s == "" {
		return false
	}
	// Leading zeros do not change the value; past them, 19 digits or fewer
	// cannot overflow the uint64 the value is summed in.
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if len(s) > 19 {
		return false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return false
		}
		n = n*10 + uint64(d)
	}
	return n <= math.MaxInt64
}

func (intConverter) Build(v any) (string, error) {
	switch n := v.(type) {
	case int:
		return strconv.FormatInt(int64(n), 10), nil
	case int8:
		return strconv.FormatInt(int64(n), 10), nil
	case int16:
		return strconv.FormatInt(int64(n), 10), nil
	case int32:
		return strconv.FormatInt(int64(n), 10), nil
	case int64:
		return strconv.FormatInt(n, 10), nil
	case uint:
		return strconv.FormatUint(uint64(n), 10), nil
	case uint8:
		return strconv.FormatUint(uint64(n), 10), nil
	case uint16:
		return strconv.FormatUint(uint64(n), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(n), 10), nil
	case uint64:
		return strconv.FormatUint(n, 10), nil
	case string:
		return n, nil
	}
	return "", fmt.Errorf("%T is not an integer", v)
}

// floatConverter matches digits.digits that parse as a float64.
type floatConverter struct{}

func (floatConverter) Match(s string) bool {
	dot := strings.IndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != dot && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (floatConverter) Build(v any) (string, error) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case float32:
		f = float64(n)
	case string:
		return n, nil
	default:
		return "", fmt.Errorf("%T is not a float", v)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s, nil
}

// uuidConverter matches the canonical 8-4-4-4-12 hex form, any case.
type uuidConverter struct{}

func (uuidConverter) Match(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func (uuidConverter) Build(v any) (string, error) {
	if b, ok := v.([16]byte); ok {
		const hex = "0123456789abcdef"
		out := make([]byte, 0, 36)
		for i, x := range b {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				out = append(out, '-')
			}
			out = append(out, hex[x>>4], hex[x&0xf])
		}
		return string(out), nil
	}
	return textOf(v)
}

// anyConverter matches exactly one of its words.
type anyConverter []string

func (a anyConverter) Match(s string) bool {
	for _, w := range a {
		if w == s {
			return true
		}
	}
	return false
}

func (a anyConverter) Build(v any) (string, error) { return textOf(v) }

// pathConverter matches the rest of the path, slashes included.
type pathConverter struct{}

func (pathConverter) Match(s string) bool { return s != "" && s[0] != '/' }

func (pathConverter) Build(v any) (string, error) { return textOf(v) }

// textOf turns a URL value into text: strings as they are, fmt.Stringer
// through String, numbers and booleans in their usual form.
func textOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case fmt.Stringer:
		return x.String(), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, bool:
		return fmt.Sprint(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	case nil:
		return "", errors.New("value is nil")
	}
	return "", fmt.Errorf("cannot turn %T into URL text", v)
}
