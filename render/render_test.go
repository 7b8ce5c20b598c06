package render_test

import (
	"context"
	"errors"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon/render"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryRendererSetsItsContentType(t *testing.T) {
	tmpl := template.Must(template.New("page").Parse(`<p>{{.}}</p>`))
	cases := []struct {
		name        string
		r           render.Renderer
		contentType string
		body        string
	}{
		{"JSON escapes HTML characters", render.JSON{Data: map[string]string{"a": "<b>&"}}, "application/json; charset=utf-8", `{"a":"\u003cb\u003e\u0026"}` + "\n"},
		{"IndentedJSON indents by two spaces", render.IndentedJSON{Data: map[string]int{"a": 1}}, "application/json; charset=utf-8", "{\n  \"a\": 1\n}\n"},
		{"XML starts with the declaration", render.XML{Data: struct {
			XMLName struct{} `xml:"user"`
			Name    string   `xml:"name"`
		}{Name: "a<b"}}, "application/xml; charset=utf-8", `<?xml version="1.0" encoding="UTF-8"?>` + "\n<user><name>a&lt;b</name></user>"},
		{"Text is plain UTF-8 text", render.Text{Text: "héllo"}, "text/plain; charset=utf-8", "héllo"},
		{"HTMLString is sent unescaped", render.HTMLString{HTML: "<b>x</b>"}, "text/html; charset=utf-8", "<b>x</b>"},
		{"Data has the given type", render.Data{ContentType: "image/png", Data: []byte{1, 2}}, "image/png", "\x01\x02"},
		{"Data without a type is an octet stream", render.Data{Data: []byte("x")}, "application/octet-stream", "x"},
		{"Reader streams what it reads", render.Reader{ContentType: "text/csv", Reader: strings.NewReader("a,b\n")}, "text/csv", "a,b\n"},
		{"HTML executes the template escaped", render.HTML{Template: tmpl, Data: "<script>"}, "text/html; charset=utf-8", "<p>&lt;script&gt;</p>"},
		{"HTML executes a named template", render.HTML{Template: tmpl, Name: "page", Data: "x"}, "text/html; charset=utf-8", "<p>x</p>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			require.NoError(t, tc.r.Render(w))
			assert.Equal(t, tc.contentType, w.Header().Get("Content-Type"))
			assert.Equal(t, tc.body, w.Body.String())
		})
	}
}

func TestAValueThatCannotBeEncodedWritesNothing(t *testing.T) {
	broken := template.Must(template.New("p").Parse(`before {{.Missing.Field}} after`))
	cases := []struct {
		name string
		r    render.Renderer
	}{
		{"JSON of a channel", render.JSON{Data: map[string]any{"ok": 1, "c": make(chan int)}}},
		{"JSON of NaN", render.JSON{Data: math.NaN()}},
		{"IndentedJSON of a function", render.IndentedJSON{Data: func() {}}},
		{"XML of a map", render.XML{Data: map[string]int{"a": 1}}},
		{"HTML whose template fails half way", render.HTML{Template: broken, Data: 42}},
		{"HTML without a template", render.HTML{}},
		{"an Event whose data cannot be encoded", render.Event{Data: make(chan int)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			err := tc.r.Render(w)
			require.Error(t, err)
			assert.False(t, w.Flushed)
			assert.Empty(t, w.Body.String(), "nothing of the body is written")
			assert.Empty(t, w.Header().Get("Content-Type"), "no header is set")
		})
	}
}

func TestLargeBodiesCarryTheirLength(t *testing.T) {
	w := httptest.NewRecorder()
	require.NoError(t, render.JSON{Data: strings.Repeat("x", 5000)}.Render(w))
	assert.Equal(t, "5003", w.Header().Get("Content-Length"))
}

func TestAnEventIsFramedAndFlushed(t *testing.T) {
	cases := []struct {
		name string
		e    render.Event
		want string
	}{
		{"a string is sent as is", render.Event{Data: "hello"}, "data: hello\n\n"},
		{"every field", render.Event{ID: "7", Event: "tick", Retry: 1500 * time.Millisecond, Data: "x"}, "id: 7\nevent: tick\nretry: 1500\ndata: x\n\n"},
		{"lines become data lines", render.Event{Data: "a\nb\r\nc"}, "data: a\ndata: b\ndata: c\n\n"},
		{"a struct is JSON", render.Event{Data: map[string]int{"n": 1}}, "data: {\"n\":1}\n\n"},
		{"bytes are sent as is", render.Event{Data: []byte("raw")}, "data: raw\n\n"},
		{"line breaks cannot forge fields", render.Event{Event: "a\ndata: forged", ID: "1\r\nevent: x", Data: "ok"}, "id: 1  event: x\nevent: a data: forged\ndata: ok\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			require.NoError(t, tc.e.Render(w))
			assert.Equal(t, tc.want, w.Body.String())
			assert.True(t, w.Flushed)
			assert.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
			assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
			assert.Equal(t, "no", w.Header().Get("X-Accel-Buffering"))
		})
	}
}

// chunks yields its strings one Read at a time, then EOF.
type chunks struct{ parts []string }

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts = c.parts[1:]
	return n, nil
}

// flushLog records what was written before each flush.
type flushLog struct {
	httptest.ResponseRecorder
	flushed []string
}

func (f *flushLog) Flush() { f.flushed = append(f.flushed, f.Body.String()) }

func TestAFlushedReaderSendsEachChunkAtOnce(t *testing.T) {
	w := &flushLog{ResponseRecorder: *httptest.NewRecorder()}
	r := render.Reader{ContentType: "text/plain", Reader: &chunks{parts: []string{"one ", "two ", "three"}}, Flush: true, ContentLength: 13}
	require.NoError(t, r.Render(w))
	assert.Equal(t, []string{"", "one ", "one two ", "one two three"}, w.flushed)
	assert.Equal(t, "13", w.Header().Get("Content-Length"))
}

func TestAReaderStopsWhenItsContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, flush := range []bool{false, true} {
		w := httptest.NewRecorder()
		err := render.Reader{Reader: strings.NewReader("never sent"), Flush: flush, Context: ctx}.Render(w)
		assert.True(t, errors.Is(err, context.Canceled), "flush=%v: %v", flush, err)
		assert.Empty(t, w.Body.String())
	}
}

var _ http.Flusher = (*flushLog)(nil)
