package flagon

import (
	"bytes"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fakeListener is a listener that only has an address, for the banner.
type fakeListener struct {
	net.Listener
	addr net.Addr
}

func (l fakeListener) Addr() net.Addr { return l.addr }

func TestDebugModeOnAPublicAddressWarns(t *testing.T) {
	cases := []struct {
		name string
		addr net.Addr
		warn bool
	}{
		{"every interface, as PORT=8080 gives", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, true},
		{"every IPv6 interface", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, true},
		{"a LAN address", &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 5000}, true},
		{"IPv4 loopback", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5000}, false},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 5000}, false},
		{"a unix socket", &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, debug := range []bool{true, false} {
				a := New()
				a.Config.Debug = debug
				var out bytes.Buffer
				a.banner(&out, []net.Listener{fakeListener{addr: tc.addr}})
				assert.Equal(t, tc.warn && debug, bytes.Contains(out.Bytes(), []byte("WARNING: debug mode is on")), "debug=%t:\n%s", debug, out.String())
			}
		})
	}
}
