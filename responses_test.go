package flagon_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/render"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveApp serves app on a loopback httptest server for the test.
func serveApp(t *testing.T, app *flagon.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

func request(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func TestTheContextShortcutsAnswerWithTheirContentTypes(t *testing.T) {
	type user struct {
		Name string `json:"name" xml:"name"`
	}
	app := quietApp()
	app.Get("/text", func(c *flagon.Context) error { return c.Text(201, "plain") })
	app.Get("/string", func(c *flagon.Context) error { return c.String(200, "%d items", 3) })
	app.Get("/json", func(c *flagon.Context) error { return c.JSON(200, user{Name: "<Ann>"}) })
	app.Get("/xml", func(c *flagon.Context) error { return c.XML(202, user{Name: "Ann"}) })
	app.Get("/html", func(c *flagon.Context) error { return c.HTML(200, "<b>bold</b>") })
	app.Get("/blob", func(c *flagon.Context) error { return c.Blob(200, "image/gif", []byte("GIF89a")) })
	app.Get("/render", func(c *flagon.Context) error {
		return c.Render(203, render.IndentedJSON{Data: flagon.M{"a": 1}})
	})
	app.Get("/stream", func(c *flagon.Context) error {
		return c.Stream(200, "text/csv", strings.NewReader("a,b\n1,2\n"))
	})
	app.Get("/none", func(c *flagon.Context) error { return c.NoContent(204) })
	app.Get("/redirect", func(c *flagon.Context) error { return c.Redirect(303, "/text") })
	srv := serveApp(t, app)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	cases := []struct {
		path, contentType, body string
		code                    int
	}{
		{"/text", "text/plain; charset=utf-8", "plain", 201},
		{"/string", "text/plain; charset=utf-8", "3 items", 200},
		{"/json", "application/json; charset=utf-8", `{"name":"\u003cAnn\u003e"}` + "\n", 200},
		{"/xml", "application/xml; charset=utf-8", `<?xml version="1.0" encoding="UTF-8"?>` + "\n<user><name>Ann</name></user>", 202},
		{"/html", "text/html; charset=utf-8", "<b>bold</b>", 200},
		{"/blob", "image/gif", "GIF89a", 200},
		{"/render", "application/json; charset=utf-8", "{\n  \"a\": 1\n}\n", 203},
		{"/stream", "text/csv", "a,b\n1,2\n", 200},
		{"/none", "", "", 204},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			res, body := request(t, "GET", srv.URL+tc.path, nil)
			assert.Equal(t, tc.code, res.StatusCode)
			assert.Equal(t, tc.contentType, res.Header.Get("Content-Type"))
			assert.Equal(t, tc.body, body)
		})
	}
	t.Run("/redirect", func(t *testing.T) {
		res, err := noFollow.Get(srv.URL + "/redirect")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 303, res.StatusCode)
		assert.Equal(t, "/text", res.Header.Get("Location"))
	})
}

func TestAResponseThatCannotBeEncodedIsACleanServerError(t *testing.T) {
	app := quietApp()
	app.Get("/json", func(c *flagon.Context) error { return c.JSON(200, flagon.M{"ch": make(chan int)}) })
	app.Get("/xml", func(c *flagon.Context) error { return c.XML(200, map[string]int{"a": 1}) })
	app.Get("/page", func(c *flagon.Context) error { return c.Template(200, "broken.html", nil) })
	app.Config.TemplateFS = mapFS(map[string]string{"broken.html": "<h1>start</h1>{{template \"nowhere\"}}"})
	srv := serveApp(t, app)
	for _, p := range []string{"/json", "/xml", "/page"} {
		t.Run(p, func(t *testing.T) {
			res, body := request(t, "GET", srv.URL+p, map[string]string{"Accept": "application/json"})
			assert.Equal(t, 500, res.StatusCode)
			assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			var prob map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &prob), "the body is the error document alone: %q", body)
			assert.EqualValues(t, 500, prob["status"])
			assert.NotContains(t, body, "start")
			assert.NotContains(t, body, "chan", "no internals outside debug mode")
		})
	}
}

func TestAStreamReachesTheClientChunkByChunk(t *testing.T) {
	app := quietApp()
	app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc { // streams work through middleware
		return func(c *flagon.Context) error {
			c.SetHeader("X-Through", "mw")
			return next(c)
		}
	})
	gate := make(chan struct{})
	app.Get("/stream", func(c *flagon.Context) error {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("first\n"))
			<-gate // the second chunk waits until the client has read the first
			_, _ = pw.Write([]byte("second\n"))
			pw.Close()
		}()
		return c.Stream(200, "text/plain", pr)
	})
	srv := serveApp(t, app)
	res, err := http.Get(srv.URL + "/stream")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "mw", res.Header.Get("X-Through"))
	rd := bufio.NewReader(res.Body)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line, "the first chunk arrives while the handler still runs")
	close(gate)
	line, err = rd.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "second\n", line)
}

