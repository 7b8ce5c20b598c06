package flagon_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rangeFile is the content of the file the range tests ask for: 128 KiB
// in which every byte says where it is.
var rangeFile = func() []byte {
	b := make([]byte, 128<<10)
	for i := range b {
		b[i] = "0123456789abcdef"[i%16]
	}
	return b
}()

// rangeServer serves rangeFile as /f/big.bin (Static), /file (File, any
// method), a 15-byte /f/small.txt and an empty /f/empty.txt.
func rangeServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.bin"), rangeFile, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "small.txt"), []byte("body{color:red}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644))
	app := quietApp()
	app.Static("/f", dir)
	app.Route("/file", func(c *flagon.Context) error {
		return c.File(filepath.Join(dir, "big.bin"))
	}, "GET", "POST")
	return serveApp(t, app).URL
}

// rangeGet sends method url with the headers and returns the response and
// its body.
func rangeGet(t *testing.T, method, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	req.Header = header
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

func withRange(v string) http.Header { return http.Header{"Range": {v}} }

type part struct {
	contentRange string
	body         []byte
}

// parts reads a multipart/byteranges answer.
func parts(t *testing.T, res *http.Response, body []byte) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/byteranges", mt)
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		out = append(out, part{p.Header.Get("Content-Range"), b})
	}
}

func contentRange(start, end int) string {
	return fmt.Sprintf("bytes %d-%d/%d", start, end, len(rangeFile))
}

func TestRangeRequestsCannotAmplify(t *testing.T) {
	url := rangeServer(t)

	t.Run("8000 overlapping ranges get no more than the file", func(t *testing.T) {
		h := "bytes=" + strings.Repeat("0-0,", 7999) + "0-0"
		res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange(h))
		assert.LessOrEqual(t, len(body), len(rangeFile)+512, "a %d-byte header got %d bytes", len(h), len(body))
		assert.Equal(t, 200, res.StatusCode, "past the cap the whole file is sent")
		assert.Equal(t, rangeFile, body)
	})
	t.Run("200 overlapping ranges coalesce into one byte", func(t *testing.T) {
		h := "bytes=" + strings.Repeat("0-0,", 199) + "0-0"
		res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange(h))
		assert.Equal(t, 206, res.StatusCode)
		assert.Equal(t, contentRange(0, 0), res.Header.Get("Content-Range"))
		assert.Equal(t, "0", string(body))
	})
	t.Run("200 disjoint ranges are served, 201 hit the cap", func(t *testing.T) {
		specs := make([]string, 201)
		for i := range specs {
			specs[i] = fmt.Sprintf("%d-%d", i*600, i*600+99)
		}
		res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange("bytes="+strings.Join(specs[:200], ",")))
		require.Equal(t, 206, res.StatusCode)
		ps := parts(t, res, body)
		require.Len(t, ps, 200)
		assert.Equal(t, contentRange(199*600, 199*600+99), ps[199].contentRange)
		assert.Equal(t, rangeFile[199*600:199*600+100], ps[199].body)

		res, body = rangeGet(t, "GET", url+"/f/big.bin", withRange("bytes="+strings.Join(specs, ",")))
		assert.Equal(t, 200, res.StatusCode)
		assert.Empty(t, res.Header.Get("Content-Range"))
		assert.Equal(t, rangeFile, body)
	})
	t.Run("a multipart answer larger than the file sends the file", func(t *testing.T) {
		res, body := rangeGet(t, "GET", url+"/f/small.txt", withRange("bytes=0-0,5-5,10-10"))
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "body{color:red}", string(body))
	})
}

func TestRangesAreCoalesced(t *testing.T) {
	url := rangeServer(t)
	cases := []struct {
		name, header string
		want         [][2]int // the parts, in order
	}{
		{"overlapping ranges become one", "bytes=0-5,3-10", [][2]int{{0, 10}}},
		{"adjacent ranges become one", "bytes=0-4,5-9", [][2]int{{0, 9}}},
		{"a range inside another disappears", "bytes=0-99,10-20", [][2]int{{0, 99}}},
		{"unordered overlapping ranges become one", "bytes=100-199,0-149", [][2]int{{0, 199}}},
		{"suffixes and open ends are resolved first", "bytes=-10,131060-", [][2]int{{131060, 131071}}},
		{"overlaps coalesce, distant parts stay", "bytes=0-99,50-149,10000-10099,10050-10199", [][2]int{{0, 149}, {10000, 10199}}},
		{"parts keep the order they were asked in", "bytes=10000-10099,0-99,10050-10150", [][2]int{{10000, 10150}, {0, 99}}},
		{"an unsatisfiable range among others is left out", "bytes=0-4,200000-,-0", [][2]int{{0, 4}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange(tc.header))
			require.Equal(t, 206, res.StatusCode)
			if len(tc.want) == 1 {
				w := tc.want[0]
				assert.Equal(t, contentRange(w[0], w[1]), res.Header.Get("Content-Range"))
				assert.Equal(t, rangeFile[w[0]:w[1]+1], body)
				return
			}
			ps := parts(t, res, body)
			require.Len(t, ps, len(tc.want))
			for i, w := range tc.want {
				assert.Equal(t, contentRange(w[0], w[1]), ps[i].contentRange)
				assert.Equal(t, rangeFile[w[0]:w[1]+1], ps[i].body)
			}
		})
	}
}

