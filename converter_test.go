package flagon_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// converterCase is one request against the converter routes: want is the
// reply, or "" for a 404.
type converterCase struct {
	path, want string
}

func (c converterCase) name() string {
	if c.want == "" {
		return c.path + " is not found"
	}
	return c.path + " gives " + c.want
}

func runConverterCases(t *testing.T, app *flagon.App, cases []converterCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name(), func(t *testing.T) {
			rec := serveTarget(t, app, "GET", tt.path)
			if tt.want == "" {
				assert.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
				return
			}
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tt.want, rec.Body.String())
		})
	}
}

func TestIntConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/n/<int:v>", reply("int", "v"))
	runConverterCases(t, app, []converterCase{
		{"/n/0", "int v=0"},
		{"/n/7", "int v=7"},
		{"/n/9223372036854775807", "int v=9223372036854775807"},
		{"/n/007", "int v=007"},
		{"/n/00000000000000000000000000001", "int v=00000000000000000000000000001"},
		{"/n/09223372036854775807", "int v=09223372036854775807"},
		{"/n/9223372036854775808", ""},
		{"/n/09223372036854775808", ""},
		{"/n/18446744073709551615", ""},
		{"/n/18446744073709551616", ""},
		{"/n/99999999999999999999", ""},
		{"/n/-1", ""},
		{"/n/-0", ""},
		{"/n/+1", ""},
		{"/n/%2B1", ""},
		{"/n/1.5", ""},
		{"/n/1e3", ""},
		{"/n/0x1f", ""},
		{"/n/1_000", ""},
		{"/n/%201", ""},
		{"/n/1%20", ""},
		{"/n/", ""},
		{"/n/%D9%A3", ""},    // ARABIC-INDIC DIGIT THREE
		{"/n/%EF%BC%91", ""}, // FULLWIDTH DIGIT ONE
		{"/n/%E0%A5%A7", ""}, // DEVANAGARI DIGIT ONE
	})
	t.Run("ParamInt converts the value of an int variable", func(t *testing.T) {
		app := flagon.New()
		app.Get("/n/<int:v>", func(c *flagon.Context) error { return c.Text(200, strconv.Itoa(c.ParamInt("v")+1)) })
		assert.Equal(t, "9223372036854775807", app.TestClient().Get("/n/9223372036854775806").Text())
	})
}

func TestFloatConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/f/<float:v>", reply("float", "v"))
	runConverterCases(t, app, []converterCase{
		{"/f/1.5", "float v=1.5"},
		{"/f/0.0", "float v=0.0"},
		{"/f/00.50", "float v=00.50"},
		{"/f/123456789.987654321", "float v=123456789.987654321"},
		{"/f/1", ""},
		{"/f/.5", ""},
		{"/f/1.", ""},
		{"/f/1e5", ""},
		{"/f/1.5e3", ""},
		{"/f/1.5E3", ""},
		{"/f/-1.5", ""},
		{"/f/+1.5", ""},
		{"/f/1.5.2", ""},
		{"/f/1,5", ""},
		{"/f/NaN", ""},
		{"/f/Inf", ""},
		{"/f/0x1p-2", ""},
		{"/f/1_0.5", ""},
		{"/f/%D9%A3.5", ""},
		{"/f/" + strings.Repeat("9", 400) + ".0", ""}, // beyond float64
		{"/f/", ""},
	})
}

func TestUUIDConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/u/<uuid:v>", reply("uuid", "v"))
	runConverterCases(t, app, []converterCase{
		{"/u/123e4567-e89b-12d3-a456-426614174000", "uuid v=123e4567-e89b-12d3-a456-426614174000"},
		{"/u/123E4567-E89B-12D3-A456-426614174000", "uuid v=123E4567-E89B-12D3-A456-426614174000"},
		{"/u/123e4567-E89B-12d3-A456-426614174abc", "uuid v=123e4567-E89B-12d3-A456-426614174abc"},
		{"/u/00000000-0000-0000-0000-000000000000", "uuid v=00000000-0000-0000-0000-000000000000"},
		{"/u/123e4567e89b12d3a456426614174000", ""},       // no dashes
		{"/u/123e4567-e89b-12d3-a456-42661417400", ""},    // 35 characters
		{"/u/123e4567-e89b-12d3-a456-4266141740000", ""},  // 37 characters
		{"/u/123e4567-e89b-12d3-a456-42661417400g", ""},   // not hex
		{"/u/123e4567-e89b-12d3-a4564-26614174000", ""},   // dash misplaced
		{"/u/123e4567+e89b-12d3-a456-426614174000", ""},   // not a dash
		{"/u/{123e4567-e89b-12d3-a456-426614174000}", ""}, // braces
		{"/u/urn:uuid:123e4567-e89b-12d3-a456-426614174000", ""},
		{"/u/", ""},
	})
}

func TestAnyConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/<any(en,fr,de):lang>/about", reply("about", "lang"))
	app.Get("/q/<any('a b', \"c\"):w>", reply("quoted", "w"))
	runConverterCases(t, app, []converterCase{
		{"/en/about", "about lang=en"},
		{"/fr/about", "about lang=fr"},
		{"/de/about", "about lang=de"},
		{"/e/about", ""},
		{"/english/about", ""},
		{"/EN/about", ""},
		{"/En/about", ""},
		{"/enfr/about", ""},
		{"/en%20/about", ""},
		{"/it/about", ""},
		{"/q/a%20b", "quoted w=a b"},
		{"/q/c", "quoted w=c"},
		{"/q/'c'", ""},
	})
}

func TestStringConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/s/<v>", reply("string", "v"))
	app.Get("/t/<string:v>/x", reply("explicit string", "v"))
	runConverterCases(t, app, []converterCase{
		{"/s/hello", "string v=hello"},
		{"/s/a%2Fb", "string v=a/b"},
		{"/s/a%2f%2fb", "string v=a//b"},
		{"/s/caf%C3%A9", "string v=café"},
		{"/s/%20", "string v= "},
		{"/s/-", "string v=-"},
		{"/s/a.b", "string v=a.b"},
		{"/s/a;b=c", "string v=a;b=c"},
		{"/s/", ""},
		{"/s/a/b", ""},
		{"/t/v1/x", "explicit string v=v1"},
		{"/t/%20/x", "explicit string v= "},
	})
}

func TestPathConverter(t *testing.T) {
	app := flagon.New()
	app.Get("/files/<path:p>", reply("path", "p"))
	app.Get("/doc/<name>/<path:p>", reply("name and path", "name", "p"))
	runConverterCases(t, app, []converterCase{
		{"/files/a", "path p=a"},
		{"/files/a/b", "path p=a/b"},
		{"/files/a/b/", "path p=a/b/"},
		{"/files/a/b/c.tar.gz", "path p=a/b/c.tar.gz"},
		{"/files/a%2Fb/c", "path p=a/b/c"},
		{"/files/a%20b/c", "path p=a b/c"},
		{"/files/.hidden/x", "path p=.hidden/x"},
		{"/files/", ""},
		{"/files", ""},
		{"/doc/guide/intro/part1", "name and path name=guide p=intro/part1"},
		{"/doc/guide/", ""},
	})
}

// evenConverter is a custom converter: even decimal numbers.
type evenConverter struct{}

func (evenConverter) Match(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n%2 == 0 && s == strconv.Itoa(n)
}

func (evenConverter) Build(v any) (string, error) {
	n, ok := v.(int)
	if !ok {
		return "", strconv.ErrSyntax
	}
	return strconv.Itoa(n), nil
}

// everythingConverter is a custom converter that takes every segment.
type everythingConverter struct{}

func (everythingConverter) Match(s string) bool         { return s != "" }
func (everythingConverter) Build(v any) (string, error) { return v.(string), nil }

// decodedConverter records the segments it is given.
type decodedConverter struct{ seen *[]string }

