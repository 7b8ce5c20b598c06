package flagon

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// asJSON is a schema as the document writes it.
func asJSON(t *testing.T, m any) string {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

type hexColor struct{}

func (hexColor) Match(s string) bool         { return len(s) == 6 }
func (hexColor) Build(v any) (string, error) { return textOf(v) }
func (hexColor) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "pattern": "^[0-9a-f]{6}$"}
}

type plainConv struct{ hexColor }

func (plainConv) OpenAPISchema() {} // not the interface: a plain string

func TestConverterSchemas(t *testing.T) {
	cases := []struct {
		rule string
		want string
	}{
		{"/<int:v>", `{"format":"int64","minimum":0,"type":"integer"}`},
		{"/<float:v>", `{"minimum":0,"type":"number"}`},
		{"/<uuid:v>", `{"format":"uuid","type":"string"}`},
		{"/<any(en,fr):v>", `{"enum":["en","fr"],"type":"string"}`},
		{"/<path:v>", `{"minLength":1,"type":"string"}`},
		{"/<v>", `{"minLength":1,"type":"string"}`},
		{"/<string:v>", `{"minLength":1,"type":"string"}`},
		{"/<color:v>", `{"pattern":"^[0-9a-f]{6}$","type":"string"}`},
		{"/<plain:v>", `{"minLength":1,"type":"string"}`},
	}
	custom := map[string]Converter{"color": hexColor{}, "plain": plainConv{}}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := parseRule(tc.rule, custom)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, asJSON(t, converterSchema(p.segs[0].spec)))
		})
	}
}

