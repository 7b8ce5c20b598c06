//go:build !race && !flagon_checkwords

package flagon

// checkWords is off in normal builds: the word loads of router_words.go
// trust their callers' length checks.
const checkWords = false
