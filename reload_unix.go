//go:build unix

package flagon

import (
	"os/exec"
	"syscall"
)

// reloadSupported reports whether the reloader can run here: it passes
// listening sockets to its children as inherited files, which needs unix.
const reloadSupported = true

// ownGroup puts the app process in a process group of its own, so that the
// terminal's Ctrl+C reaches only the reloader, which stops the app with
// exactly one SIGTERM (a second signal would end the app's graceful
// shutdown at once).
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
