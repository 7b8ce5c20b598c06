// Command proxied is a Flagon app configured for production behind a
// reverse proxy, entirely from the environment (see docs/deployment.md):
//
//	FLAGON_ADDR=127.0.0.1:5000 \
//	FLAGON_TRUSTED_PROXIES=127.0.0.1,::1 \
//	FLAGON_CLIENT_IP_HEADER=X-Real-IP \
//	go run ./examples/proxied
//
// With FASTCGI_ADDR set ("127.0.0.1:9000" or "unix:/run/app.sock") it
// serves FastCGI there instead, for nginx fastcgi_pass or Apache
// mod_proxy_fcgi.
package main

import (
	"log"
	"net"
	"net/http/fcgi"
	"os"
	"strings"
	"time"

	"github.com/flagon-go/flagon"
)

func hello(c *flagon.Context) error {
	return c.Text(200, "Hello, World!")
}

// whoami shows what the app believes about the request.
func whoami(c *flagon.Context) error {
	self, err := c.ExternalURLFor("whoami")
	if err != nil {
		return err
	}
	path, err := c.URLFor("whoami")
	if err != nil {
		return err
	}
	return c.JSON(200, flagon.M{
		"client_ip":    c.ClientIP(),
		"host":         c.Host(),
		"scheme":       c.Scheme(),
		"external_url": self,
		"url":          path,
		"remote_addr":  c.Request.RemoteAddr,
	})
}

// slow answers after the duration in ?d= (at most 10s), to show that a
// graceful shutdown lets requests in flight finish.
func slow(c *flagon.Context) error {
	d, err := time.ParseDuration(c.QueryDefault("d", "1s"))
	if err != nil || d < 0 || d > 10*time.Second {
		return flagon.Abort(400, "d must be a duration up to 10s")
	}
	select {
	case <-time.After(d):
	case <-c.Context().Done():
		return c.Context().Err()
	}
	return c.Text(200, "done")
}

func main() {
	app := flagon.New()
	if err := app.Config.FromEnv("FLAGON"); err != nil {
		log.Fatal(err)
	}
	app.Get("/", hello)
	app.Get("/whoami", whoami)
	app.Get("/slow", slow)

	if addr := os.Getenv("FASTCGI_ADDR"); addr != "" {
		network := "tcp"
		if p, ok := strings.CutPrefix(addr, "unix:"); ok {
			network, addr = "unix", p
		}
		l, err := net.Listen(network, addr)
		if err != nil {
			log.Fatal(err)
		}
		log.Fatal(fcgi.Serve(l, app))
	}
	if err := app.Run(app.Config.Debug); err != nil {
		log.Fatal(err)
	}
}