// endless is a reader that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return copy(p, "tick\n"), nil
}

func TestAStreamStopsWhenTheClientGoesAway(t *testing.T) {
	app := quietApp()
	stopped := make(chan error, 1)
	app.Get("/stream", func(c *flagon.Context) error {
		err := c.Stream(200, "text/plain", endless{})
		stopped <- err
		return err
	})
	app.Get("/events", func(c *flagon.Context) error {
		for i := 0; ; i++ {
			if err := c.Render(200, render.Event{ID: "x", Data: i}); err != nil {
				stopped <- err
				return err
			}
			select {
			case <-c.Context().Done():
				stopped <- c.Context().Err()
				return nil
			case <-time.After(time.Millisecond):
			}
		}
	})
	srv := serveApp(t, app)
	for _, p := range []string{"/stream", "/events"} {
		t.Run(p, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+p, nil)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, err = bufio.NewReader(res.Body).ReadString('\n')
			require.NoError(t, err)
			cancel()
			res.Body.Close()
			select {
			case err := <-stopped:
				assert.Error(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("the handler kept streaming after the client left")
			}
		})
	}
}

func TestServerSentEventsArriveOneByOne(t *testing.T) {
	app := quietApp()
	next := make(chan struct{})
	app.Get("/events", func(c *flagon.Context) error {
		for i := 1; i <= 2; i++ {
			if err := c.Render(200, render.Event{Event: "count", Data: flagon.M{"n": i}}); err != nil {
				return err
			}
			<-next
		}
		return nil
	})
	srv := serveApp(t, app)
	res, err := http.Get(srv.URL + "/events")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	rd := bufio.NewReader(res.Body)
	readEvent := func() string {
		var sb strings.Builder
		for {
			line, err := rd.ReadString('\n')
			require.NoError(t, err)
			if line == "\n" {
				return sb.String()
			}
			sb.WriteString(line)
		}
	}
	assert.Equal(t, "event: count\ndata: {\"n\":1}\n", readEvent())
	next <- struct{}{}
	assert.Equal(t, "event: count\ndata: {\"n\":2}\n", readEvent())
	next <- struct{}{}
}

func TestAcceptsPicksTheOfferTheClientPrefers(t *testing.T) {
	app := quietApp()
	app.Get("/", func(c *flagon.Context) error {
		return c.Text(200, "["+c.Accepts("application/json", "text/html")+"]")
	})
	srv := serveApp(t, app)
	cases := []struct{ accept, want string }{
		{"", "application/json"},
		{"text/html", "text/html"},
		{"application/json", "application/json"},
		{"text/html;q=0.9, application/json;q=0.8", "text/html"},
		{"text/*;q=0.5, application/json;q=0.4", "text/html"},
		{"*/*", "application/json"},
		{"text/html, */*;q=0.1", "text/html"},
		{"application/xml", ""},
		{"application/json;q=0, */*", "text/html"},
		{"TEXT/HTML", "text/html"},
		{"garbage;;;q=abc", ""},
	}
	for _, tc := range cases {
		t.Run("Accept: "+tc.accept, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.accept != "" {
				hdr["Accept"] = tc.accept
			}
			_, body := request(t, "GET", srv.URL+"/", hdr)
			assert.Equal(t, "["+tc.want+"]", body)
		})
	}
}

// newJarClient is an HTTP client that keeps cookies, like a browser.
func newJarClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar}
}

// readBody GETs url with client and returns the body.
func readBody(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	res, err := client.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

func TestRedirectTakesOnlyTheRedirectCodes(t *testing.T) {
	for code := 300; code <= 308; code++ {
		app := flagon.New()
		app.Get("/", func(c *flagon.Context) error { return c.Redirect(code, "/there") })
		res := app.TestClient().Get("/")
		switch code {
		case 301, 302, 303, 307, 308:
			assert.Equal(t, code, res.Code)
			assert.Equal(t, "/there", res.Header.Get("Location"))
		default:
			assert.Equal(t, 500, res.Code, "Redirect(%d) is a mistake", code)
			assert.Empty(t, res.Header.Get("Location"))
		}
	}
}
