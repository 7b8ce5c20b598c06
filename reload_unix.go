//go:build unix && !flagon_noreload

package flagon

import (
	"errors"
	"net"
	"os"
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

// socketFile returns a copy of l's socket for child processes. It is not
// (*net.TCPListener).File: the Fd of that file, which exec calls to pass
// it, puts the socket into blocking mode, and that mode belongs to the
// socket, shared by every process that has it; a server's Accept then
// blocks in the kernel, where closing the listener cannot end it. A file
// made by os.NewFile from a non-blocking descriptor stays non-blocking.
func socketFile(l net.Listener) (*os.File, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, errors.New("the listener has no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, derr := -1, error(nil)
	err = rc.Control(func(s uintptr) {
		syscall.ForkLock.RLock() // no child may inherit the copy before it is close-on-exec
		defer syscall.ForkLock.RUnlock()
		if fd, derr = syscall.Dup(int(s)); derr == nil {
			syscall.CloseOnExec(fd)
		}
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "flagon-reload-socket"), nil
}
