// Command api serves the book catalog of package catalog on
// http://127.0.0.1:5000, its OpenAPI document at /openapi.json. Set
// FLAGON_ADDR to listen elsewhere.
package main

import (
	"log"

	"github.com/flagon-go/flagon/examples/api/catalog"
)

func main() {
	if err := catalog.New().Run(true); err != nil {
		log.Fatal(err)
	}
}
