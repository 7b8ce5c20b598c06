//go:build !unix && !flagon_noreload

package flagon

import (
	"errors"
	"net"
	"os"
	"os/exec"
)

// reloadSupported reports whether the reloader can run here: it passes
// listening sockets to its children as inherited files, which needs unix.
const reloadSupported = false

func ownGroup(*exec.Cmd) {}

func socketFile(net.Listener) (*os.File, error) {
	return nil, errors.New("flagon: the reloader needs unix")
}
