package flagon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
)

// TestClient sends requests to an App in process, without a network. It
// keeps cookies between requests like a browser and does not follow
// redirects unless FollowRedirects is set, so tests can assert them. It is
// not safe for concurrent use.
type TestClient struct {
	// FollowRedirects makes the client follow redirects to the same host,
	// up to 10, as a browser does: 301, 302 and 303 become a GET without a
	// body (HEAD stays HEAD), 307 and 308 repeat the method and the body.
	// The response is the last one; its Request is the last request. More
	// than 10 redirects panic, naming the chain.
	FollowRedirects bool

	app    *App
	jar    *cookiejar.Jar
	base   *url.URL
	header http.Header // WithHeader's headers, sent with every request
}

// TestResponse is what a TestClient request got back.
type TestResponse struct {
	Code   int
	Header http.Header
	Body   []byte
	// Request is the request that got this response: after redirects
	// were followed, the last one (its URL tells where they led).
	Request *http.Request

	app     *App
	g       map[string]any // what the handler left in g (Context.Set)
	session *Session       // the request's session, if it used one
	cookies []*http.Cookie // the client's cookies once the response was in
}

// Text returns the body as a string.
func (r *TestResponse) Text() string { return string(r.Body) }

// JSON decodes the body into v.
func (r *TestResponse) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// G returns the value the request's handlers stored under key with
// Context.Set (Flask's g, read after a request as `with client:` allows).
func (r *TestResponse) G(key string) (any, bool) {
	v, ok := r.g[key]
	return v, ok
}

// Session returns the request's session as the request left it (saved or
// not). For a request that did not use the session, it is the session the
// client's cookies held once the response was in. Changing it changes
// nothing on the client: use TestClient.SessionTransaction for that.
func (r *TestResponse) Session() *Session {
	if r.session != nil {
		return r.session
	}
	if r.app == nil {
		return &Session{values: map[string]any{}}
	}
	req := httptest.NewRequest(http.MethodGet, "http://localhost/", nil)
	if r.Request != nil {
		req.URL, req.Host = r.Request.URL, r.Request.Host
	}
	for _, ck := range r.cookies {
		req.AddCookie(ck)
	}
	r.session = r.app.TestContext(httptest.NewRecorder(), req).Session()
	return r.session
}

// TestClient returns a client for the app, with an empty cookie jar.
// Requests go to http://localhost unless a full URL is given.
func (a *App) TestClient() *TestClient {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse("http://localhost/")
	return &TestClient{app: a, jar: jar, base: base}
}

// WithHeader returns a client that sends the header key: value with every
// request, on top of the headers t sends; a value set on a request passed
// to Do wins. It shares t's cookies; its FollowRedirects starts as t's.
// Use it for one request (tc.WithHeader("Accept", "application/json").Get(path))
// or keep it (an API client with an Authorization header).
func (t *TestClient) WithHeader(key, value string) *TestClient {
	h := t.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(key, value)
	return &TestClient{FollowRedirects: t.FollowRedirects, app: t.app, jar: t.jar, base: t.base, header: h}
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

// TestFile is a file a TestClient uploads with PostMultipart.
type TestFile struct {
	Field       string // the form field, as in <input type="file" name="...">
	Name        string // the file's name as the browser sends it
	Content     []byte
	ContentType string // default application/octet-stream
}

// PostMultipart sends form and files as multipart/form-data in a POST
// request, as a browser submits a form with file inputs.
func (t *TestClient) PostMultipart(path string, form url.Values, files ...TestFile) *TestResponse {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v) // writes to a bytes.Buffer cannot fail
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, f.Name))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.Content)
	}
	_ = mw.Close()
	return t.send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

// SessionTransaction opens the session the client's cookies hold, lets fn
// read and change it, and stores it back in the client's cookies when fn
// changed it (Flask's session_transaction): a test logs a user in without
// posting the login form. It freezes the app, as a request does. A session
// that cannot be saved (Config.SecretKey is empty, say) panics, as it is a
// mistake in the test.
func (t *TestClient) SessionTransaction(fn func(s *Session)) {
	req := t.newRequest(http.MethodGet, "/", nil)
	t.addCookies(req)
	rec := httptest.NewRecorder()
	c := t.app.TestContext(rec, req)
	s := c.Session()
	fn(s)
	if !s.modified {
		return
	}
	if err := t.app.sessionStore().Save(c, s.values, s.permanent); err != nil {
		panic("flagon: TestClient.SessionTransaction: " + err.Error())
	}
	t.jar.SetCookies(req.URL, (&http.Response{Header: rec.Header()}).Cookies())
}

func (t *TestClient) send(method, path, contentType string, body io.Reader) *TestResponse {
	req := t.newRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return t.Do(req)
}

// newRequest builds a request for path, resolved against the client's base.
func (t *TestClient) newRequest(method, path string, body io.Reader) *http.Request {
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
	return req
}

// httptestRemoteAddr is the placeholder peer of httptest.NewRequest.
const httptestRemoteAddr = "192.0.2.1:1234"

// maxRedirects is how many redirects FollowRedirects follows.
const maxRedirects = 10

