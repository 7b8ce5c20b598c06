package redisstore

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser is an HTTP client with a cookie jar: cookies set by one
// instance on 127.0.0.1 are sent to the others.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// get returns the status and body of GET url, with extra headers.
func (b *browser) get(url string, headers ...string) (int, string, *http.Response) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(b.t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return res.StatusCode, string(body), res
}

// cookie returns the session cookie the browser holds for srv.
func (b *browser) cookie(srv *httptest.Server) string {
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	for _, c := range b.c.Jar.Cookies(req.URL) {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

func TestSessionStoreSharesSessionsBetweenInstances(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.client(t)
	counter := &roundTrips{}
	rdb.AddHook(counter)
	one := httptest.NewServer(newTestApp(rdb, appOptions{}))
	defer one.Close()
	two := httptest.NewServer(newTestApp(rdb, appOptions{}))
	defer two.Close()
	b := newBrowser(t)
	ctx := context.Background()

	t.Run("a login on one instance is seen on another", func(t *testing.T) {
		code, body, _ := b.get(one.URL + "/login?user=ada")
		require.Equal(t, 200, code, body)
		_, body, _ = b.get(two.URL + "/me")
		assert.Equal(t, "ada on ", body)
	})
	t.Run("the cookie carries only a signed random ID of 192 bits", func(t *testing.T) {
		v := b.cookie(one)
		assert.NotContains(t, v, "ada")
		id, sig, ok := strings.Cut(v, ".")
		require.True(t, ok, v)
		raw, err := base64.RawURLEncoding.DecodeString(id)
		require.NoError(t, err)
		assert.Len(t, raw, 24)
		assert.NotEmpty(t, sig)
		ttl, err := rdb.TTL(ctx, "sess:"+id).Result()
		require.NoError(t, err)
		assert.InDelta(t, (31 * 24 * time.Hour).Seconds(), ttl.Seconds(), 60, "the values expire after the session lifetime")
	})
	t.Run("a load is one round trip and a save one more", func(t *testing.T) {
		counter.take()
		_, body, _ := b.get(one.URL + "/me")
		assert.Equal(t, "ada on ", body)
		assert.EqualValues(t, 1, counter.take(), "reading: one GET")
		_, body, _ = b.get(one.URL + "/count")
		assert.Equal(t, "1", body)
		assert.EqualValues(t, 2, counter.take(), "reading and writing: one GET, one SET")
		_, body, _ = b.get(two.URL + "/count")
		assert.Equal(t, "2", body, "the other instance sees the write")
		counter.take()
		_, _, _ = b.get(one.URL + "/login?user=ada")
		assert.EqualValues(t, 2, counter.take(), "a new ID: one GET, then DEL and SET in one pipeline")
	})
	t.Run("Clear issues a new ID and deletes the old session", func(t *testing.T) {
		before := b.cookie(one)
		oldID, _, _ := strings.Cut(before, ".")
		_, body, _ := b.get(one.URL + "/login?user=grace")
		assert.Equal(t, "hi grace", body)
		after := b.cookie(one)
		assert.NotEqual(t, before, after, "no fixation: the ID changes at log-in")
		n, err := rdb.Exists(ctx, "sess:"+oldID).Result()
		require.NoError(t, err)
		assert.Zero(t, n, "the old ID is worthless")
		_, body, _ = b.get(two.URL + "/me")
		assert.Equal(t, "grace on ", body)
	})
	t.Run("a forged or tampered cookie is refused without asking Redis", func(t *testing.T) {
		for _, v := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.xxxx", strings.Repeat("A", 32) + "." + strings.Repeat("A", 43), "garbage", strings.Repeat("x", 500)} {
			req, _ := http.NewRequest(http.MethodGet, one.URL+"/me", nil)
			req.AddCookie(&http.Cookie{Name: "session", Value: v})
			counter.take()
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, "anonymous on ", string(body))
			assert.Zero(t, counter.take(), "cookie %q", v)
		}
	})
	t.Run("flashes work unchanged", func(t *testing.T) {
		_, _, _ = b.get(one.URL + "/flash")
		_, body, _ := b.get(two.URL + "/flashes")
		assert.Equal(t, "saved", body)
		_, body, _ = b.get(two.URL + "/flashes")
		assert.Equal(t, "none", body)
	})
	t.Run("a permanent session's cookie lasts the lifetime", func(t *testing.T) {
		_, _, res := b.get(one.URL + "/login?user=ada&permanent=1")
		var ck *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == "session" {
				ck = c
			}
		}
		require.NotNil(t, ck)
		assert.Equal(t, int((31 * 24 * time.Hour).Seconds()), ck.MaxAge)
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		assert.Equal(t, "/", ck.Path)
	})
	t.Run("log-out deletes the session and its cookie", func(t *testing.T) {
		id, _, _ := strings.Cut(b.cookie(one), ".")
		_, body, res := b.get(one.URL + "/logout")
		assert.Equal(t, "bye", body)
		assert.Contains(t, res.Header.Get("Set-Cookie"), "Max-Age=0")
		n, err := rdb.Exists(ctx, "sess:"+id).Result()
		require.NoError(t, err)
		assert.Zero(t, n)
		_, body, _ = b.get(two.URL + "/me")
		assert.Equal(t, "anonymous on ", body)
	})
}

