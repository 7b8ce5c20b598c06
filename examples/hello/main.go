// Command hello is Flagon's quick start: it serves "Hello, World!" on
// http://127.0.0.1:5000 in debug mode. Set FLAGON_ADDR to listen elsewhere.
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
		log.Fatal(err)
	}
}
