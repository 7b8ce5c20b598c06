package bench

import (
	"compress/gzip"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/middleware"
	gincors "github.com/gin-contrib/cors"
	gingzip "github.com/gin-contrib/gzip"
	"github.com/gin-contrib/requestid"
	"github.com/gin-contrib/secure"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"
	chicors "github.com/go-chi/cors"
	"github.com/go-chi/httprate"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// MiddlewareCase is one middleware on the hello-world route (GET /), in
// each framework that has an equivalent, with the request that exercises
// it and the check that it did.
type MiddlewareCase struct {
	Name string
	// Body is what the route answers: helloBody, or a longer text where the
	// middleware acts on the body (Compress).
	Body string
	// Request returns the request to send.
	Request func() *http.Request
	// Apps builds the app of each framework that has the middleware,
	// keyed by framework name.
	Apps map[string]func(body string) http.Handler
	// Check reports what is wrong with an answer, or "".
	Check func(h http.Header, status int) string
}

// text4K is the body of the compression workload: 4 KB of text, which
// every framework's gzip middleware compresses.
var text4K = strings.Repeat("Flagon measures what gzip costs on 4 KB. ", 100)[:4096]

const (
	benchOrigin = "https://app.example.com"
	benchID     = "0f8c2a4e-9b1d-4c7e-8f00-123456789abc"
)

func newRequest(method string, headers ...string) func() *http.Request {
	return func() *http.Request {
		r, _ := http.NewRequest(method, "/", nil)
		r.RemoteAddr = "192.0.2.1:50000"
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		return r
	}
}

// The hello-world apps of each framework with middleware in front.
func flagonWith(mws ...flagon.Middleware) func(string) http.Handler {
	return func(body string) http.Handler {
		app := flagon.New()
		app.Use(mws...)
		app.Get("/", func(c *flagon.Context) error { return c.Text(200, body) })
		app.Put("/", func(c *flagon.Context) error { return c.Text(200, body) })
		return app
	}
}

func ginWith(mws ...gin.HandlerFunc) func(string) http.Handler {
	return func(body string) http.Handler {
		e := gin.New()
		e.Use(mws...)
		e.GET("/", func(c *gin.Context) { c.String(200, body) })
		e.PUT("/", func(c *gin.Context) { c.String(200, body) })
		return e
	}
}

func echoWith(mws ...echo.MiddlewareFunc) func(string) http.Handler {
	return func(body string) http.Handler {
		e := echo.New()
		e.Use(mws...)
		e.GET("/", func(c echo.Context) error { return c.String(200, body) })
		e.PUT("/", func(c echo.Context) error { return c.String(200, body) })
		return e
	}
}

func chiWith(mws ...func(http.Handler) http.Handler) func(string) http.Handler {
	return func(body string) http.Handler {
		m := chi.NewRouter()
		m.Use(mws...)
		h := func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(body))
		}
		m.Get("/", h)
		m.Put("/", h)
		return m
	}
}

func wantHeader(name, value string) func(http.Header, int) string {
	return func(h http.Header, status int) string {
		if got := h.Get(name); got != value {
			return name + " is " + got + ", want " + value
		}
		return ""
	}
}

func wantStatus(code int) func(http.Header, int) string {
	return func(_ http.Header, status int) string {
		if status != code {
			return "status " + http.StatusText(status) + ", want " + http.StatusText(code)
		}
		return ""
	}
}

