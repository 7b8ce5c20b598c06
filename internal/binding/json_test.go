package binding

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckJSON(t *testing.T) {
	manyKeys := func(dup bool) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range 40 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
		}
		if dup {
			b.WriteString(`,"kxxx":2`)
		}
		b.WriteString("}")
		return b.String()
	}
	for _, tt := range []struct {
		name, in string
		rule     string // "" for valid
	}{
		{"a plain object is valid", `{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-1.5e+10}`, ""},
		{"scalars at the top are valid", ` "s" `, ""},
		{"escapes and multibyte text are valid", `{"a\n\u00e9\ud83d\ude00":"é😀\/"}`, ""},
		{"the same key in two objects is valid", `{"a":{"a":1},"b":{"a":2}}`, ""},
		{"a key seen again after a nested object closes is a duplicate", `{"a":{"b":1,"c":2},"a":3}`, "duplicate"},
		{"an empty body is missing", "  \n", "missing"},
		{"a repeated key is a duplicate", `{"a":1,"b":2,"a":3}`, "duplicate"},
		{"a key repeated with an escape is a duplicate", `{"ab":1,"a\u0062":2}`, "duplicate"},
		{"a repeated key in a large object is a duplicate", manyKeys(true), "duplicate"},
		{"a large object of distinct keys is valid", manyKeys(false), ""},
		{"trailing data is malformed", `{"a":1} {"a":2}`, "syntax"},
		{"a trailing comma is malformed", `[1,2,]`, "syntax"},
		{"a leading zero is malformed", `01`, "syntax"},
		{"a bare minus is malformed", `-`, "syntax"},
		{"an exponent without digits is malformed", `1e`, "syntax"},
		{"a control character in a string is malformed", "\"a\tb\"", "syntax"},
		{"an unknown escape is malformed", `"\x"`, "syntax"},
		{"an unclosed string is malformed", `{"a":"b`, "syntax"},
		{"an unclosed object is malformed", `{"a":1`, "syntax"},
		{"a missing colon is malformed", `{"a" 1}`, "syntax"},
		{"a key that is not a string is malformed", `{a:1}`, "syntax"},
		{"a misspelt literal is malformed", `tru`, "syntax"},
		{"invalid UTF-8 is refused", "\"\xff\"", "utf8"},
		{"a truncated UTF-8 sequence is refused", "\"\xe2\x82\"", "utf8"},
		{"a lone high surrogate is refused", `"\ud800"`, "utf8"},
		{"a lone low surrogate is refused", `"\udc00x"`, "utf8"},
		{"512 levels of nesting are allowed", strings.Repeat("[", 512) + strings.Repeat("]", 512), ""},
		{"513 levels of nesting are too deep", strings.Repeat("[", 513) + strings.Repeat("]", 513), "depth"},
		{"10 000 levels of nesting are too deep", strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), "depth"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSON([]byte(tt.in))
			if tt.rule == "" {
				require.NoError(t, err)
				assert.True(t, json.Valid([]byte(tt.in)))
				return
			}
			var be *Error
			require.True(t, errors.As(err, &be), "got %v", err)
			assert.Equal(t, 400, be.Code)
			assert.Equal(t, tt.rule, be.Fields[0].Rule, be.Error())
		})
	}
}

func TestCheckJSONDoesNotAllocate(t *testing.T) {
	body := []byte(`{"name":"Ada Lovelace","email":"ada@example.com","age":36,"tags":["a","b","c"],"address":{"city":"London","zip":"12345"},"ok":true,"score":9.5,"note":null}`)
	allocs := testing.AllocsPerRun(100, func() {
		if checkJSON(body) != nil {
			t.Fatal("valid body refused")
		}
	})
	assert.Zero(t, allocs)
}

// FuzzCheckJSON checks checkJSON against encoding/json: what it accepts is
// valid JSON, and valid JSON it refuses breaks one of the strict rules.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", `[[[[1]]]]`, `{"a":[1,{"b":null}],"c":"\u00e9"}`, `1.5e-3`, `{"a":1}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		err := checkJSON(d)
		valid := json.Valid(d)
		if err == nil {
			if !valid {
				t.Fatalf("checkJSON accepts %q, which encoding/json refuses", d)
			}
			return
		}
		var be *Error
		if !errors.As(err, &be) {
			t.Fatalf("checkJSON(%q): not an *Error: %v", d, err)
		}
		if valid {
			switch be.Fields[0].Rule {
			case "duplicate", "depth", "utf8":
			default:
				t.Fatalf("checkJSON refuses valid %q as %s: %s", d, be.Fields[0].Rule, be.Error())
			}
		}
	})
}

var signupJSON = []byte(`{"name":"Ada Lovelace","email":"ada@example.com","age":36,"country":"GB","city":"London",` +
	`"zip":"12345","phone":"+442071234567","website":"https://example.com/ada","tags":["math","engines"],"newsletter":true}`)

func BenchmarkCheckJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(signupJSON)))
	for b.Loop() {
		if checkJSON(signupJSON) != nil {
			b.Fatal("refused")
		}
	}
}

func BenchmarkValidJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(signupJSON)))
	for b.Loop() {
		if !json.Valid(signupJSON) {
			b.Fatal("refused")
		}
	}
}

func TestPooledDecodersDecodeLikeUnmarshal(t *testing.T) {
	inputs := []string{`{"a":1}  ` + "\n", `5`, `"x"`, ` [1,2] `, `{"a":{"b":[true,null]}}`, `{"a":"not a number"}`, `1e3`, `{}`}
	for round := range 3 {
		for _, in := range inputs {
			var want, got any
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			require.NoError(t, unmarshalJSON([]byte(in), &got), "round %d: %s", round, in)
			assert.Equal(t, want, got, "round %d: %s", round, in)
			var typed struct{ A int }
			wantErr := json.Unmarshal([]byte(in), &typed)
			typed.A = 0
			gotErr := unmarshalJSON([]byte(in), &typed)
			assert.Equal(t, wantErr == nil, gotErr == nil, "round %d: %s: %v / %v", round, in, wantErr, gotErr)
		}
	}
}
