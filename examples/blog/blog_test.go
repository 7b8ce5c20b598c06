package main

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// newBlog builds the blog on a fresh SQLite file in a temporary folder and
// serves it over real HTTP until the test ends, when the app shuts down
// (closing the database) before the folder is removed.
func newBlog(t *testing.T) *httptest.Server {
	t.Helper()
	_, srv := newBlogAt(t, filepath.Join(t.TempDir(), "blog.sqlite"))
	return srv
}

func newBlogAt(t *testing.T, path string) (*flagon.App, *httptest.Server) {
	t.Helper()
	app, err := New(Config{Database: path, SecretKey: "test key", PasswordCost: bcrypt.MinCost})
	require.NoError(t, err)
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		srv.Close()
		assert.NoError(t, app.Shutdown(context.Background()))
	})
	return app, srv
}

// browser is one visitor: a cookie jar, and no redirect followed, so the
// tests see each answer.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, base: srv.URL, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is one answer: its status, where it redirects, and its body.
type page struct {
	code     int
	location string
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return page{code: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// post sends form to path as it is, without adding a CSRF token.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var tokenField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit does what a visitor filling a form does: it loads the page that
// holds the form, takes its CSRF token, and posts the form to action.
func (b *browser) submit(formPage, action string, form url.Values) page {
	b.t.Helper()
	p := b.get(formPage)
	m := tokenField.FindStringSubmatch(p.body)
	require.NotNil(b.t, m, "%s has a form with a CSRF token", formPage)
	form.Set("csrf_token", html.UnescapeString(m[1]))
	return b.post(action, form)
}

func (b *browser) register(name, password string) page {
	b.t.Helper()
	return b.submit("/auth/register", "/auth/register", url.Values{"username": {name}, "password": {password}})
}

func (b *browser) login(name, password string) page {
	b.t.Helper()
	return b.submit("/auth/login", "/auth/login", url.Values{"username": {name}, "password": {password}})
}

// signedIn registers name and logs them in.
func (b *browser) signedIn(name string) *browser {
	b.t.Helper()
	require.Equal(b.t, http.StatusSeeOther, b.register(name, "secret").code)
	require.Equal(b.t, http.StatusSeeOther, b.login(name, "secret").code)
	return b
}

func (b *browser) write(title, body string) page {
	b.t.Helper()
	return b.submit("/create", "/create", url.Values{"title": {title}, "body": {body}})
}

func TestAUserRegistersLogsInAndWritesPosts(t *testing.T) {
	srv := newBlog(t)
	b := newBrowser(t, srv)

	home := b.get("/")
	assert.Equal(t, http.StatusOK, home.code)
	assert.Contains(t, home.body, `href="/auth/login">Log In</a>`, "the nav offers to log in")
	assert.Contains(t, home.body, `href="/auth/register">Register</a>`)
	assert.Contains(t, home.body, "No posts yet.")
	assert.Contains(t, home.body, `<link rel="stylesheet" href="/static/style.css">`)

	p := b.register("alice", "secret")
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/auth/login", p.location)
	assert.Contains(t, b.get(p.location).body, `<div class="flash success">Registered. Please log in.</div>`)

	p = b.login("alice", "secret")
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/", p.location)
	home = b.get("/")
	assert.Contains(t, home.body, `<span class="username">alice</span>`, "the nav shows who is logged in")
	assert.Contains(t, home.body, `<a class="action" href="/create">New</a>`)
	assert.NotContains(t, home.body, "Log In</a>")

	p = b.write("Hello", "The first post.")
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/", p.location)
	require.Equal(t, http.StatusSeeOther, b.write("Second", "Line one\nline two & <b>more</b>").code)

	home = b.get("/")
	first, second := strings.Index(home.body, "<h1>Hello</h1>"), strings.Index(home.body, "<h1>Second</h1>")
	require.True(t, first > 0 && second > 0, "both posts are listed:\n%s", home.body)
	assert.Less(t, second, first, "newest first")
	assert.Contains(t, home.body, "Line one\nline two &amp; &lt;b&gt;more&lt;/b&gt;", "bodies are escaped")
	assert.Regexp(t, `by alice on \d{4}-\d{2}-\d{2}`, home.body, "the post's date is read from the database")
	assert.Contains(t, home.body, `href="/1/update">Edit</a>`, "the author may edit")

	form := b.get("/1/update")
	assert.Equal(t, http.StatusOK, form.code)
	assert.Contains(t, form.body, `<h1>Edit "Hello"</h1>`)
	assert.Contains(t, form.body, `value="Hello"`)
	p = b.submit("/1/update", "/1/update", url.Values{"title": {"Hello, edited"}, "body": {"Changed."}})
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/", p.location)
	home = b.get("/")
	assert.Contains(t, home.body, "<h1>Hello, edited</h1>")
	assert.Contains(t, home.body, "Changed.")
	assert.NotContains(t, home.body, "<h1>Hello</h1>")

	p = b.submit("/1/update", "/1/delete", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/", p.location)
	home = b.get("/")
	assert.NotContains(t, home.body, "Hello, edited")
	assert.Contains(t, home.body, "<h1>Second</h1>")
	assert.Equal(t, http.StatusNotFound, b.get("/1/update").code, "the deleted post is gone")
}

func TestOnlyTheAuthorMayEditAPost(t *testing.T) {
	srv := newBlog(t)
	alice := newBrowser(t, srv).signedIn("alice")
	require.Equal(t, http.StatusSeeOther, alice.write("Alice's post", "Mine.").code)
	bob := newBrowser(t, srv).signedIn("bob")

	home := bob.get("/")
	assert.Contains(t, home.body, "<h1>Alice&#39;s post</h1>", "everyone sees every post")
	assert.NotContains(t, home.body, ">Edit</a>", "but only the author gets the Edit link")

	for _, p := range []page{
		bob.get("/1/update"),
		bob.submit("/", "/1/update", url.Values{"title": {"Bob was here"}, "body": {""}}),
		bob.submit("/", "/1/delete", url.Values{}),
	} {
		assert.Equal(t, http.StatusForbidden, p.code)
		assert.Contains(t, p.body, "<h1>403 Forbidden</h1>", "the error page uses the layout")
		assert.Contains(t, p.body, "You are not allowed to do that.")
		assert.Contains(t, p.body, `<span class="username">bob</span>`, "the nav still shows who is logged in")
	}

	home = alice.get("/")
	assert.Contains(t, home.body, "<h1>Alice&#39;s post</h1>", "the post is unchanged")
	assert.Contains(t, home.body, `href="/1/update">Edit</a>`)
}

func TestFormsShowTheirProblemsAsFlashMessages(t *testing.T) {
	srv := newBlog(t)
	alice := newBrowser(t, srv).signedIn("alice")
	require.Equal(t, http.StatusSeeOther, alice.write("Kept", "Body.").code)
	visitor := newBrowser(t, srv)

	long := strings.Repeat("x", 73)
	for _, tc := range []struct {
		name    string
		send    func() page
		again   string // the form's page, loaded afterwards
		message string
		kept    string // what the form shows again
	}{
		{"registering without a username", func() page { return visitor.register("", "secret") }, "/auth/register", "Username is required.", ""},
		{"registering without a password", func() page { return visitor.register("carol", "") }, "/auth/register", "Password is required.", `value="carol"`},
		{"registering a password bcrypt cannot hash", func() page { return visitor.register("carol", long) }, "/auth/register", "Password is too long: 72 bytes at most.", `value="carol"`},
		{"registering a name that is taken", func() page { return visitor.register("alice", "other") }, "/auth/register", "User alice is already registered.", `value="alice"`},
		{"logging in with the wrong password", func() page { return visitor.login("alice", "wrong") }, "/auth/login", "Incorrect username or password.", `value="alice"`},
		{"logging in as nobody", func() page { return visitor.login("nobody", "secret") }, "/auth/login", "Incorrect username or password.", `value="nobody"`},
		{"writing a post without a title", func() page {
			return alice.submit("/create", "/create", url.Values{"title": {"  "}, "body": {"Draft text"}})
		}, "/create", "Title is required.", "Draft text</textarea>"},
		{"saving a post without a title", func() page {
			return alice.submit("/1/update", "/1/update", url.Values{"title": {""}, "body": {"New text"}})
		}, "/1/update", "Title is required.", "New text</textarea>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.send()
			assert.Equal(t, http.StatusUnprocessableEntity, p.code)
			assert.Contains(t, p.body, `<div class="flash error">`+html.EscapeString(tc.message)+`</div>`)
			assert.Contains(t, p.body, tc.kept)
			b := visitor
			if strings.Contains(tc.name, "post") {
				b = alice
			}
			assert.NotContains(t, b.get(tc.again).body, "flash", "a flash message shows once")
		})
	}

	home := alice.get("/")
	assert.Contains(t, home.body, "<h1>Kept</h1>", "no failed form changed anything")
	assert.Equal(t, 1, strings.Count(home.body, `<article class="post">`))
	assert.Equal(t, http.StatusSeeOther, visitor.login("alice", "secret").code, "alice keeps her password")
}

func TestLoggingOutForgetsTheUser(t *testing.T) {
	srv := newBlog(t)
	b := newBrowser(t, srv).signedIn("alice")
	require.Contains(t, b.get("/").body, `<span class="username">alice</span>`)

	p := b.submit("/", "/auth/logout", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.code)
	assert.Equal(t, "/", p.location)
	home := b.get("/")
	assert.NotContains(t, home.body, "alice")
	assert.Contains(t, home.body, `href="/auth/login">Log In</a>`)
	assert.Equal(t, "/auth/login", b.get("/create").location)
}

func TestWritingNeedsALogin(t *testing.T) {
	srv := newBlog(t)
	alice := newBrowser(t, srv).signedIn("alice")
	require.Equal(t, http.StatusSeeOther, alice.write("Hello", "").code)
	visitor := newBrowser(t, srv)

	for _, p := range []page{
		visitor.get("/create"),
		visitor.get("/1/update"),
		visitor.submit("/auth/login", "/create", url.Values{"title": {"Spam"}}),
		visitor.submit("/auth/login", "/1/delete", url.Values{}),
	} {
		assert.Equal(t, http.StatusSeeOther, p.code)
		assert.Equal(t, "/auth/login", p.location)
	}
	home := visitor.get("/")
	assert.Contains(t, home.body, "<h1>Hello</h1>")
	assert.NotContains(t, home.body, "Spam")
}

func TestFormsWithoutTheCSRFTokenAreRefused(t *testing.T) {
	srv := newBlog(t)
	visitor := newBrowser(t, srv)
	p := visitor.post("/auth/register", url.Values{"username": {"mallory"}, "password": {"secret"}})
	assert.Equal(t, http.StatusForbidden, p.code)
	assert.Contains(t, p.body, "The CSRF token is missing.", "the error page says why")
	assert.Equal(t, http.StatusSeeOther, visitor.register("mallory", "secret").code, "the refused form created no user")

	alice := newBrowser(t, srv).signedIn("alice")
	for _, form := range []url.Values{
		{"title": {"Forged"}},
		{"title": {"Forged"}, "csrf_token": {"not-a-token"}},
	} {
		p := alice.post("/create", form)
		assert.Equal(t, http.StatusForbidden, p.code)
		assert.Contains(t, p.body, "<h1>403 Forbidden</h1>")
		assert.Contains(t, p.body, `<span class="username">alice</span>`, "the refusal page still shows who is logged in")
	}
	assert.Equal(t, http.StatusForbidden, alice.post("/auth/logout", url.Values{}).code)

	home := alice.get("/")
	assert.Contains(t, home.body, "No posts yet.")
	assert.Contains(t, home.body, `<span class="username">alice</span>`, "a forged logout does not log out")
}

func TestAnUnknownPostIsA404Page(t *testing.T) {
	srv := newBlog(t)
	b := newBrowser(t, srv).signedIn("alice")

	p := b.get("/99/update")
	assert.Equal(t, http.StatusNotFound, p.code)
	assert.Contains(t, p.body, "<h1>404 Not Found</h1>")
	assert.Contains(t, p.body, "Post id 99 doesn&#39;t exist.")
	assert.Equal(t, http.StatusNotFound, b.submit("/", "/99/delete", url.Values{}).code)

	p = b.get("/no/such/page")
	assert.Equal(t, http.StatusNotFound, p.code)
	assert.Contains(t, p.body, "There is no page at this address.")
	assert.Contains(t, p.body, `<span class="username">alice</span>`, "the user is loaded for the router's 404 too")
}

func TestTheAppRunsFromAnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir()) // no templates or static folder here
	srv := newBlog(t)

	assert.Equal(t, http.StatusOK, newBrowser(t, srv).get("/").code)
	res, err := http.Get(srv.URL + "/static/style.css")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Type"), "text/css")
}