func TestSessionStoreRevokes(t *testing.T) {
	rdb := startRedis(t).client(t)
	srv := httptest.NewServer(newTestApp(rdb, appOptions{}))
	defer srv.Close()
	laptop, phone := newBrowser(t), newBrowser(t)
	laptop.get(srv.URL + "/login?user=ada")
	phone.get(srv.URL + "/login?user=ada")
	_, laptopID, _ := laptop.get(srv.URL + "/id")
	_, phoneID, _ := phone.get(srv.URL + "/id")
	require.Len(t, laptopID, 32)
	require.NotEqual(t, laptopID, phoneID)

	require.NoError(t, Revoke(context.Background(), rdb, "sess:", laptopID, phoneID, "no-such-id"))
	_, body, _ := laptop.get(srv.URL + "/me")
	assert.Equal(t, "anonymous on ", body, "revoked everywhere")
	_, body, _ = phone.get(srv.URL + "/count")
	assert.Equal(t, "1", body, "a revoked session starts over")
	_, newID, _ := phone.get(srv.URL + "/id")
	assert.NotEqual(t, phoneID, newID, "under a new ID")
	assert.NoError(t, Revoke(context.Background(), rdb, "sess:"))
}

func TestSessionStoreAcceptsFallbackKeys(t *testing.T) {
	rdb := startRedis(t).client(t)
	app := newTestApp(rdb, appOptions{})
	srv := httptest.NewServer(app)
	defer srv.Close()
	b := newBrowser(t)
	b.get(srv.URL + "/login?user=ada")
	before := b.cookie(srv)
	app.Config.SecretKeyFallbacks = []string{testSecret}
	app.Config.SecretKey = "the new secret"
	_, body, _ := b.get(srv.URL + "/me")
	assert.Equal(t, "ada on ", body, "the old key still reads")
	after := b.cookie(srv)
	assert.NotEqual(t, before, after, "the cookie is signed again with the new key")
	app.Config.SecretKeyFallbacks = nil
	_, body, _ = b.get(srv.URL + "/me")
	assert.Equal(t, "ada on ", body, "the new signature verifies with the new key alone")
}

func TestSessionStoreAnswers503WhileRedisIsDown(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.client(t)
	app := newTestApp(rdb, appOptions{})
	web := httptest.NewServer(app)
	defer web.Close()
	b := newBrowser(t)
	b.get(web.URL + "/login?user=ada")
	srv.stop(t)

	t.Run("an API client gets problem+json, not an empty session", func(t *testing.T) {
		code, body, res := b.get(web.URL+"/me", "Accept", "application/json")
		assert.Equal(t, 503, code)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		assert.Contains(t, body, `"status":503`)
		assert.Contains(t, body, "The session store is unavailable")
		assert.NotContains(t, body, "anonymous", "the handler's answer from an empty session is never sent")
		assert.NotContains(t, body, "goroutine")
	})
	t.Run("a browser gets the 503 page and keeps its cookie", func(t *testing.T) {
		before := b.cookie(web)
		code, body, _ := b.get(web.URL + "/count")
		assert.Equal(t, 503, code)
		assert.NotContains(t, body, "anonymous")
		assert.Equal(t, before, b.cookie(web), "the session is not overwritten or deleted")
	})
	t.Run("in debug mode too, no stack", func(t *testing.T) {
		app.Config.Debug = true
		defer func() { app.Config.Debug = false }()
		code, body, _ := b.get(web.URL+"/me", "Accept", "application/json")
		assert.Equal(t, 503, code)
		assert.NotContains(t, body, "goroutine")
	})
	t.Run("requests without a session are served", func(t *testing.T) {
		code, _, _ := b.get(web.URL + "/health")
		assert.Equal(t, 200, code)
	})
	t.Run("the session is back when Redis is", func(t *testing.T) {
		srv.start(t)
		code, body, _ := b.get(web.URL + "/me")
		assert.Equal(t, 200, code)
		assert.Equal(t, "ada on ", body)
	})
}

func TestNewSessionStorePanicsWithoutClient(t *testing.T) {
	assert.PanicsWithValue(t, `flagon: redisstore.NewSessionStore(nil, ...): pass a Redis client, e.g. redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})`, func() {
		NewSessionStore(nil, "sess:")
	})
	var _ flagon.SessionStore = NewSessionStore(startRedis(t).client(t), "x:")
}
