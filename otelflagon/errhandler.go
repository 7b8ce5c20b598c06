package otelflagon

import "go.opentelemetry.io/otel"

// handle reports an error creating an instrument to the global error
// handler (otel.Handle), as the OpenTelemetry instrumentations do.
func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}
