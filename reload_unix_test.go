//go:build unix && !flagon_noreload

package flagon

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSocketFileLeavesTheSocketNonBlocking(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	f, err := socketFile(l)
	require.NoError(t, err)
	defer f.Close()
	_ = f.Fd() // what exec does to pass it to a child

	rc, err := l.(*net.TCPListener).SyscallConn()
	require.NoError(t, err)
	var flags uintptr
	require.NoError(t, rc.Control(func(fd uintptr) {
		flags, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}))
	assert.NotZero(t, flags&syscall.O_NONBLOCK, "the socket stays non-blocking, so that closing a listener ends its Accept")

	fd, _, _ := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
	assert.NotZero(t, fd&syscall.FD_CLOEXEC, "the copy is passed to the app only, not to every program the reloader runs")
}
