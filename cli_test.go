package flagon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the app's command line as a test would, returning the exit
// status and what it wrote.
func cli(app *App, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = app.CommandLine(args, &o, &e)
	return code, o.String(), e.String()
}

func TestCommandLineRunsTheAppsCommands(t *testing.T) {
	app := New()
	app.Config.SecretKey = "from-config"
	app.Command("init-db", "Create the tables.", func(cmd *Command) error {
		fmt.Fprintln(cmd.Stdout, "init-db with key", cmd.App.Config.SecretKey)
		return nil
	})
	app.Command("create-user", "Create a user.", func(cmd *Command) error {
		admin := cmd.Flags.Bool("admin", false, "make the user an admin")
		if err := cmd.Parse(); err != nil {
			return err
		}
		if cmd.Flags.NArg() != 1 {
			return errors.New("create-user takes one name")
		}
		fmt.Fprintf(cmd.Stdout, "created %s admin=%v\n", cmd.Flags.Arg(0), *admin)
		return nil
	})

	t.Run("a command sees the app's configuration", func(t *testing.T) {
		code, out, _ := cli(app, "init-db")
		assert.Equal(t, 0, code)
		assert.Equal(t, "init-db with key from-config\n", out)
	})
	t.Run("a command parses its flags and arguments", func(t *testing.T) {
		code, out, _ := cli(app, "create-user", "--admin", "ada")
		assert.Equal(t, 0, code)
		assert.Equal(t, "created ada admin=true\n", out)
	})
	t.Run("an error exits 1 and is printed", func(t *testing.T) {
		code, _, errOut := cli(app, "create-user")
		assert.Equal(t, 1, code)
		assert.Equal(t, "Error: create-user takes one name\n", errOut)
	})
	t.Run("a malformed flag exits 2 with the command's flags", func(t *testing.T) {
		code, _, errOut := cli(app, "create-user", "--nope")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "flag provided but not defined: -nope")
		assert.Contains(t, errOut, "make the user an admin")
	})
	t.Run("a command's --help exits 0 with its flags", func(t *testing.T) {
		code, _, errOut := cli(app, "create-user", "--help")
		assert.Equal(t, 0, code)
		assert.Contains(t, errOut, "-admin")
	})
	t.Run("--help lists every command, sorted", func(t *testing.T) {
		code, out, _ := cli(app, "--help")
		assert.Equal(t, 0, code)
		var names []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); strings.HasPrefix(l, "  ") && len(f) > 0 {
				names = append(names, f[0])
			}
		}
		assert.Equal(t, []string{"create-user", "init-db", "routes", "run"}, names)
		assert.Contains(t, out, "Create the tables.")
	})
	t.Run("no command exits 2 with the list", func(t *testing.T) {
		code, out, errOut := cli(app)
		assert.Equal(t, 2, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "init-db")
	})
	t.Run("an unknown command exits 2", func(t *testing.T) {
		code, _, errOut := cli(app, "nope")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, `Error: no such command "nope".`)
	})
}

func TestCommandRegistrationMistakesPanic(t *testing.T) {
	run := func(*Command) error { return nil }
	for _, tc := range []struct {
		name, msg string
		fn        func(a *App)
	}{
		{"an empty name", `command name ""`, func(a *App) { a.Command("", "", run) }},
		{"a flag-like name", `command name "-x"`, func(a *App) { a.Command("-x", "", run) }},
		{"a built-in name", `command "run" at`, func(a *App) { a.Command("run", "", run) }},
		{"a nil function", `has a nil function`, func(a *App) { a.Command("x", "", nil) }},
		{"a second registration", `command "x" registered twice`, func(a *App) { a.Command("x", "", run); a.Command("x", "", run) }},
	} {
		t.Run(tc.name+" panics", func(t *testing.T) {
			defer func() {
				p := fmt.Sprint(recover())
				assert.True(t, strings.HasPrefix(p, "flagon: "), p)
				assert.Contains(t, p, tc.msg)
				assert.Contains(t, p, "cli_test.go:")
			}()
			tc.fn(New())
		})
	}
}

func TestRoutesCommandPrintsTheTable(t *testing.T) {
	app := New()
	app.Config.StaticFS = fstest.MapFS{"app.css": {Data: []byte("x")}}
	listUsers := func(c *Context) error { return nil }
	app.Route("/users", listUsers, "GET", "POST").Name("users")
	app.Get("/about", func(c *Context) error { return nil }).Name("zabout")
	app.Delete("/users/<int:id>", func(c *Context) error { return nil }).Name("delete_user")

	lines := func(out string) []string {
		var ls []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n")[2:] {
			ls = append(ls, strings.Join(strings.Fields(l), " "))
		}
		return ls
	}
	code, out, _ := cli(app, "routes")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "Endpoint"), out)
	assert.Equal(t, []string{
		"zabout GET /about",
		"static GET /static/<path:filename>",
		"users GET, POST /users",
		"delete_user DELETE /users/<int:id>",
	}, lines(out))

	_, out, _ = cli(app, "routes", "--sort", "endpoint")
	assert.Equal(t, []string{
		"delete_user DELETE /users/<int:id>",
		"static GET /static/<path:filename>",
		"users GET, POST /users",
		"zabout GET /about",
	}, lines(out))

	_, out, _ = cli(app, "routes", "--sort", "method")
	assert.Equal(t, "delete_user DELETE /users/<int:id>", lines(out)[0])

	code, _, errOut := cli(app, "routes", "--sort", "size")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "use rule, endpoint or method")
}

func TestRunCommandOnABusyPortExits1WithTheReason(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	app := New()
	code, _, errOut := cli(app, "run", "--debug", "--addr", l.Addr().String())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Error: flagon: listen on "+l.Addr().String())
	assert.Contains(t, errOut, "address already in use")
	assert.True(t, app.Config.Debug, "--debug turns debug mode on")
}

func TestRunCommandServesUntilShutdown(t *testing.T) {
	// Run prints its banner, and in debug mode its request log, on the
	// command's stderr: read it from a pipe to learn the address once the
	// app listens, and to see the request logged.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()

	app := New()
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Get("/", func(c *Context) error { return c.Text(200, "served") })
	done := make(chan int, 1)
	go func() {
		done <- app.CommandLine([]string{"run", "--debug", "--addr", "127.0.0.1:0"}, io.Discard, w)
		w.Close()
	}()
	// Should the lines never come, stop the app after a minute: the
	// command returns, the pipe closes and next fails the test.
	watchdog := time.AfterFunc(time.Minute, func() { _ = app.Shutdown(context.Background()) })
	defer watchdog.Stop()
	lines := bufio.NewScanner(r)
	next := func(prefix string) string {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), prefix); ok {
				return rest
			}
		}
		t.Fatalf("the command's stderr ended before a line starting %q", prefix)
		return ""
	}
	url := next(" * Running on ")
	res, err := http.Get(url + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "served", string(body))
	assert.True(t, app.Config.Debug)
	logged := next("")
	for !strings.Contains(logged, "GET /") {
		logged = next("")
	}
	assert.Contains(t, logged, "200", "the request log is on the command's stderr too")

	require.NoError(t, app.Shutdown(context.Background()))
	assert.Equal(t, 0, <-done)
	go func() { _, _ = io.Copy(io.Discard, r) }()
}
