package flagon

import (
	"cmp"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxRanges is the most range-specs a Range header may hold (Apache's
// MaxRanges default). Past it the header is ignored and the whole file is
// sent: RFC 9110 lets a server ignore such a request, a 200 is an answer
// every client that asks for ranges must handle, and it is never larger
// than the file; a 416 would tell the client its ranges were
// unsatisfiable, which they were not.
const maxRanges = 200

// byteRange is one resolved range of a file: the bytes start to end,
// inclusive. first is the position in the header of the earliest range-spec
// it covers, so coalesced parts keep the order the client asked for.
type byteRange struct {
	start, end int64
	first      int
}

// rangeVerdict is what normalizeRange decided about a Range header.
type rangeVerdict uint8

const (
	rangeIgnore      rangeVerdict = iota // drop the header: send the whole file
	rangeUnsatisfied                     // no range overlaps the file: 416
	rangeSend                            // send the ranges of the normalized header
)

// rangeRequest returns r as http.ServeContent should see it for a file of
// size bytes: r itself when its Range header needs no change (the common
// cases: no header, or one range written with both ends), otherwise a
// shallow copy whose Range header is dropped or replaced by its normal form
// (see normalizeRange), so ServeContent only ever reads ranges this file
// decided on. The request the handler sees is never modified.
//
// w is the response's header and name the file's name, from which
// ServeContent takes the Content-Type its multipart parts repeat.
func rangeRequest(r *http.Request, w http.Header, name string, size int64) *http.Request {
	vs := r.Header["Range"]
	if len(vs) == 0 {
		return r
	}
	value := ""
	verdict := rangeIgnore
	if len(vs) == 1 && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// RFC 9110 defines ranges for GET only; ServeContent answers HEAD
		// like the GET, so HEAD keeps them too. A repeated header is not
		// a valid Range: it is ignored.
		typeLen := 0
		if strings.IndexByte(vs[0], ',') >= 0 {
			typeLen = partTypeLen(w, name)
		}
		verdict, value = normalizeRange(vs[0], size, typeLen)
	}
	switch verdict {
	case rangeSend:
		if value == vs[0] {
			return r // already in the normal form ("bytes=0-4")
		}
	case rangeUnsatisfied:
		// ServeContent answers 416 with "Content-Range: bytes */size"
		// itself, after the conditional headers (a failed If-Range still
		// gives the whole file), for a range starting at the end.
		value = "bytes=" + strconv.FormatInt(size, 10) + "-"
	}
	r2 := r.WithContext(r.Context())
	r2.Header = r.Header.Clone()
	if verdict == rangeIgnore {
		r2.Header.Del("Range")
	} else {
		r2.Header.Set("Range", value)
	}
	return r2
}

// normalizeRange reads a Range header for a file of size bytes, as RFC
// 9110 section 14.2 allows a server to: a unit other than bytes, a header
// that does not parse, or more than maxRanges range-specs are ignored; a
// suffix of zero bytes or a start past the end is unsatisfiable; ranges
// that overlap or touch are coalesced, in the order their first range-spec
// was asked for. It returns rangeSend with the normal form of the header:
// "bytes=" and the coalesced ranges with both ends, within the file. It
// returns rangeIgnore also when the multipart answer would be larger than
// the file itself (many small parts cost more than the whole file).
func normalizeRange(h string, size int64, typeLen int) (rangeVerdict, string) {
	unit, set, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(trimOWS(unit), "bytes") {
		return rangeIgnore, "" // RFC 9110: a unit the server does not know is ignored
	}
	var buf [8]byteRange
	ranges := buf[:0]
	specs := 0
	for spec := range strings.SplitSeq(set, ",") {
		spec = trimOWS(spec)
		if spec == "" {
			continue // the list syntax allows empty elements
		}
		if specs++; specs > maxRanges {
			return rangeIgnore, ""
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return rangeIgnore, ""
		}
		first, last = trimOWS(first), trimOWS(last)
		var r byteRange
		if first == "" { // a suffix: the last n bytes
			n, ok := parsePos(last)
			if !ok {
				return rangeIgnore, ""
			}
			if n == 0 || size == 0 {
				continue // unsatisfiable
			}
			r.start, r.end = max(size-n, 0), size-1
		} else {
			start, ok := parsePos(first)
			if !ok {
				return rangeIgnore, ""
			}
			end := int64(-1)
			if last != "" {
				if end, ok = parsePos(last); !ok || end < start {
					return rangeIgnore, "" // RFC 9110: last-pos below first-pos is invalid
				}
			}
			if start >= size {
				continue // unsatisfiable
			}
			if end < 0 || end >= size {
				end = size - 1
			}
			r.start, r.end = start, end
		}
		r.first = specs
		ranges = append(ranges, r)
	}
	switch {
	case specs == 0:
		return rangeIgnore, "" // "bytes=" or "bytes=,": no range-spec at all
	case len(ranges) == 0:
		if size == 0 {
			return rangeIgnore, "" // as ServeContent: an empty file is sent whole, not refused
		}
		return rangeUnsatisfied, ""
	}
	ranges = coalesce(ranges)
	if len(ranges) > 1 && multipartSize(ranges, size, typeLen) > size {
		return rangeIgnore, ""
	}
	var b strings.Builder
	b.WriteString("bytes=")
	for i, r := range ranges {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(r.start, 10))
		b.WriteByte('-')
		b.WriteString(strconv.FormatInt(r.end, 10))
	}
	return rangeSend, b.String()
}

