//go:build !race

package flagon_test

const raceEnabled = false
