package flagon

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
)

// TestClient sends requests to an App in process, without a network. It
// keeps cookies between requests like a browser and does not follow
// redirects, so tests can assert them. It is not safe for concurrent use.
type TestClient struct {
	app  *App
	jar  *cookiejar.Jar
	base *url.URL
}

// TestResponse is what a TestClient request got back.
type TestResponse struct {
	Code   int
	Header http.Header
	Body   []byte
}

// Text returns the body as a string.
func (r *TestResponse) Text() string { return string(r.Body) }

// JSON decodes the body into v.
func (r *TestResponse) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// TestClient returns a client for the app, with an empty cookie jar.
// Requests go to http://localhost unless a full URL is given.
func (a *App) TestClient() *TestClient {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse("http://localhost/")
	return &TestClient{app: a, jar: jar, base: base}
}

// Get sends a GET request.
func (t *TestClient) Get(path string) *TestResponse { return t.send(http.MethodGet, path, "", nil) }

// Delete sends a DELETE request.
func (t *TestClient) Delete(path string) *TestResponse {
	return t.send(http.MethodDelete, path, "", nil)
}

// Head sends a HEAD request; the response has no body.
func (t *TestClient) Head(path string) *TestResponse { return t.send(http.MethodHead, path, "", nil) }

// Options sends an OPTIONS request.
func (t *TestClient) Options(path string) *TestResponse {
	return t.send(http.MethodOptions, path, "", nil)
}

// Post sends a POST request with the given body and Content-Type.
func (t *TestClient) Post(path, contentType string, body io.Reader) *TestResponse {
	return t.send(http.MethodPost, path, contentType, body)
}

// Put sends a PUT request with the given body and Content-Type.
func (t *TestClient) Put(path, contentType string, body io.Reader) *TestResponse {
	return t.send(http.MethodPut, path, contentType, body)
}

// Patch sends a PATCH request with the given body and Content-Type.
func (t *TestClient) Patch(path, contentType string, body io.Reader) *TestResponse {
	return t.send(http.MethodPatch, path, contentType, body)
}

// PostJSON sends v encoded as JSON in a POST request. A value that cannot
// be encoded panics, as it is a mistake in the test.
func (t *TestClient) PostJSON(path string, v any) *TestResponse {
	b, err := json.Marshal(v)
	if err != nil {
		panic("flagon: TestClient.PostJSON: " + err.Error())
	}
	return t.send(http.MethodPost, path, "application/json", bytes.NewReader(b))
}

// PostForm sends form URL-encoded in a POST request.
func (t *TestClient) PostForm(path string, form url.Values) *TestResponse {
	return t.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func (t *TestClient) send(method, path, contentType string, body io.Reader) *TestResponse {
	req := httptest.NewRequest(method, t.base.ResolveReference(&url.URL{Path: "/"}).String(), body)
	u, err := t.base.Parse(path)
	if err != nil {
		// Keep malformed paths as the client sent them, so tests can check
		// the app's answer to them.
		p, q, _ := strings.Cut(path, "?")
		u = &url.URL{Scheme: t.base.Scheme, Host: t.base.Host, Path: p, RawPath: p, RawQuery: q}
	}
	req.URL = u
	req.RequestURI = u.RequestURI()
	req.Host = u.Host
	req.RemoteAddr = "127.0.0.1:1234"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return t.Do(req)
}

// httptestRemoteAddr is the placeholder peer of httptest.NewRequest.
const httptestRemoteAddr = "192.0.2.1:1234"

// Do sends req to the app, adding the cookies the client holds, and stores
// the cookies the response sets. A request without a peer address (or with
// httptest.NewRequest's placeholder) comes from 127.0.0.1.
func (t *TestClient) Do(req *http.Request) *TestResponse {
	u := req.URL
	if u.Host == "" {
		u = t.base.ResolveReference(u)
	}
	for _, ck := range t.jar.Cookies(u) {
		req.AddCookie(ck)
	}
	if req.RemoteAddr == "" || req.RemoteAddr == httptestRemoteAddr {
		req.RemoteAddr = "127.0.0.1:1234"
	}
	rec := httptest.NewRecorder()
	t.app.ServeHTTP(rec, req)
	res := rec.Result()
	t.jar.SetCookies(u, res.Cookies())
	out := &TestResponse{Code: rec.Code, Header: res.Header, Body: rec.Body.Bytes()}
	if req.Method == http.MethodHead {
		out.Body = nil
	}
	return out
}