func TestRangeHeadersFollowRFC9110(t *testing.T) {
	url := rangeServer(t)
	size := strconv.Itoa(len(rangeFile))

	t.Run("a normal range is 206", func(t *testing.T) {
		for _, path := range []string{"/f/big.bin", "/file"} {
			res, body := rangeGet(t, "GET", url+path, withRange("bytes=0-4"))
			assert.Equal(t, 206, res.StatusCode, path)
			assert.Equal(t, contentRange(0, 4), res.Header.Get("Content-Range"), path)
			assert.Equal(t, "01234", string(body), path)
		}
	})
	t.Run("the unit is case-insensitive, white space is allowed", func(t *testing.T) {
		res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange("Bytes = 16-17 , "))
		assert.Equal(t, 206, res.StatusCode)
		assert.Equal(t, "01", string(body))
	})
	t.Run("a last position past the end is the end", func(t *testing.T) {
		res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange("bytes=131070-99999999999999999999999"))
		assert.Equal(t, 206, res.StatusCode)
		assert.Equal(t, contentRange(131070, 131071), res.Header.Get("Content-Range"))
		assert.Equal(t, "ef", string(body))
	})
	t.Run("HEAD keeps its range", func(t *testing.T) {
		res, _ := rangeGet(t, "HEAD", url+"/f/big.bin", withRange("bytes=0-4"))
		assert.Equal(t, 206, res.StatusCode)
		assert.Equal(t, "5", res.Header.Get("Content-Length"))
	})
	for _, h := range []string{"bytes=-0", "bytes=131072-", "bytes=200000-300000", "bytes=-0,-0", "bytes=99999999999999999999-"} {
		t.Run(h+" is unsatisfiable", func(t *testing.T) {
			res, _ := rangeGet(t, "GET", url+"/f/big.bin", withRange(h))
			assert.Equal(t, 416, res.StatusCode)
			assert.Equal(t, "bytes */"+size, res.Header.Get("Content-Range"))
		})
	}
	for _, h := range []string{
		"items=0-5", "none", "bytes", "bytes=", "bytes=,", "bytes=abc", "bytes=5-1", "bytes=0-4;x", "bytes 0-4",
		"bytes=+0-4", "bytes=-+4", "bytes=0--4", "bytes=--4", "bytes=0-4,x", "bytes=0x10-20", "bytes=\u00a00-4",
	} {
		t.Run(h+" is ignored", func(t *testing.T) {
			res, body := rangeGet(t, "GET", url+"/f/big.bin", withRange(h))
			assert.Equal(t, 200, res.StatusCode)
			assert.Empty(t, res.Header.Get("Content-Range"))
			assert.Equal(t, rangeFile, body)
		})
	}
	t.Run("two Range headers are ignored", func(t *testing.T) {
		res, body := rangeGet(t, "GET", url+"/f/big.bin", http.Header{"Range": {"bytes=0-4", "bytes=5-9"}})
		assert.Equal(t, 200, res.StatusCode)
		assert.Len(t, body, len(rangeFile))
	})
	t.Run("a POST ignores Range", func(t *testing.T) {
		res, body := rangeGet(t, "POST", url+"/file", withRange("bytes=0-4"))
		assert.Equal(t, 200, res.StatusCode)
		assert.Len(t, body, len(rangeFile))
	})
	t.Run("an empty file is sent whole", func(t *testing.T) {
		res, body := rangeGet(t, "GET", url+"/f/empty.txt", withRange("bytes=0-4"))
		assert.Equal(t, 200, res.StatusCode)
		assert.Empty(t, body)
	})
	t.Run("If-Range", func(t *testing.T) {
		res, _ := rangeGet(t, "GET", url+"/f/big.bin", nil)
		etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
		require.NotEmpty(t, etag)
		require.NotEmpty(t, modified)
		for _, tc := range []struct {
			name, ifRange, rng string
			code               int
		}{
			{"the current ETag keeps the range", etag, "bytes=0-4", 206},
			{"the modification date keeps the range", modified, "bytes=0-4", 206},
			{"an old ETag sends the whole file", `"old"`, "bytes=0-4", 200},
			{"an old date sends the whole file", "Mon, 02 Jan 2006 15:04:05 GMT", "bytes=0-4", 200},
			{"the current ETag keeps coalesced ranges", etag, "bytes=0-5,3-10", 206},
			{"the current ETag and an unsatisfiable range", etag, "bytes=-0", 416},
			{"an old ETag and an unsatisfiable range", `"old"`, "bytes=-0", 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := rangeGet(t, "GET", url+"/f/big.bin", http.Header{"Range": {tc.rng}, "If-Range": {tc.ifRange}})
				assert.Equal(t, tc.code, res.StatusCode)
				if tc.code == 200 {
					assert.Equal(t, rangeFile, body)
				}
			})
		}
	})
	t.Run("If-None-Match wins over Range", func(t *testing.T) {
		res, _ := rangeGet(t, "GET", url+"/f/big.bin", nil)
		res, _ = rangeGet(t, "GET", url+"/f/big.bin", http.Header{"Range": {"bytes=-0"}, "If-None-Match": {res.Header.Get("ETag")}})
		assert.Equal(t, 304, res.StatusCode)
	})
}
