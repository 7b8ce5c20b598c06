package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Event renders one Server-Sent Event (text/event-stream) and flushes it to
// the client. Render several in a row to stream events; the first one sends
// the headers (Content-Type, Cache-Control: no-cache and
// X-Accel-Buffering: no, so nginx passes events on at once).
//
// Data is sent as is when it is a string or []byte (a multi-line value
// becomes several data lines), JSON-encoded otherwise. Line breaks in Event
// and ID, which would end the field early, are replaced by spaces. Retry,
// when positive, tells the browser how long to wait before reconnecting.
type Event struct {
	Event string
	ID    string
	Data  any
	Retry time.Duration
}

// Render implements Renderer. It returns an error when Data cannot be
// encoded (nothing is written then) or the event cannot be flushed.
func (e Event) Render(w http.ResponseWriter) error {
	var data string
	switch d := e.Data.(type) {
	case nil:
	case string:
		data = d
	case []byte:
		data = string(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("render: encoding event data: %w", err)
		}
		data = string(b)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if e.ID != "" {
		buf.WriteString("id: ")
		buf.WriteString(oneLine(e.ID))
		buf.WriteByte('\n')
	}
	if e.Event != "" {
		buf.WriteString("event: ")
		buf.WriteString(oneLine(e.Event))
		buf.WriteByte('\n')
	}
	if e.Retry > 0 {
		buf.WriteString("retry: ")
		buf.WriteString(strconv.FormatInt(e.Retry.Milliseconds(), 10))
		buf.WriteByte('\n')
	}
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		buf.WriteString("data: ")
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')

	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// oneLine replaces the line breaks of an SSE field by spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
