package binding

import (
	"encoding"
	"mime/multipart"
	"reflect"
	"strconv"
	"time"
)

// setter stores the values of a field: one for scalars, all for slices.
// Its error is the message for the client ("must be a whole number").
type setter func(v reflect.Value, one string, all []string) error

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
