package flagon_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"

	"github.com/flagon-go/flagon"
)

func ExampleTestClient_followRedirects() {
	app := flagon.New()
	app.Post("/login", func(c *flagon.Context) error { return c.Redirect(303, "/home") })
	app.Get("/home", func(c *flagon.Context) error { return c.Text(200, "home") })

	tc := app.TestClient()
	fmt.Println(tc.PostForm("/login", nil).Code)
	tc.FollowRedirects = true
	res := tc.PostForm("/login", nil)
	fmt.Println(res.Code, res.Text(), res.Request.URL.Path)
	// Output:
	// 303
	// 200 home /home
}

func ExampleTestClient_WithHeader() {
	app := flagon.New()
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "Accept: "+c.Header("Accept")) })

	res := app.TestClient().WithHeader("Accept", "application/json").Get("/")
	fmt.Println(res.Text())
	// Output: Accept: application/json
}

func ExampleTestClient_PostMultipart() {
	app := flagon.New()
	app.Post("/upload", func(c *flagon.Context) error {
		fh, err := c.FormFile("avatar")
		if err != nil {
			return err
		}
		return c.String(200, "%s: %s, %d bytes", c.Form("user"), fh.Filename, fh.Size)
	})

	res := app.TestClient().PostMultipart("/upload", url.Values{"user": {"ada"}},
		flagon.TestFile{Field: "avatar", Name: "ada.png", Content: []byte("\x89PNG..."), ContentType: "image/png"})
	fmt.Println(res.Code, res.Text())
	// Output: 200 ada: ada.png, 7 bytes
}

func ExampleTestClient_SessionTransaction() {
	app := flagon.New()
	app.Config.SecretKey = "test"
	app.Get("/me", func(c *flagon.Context) error {
		user := c.Session().GetString("user")
		if user == "" {
			return flagon.Abort(401)
		}
		return c.Text(200, user)
	})

	tc := app.TestClient()
	tc.SessionTransaction(func(s *flagon.Session) { s.Set("user", "ada") }) // logged in, no form posted
	fmt.Println(tc.Get("/me").Text())
	// Output: ada
}

func ExampleTestResponse_G() {
	app := flagon.New()
	app.Config.SecretKey = "test"
	app.BeforeRequest(func(c *flagon.Context) error {
		c.Set("user", "ada") // loaded from a database, say
		return nil
	})
	app.Get("/", func(c *flagon.Context) error {
		c.Session().Set("visits", 1)
		return c.Text(200, "hi")
	})

	res := app.TestClient().Get("/")
	user, _ := res.G("user")
	fmt.Println(user, res.Session().GetInt("visits"))
	// Output: ada 1
}

func ExampleApp_TestContext() {
	app := flagon.New()
	show := func(c *flagon.Context) error {
		return c.JSON(200, flagon.M{"id": c.ParamInt("id")})
	}
	app.Get("/users/<int:id>", show)

	rec := httptest.NewRecorder()
	c := app.TestContext(rec, httptest.NewRequest("GET", "/users/7", nil))
	if err := show(c); err != nil {
		fmt.Println("error:", err)
	}
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, string(body))
	// Output: 200 {"id":7}
}

func ExampleApp_Command() {
	app := flagon.New()
	app.Config.SecretKey = "from the configuration"
	app.Command("init-db", "Create the tables.", func(cmd *flagon.Command) error {
		drop := cmd.Flags.Bool("drop", false, "drop the tables first")
		if err := cmd.Parse(); err != nil {
			return err
		}
		fmt.Fprintln(cmd.Stdout, "init-db, drop:", *drop, "- the app is configured:", cmd.App.Config.SecretKey != "")
		return nil
	})

	// main would call app.Main(); a test runs the command line in process.
	code := app.CommandLine([]string{"init-db", "--drop"}, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// init-db, drop: true - the app is configured: true
	// exit status 0
}
