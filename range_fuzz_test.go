package flagon

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzNormalizeRange checks what ServeContent is handed: a normalized
// header is "bytes=" and at most maxRanges ranges within the file, in no
// overlapping or touching pair, normalizing it again changes nothing, and
// the multipart answer it asks for is never larger than the file.
func FuzzNormalizeRange(f *testing.F) {
	for _, seed := range []string{
		"bytes=0-4", "bytes=0-", "bytes=-5", "bytes=-0", "items=0-5", "bytes=0-5,3-10", "bytes=0-4,5-9",
		"bytes=10000-10099,0-99", "Bytes = 1-2 ,", "bytes=99999999999999999999-", "bytes=5-1", "bytes=,",
		"bytes=0-0,0-0,0-0", "bytes=-1,-2,0-", "bytes=\t3-4\t", "bytes=1-2,4-5,7-8",
	} {
		f.Add(seed, int64(20000))
		f.Add(seed, int64(15))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		verdict, value := normalizeRange(h, size, 24)
		if verdict != rangeSend {
			if value != "" {
				t.Fatalf("%q: verdict %d with a value %q", h, verdict, value)
			}
			return
		}
		if size == 0 || !strings.HasPrefix(value, "bytes=") {
			t.Fatalf("%q (size %d) gave %q", h, size, value)
		}
		again, value2 := normalizeRange(value, size, 24)
		if again != rangeSend || value2 != value {
			t.Fatalf("%q gave %q, which gives %d %q", h, value, again, value2)
		}
		var rs []byteRange
		for spec := range strings.SplitSeq(value[len("bytes="):], ",") {
			a, b, _ := strings.Cut(spec, "-")
			start, ok1 := parsePos(a)
			end, ok2 := parsePos(b)
			if !ok1 || !ok2 || start > end || end >= size {
				t.Fatalf("%q gave %q: %q is not within %d bytes", h, value, spec, size)
			}
			for _, r := range rs {
				if start <= r.end+1 && r.start <= end+1 {
					t.Fatalf("%q gave %q: %q overlaps or touches another range", h, value, spec)
				}
			}
			rs = append(rs, byteRange{start: start, end: end})
		}
		if len(rs) > maxRanges {
			t.Fatalf("%q gave %d ranges", h, len(rs))
		}
		if len(rs) > 1 && multipartSize(rs, size, 24) > size {
			t.Fatalf("%q gave %q, a multipart answer larger than the file", h, value)
		}
	})
}

// TestMultipartSizeBoundsServeContent compares multipartSize with the
// bodies ServeContent writes, with a short and a long Content-Type.
func TestMultipartSizeBoundsServeContent(t *testing.T) {
	content := strings.Repeat("x", 100000)
	for _, ctype := range []string{"", "text/plain", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		for _, h := range []string{"bytes=0-0,2-2", "bytes=0-9,100-199,99990-99999", "bytes=5-5,50-50,500-500,5000-5000,50000-50000"} {
			rec := httptest.NewRecorder()
			if ctype != "" {
				rec.Header().Set("Content-Type", ctype)
			}
			typeLen := partTypeLen(rec.Header(), "x.bin")
			req := httptest.NewRequest("GET", "/x.bin", nil)
			req.Header.Set("Range", h)
			http.ServeContent(rec, req, "x.bin", time.Time{}, strings.NewReader(content))
			if rec.Code != 206 {
				t.Fatalf("%s: %d", h, rec.Code)
			}
			var rs []byteRange
			for spec := range strings.SplitSeq(h[len("bytes="):], ",") {
				a, b, _ := strings.Cut(spec, "-")
				start, _ := parsePos(a)
				end, _ := parsePos(b)
				rs = append(rs, byteRange{start: start, end: end})
			}
			// The bound counts every position with the digits of the size
			// and the first boundary with a line break before it.
			got, bound := int64(rec.Body.Len()), multipartSize(rs, int64(len(content)), typeLen)
			if got > bound || bound > got+int64(len(rs))*(2*6+2)+2 {
				t.Errorf("%q %s: the body is %d bytes, the bound %d", ctype, h, got, bound)
			}
		}
	}
}
