// Command hello is Flagon's quick start: it serves "Hello, World!" on
// http://127.0.0.1:5000 in debug mode. Set FLAGON_ADDR to listen elsewhere.
// When it cannot serve (the port is taken, say) it prints why and exits 1.
package main

import (
	"log"

	"github.com/flagon-go/flagon"
)

func hello(c *flagon.Context) error {
	return c.Text(200, "Hello, World!")
}

func main() {
	app := flagon.New()
	app.Get("/", hello)
	if err := app.Run(true); err != nil {
		log.Fatal(err) // the port is taken, say: exit 1 with the reason
	}
}