// MiddlewareCases are the middleware measured side by side.
var MiddlewareCases = []MiddlewareCase{
	{
		Name: "None", Body: helloBody, Request: newRequest("GET"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(), "gin": ginWith(), "echo": echoWith(), "chi": chiWith(),
		},
		Check: wantStatus(200),
	},
	{
		// An incoming ID, reused. chi puts it in the context only; the
		// others send it back too. Flagon's default also puts it in the
		// context (two allocations); RequestIDNoContext leaves that out.
		Name: "RequestID", Body: helloBody, Request: newRequest("GET", "X-Request-ID", benchID),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.RequestID()),
			"gin":    ginWith(requestid.New()),
			"echo":   echoWith(echomw.RequestID()),
			"chi":    chiWith(chimw.RequestID),
		},
		Check: wantStatus(200),
	},
	{
		Name: "RequestIDNoContext", Body: helloBody, Request: newRequest("GET", "X-Request-ID", benchID),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.RequestID(middleware.RequestIDConfig{NoContext: true})),
		},
		Check: wantHeader("X-Request-ID", benchID),
	},
	{
		// A request from an allowed origin (not a preflight).
		Name: "CORS", Body: helloBody, Request: newRequest("GET", "Origin", benchOrigin),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}})),
			"gin":    ginWith(gincors.New(gincors.Config{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}})),
			"echo":   echoWith(echomw.CORSWithConfig(echomw.CORSConfig{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}})),
			"chi":    chiWith(chicors.Handler(chicors.Options{AllowedOrigins: []string{benchOrigin}, AllowedMethods: []string{"GET", "PUT"}})),
		},
		Check: wantHeader("Access-Control-Allow-Origin", benchOrigin),
	},
	{
		Name: "CORSPreflight", Body: helloBody,
		Request: newRequest("OPTIONS", "Origin", benchOrigin, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"Content-Type"}})),
			"gin":    ginWith(gincors.New(gincors.Config{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"Content-Type"}})),
			"echo":   echoWith(echomw.CORSWithConfig(echomw.CORSConfig{AllowOrigins: []string{benchOrigin}, AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"Content-Type"}})),
			"chi":    chiWith(chicors.Handler(chicors.Options{AllowedOrigins: []string{benchOrigin}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"Content-Type"}})),
		},
		Check: wantHeader("Access-Control-Allow-Origin", benchOrigin),
	},
	{
		// 4 KB of text at the default gzip level, which all compress.
		Name: "Compress", Body: text4K, Request: newRequest("GET", "Accept-Encoding", "gzip, deflate, br"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.Compress(middleware.CompressConfig{})),
			"gin":    ginWith(gingzip.Gzip(gzip.DefaultCompression)),
			"echo":   echoWith(echomw.Gzip()),
			"chi":    chiWith(chimw.Compress(gzip.DefaultCompression)),
		},
		Check: wantHeader("Content-Encoding", "gzip"),
	},
	{
		// On the hello route Flagon's MinLength sends the 13 bytes as they
		// are; the others compress them.
		Name: "CompressHello", Body: helloBody, Request: newRequest("GET", "Accept-Encoding", "gzip"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.Compress(middleware.CompressConfig{})),
			"gin":    ginWith(gingzip.Gzip(gzip.DefaultCompression)),
			"echo":   echoWith(echomw.Gzip()),
			"chi":    chiWith(chimw.Compress(gzip.DefaultCompression)),
		},
		Check: wantStatus(200),
	},
	{
		Name: "SecureHeaders", Body: helloBody, Request: newRequest("GET"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.SecureHeaders(middleware.SecureHeadersConfig{ContentSecurityPolicy: "default-src 'self'"})),
			"gin": ginWith(secure.New(secure.Config{STSSeconds: 31536000, CustomFrameOptionsValue: "SAMEORIGIN", ContentTypeNosniff: true,
				ReferrerPolicy: "strict-origin-when-cross-origin", ContentSecurityPolicy: "default-src 'self'"})),
			"echo": echoWith(echomw.SecureWithConfig(echomw.SecureConfig{XFrameOptions: "SAMEORIGIN", ContentTypeNosniff: "nosniff", HSTSMaxAge: 31536000,
				ReferrerPolicy: "strict-origin-when-cross-origin", ContentSecurityPolicy: "default-src 'self'"})),
		},
		Check: wantHeader("X-Content-Type-Options", "nosniff"),
	},
	{
		// A GET without a body under a 1 MB limit.
		Name: "BodyLimit", Body: helloBody, Request: newRequest("GET"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.BodyLimit(1 << 20)),
			"echo":   echoWith(echomw.BodyLimit("1M")),
			"chi":    chiWith(chimw.RequestSize(1 << 20)),
		},
		Check: wantStatus(200),
	},
	{
		// Echo's Timeout, like Flagon's, runs the handler on a goroutine
		// into a buffer; chi's only sets the context's deadline.
		Name: "Timeout", Body: helloBody, Request: newRequest("GET"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.Timeout(time.Second)),
			"echo":   echoWith(echomw.TimeoutWithConfig(echomw.TimeoutConfig{Timeout: time.Second})),
			"chi":    chiWith(chimw.Timeout(time.Second)),
		},
		Check: wantStatus(200),
	},
	{
		Name: "BasicAuth", Body: helloBody, Request: newRequest("GET", "Authorization", "Basic YWRhOmxvdmVsYWNl"), // ada:lovelace
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.BasicAuth("bench", middleware.BasicAuthUsers(map[string]string{"ada": "lovelace"}))),
			"gin":    ginWith(gin.BasicAuth(gin.Accounts{"ada": "lovelace"})),
			"echo": echoWith(echomw.BasicAuth(func(u, p string, _ echo.Context) (bool, error) {
				return subtle.ConstantTimeCompare([]byte(u), []byte("ada"))&subtle.ConstantTimeCompare([]byte(p), []byte("lovelace")) == 1, nil
			})),
			"chi": chiWith(chimw.BasicAuth("bench", map[string]string{"ada": "lovelace"})),
		},
		Check: wantStatus(200),
	},
	{
		// One client under a limit it never reaches.
		Name: "RateLimit", Body: helloBody, Request: newRequest("GET"),
		Apps: map[string]func(string) http.Handler{
			"flagon": flagonWith(middleware.RateLimit(middleware.RateLimitConfig{Requests: 1_000_000_000, Per: time.Second})),
			"echo":   echoWith(echomw.RateLimiter(echomw.NewRateLimiterMemoryStore(rate.Limit(1_000_000_000)))),
			"chi":    chiWith(httprate.LimitByIP(1_000_000_000, time.Second)),
		},
		Check: wantStatus(200),
	},
}

// MiddlewareFrameworks is the order frameworks are reported in.
var MiddlewareFrameworks = []string{"flagon", "gin", "echo", "chi"}
