package binding

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// IsJSON reports whether media type ct is JSON: application/json or any
// +json type.
func IsJSON(ct string) bool {
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// IsXML reports whether media type ct is XML.
func IsXML(ct string) bool {
	return ct == "application/xml" || ct == "text/xml" || strings.HasSuffix(ct, "+xml")
}

// IsForm reports whether media type ct is a form.
func IsForm(ct string) bool {
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

// Decode reads r's body and decodes it as body (JSON or XML) into dst,
// whose struct is v and plan p (nil for a value that is not a struct).
// Fields that only a path, query, header, cookie or form tag names keep
// the value they had: the body cannot reach them.
func Decode(r *http.Request, dst any, v reflect.Value, p *Plan, body string) error {
	var kept []reflect.Value
	if p != nil && p.guarded(body) {
		kept = p.keep(v, body)
	}
	bp, err := readBody(r)
	switch {
	case err != nil:
		err = ReadError(err, body)
	case body == JSON:
		err = decodeJSON(*bp, dst, p, v)
	default:
		err = decodeXML(*bp, dst)
	}
	putBody(bp)
	if kept != nil {
		p.restore(v, body, kept)
	}
	return err
}

// BodyType is the media type a struct reads its body as when it has no
// form fields but has fields named by a json or xml tag ("application/json",
// "application/xml", or both); "" when a form body can fill it.
func (p *Plan) BodyType() string {
	if p == nil {
		return ""
	}
	var json, xml bool
	for i := range p.Fields {
		f := &p.Fields[i]
		if f.Source == Form {
			return ""
		}
		json = json || f.InJSON
		xml = xml || f.InXML
	}
	switch {
	case json && xml:
		return "application/json or application/xml"
	case json:
		return "application/json"
	case xml:
		return "application/xml"
	}
	return ""
}

// decodeXML decodes an XML body into dst.
func decodeXML(data []byte, dst any) error {
	err := xml.Unmarshal(data, dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return Malformed(XML, "", "missing", "The XML body is empty.", err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return Malformed(XML, "", "syntax", fmt.Sprintf("The XML body is malformed at line %d: %s.", se.Line, se.Msg), err)
	}
	return Malformed(XML, "", "type", "A value in the XML body is not valid: "+err.Error()+".", err)
}

// maxPooledBody is the largest body buffer kept for reuse.
const maxPooledBody = 64 << 10

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// readBody reads the whole body into a pooled buffer; give it back with
// putBody once decoded (the decoders copy what they keep).
func readBody(r *http.Request) (*[]byte, error) {
	bp := bodyPool.Get().(*[]byte)
	b := (*bp)[:0]
	if n := r.ContentLength; n >= int64(cap(b)) && n < 1<<20 {
		b = make([]byte, 0, n+1) // + 1 to see the end without growing
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			return bp, err
		}
	}
	*bp = b
	return bp, nil
}

func putBody(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		bodyPool.Put(bp)
	}
}
