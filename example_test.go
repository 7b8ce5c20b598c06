package flagon_test

import (
	"fmt"

	"github.com/flagon-go/flagon"
)

func hello(c *flagon.Context) error    { return c.Text(200, "Hello, World!") }
func showUser(c *flagon.Context) error { return c.Text(200, "user") }

func ExampleApp() {
	app := flagon.New()
	app.Get("/", hello)

	res := app.TestClient().Get("/")
	fmt.Println(res.Code, res.Text())
	// Output: 200 Hello, World!
}

func ExampleApp_URLFor() {
	app := flagon.New()
	app.Get("/users/<int:id>", showUser)

	u, _ := app.URLFor("showUser", "id", 42, "tab", "posts", "_anchor", "top")
	fmt.Println(u)
	_, err := app.URLFor("showUser", "id", "abc")
	fmt.Println(err)
	// Output:
	// /users/42?tab=posts#top
	// flagon: cannot build a URL for "showUser": rule /users/<int:id>: value "abc" for "id" does not match <int>
}

func ExampleBlueprint() {
	admin := flagon.NewBlueprint("admin")
	admin.Get("/users/<int:id>", showUser)

	app := flagon.New()
	app.Register(admin, "/admin")
	for _, r := range app.Routes() {
		fmt.Println(r.Method, r.Rule, r.Endpoint)
	}
	// Output: GET /admin/users/<int:id> admin.showUser
}

type notFoundError struct{ what string }

func (e *notFoundError) Error() string { return e.what + " not found" }

func ExampleHandleError() {
	app := flagon.New()
	flagon.HandleError(app, func(c *flagon.Context, err *notFoundError) error {
		return c.JSON(404, flagon.M{"error": err.Error()})
	})
	app.Get("/posts/<int:id>", func(c *flagon.Context) error {
		return &notFoundError{what: "post " + c.Param("id")}
	})

	res := app.TestClient().Get("/posts/7")
	fmt.Println(res.Code, res.Text())
	// Output: 404 {"error":"post 7 not found"}
}

func ExampleApp_TestClient() {
	app := flagon.New()
	app.Get("/projects/", func(c *flagon.Context) error { return c.Text(200, "projects") })

	tc := app.TestClient()
	res := tc.Get("/projects?page=2")
	fmt.Println(res.Code, res.Header.Get("Location"))
	// Output: 308 /projects/?page=2
}

func ExampleAbort() {
	app := flagon.New()
	app.Get("/admin", func(c *flagon.Context) error { return flagon.Abort(403, "Admins only.") })

	res := app.TestClient().Get("/admin")
	fmt.Println(res.Code)
	// Output: 403
}

func ExampleConfig_trustedHosts() {
	app := flagon.New()
	app.Config.TrustedHosts = []string{".example.com"} // example.com and its subdomains
	app.Get("/forgot", func(c *flagon.Context) error {
		link, err := c.ExternalURLFor("reset", "token", "t0k3n")
		if err != nil {
			return err
		}
		return c.Text(200, link) // a real app mails the link
	})
	app.Get("/reset/<token>", func(c *flagon.Context) error { return c.Text(200, "new password?") }).Name("reset")

	res := app.TestClient().Get("http://www.example.com/forgot")
	fmt.Println(res.Code, res.Text())
	res = app.TestClient().Get("http://evil.example/forgot")
	fmt.Println(res.Code)
	// Output:
	// 200 http://www.example.com/reset/t0k3n
	// 400
}
