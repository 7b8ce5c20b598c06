package binding

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastTarget has a field of every kind the fast decoder fills.
type fastTarget struct {
	S     string            `json:"s"`
	I     int               `json:"i"`
	I8    int8              `json:"i8"`
	U8    uint8             `json:"u8"`
	U64   uint64            `json:"u64"`
	F32   float32           `json:"f32"`
	F64   float64           `json:"f64"`
	B     bool              `json:"b"`
	P     *int              `json:"p"`
	PS    *fastInner        `json:"ps"`
	L     []string          `json:"l"`
	LL    [][]int           `json:"ll"`
	Items []fastInner       `json:"items"`
	In    fastInner         `json:"in"`
	Named fastColor         `json:"named"`
	Plain string            // matched by its Go name, in any case
	Odd   string            `json:"a-b.c"`
	Bad   string            `json:"bad\"name"` // an invalid tag name: the Go name is used
	Skip  string            `json:"-"`
	Dash  string            `json:"-,"`
	Omit  string            `json:"omit,omitempty"`
	_     map[string]string // unexported: ignored
}

type fastInner struct {
	A string `json:"a"`
	N int    `json:"n"`
}

type fastColor string

func TestFastJSONPlan(t *testing.T) {
	for _, tt := range []struct {
		name string
		typ  reflect.Type
		fast bool
	}{
		{"plain values, pointers, slices and structs are decoded fast", reflect.TypeFor[fastTarget](), true},
		{"a time.Time (UnmarshalJSON) is left to encoding/json", reflect.TypeFor[struct{ T time.Time }](), false},
		{"a map is left to encoding/json", reflect.TypeFor[struct{ M map[string]int }](), false},
		{"an interface is left to encoding/json", reflect.TypeFor[struct{ A any }](), false},
		{"[]byte (base64) is left to encoding/json", reflect.TypeFor[struct{ B []byte }](), false},
		{"an array is left to encoding/json", reflect.TypeFor[struct{ A [2]int }](), false},
		{"an embedded struct is left to encoding/json", reflect.TypeFor[struct{ fastInner }](), false},
		{"the string option is left to encoding/json", reflect.TypeFor[struct {
			N int `json:"n,string"`
		}](), false},
		{"two fields under one name are left to encoding/json", reflect.StructOf([]reflect.StructField{
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
			{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		}), false},
		{"json.Number is left to encoding/json", reflect.TypeFor[struct{ N json.Number }](), false},
		{"a pointer to a pointer is left to encoding/json", reflect.TypeFor[struct{ P **int }](), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.fast, fastJSONPlan(tt.typ) != nil)
		})
	}
}

var fastSeeds = []string{
	`{"s":"x","i":-5,"i8":127,"u8":255,"u64":18446744073709551615,"f32":1.5,"f64":-2e-3,"b":true,"p":7,"ps":{"a":"y","n":1},` +
		`"l":["a","b\n\u00e9\ud83d\ude00"],"ll":[[1,2],[],[3]],"items":[{"a":"1"},{"n":2}],"in":{"A":"fold","N":3},"named":"red",` +
		`"PLAIN":"p","a-b.c":"odd","Bad":"b","Skip":"no","-":"dash","omit":"o","unknown":{"x":[1,{"y":"}"}]}}`,
	`{"p":null,"l":null,"ps":null,"in":null,"s":null}`,
	`{"i8":128}`, `{"u8":-1}`, `{"i":1.5}`, `{"i":1e2}`, `{"f32":1e39}`, `{"s":5}`, `{"b":"true"}`, `{"l":"x"}`, `{"in":[1]}`,
	`{"l":[]}`, `[]`, `null`, `"x"`, `{}`, `{"\u0073":"escaped key"}`, `{"ſ":"long s"}`, `{"Items":[{"A":"x"}]}`,
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	jt := fastJSONPlan(reflect.TypeFor[fastTarget]())
	require.NotNil(t, jt)
	for _, in := range fastSeeds {
		t.Run(in, func(t *testing.T) { compareFast(t, jt, []byte(in)) })
	}
	t.Run("every kind, escapes, folded and unknown keys decode fast", func(t *testing.T) {
		for _, in := range []string{fastSeeds[0], fastSeeds[1], `{"l":[]}`, `null`, `{}`, `{"\u0073":"escaped key"}`, `{"Items":[{"A":"x"}]}`} {
			var v fastTarget
			assert.True(t, fastJSON([]byte(in), reflect.ValueOf(&v).Elem(), jt), in)
		}
	})
	t.Run("the fast decoder gives up on the wrong kinds, for encoding/json to report them", func(t *testing.T) {
		for _, in := range []string{`{"i8":128}`, `{"u8":-1}`, `{"i":1.5}`, `{"s":5}`, `{"b":"true"}`, `{"l":"x"}`, `[]`, `{"ſ":"x"}`} {
			var v fastTarget
			assert.False(t, fastJSON([]byte(in), reflect.ValueOf(&v).Elem(), jt), in)
		}
	})
	t.Run("a plain body decodes without allocating more than its strings and slices", func(t *testing.T) {
		body := []byte(`{"i":1,"i8":2,"f64":1.5,"b":true,"in":{"n":3}}`)
		var v fastTarget
		allocs := testing.AllocsPerRun(100, func() {
			if !fastJSON(body, reflect.ValueOf(&v).Elem(), jt) {
				t.Fatal("gave up")
			}
		})
		assert.Zero(t, allocs)
	})
}

// compareFast checks that when the fast decoder decodes in, it gets what
// encoding/json gets.
func compareFast(t *testing.T, jt *jsonType, in []byte) {
	if checkJSON(in) != nil {
		return
	}
	var want, got fastTarget
	wantErr := json.Unmarshal(in, &want)
	if !fastJSON(in, reflect.ValueOf(&got).Elem(), jt) {
		return // encoding/json decodes it
	}
	if wantErr != nil {
		t.Fatalf("%s: the fast decoder accepts what encoding/json refuses: %v", in, wantErr)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nencoding/json %+v\nfast          %+v", in, want, got)
	}
}

// FuzzFastJSON checks the fast decoder against encoding/json.
func FuzzFastJSON(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	jt := fastJSONPlan(reflect.TypeFor[fastTarget]())
	f.Fuzz(func(t *testing.T, in []byte) { compareFast(t, jt, in) })
}
