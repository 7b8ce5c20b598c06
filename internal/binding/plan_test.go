package binding

import (
	"mime/multipart"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type planBase struct {
	Trace string `header:"x-trace-id"`
}

type planTarget struct {
	planBase
	ID      int                     `path:"id"`
	Page    int                     `query:"page" default:"1"`
	Tags    []string                `query:"tag"`
	Session string                  `cookie:"sid"`
	Note    string                  `form:"note" json:"note"`
	Avatar  *multipart.FileHeader   `form:"avatar"`
	Photos  []*multipart.FileHeader `form:"photos"`
	Name    string                  `json:"name" xml:"full-name,attr"`
	Kind    string                  `json:"kind" default:"book"`
	Skipped string                  `json:"-"`
	Plain   int
	hidden  int
}

func TestPlanReadsEveryTag(t *testing.T) {
	p := For(reflect.TypeFor[planTarget]())
	require.NoError(t, p.Err)
	byName := map[string]Field{}
	for _, f := range p.Fields {
		byName[f.GoName] = f
	}
	assert.NotContains(t, byName, "hidden", "unexported fields are not bound")
	assert.Equal(t, []string{"planBase"}, p.embedded)
	trace := byName["Trace"]
	assert.Equal(t, []int{0, 0}, trace.Index, "an embedded struct's field is promoted")
	assert.Equal(t, Header, trace.Source)
	assert.Equal(t, "x-trace-id", trace.Name)
	assert.Equal(t, "X-Trace-Id", trace.Key, "a header is looked up by its canonical name")
	assert.Equal(t, Path, byName["ID"].Source)
	assert.True(t, byName["Page"].HasDef)
	assert.Equal(t, "1", byName["Page"].Def)
	assert.True(t, byName["Tags"].Many)
	assert.Equal(t, Cookie, byName["Session"].Source)
	note := byName["Note"]
	assert.Equal(t, Form, note.Source)
	assert.True(t, note.InJSON, "a json tag lets a JSON body set a form field")
	assert.False(t, note.InXML)
	assert.Equal(t, OneFile, byName["Avatar"].File)
	assert.Equal(t, ManyFiles, byName["Photos"].File)
	name := byName["Name"]
	assert.Equal(t, "", name.Source)
	assert.Equal(t, "name", name.JSON)
	assert.Equal(t, "full-name", name.XML)
	assert.Equal(t, "", byName["Skipped"].JSON, `json:"-" keeps the field out of JSON`)
	assert.Equal(t, "Plain", byName["Plain"].JSON, "an untagged field has its Go name")
	assert.False(t, byName["Plain"].InJSON)

	var sourced []string
	for _, i := range p.Sourced {
		sourced = append(sourced, p.Fields[i].GoName)
	}
	assert.Equal(t, []string{"Trace", "ID", "Page", "Tags", "Session", "Note", "Avatar", "Photos"}, sourced)
	var defaults []string
	for _, i := range p.defaults {
		defaults = append(defaults, p.Fields[i].GoName)
	}
	assert.Equal(t, []string{"Kind"}, defaults, "only body fields get their default before decoding")
	assert.Same(t, p, For(reflect.TypeFor[planTarget]()), "the plan is cached")
}

func TestPlanRefusesWhatCannotBeBound(t *testing.T) {
	for _, tt := range []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"uploads without a form tag", reflect.TypeFor[struct {
			F *multipart.FileHeader `json:"f"`
		}](), "holds uploads"},
		{"a map from the query", reflect.TypeFor[struct {
			M map[string]int `query:"m"`
		}](), "has a query tag, but its type map[string]int cannot be read from a string"},
		{"a default that does not convert", reflect.TypeFor[struct {
			N int `query:"n" default:"many"`
		}](), `has default "many", which must be a whole number`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := For(tt.typ).Err
			require.Error(t, err)
			assert.Contains(t, err.Error(), "flagon: Bind: field")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestFill(t *testing.T) {
	type target struct {
		N     int           `query:"n"`
		D     int           `query:"d" default:"7"`
		S     string        `query:"s"`
		P     *int          `query:"p"`
		L     []int         `query:"l"`
		LD    []string      `query:"ld" default:"a,b"`
		I8    int8          `query:"i8"`
		U     uint16        `query:"u"`
		T     time.Time     `query:"t"`
		Wait  time.Duration `query:"wait"`
		On    bool          `query:"on"`
		Ratio float32       `query:"ratio"`
	}
	p := For(reflect.TypeFor[target]())
	require.NoError(t, p.Err)
	fill := func(field string, all ...string) (reflect.Value, error) {
		var v target
		rv := reflect.ValueOf(&v).Elem()
		for i := range p.Fields {
			if f := &p.Fields[i]; f.GoName == field {
				fv := rv.FieldByIndex(f.Index)
				return fv, f.Fill(fv, all)
			}
		}
		t.Fatalf("no field %s", field)
		return reflect.Value{}, nil
	}
	fv, err := fill("N", "")
	require.NoError(t, err, "an empty number is absent, not malformed")
	assert.Equal(t, int64(0), fv.Int())
	fv, _ = fill("N", "12", "13")
	assert.Equal(t, int64(12), fv.Int(), "a scalar takes the first value")
	fv, _ = fill("D")
	assert.Equal(t, int64(7), fv.Int(), "no value takes the default")
	fv, _ = fill("D", "")
	assert.Equal(t, int64(7), fv.Int(), "an empty number takes the default")
	fv, _ = fill("S", "")
	assert.True(t, fv.IsZero())
	fv, _ = fill("P", "5")
	assert.Equal(t, int64(5), fv.Elem().Int(), "a pointer is allocated for a value")
	fv, _ = fill("P")
	assert.True(t, fv.IsNil(), "and stays nil without one")
	fv, _ = fill("L", "1", "", "3")
	assert.Equal(t, []int{1, 3}, fv.Interface(), "empty items of a number slice are skipped")
	fv, _ = fill("LD")
	assert.Equal(t, []string{"a", "b"}, fv.Interface(), "a slice's default is split at commas")
	fv, _ = fill("T", "2025-01-31T15:04:05Z")
	assert.Equal(t, time.Date(2025, 1, 31, 15, 4, 5, 0, time.UTC), fv.Interface())
	fv, _ = fill("Wait", "1h30m")
	assert.Equal(t, 90*time.Minute, fv.Interface())

	for field, want := range map[string]string{
		"N":     "must be a whole number",
		"I8":    "must be a whole number from -128 to 127",
		"U":     "must be a whole number from 0 to 65535",
		"T":     "must be an RFC 3339 time, such as 2025-01-31T15:04:05Z",
		"Wait":  "must be a duration, such as 90s or 1h30m",
		"On":    "must be true or false",
		"Ratio": "must be a number",
		"L":     "must be a whole number",
	} {
		_, err := fill(field, "x")
		assert.EqualError(t, err, want, field)
	}
	_, err = fill("I8", "300")
	assert.EqualError(t, err, "must be a whole number from -128 to 127", "out of range is refused")
}

func TestBodyType(t *testing.T) {
	assert.Equal(t, "application/json", For(reflect.TypeFor[struct {
		A string `json:"a"`
	}]()).BodyType())
	assert.Equal(t, "application/json or application/xml", For(reflect.TypeFor[struct {
		A string `json:"a"`
		B string `xml:"b"`
	}]()).BodyType())
	assert.Equal(t, "", For(reflect.TypeFor[struct {
		A string `json:"a"`
		F string `form:"f"`
	}]()).BodyType(), "a struct with form fields reads forms")
	assert.Equal(t, "", (*Plan)(nil).BodyType())
}
