package middleware_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
)

func ExampleRequestID() {
	app := flagon.New()
	app.Use(middleware.RequestID())
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "request "+c.RequestID()) })

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-ID", "trace-42")
	res := app.TestClient().Do(req)
	fmt.Println(res.Header.Get("X-Request-ID"), "/", res.Text())
	// Output: trace-42 / request trace-42
}

func ExampleCORS() {
	app := flagon.New()
	api := flagon.NewBlueprint("api")
	api.Use(middleware.CORS(middleware.CORSConfig{
		AllowOrigins: []string{"https://app.example.com"},
		AllowMethods: []string{"GET", "PUT"},
	}))
	api.Put("/items/<int:id>", func(c *flagon.Context) error { return c.NoContent(204) })
	app.Register(api, "/api")

	// The browser's preflight for a PUT from the app's origin.
	req := httptest.NewRequest("OPTIONS", "/api/items/7", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	res := app.TestClient().Do(req)
	fmt.Println(res.Code, res.Header.Get("Access-Control-Allow-Origin"), res.Header.Get("Access-Control-Allow-Methods"))
	// Output: 204 https://app.example.com GET, PUT
}

func ExampleSecureHeaders() {
	app := flagon.New()
	app.Use(middleware.SecureHeaders(middleware.SecureHeadersConfig{
		ContentSecurityPolicy: "script-src 'nonce-{nonce}'",
	}))
	app.Get("/", func(c *flagon.Context) error {
		nonce, _ := c.Get(middleware.CSPNonceKey)
		return c.HTML(200, `<script nonce="`+nonce.(string)+`">go()</script>`)
	})
	res := app.TestClient().Get("/")
	fmt.Println(res.Header.Get("X-Content-Type-Options"), res.Header.Get("X-Frame-Options"))
	fmt.Println(len(res.Header.Get("Content-Security-Policy")) > len("script-src 'nonce-'"))
	// Output:
	// nosniff SAMEORIGIN
	// true
}

func ExampleBasicAuth() {
	app := flagon.New()
	admin := flagon.NewBlueprint("admin")
	admin.Use(middleware.BasicAuth("Staff", middleware.BasicAuthUsers(map[string]string{"ada": "lovelace"})))
	admin.Get("/", func(c *flagon.Context) error {
		user, _ := c.Get(middleware.UserKey)
		return c.Text(200, "hello "+user.(string))
	})
	app.Register(admin, "/admin")

	tc := app.TestClient()
	res := tc.Get("/admin/")
	fmt.Println(res.Code, res.Header.Get("WWW-Authenticate"))
	req := httptest.NewRequest("GET", "/admin/", nil)
	req.SetBasicAuth("ada", "lovelace")
	fmt.Println(tc.Do(req).Text())
	// Output:
	// 401 Basic realm="Staff", charset="UTF-8"
	// hello ada
}

func ExampleRateLimit() {
	app := flagon.New()
	app.Use(middleware.RateLimit(middleware.RateLimitConfig{Requests: 2, Per: time.Minute}))
	app.Get("/", func(c *flagon.Context) error { return c.Text(200, "ok") })

	tc := app.TestClient()
	for range 3 {
		res := tc.Get("/")
		fmt.Println(res.Code, "remaining="+res.Header.Get("RateLimit-Remaining"), "retry-after="+res.Header.Get("Retry-After"))
	}
	// Output:
	// 200 remaining=1 retry-after=
	// 200 remaining=0 retry-after=
	// 429 remaining=0 retry-after=30
}

func ExampleTimeout() {
	app := flagon.New()
	app.Get("/slow", func(c *flagon.Context) error {
		select {
		case <-c.Context().Done(): // the deadline
			return c.Context().Err()
		case <-time.After(time.Second):
			return c.Text(200, "done")
		}
	}).Use(middleware.Timeout(10 * time.Millisecond))

	res := app.TestClient().Get("/slow")
	fmt.Print(res.Code, " ", res.Text())
	// Output: 503 503 Service Unavailable: the server took too long to answer.
}
