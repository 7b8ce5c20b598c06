package flagon

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitHost(t *testing.T) {
	good := map[string]string{
		"example.com":          "example.com",
		"Example.COM:8080":     "Example.COM",
		"example.com.":         "example.com.",
		"a_b-c.example":        "a_b-c.example",
		"localhost:0":          "localhost",
		"192.0.2.1:65535":      "192.0.2.1",
		"[::1]":                "::1",
		"[2001:db8::1]:443":    "2001:db8::1",
		"[::ffff:192.0.2.1]:1": "::ffff:192.0.2.1",
	}
	for h, want := range good {
		t.Run(h+" is a host", func(t *testing.T) {
			got, ok := splitHost(h)
			assert.True(t, ok)
			assert.Equal(t, want, got)
		})
	}
	bad := []string{
		"", "[::1", "::1", "[::1]x", "[::1]:", "[::1]:99999", "[fe80::1%eth0]", "[192.0.2.1]",
		"host:99999", "host:", "host:-1", "host:1234567", "host:8a", "a b", "evil.com/path",
		"user@evil.com", "a..b", ".example.com", ".", "example.com..", "bücher.example",
		"host:80:80", string(make([]byte, 256)),
	}
	for _, h := range bad {
		t.Run(h+" is not a host", func(t *testing.T) {
			_, ok := splitHost(h)
			assert.False(t, ok)
		})
	}
}

// The per-request readers of the last forwarded value must agree with the
// parsers ClientIP uses, which build every value.
func FuzzLastForwardedValueAgreesWithTheParsers(f *testing.F) {
	for _, s := range []string{
		"", "a", "a, b", "a,", ",", " a , b ",
		`for=1.2.3.4;host=example.com`,
		`for=6.6.6.6;host=evil.example, for=198.51.100.7;proto=https;host="public.example"`,
		`host="a,b";proto=http`, `for="[2001:db8::1]:4711"`, `HOST=X;host=y`, `host="a\"b"`,
		`for="unterminated, host=x`, `host=a;;host=`, `proto`, `for=1;host="x;y"`, `a\,b`,
	} {
		f.Add(s, s+", host=z")
	}
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		for _, lines := range [][]string{{line1}, {line1, line2}} {
			vals := listValues(lines)
			assert.Equal(t, vals[len(vals)-1], lastListValue(lines), "%q", lines)
			elems := forwardedElements(lines)
			for _, param := range []string{"host", "proto"} {
				assert.Equal(t, elems[len(elems)-1][param], lastForwardedParam(lines, param), "%s of %q", param, lines)
			}
		}
		assert.Equal(t, "", lastListValue(nil))
		assert.Equal(t, "", lastForwardedParam(nil, "host"))
	})
}
