package flagon

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/flagon-go/flagon/internal/binding"
)

// applyRules writes the validate rules of tag into m, the schema of a
// value of type t, as JSON Schema constraints, and reports whether they
// make the value required. After "dive" the rules apply to the items of a
// slice or array, or to the values of a map ("keys" … "endkeys" are
// skipped). Rules JSON Schema cannot state (cross-field rules, "|"
// alternatives, custom rules) add nothing: the document is then looser
// than the validator, never stricter.
func applyRules(m schema, t reflect.Type, tag string) (required bool) {
	if tag == "" || tag == "-" {
		return false
	}
	target, tt, top := m, derefType(t), true
	inKeys := false
	for _, rule := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(rule, "=")
		switch {
		case name == "keys":
			inKeys = true
			continue
		case name == "endkeys":
			inKeys = false
			continue
		case inKeys, strings.Contains(rule, "|"):
			continue
		case name == "dive":
			next := "items"
			if tt.Kind() == reflect.Map {
				next = "additionalProperties"
			}
			sub, ok := target[next].(schema)
			if !ok {
				return required // nothing to dive into
			}
			sub = copySchema(sub)
			target[next] = sub
			target, tt, top = sub, derefType(tt.Elem()), false
			continue
		}
		if ruleSchema(target, tt, name, param) && top {
			required = true
		}
	}
	return required
}

// ruleSchema writes one rule into m for a value of type t and reports
// whether it is a "required" rule.
func ruleSchema(m schema, t reflect.Type, name, param string) bool {
	k := t.Kind()
	str := k == reflect.String && t != timeType
	num := isIntKind(k) || k == reflect.Float32 || k == reflect.Float64
	coll := k == reflect.Slice || k == reflect.Array || k == reflect.Map
	lengthKeys := func() (lo, hi string) {
		switch {
		case str:
			return "minLength", "maxLength"
		case k == reflect.Map:
			return "minProperties", "maxProperties"
		}
		return "minItems", "maxItems"
	}
	n, isNum := number(param)
	switch name {
	case "required":
		switch {
		case str:
			if _, ok := m["minLength"]; !ok {
				m["minLength"] = 1
			}
		case num:
			m["not"] = schema{"const": 0}
		case k == reflect.Bool:
			m["const"] = true
		}
		return true
	case "min", "gte", "max", "lte", "gt", "lt", "len":
		if !isNum {
			return false
		}
		if str || coll {
			lo, hi := lengthKeys()
			c, _ := strconv.Atoi(param)
			switch name {
			case "min", "gte":
				m[lo] = c
			case "max", "lte":
				m[hi] = c
			case "gt":
				m[lo] = c + 1
			case "lt":
				m[hi] = c - 1
			case "len":
				m[lo], m[hi] = c, c
			}
			return false
		}
		if num {
			switch name {
			case "min", "gte":
				m["minimum"] = n
			case "max", "lte":
				m["maximum"] = n
			case "gt":
				m["exclusiveMinimum"] = n
			case "lt":
				m["exclusiveMaximum"] = n
			case "len":
				m["const"] = n
			}
		}
	case "eq", "ne":
		v, ok := typedLiteral(t, param)
		if !ok || !str && !num && k != reflect.Bool {
			return false
		}
		if name == "eq" {
			m["const"] = v
		} else {
			m["not"] = schema{"const": v}
		}
	case "oneof":
		if !str && !num {
			return false
		}
		var enum []any
		for _, w := range oneofWords(param) {
			v, ok := typedLiteral(t, w)
			if !ok {
				return false
			}
			enum = append(enum, v)
		}
		m["enum"] = enum
	case "email":
		m["format"] = "email"
	case "url", "http_url", "uri":
		m["format"] = "uri"
	case "uuid", "uuid4", "uuid7", "uuid_rfc4122", "uuid4_rfc4122":
		m["format"] = "uuid"
	case "ipv4":
		m["format"] = "ipv4"
	case "ipv6":
		m["format"] = "ipv6"
	case "hostname", "hostname_rfc1123":
		m["format"] = "hostname"
	case "datetime":
		switch param {
		case "2006-01-02T15:04:05Z07:00":
			m["format"] = "date-time"
		case "2006-01-02":
			m["format"] = "date"
		}
	case "alpha":
		m["pattern"] = "^[a-zA-Z]+$"
	case "alphanum":
		m["pattern"] = "^[a-zA-Z0-9]+$"
	case "numeric":
		m["pattern"] = "^[-+]?[0-9]+(?:\\.[0-9]+)?$"
	case "number":
		m["pattern"] = "^[0-9]+$"
	case "e164":
		m["pattern"] = "^\\+?[1-9][0-9]{7,14}$"
	case "unique":
		if k == reflect.Slice || k == reflect.Array {
			m["uniqueItems"] = true
		}
	}
	return false
}

// number is a rule's parameter as a JSON number.
func number(s string) (json.Number, bool) {
	if !binding.IsJSONNumber(s) {
		return "", false
	}
	return json.Number(s), true
}

// oneofWords splits a oneof parameter as the validator does: at spaces,
// with 'single quotes' around a word that holds spaces.
func oneofWords(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '\'' {
			if end := strings.IndexByte(s[1:], '\''); end >= 0 {
				out = append(out, s[1:end+1])
				s = s[end+2:]
				continue
			}
		}
		w, rest, _ := strings.Cut(s, " ")
		out = append(out, w)
		s = rest
	}
	return out
}