func (d decodedConverter) Match(s string) bool {
	*d.seen = append(*d.seen, s)
	return strings.HasPrefix(s, "d:")
}
func (decodedConverter) Build(v any) (string, error) { return v.(string), nil }

func TestCustomConverters(t *testing.T) {
	t.Run("a custom converter matches what it accepts and nothing else", func(t *testing.T) {
		app := flagon.New()
		app.Converter("even", evenConverter{})
		app.Get("/e/<even:n>", reply("even", "n"))
		runConverterCases(t, app, []converterCase{
			{"/e/2", "even n=2"},
			{"/e/0", "even n=0"},
			{"/e/3", ""},
			{"/e/x", ""},
		})
	})
	t.Run("a custom converter comes after any, int, float and uuid and before string and path", func(t *testing.T) {
		app := flagon.New()
		app.Converter("all", everythingConverter{})
		app.Get("/c/<s>", reply("string", "s"))
		app.Get("/c/<path:p>", reply("path", "p"))
		app.Get("/c/<all:a>", reply("custom", "a"))
		app.Get("/c/<uuid:u>", reply("uuid", "u"))
		app.Get("/c/<float:f>", reply("float", "f"))
		app.Get("/c/<int:i>", reply("int", "i"))
		app.Get("/c/<any(x,y):w>", reply("any", "w"))
		app.Get("/c/static", reply("static"))
		runConverterCases(t, app, []converterCase{
			{"/c/static", "static"},
			{"/c/x", "any w=x"},
			{"/c/12", "int i=12"},
			{"/c/1.5", "float f=1.5"},
			{"/c/123e4567-e89b-12d3-a456-426614174000", "uuid u=123e4567-e89b-12d3-a456-426614174000"},
			{"/c/hello", "custom a=hello"},
			{"/c/a/b", "path p=a/b"},
		})
	})
	t.Run("string takes what the custom converter refuses", func(t *testing.T) {
		app := flagon.New()
		app.Converter("even", evenConverter{})
		app.Get("/c/<s>", reply("string", "s"))
		app.Get("/c/<even:n>", reply("even", "n"))
		app.Get("/c/<even:n>/x", reply("even x", "n"))
		app.Get("/c/<s>/<t>", reply("string string", "s", "t"))
		runConverterCases(t, app, []converterCase{
			{"/c/4", "even n=4"},
			{"/c/5", "string s=5"},
			{"/c/4/x", "even x n=4"},
			{"/c/4/y", "string string s=4 t=y"},
		})
	})
	t.Run("a custom converter is given the decoded segment", func(t *testing.T) {
		var seen []string
		app := flagon.New()
		app.Converter("dec", decodedConverter{&seen})
		app.Get("/d/<dec:v>", reply("dec", "v"))
		rec := serveTarget(t, app, "GET", "/d/d:a%2Fb%20c")
		assert.Equal(t, 200, rec.Code)
		assert.Equal(t, "dec v=d:a/b c", rec.Body.String())
		assert.Contains(t, seen, "d:a/b c")
		assert.NotContains(t, seen, "d:a%2Fb%20c")
	})
	t.Run("registering a converter under a built-in name panics", func(t *testing.T) {
		for _, name := range []string{"int", "string", "path", "any", "uuid", "float"} {
			msg := panicMessage(func() { flagon.New().Converter(name, evenConverter{}) })
			assert.Contains(t, msg, "flagon:", name)
			assert.Contains(t, msg, name)
		}
	})
	t.Run("registering a converter twice panics", func(t *testing.T) {
		app := flagon.New()
		app.Converter("even", evenConverter{})
		msg := panicMessage(func() { app.Converter("even", evenConverter{}) })
		assert.Contains(t, msg, "flagon:")
		assert.Contains(t, msg, `"even"`)
	})
	t.Run("a rule naming a converter registered later panics as unknown", func(t *testing.T) {
		app := flagon.New()
		msg := panicMessage(func() { app.Get("/e/<even:n>", reply("even")) })
		assert.Contains(t, msg, "flagon:")
		assert.Contains(t, msg, `unknown converter "even"`)
	})
}
