package flagon

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestHeadOf returns a GET / request head (request line, headers and
// the blank line) of exactly size bytes, padded with one X-Pad header.
func requestHeadOf(size int) string {
	const start, end = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ", "\r\n\r\n"
	return start + strings.Repeat("a", size-len(start)-len(end)) + end
}

// TestTheRequestHeadLimitIs64KiBPlusNetHTTPs4KiB pins the exact limit over
// real HTTP: net/http reads up to MaxHeaderBytes plus 4096 bytes of
// request head (its bufio slack), so with Flagon's 64 KiB a head of
// 64 KiB + 4 KiB, request line and blank line included, is served and one
// byte more gets 431.
func TestTheRequestHeadLimitIs64KiBPlusNetHTTPs4KiB(t *testing.T) {
	const limit = 64<<10 + 4<<10
	addr := serveLoopback(t, limitsApp(0), nil)
	cases := []struct {
		name string
		size int
		want int
	}{
		{"a head of 64 KiB + 4 KiB is served", limit, http.StatusOK},
		{"a head of 64 KiB + 4 KiB + 1 byte gets 431", limit + 1, http.StatusRequestHeaderFieldsTooLarge},
		{"a head of exactly 64 KiB is served", 64 << 10, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head := requestHeadOf(tc.size)
			require.Len(t, head, tc.size)
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
			_, err = conn.Write([]byte(head))
			require.NoError(t, err)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tc.want, res.StatusCode)
		})
	}
}