func TestValidateRuleSchemas(t *testing.T) {
	str, num, flt := reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[float64]()
	cases := []struct {
		name     string
		t        reflect.Type
		rules    string
		want     string
		required bool
	}{
		{"required string is non-empty", str, "required", `{"minLength":1,"type":"string"}`, true},
		{"required number is not zero", num, "required", `{"format":"int64","not":{"const":0},"type":"integer"}`, true},
		{"required bool is true", reflect.TypeFor[bool](), "required", `{"const":true,"type":"boolean"}`, true},
		{"min and max of a string bound its length", str, "min=2,max=64", `{"maxLength":64,"minLength":2,"type":"string"}`, false},
		{"gte and lte of a number bound it", num, "gte=18,lte=130", `{"format":"int64","maximum":130,"minimum":18,"type":"integer"}`, false},
		{"gt and lt of a number are exclusive", flt, "gt=0,lt=1.5", `{"exclusiveMaximum":1.5,"exclusiveMinimum":0,"format":"double","type":"number"}`, false},
		{"gt and lt of a string bound its length", str, "gt=1,lt=5", `{"maxLength":4,"minLength":2,"type":"string"}`, false},
		{"len of a string fixes its length", str, "len=2", `{"maxLength":2,"minLength":2,"type":"string"}`, false},
		{"len of a slice fixes its items", reflect.TypeFor[[]int](), "len=3", `{"items":{"format":"int64","type":"integer"},"maxItems":3,"minItems":3,"type":"array"}`, false},
		{"min of a map counts properties", reflect.TypeFor[map[string]int](), "min=1", `{"additionalProperties":{"format":"int64","type":"integer"},"minProperties":1,"type":"object"}`, false},
		{"eq is const", num, "eq=4", `{"const":4,"format":"int64","type":"integer"}`, false},
		{"ne is not const", str, "ne=x", `{"not":{"const":"x"},"type":"string"}`, false},
		{"oneof of strings is an enum", str, "oneof=red green 'light blue'", `{"enum":["red","green","light blue"],"type":"string"}`, false},
		{"oneof of numbers is an enum of numbers", num, "oneof=1 2 3", `{"enum":[1,2,3],"format":"int64","type":"integer"}`, false},
		{"email is a format", str, "email", `{"format":"email","type":"string"}`, false},
		{"url is uri", str, "url", `{"format":"uri","type":"string"}`, false},
		{"uuid is a format", str, "uuid4", `{"format":"uuid","type":"string"}`, false},
		{"ipv4 is a format", str, "ipv4", `{"format":"ipv4","type":"string"}`, false},
		{"datetime in RFC 3339 is date-time", str, "datetime=2006-01-02T15:04:05Z07:00", `{"format":"date-time","type":"string"}`, false},
		{"datetime of a date is date", str, "datetime=2006-01-02", `{"format":"date","type":"string"}`, false},
		{"alpha is a pattern", str, "alpha", `{"pattern":"^[a-zA-Z]+$","type":"string"}`, false},
		{"numeric is a pattern", str, "numeric", `{"pattern":"^[-+]?[0-9]+(?:\\.[0-9]+)?$","type":"string"}`, false},
		{"unique items", reflect.TypeFor[[]string](), "unique", `{"items":{"type":"string"},"type":"array","uniqueItems":true}`, false},
		{"dive applies the rest to the items", reflect.TypeFor[[]string](), "max=5,dive,required,email", `{"items":{"format":"email","minLength":1,"type":"string"},"maxItems":5,"type":"array"}`, false},
		{"dive into a map applies to its values", reflect.TypeFor[map[string]int](), "dive,keys,alpha,endkeys,min=1", `{"additionalProperties":{"format":"int64","minimum":1,"type":"integer"},"type":"object"}`, false},
		{"dive twice reaches nested items", reflect.TypeFor[[][]string](), "dive,dive,len=2", `{"items":{"items":{"maxLength":2,"minLength":2,"type":"string"},"type":"array"},"type":"array"}`, false},
		{"a pointer takes its element's rules", reflect.TypeFor[*string](), "required,min=3", `{"minLength":3,"type":"string"}`, true},
		{"cross-field and alternative rules add nothing", str, "required_with=Other,eqfield=Other,email|url", `{"type":"string"}`, false},
		{"unknown rules add nothing", str, "mycustom=3", `{"type":"string"}`, false},
		{"omitempty adds nothing", str, "omitempty,min=2", `{"minLength":2,"type":"string"}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newSchemaSet().of(tc.t, "v")
			require.NoError(t, err)
			m = copySchema(m)
			required := applyRules(m, tc.t, tc.rules)
			assert.JSONEq(t, tc.want, asJSON(t, m))
			assert.Equal(t, tc.required, required)
		})
	}
}

type schemaLeaf struct {
	N int `json:"n"`
}

type schemaTree struct {
	Name           string            `json:"name"`
	Children       []*schemaTree     `json:"children,omitempty"`
	Parent         *schemaTree       `json:"parent"`
	Leaf           schemaLeaf        `json:"leaf"`
	Opt            *schemaLeaf       `json:"opt"`
	Counts         map[string]uint8  `json:"counts"`
	Raw            json.RawMessage   `json:"raw"`
	Any            any               `json:"any"`
	Bytes          []byte            `json:"bytes"`
	Quoted         int64             `json:"quoted,string"`
	Skipped        chan int          `json:"-"`
	hidden         int               //nolint:unused // not in the JSON
	Fixed          [2]int16          `json:"fixed"`
	Labels         map[int]string    `json:"labels,omitempty"`
	Color          hexColor          `json:"color"`
	schemaEmbedded                   // flattened
	Named          schemaEmbedded    `json:"named"`
	Ptrs           map[string]*int32 `json:"ptrs" validate:"required"`
}

type schemaEmbedded struct {
	Deep bool `json:"deep" default:"true"`
}

type generic[T any] struct {
	Items []T `json:"items"`
}

func TestTypeSchemas(t *testing.T) {
	s := newSchemaSet()
	m, err := s.of(reflect.TypeFor[schemaTree](), "schemaTree")
	require.NoError(t, err)
	assert.JSONEq(t, `{"$ref":"#/components/schemas/schemaTree"}`, asJSON(t, m))
	assert.JSONEq(t, `{"type":"object","required":["ptrs"],"properties":{
		"name":{"type":"string"},
		"children":{"type":"array","items":{"$ref":"#/components/schemas/schemaTree"}},
		"parent":{"anyOf":[{"$ref":"#/components/schemas/schemaTree"},{"type":"null"}]},
		"leaf":{"$ref":"#/components/schemas/schemaLeaf"},
		"opt":{"anyOf":[{"$ref":"#/components/schemas/schemaLeaf"},{"type":"null"}]},
		"counts":{"type":["object","null"],"additionalProperties":{"type":"integer","minimum":0,"maximum":255}},
		"raw":{},
		"any":{},
		"bytes":{"type":"string","contentEncoding":"base64"},
		"quoted":{"type":"string"},
		"fixed":{"type":"array","items":{"type":"integer","format":"int32","minimum":-32768,"maximum":32767},"minItems":2,"maxItems":2},
		"labels":{"type":"object","additionalProperties":{"type":"string"}},
		"color":{"type":"string","pattern":"^[0-9a-f]{6}$"},
		"deep":{"type":"boolean","default":true},
		"named":{"$ref":"#/components/schemas/schemaEmbedded"},
		"ptrs":{"type":"object","additionalProperties":{"type":"integer","format":"int32"}}
	}}`, asJSON(t, s.comps["schemaTree"]))

	g, err := s.of(reflect.TypeFor[generic[schemaLeaf]](), "g")
	require.NoError(t, err)
	assert.JSONEq(t, `{"$ref":"#/components/schemas/generic_schemaLeaf"}`, asJSON(t, g))
}

func TestTypesWithoutJSONAreRefused(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[struct{ C chan int }](),
		reflect.TypeFor[struct{ F func() }](),
		reflect.TypeFor[struct{ X complex128 }](),
		reflect.TypeFor[struct{ M map[[2]int]string }](),
		reflect.TypeFor[[]struct{ Deep struct{ F func() } }](),
	} {
		_, err := newSchemaSet().of(typ, "v")
		assert.Error(t, err, "%s", typ)
	}
}

func TestComponentNamesDifferByPackage(t *testing.T) {
	s := newSchemaSet()
	_, err := s.of(reflect.TypeFor[hexColorHolder](), "a")
	require.NoError(t, err)
	s.owner["schemaLeaf"] = reflect.TypeFor[int]() // another package's schemaLeaf, say
	m, err := s.of(reflect.TypeFor[schemaLeaf](), "b")
	require.NoError(t, err)
	assert.Equal(t, "#/components/schemas/flagon.schemaLeaf", m["$ref"])
}

type hexColorHolder struct{ C hexColor }
