//go:build race

package middleware_test

// raceEnabled: under the race detector sync.Pool drops items on purpose,
// so allocation counts mean nothing; .ci/run checks them without -race.
const raceEnabled = true
