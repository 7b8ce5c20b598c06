//go:build !flagon_noreload

package flagon

// ReloadsOnceInChromium lends reloadsOnceInChromium to package
// flagon_test, whose tests may import middleware.
var ReloadsOnceInChromium = reloadsOnceInChromium
