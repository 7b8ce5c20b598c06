//go:build !unix

package flagon

import "os/exec"

// reloadSupported reports whether the reloader can run here: it passes
// listening sockets to its children as inherited files, which needs unix.
const reloadSupported = false

func ownGroup(*exec.Cmd) {}