func TestTheDataOutlivesARestartAndShutdownClosesTheDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blog.sqlite")
	app, err := New(Config{Database: path, SecretKey: "test key", PasswordCost: bcrypt.MinCost})
	require.NoError(t, err)
	srv := httptest.NewServer(app)
	require.Equal(t, http.StatusSeeOther, newBrowser(t, srv).signedIn("alice").write("Before", "").code)
	srv.Close()
	require.NoError(t, app.Shutdown(context.Background()))
	assert.ErrorContains(t, DB.Get(app).Ping(), "database is closed", "OnShutdown closed the database")

	_, srv = newBlogAt(t, path) // InitDB runs again on the same file
	b := newBrowser(t, srv)
	assert.Equal(t, http.StatusSeeOther, b.login("alice", "secret").code)
	assert.Contains(t, b.get("/").body, "<h1>Before</h1>")
}

func TestNewRefusesAConfigItCannotServe(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"an empty secret key", Config{Database: filepath.Join(dir, "a.sqlite")}, "SecretKey is empty"},
		{"no database path", Config{SecretKey: "k"}, "Database is empty"},
		{"a database in a folder that does not exist", Config{Database: filepath.Join(dir, "missing", "b.sqlite"), SecretKey: "k"}, "opening"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := New(tc.cfg)
			assert.Nil(t, app)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestInitDBClearsTheData runs the init-db command as Flask's
// test_cli_runner would: the posts and users are gone, and the blog
// serves on with empty tables.
func TestInitDBClearsTheData(t *testing.T) {
	app, srv := newBlogAt(t, filepath.Join(t.TempDir(), "blog.sqlite"))
	alice := newBrowser(t, srv).signedIn("alice")
	require.Equal(t, http.StatusSeeOther, alice.write("Before", "").code)

	var out, errOut strings.Builder
	require.Equal(t, 0, app.CommandLine([]string{"init-db"}, &out, &errOut), errOut.String())
	assert.Equal(t, "Initialized the database.\n", out.String())

	home := newBrowser(t, srv).get("/")
	assert.Contains(t, home.body, "No posts yet.")
	assert.NotContains(t, alice.get("/").body, `<span class="username">alice</span>`, "alice's user is gone: her session names nobody")
	assert.Equal(t, http.StatusSeeOther, newBrowser(t, srv).register("alice", "secret").code, "the name is free again")
}

// TestTheProgramRunsCommands builds the blog and runs it as a user does:
// with a command it runs that command and exits, without one it serves.
func TestTheProgramRunsCommands(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "blog")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BLOG_DATABASE="+filepath.Join(dir, "blog.sqlite"), "FLAGON_SECRET_KEY=test key")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("init-db")
	require.NoError(t, err, out)
	assert.Equal(t, "Initialized the database.\n", out)

	out, err = run("help")
	require.NoError(t, err, out)
	assert.Contains(t, out, "init-db")
	assert.Contains(t, out, "clear the existing data and create new tables")

	out, err = run("routes")
	require.NoError(t, err, out)
	assert.Contains(t, out, "auth.login")
	assert.Contains(t, out, "/auth/login")

	out, err = run("no-such-command")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, out, `no such command "no-such-command"`)
}