// Do sends req to the app, adding the cookies the client holds and the
// headers of WithHeader, and stores the cookies the response sets. A
// request without a peer address (or with httptest.NewRequest's
// placeholder) comes from 127.0.0.1.
func (t *TestClient) Do(req *http.Request) *TestResponse {
	for k, vs := range t.header {
		if _, ok := req.Header[k]; !ok {
			req.Header[k] = vs
		}
	}
	if !t.FollowRedirects {
		return t.do(req)
	}
	replay := bufferBody(req)
	res := t.do(req)
	chain := []string{req.URL.String()}
	for isRedirect(res.Code) {
		next := t.redirect(res, replay)
		if next == nil {
			break
		}
		chain = append(chain, next.URL.String())
		if len(chain) > maxRedirects+1 {
			panic("flagon: TestClient: more than 10 redirects: " + strings.Join(chain, " -> "))
		}
		res = t.do(next)
	}
	return res
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// bufferBody reads req's body into memory so a 307 or 308 can send it
// again, and returns it (nil for a request without a body).
func bufferBody(req *http.Request) []byte {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	b, _ := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// redirect returns the request that follows res, or nil when it leads
// away from the app's host (or has no Location).
func (t *TestClient) redirect(res *TestResponse, body []byte) *http.Request {
	prev := res.Request
	loc := res.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := prev.URL.Parse(loc)
	if err != nil || u.Host != prev.URL.Host {
		return nil
	}
	method, keepBody := prev.Method, res.Code == http.StatusTemporaryRedirect || res.Code == http.StatusPermanentRedirect
	if !keepBody && method != http.MethodHead {
		method = http.MethodGet
	}
	var r io.Reader
	if keepBody && body != nil {
		r = bytes.NewReader(body)
	}
	next := t.newRequest(method, u.String(), r)
	next.Header = prev.Header.Clone()
	next.Header.Del("Cookie")
	if !keepBody {
		next.Header.Del("Content-Type")
		next.Header.Del("Content-Length")
	}
	next.RemoteAddr = prev.RemoteAddr
	return next
}

// addCookies adds the cookies the client holds for req's URL.
func (t *TestClient) addCookies(req *http.Request) *url.URL {
	u := req.URL
	if u.Host == "" {
		u = t.base.ResolveReference(u)
	}
	for _, ck := range t.jar.Cookies(u) {
		req.AddCookie(ck)
	}
	return u
}

// do sends one request.
func (t *TestClient) do(req *http.Request) *TestResponse {
	u := t.addCookies(req)
	if req.RemoteAddr == "" || req.RemoteAddr == httptestRemoteAddr {
		req.RemoteAddr = "127.0.0.1:1234"
	}
	rec := &testRecorder{ResponseRecorder: httptest.NewRecorder()}
	t.app.ServeHTTP(rec, req)
	res := rec.Result()
	t.jar.SetCookies(u, res.Cookies())
	out := &TestResponse{Code: rec.Code, Header: res.Header, Body: rec.Body.Bytes(), Request: req,
		app: t.app, g: rec.g, session: rec.session, cookies: t.jar.Cookies(u)}
	if req.Method == http.MethodHead {
		out.Body = nil
	}
	return out
}

// testRecorder is the ResponseWriter of the test client's requests. The
// app recognises it when the request's Context is recycled and leaves it
// what the request kept in g and the session (see keepForTest), so a test
// can read them afterwards; requests from anywhere else pay nothing.
type testRecorder struct {
	*httptest.ResponseRecorder
	g       map[string]any
	session *Session
}

// keepForTest gives a test client's recorder the request's g and session,
// before recycle empties them. It is called only for a request that used
// either.
func (c *Context) keepForTest() {
	rec, ok := c.resp.w.(*testRecorder)
	if !ok {
		return
	}
	if len(c.keys) > 0 {
		rec.g = maps.Clone(c.keys)
	}
	if c.x != nil && c.x.session != nil {
		rec.session = c.x.session
	}
}

// TestContext returns a Context for r that writes to w (an
// httptest.ResponseRecorder), to unit-test a handler or a middleware
// without a server: call the handler with it and inspect its error, w and
// the Context (Gin's CreateTestContext, Echo's NewContext). The Context
// has the route r matches (Param, Endpoint and Rule work), the app's
// configuration, g and the session; none of the chain runs (no
// middleware, no hooks, no error handlers): a returned error is the
// handler's, not yet an answer. A status set with Status but not written
// is in c.Response.Status(). The Context is not pooled: keep it as long as
// the test needs. TestContext freezes the app, as the first request does;
// an app that failed to start panics, as the mistake is in the test's
// setup.
func (a *App) TestContext(w http.ResponseWriter, r *http.Request) *Context {
	if err := a.start(); err != nil {
		panic("flagon: TestContext: " + err.Error())
	}
	c := a.newContext()
	c.reset(w, r)
	path, raw := r.URL.RawPath, true
	if path == "" {
		path, raw = r.URL.Path, false
	}
	if rt := a.router.lookup(r.Method, path, raw, &c.params); rt != nil {
		c.route = rt
	} else {
		c.params = c.params[:0]
	}
	return c
}
