package flagon_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settledGoroutines waits for the goroutine count to fall back to at most
// want and returns the last count seen.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > want; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

type badInputPayload struct {
	Name string                `json:"name" form:"name"`
	Age  int                   `json:"age" form:"age"`
	Doc  *multipart.FileHeader `form:"doc"`
}

// bindServer serves POST / binding a badInputPayload, and sends every
// error the handler returns on errs.
func bindServer(t *testing.T, app *flagon.App) (*httptest.Server, chan error) {
	t.Helper()
	errs := make(chan error, 16)
	app.Post("/", func(c *flagon.Context) error {
		_, err := flagon.Bind[badInputPayload](c)
		errs <- err
		if err != nil {
			return err
		}
		return c.Text(200, "ok")
	})
	srv := httptest.NewServer(app)
	return srv, errs
}

func TestBindBadInput(t *testing.T) {
	left := emptyTempDir(t)
	before := runtime.NumGoroutine()
	app := quietApp()
	app.Config.MaxMultipartMemory = 1 << 10
	srv, errs := bindServer(t, app)

	ct, body := multipartBody(t, map[string]string{"name": "n"}, [2]string{"doc", strings.Repeat("x", 64<<10)})
	truncated := body.Bytes()[:body.Len()-100]

	for _, tt := range []struct {
		name, ct, body string
		code           int
		rule, field    string
	}{
		{"10 000 levels of nested JSON are 400", "application/json", strings.Repeat(`{"name":`, 10000) + `"x"` + strings.Repeat("}", 10000), 400, "depth", ""},
		{"a number past an int field's range is 400 naming the field", "application/json", `{"age":99999999999999999999999}`, 400, "type", "age"},
		{"a huge exponent is 400 naming the field", "application/json", `{"age":1e999}`, 400, "type", "age"},
		{"a duplicate key is 400 naming the key", "application/json", `{"name":"a","name":"b"}`, 400, "duplicate", "name"},
		{"invalid UTF-8 is 400", "application/json", "{\"name\":\"\xc3\x28\"}", 400, "utf8", ""},
		{"trailing data is 400", "application/json", `{"name":"a"}{"name":"b"}`, 400, "syntax", ""},
		{"a truncated multipart body is 400", ct, string(truncated), 400, "read", ""},
		{"a multipart body without its boundary is 400", "multipart/form-data", string(truncated), 400, "read", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", srv.URL, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", tt.ct)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			require.Equal(t, tt.code, res.StatusCode, string(b))
			assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			assert.Contains(t, string(b), `"rule":"`+tt.rule+`"`)
			assert.Contains(t, string(b), `"field":"`+tt.field+`"`)
			var be *flagon.BindError
			require.True(t, errors.As(<-errs, &be))
		})
	}

	t.Run("a client that disconnects mid-body ends its request with a 400", func(t *testing.T) {
		for _, framing := range []string{"Content-Length: 100000\r\n", "Transfer-Encoding: chunked\r\n"} {
			for _, ctype := range []string{"application/json", ct} {
				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				require.NoError(t, err)
				part := `{"name":"abc`
				if ctype == ct {
					part = string(truncated[:2000])
				}
				if strings.HasPrefix(framing, "Transfer") {
					part = fmt.Sprintf("%x\r\n%s\r\n", len(part), part)
				}
				_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n%s\r\n%s", ctype, framing, part)
				require.NoError(t, err)
				time.Sleep(20 * time.Millisecond)
				require.NoError(t, conn.Close())
				select {
				case err := <-errs:
					var be *flagon.BindError
					require.True(t, errors.As(err, &be), "%s %s: %v", framing, ctype, err)
					assert.Equal(t, 400, be.Code)
				case <-time.After(5 * time.Second):
					t.Fatalf("%s %s: the handler never finished", framing, ctype)
				}
			}
		}
	})

	srv.Close()
	http.DefaultClient.CloseIdleConnections()
	assert.LessOrEqual(t, settledGoroutines(before), before, "no goroutine is left behind")
	assert.Empty(t, left(), "no temporary file is left behind")
}

func TestBindBodyLimit(t *testing.T) {
	left := emptyTempDir(t)
	app := quietApp()
	app.Config.MaxBodyBytes = 4 << 10
	app.Config.MaxMultipartMemory = 1 << 10
	srv, errs := bindServer(t, app)
	defer srv.Close()

	bigJSON := `{"name":"` + strings.Repeat("x", 8<<10) + `"}`
	ct, mp := multipartBody(t, map[string]string{"name": "n"}, [2]string{"doc", strings.Repeat("x", 8<<10)})
	for _, tt := range []struct {
		name, ct, body string
		chunked        bool
		handlerRuns    bool
	}{
		{"a declared JSON body past the limit is 413 before the handler runs", "application/json", bigJSON, false, false},
		{"a chunked JSON body past the limit is 413 from inside Bind", "application/json", bigJSON, true, true},
		{"a chunked XML body past the limit is 413 from inside Bind", "application/xml", "<p><name>" + strings.Repeat("x", 8<<10) + "</name></p>", true, true},
		{"a chunked urlencoded body past the limit is 413 from inside Bind", "application/x-www-form-urlencoded", "name=" + strings.Repeat("x", 8<<10), true, true},
		{"a chunked multipart body past the limit is 413 from inside Bind", ct, mp.String(), true, true},
		{"a declared multipart body past the limit is 413", ct, mp.String(), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				r = io.MultiReader(r) // hides the length: sent chunked
			}
			req, err := http.NewRequest("POST", srv.URL, r)
			require.NoError(t, err)
			req.Header.Set("Content-Type", tt.ct)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, 413, res.StatusCode, string(b))
			if tt.handlerRuns {
				err := <-errs
				var he *flagon.HTTPError
				require.True(t, errors.As(err, &he), "Bind returns an *HTTPError, got %v", err)
				assert.Equal(t, 413, he.Code)
				var mbe *http.MaxBytesError
				assert.True(t, errors.As(err, &mbe), "the cause is kept")
			}
			assert.Empty(t, errs, "the handler ran only when the limit could not be seen up front")
		})
	}
	assert.Empty(t, left())
}

func TestBindWithoutBodyLimit(t *testing.T) {
	app := quietApp()
	app.Config.MaxBodyBytes = 0 // no limit
	srv, errs := bindServer(t, app)
	defer srv.Close()
	body := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	res, err := http.Post(srv.URL, "application/json", io.MultiReader(bytes.NewReader([]byte(body))))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode, "a body larger than the pooled buffers is read in full")
	assert.NoError(t, <-errs)
}

func TestMultipartPastItsPartLimitIs413(t *testing.T) {
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		_, err := c.FormValues()
		return err
	})
	fields := map[string]string{}
	for i := range 1001 { // net/http's default limit is 1000 parts
		fields[fmt.Sprint("f", i)] = "x"
	}
	ct, body := multipartBody(t, fields)
	res := app.TestClient().Post("/", ct, body)
	assert.Equal(t, 413, res.Code)
}