// trimOWS trims the optional white space of HTTP (spaces and tabs).
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// parsePos reads a byte position: 1*DIGIT, no sign. A position too large
// for an int64 saturates, so it counts as past the end of any file.
func parsePos(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (1<<63-1-int64(d))/10 {
			n = 1<<63 - 1
			continue
		}
		n = n*10 + int64(d)
	}
	return n, true
}

// coalesce merges the ranges that overlap or touch, keeping each merged
// range at the place of the earliest range-spec it covers (RFC 9110 asks
// for the parts in the order they were requested). It reuses rs.
func coalesce(rs []byteRange) []byteRange {
	if len(rs) < 2 {
		return rs
	}
	slices.SortFunc(rs, func(a, b byteRange) int { return cmp.Compare(a.start, b.start) })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.start <= last.end+1 {
			last.end = max(last.end, r.end)
			last.first = min(last.first, r.first)
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b byteRange) int { return cmp.Compare(a.first, b.first) })
	return out
}

// multipartSize bounds from above the body of the multipart/byteranges
// answer ServeContent writes for rs: per part a boundary line (its
// boundaries are 60 characters), a Content-Range and a Content-Type of
// typeLen bytes, and the bytes; then the closing boundary.
func multipartSize(rs []byteRange, size int64, typeLen int) int64 {
	digits := int64(len(strconv.FormatInt(size, 10)))
	const boundaryLine = len("\r\n--") + 60 + len("\r\n")
	const headers = len("Content-Range: bytes -/\r\n") + len("Content-Type: \r\n") + len("\r\n")
	total := int64(boundaryLine + len("--"))
	for _, r := range rs {
		total += int64(boundaryLine+headers+typeLen) + 3*digits + r.end - r.start + 1
	}
	return total
}

// partTypeLen is the length of the Content-Type ServeContent gives the
// parts of a multipart answer: the one the response has, or the one of
// name's extension, or 40 bytes for a sniffed one (the longest
// http.DetectContentType gives is 29).
func partTypeLen(w http.Header, name string) int {
	if ct := w.Get("Content-Type"); ct != "" {
		return len(ct)
	}
	if ct := mime.TypeByExtension(filepath.Ext(name)); ct != "" {
		return len(ct)
	}
	return 40
}
