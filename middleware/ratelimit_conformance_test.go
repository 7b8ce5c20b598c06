package middleware_test

import (
	"testing"

	"github.com/flagon-go/flagon/internal/ratelimittest"
	"github.com/flagon-go/flagon/middleware"
)

func TestMemoryStorePassesTheStoreConformanceTable(t *testing.T) {
	ratelimittest.Run(t, func(*testing.T) middleware.Store { return middleware.NewMemoryStore(0) })
}
