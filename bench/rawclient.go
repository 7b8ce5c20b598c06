package bench

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"time"
)

// rawClient sends one pre-built GET request at a time over a single
// keep-alive connection and reads each response into a fixed buffer. It
// allocates nothing per request, so what the process allocates while it
// runs is the server's. Responses must carry a Content-Length (net/http
// sets one for a short body) and fit its buffer.
type rawClient struct {
	conn net.Conn
	req  []byte
	buf  []byte
	body []byte // the last response's body, valid until the next Do
}

var (
	errNoContentLength = errors.New("rawclient: response without Content-Length")
	errResponseTooLong = errors.New("rawclient: response larger than the buffer")
)

// dialRaw connects to addr (a loopback host:port) and prepares GET path.
func dialRaw(addr, path string) (*rawClient, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &rawClient{
		conn: conn,
		req:  []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"),
		buf:  make([]byte, 16<<10),
	}, nil
}

// Close closes the connection.
func (c *rawClient) Close() error { return c.conn.Close() }

// Body is the body of the last response, valid until the next Do.
func (c *rawClient) Body() []byte { return c.body }

var (
	headEnd       = []byte("\r\n\r\n")
	contentLength = []byte("\r\nContent-Length: ")
)

// Do sends the request and reads one whole response; it returns the
// status code.
func (c *rawClient) Do() (int, error) {
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, err
	}
	n, head, length := 0, -1, 0
	for {
		m, err := c.conn.Read(c.buf[n:])
		n += m
		if head < 0 {
			if i := bytes.Index(c.buf[:n], headEnd); i >= 0 {
				head = i + len(headEnd)
				if length, err = parseContentLength(c.buf[:i]); err != nil {
					return 0, err
				}
			}
		}
		if head >= 0 && n >= head+length {
			if n > head+length || n < 12 {
				return 0, fmt.Errorf("rawclient: malformed response %q", c.buf[:n])
			}
			c.body = c.buf[head:n]
			return int(c.buf[9]-'0')*100 + int(c.buf[10]-'0')*10 + int(c.buf[11]-'0'), nil
		}
		if err != nil {
			return 0, err
		}
		if n == len(c.buf) {
			return 0, errResponseTooLong
		}
	}
}

// parseContentLength reads the Content-Length of a response head, which
// net/http writes in canonical form.
func parseContentLength(head []byte) (int, error) {
	i := bytes.Index(head, contentLength)
	if i < 0 {
		return 0, errNoContentLength
	}
	v, length := head[i+len(contentLength):], 0
	for j := 0; j < len(v) && v[j] >= '0' && v[j] <= '9'; j++ {
		length = length*10 + int(v[j]-'0')
	}
	return length, nil
}
