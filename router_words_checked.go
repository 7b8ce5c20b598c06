//go:build race || flagon_checkwords

package flagon

// checkWords makes the word loads of router_words.go assert their
// preconditions: on under the race detector, as the tests run, and with the
// flagon_checkwords build tag.
const checkWords = true
