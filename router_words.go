package flagon

import (
	"encoding/binary"
	"unsafe"
)

// The router's fast walk compares request paths with static texts 8 bytes
// at a time. This file holds the word loads it uses, the only unsafe code
// in the router; everything else calls these string-typed helpers.
//
// The loads are unsafe for the inliner's sake. Go inlines a function only
// while its cost stays within a budget of 80, and the helpers below must
// inline into match and statics.scan: the static and variable benchmarks
// spend a few hundred instructions per request, so one call per segment
// costs several percent. An unsafe 8-byte load costs 8 of that budget; the
// same load in safe Go, byte by byte from a resliced string, costs 62. With
// safe loads headShort (79 now) and sameAfter8 (46) would be far over the
// budget and become calls. TestRouterHelpersInline fails if one of them
// stops inlining.
//
// Each helper states its precondition. Callers check it before the call
// (a length compare the fast walk makes anyway); builds with the race
// detector, as the tests run, or with the flagon_checkwords tag assert it
// in the helper too, where a normal build pays nothing for it.

// word8 returns s[i:i+8] as a little-endian word. It needs 0 <= i and
// i+8 <= len(s).
func word8(s string, i int) uint64 {
	if checkWords && (i < 0 || i+8 > len(s)) {
		panic("flagon: word8 reads past the end of its string")
	}
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))[:])
}

// word4 returns the first 4 bytes of s as a little-endian word. It needs
// len(s) >= 4.
func word4(s string) uint64 {
	if checkWords && len(s) < 4 {
		panic("flagon: word4 reads past the end of its string")
	}
	return uint64(binary.LittleEndian.Uint32((*[4]byte)(unsafe.Pointer(unsafe.StringData(s)))[:]))
}

// head8 returns the first 8 bytes of s as a little-endian word, zero above
// the end of a shorter s. Only compact calls it, so it needs no speed.
func head8(s string) uint64 {
	var w uint64
	for i := min(len(s), 8) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// headShort is head8 for a string of 1 to 7 bytes, in at most two loads:
// overlapping loads OR the same bytes into the same places.
func headShort(s string) uint64 {
	n := len(s)
	if n >= 4 {
		return word4(s) | word4(s[n-4:])<<((8*n-32)&63)
	}
	return uint64(s[0]) | uint64(s[n/2])<<((8*(n/2))&63) | uint64(s[n-1])<<((8*n-8)&63)
}

// sameAfter8 reports whether rest[8:len(text)] equals text[8:]. It needs
// len(text) > 8 and len(rest) >= len(text); the caller has compared the
// first 8 bytes already. It compares 8 bytes at a time from the end, the
// first word overlapping what the head compared.
func sameAfter8(rest, text string) bool {
	if checkWords && (len(text) <= 8 || len(rest) < len(text)) {
		panic("flagon: sameAfter8 needs a text of more than 8 bytes and a rest at least as long")
	}
	for i := len(text) - 8; ; i -= 8 {
		if word8(rest, i) != word8(text, i) {
			return false
		}
		if i <= 8 {
			return true
		}
	}
}
