package flagon

// Flash is a message stored for the next request (Flask's flash).
type Flash struct {
	Category string `json:"category"`
	Message  string `json:"message"`
}

// Flash stores a message in the session for the next request that reads
// Flashes; the category defaults to "message". It needs a session, so
// Config.SecretKey must be set.
func (c *Context) Flash(message string, category ...string) {
	cat := "message"
	if len(category) > 0 && category[0] != "" {
		cat = category[0]
	}
	s := c.Session()
	list := flashList(s)
	list = append(list, []any{cat, message})
	s.Set(sessionFlashesKey, list)
}

// Flashes returns the flashed messages, oldest first, and removes them
// from the session: each message is read once.
func (c *Context) Flashes() []Flash {
	s := c.Session()
	list := flashList(s)
	if len(list) == 0 {
		return nil
	}
	s.Delete(sessionFlashesKey)
	out := make([]Flash, 0, len(list))
	for _, item := range list {
		pair, ok := item.([]any)
		if !ok || len(pair) != 2 {
			continue
		}
		cat, _ := pair[0].(string)
		msg, _ := pair[1].(string)
		out = append(out, Flash{Category: cat, Message: msg})
	}
	return out
}

// flashList reads the stored flashes, whatever shape a store gave back.
func flashList(s *Session) []any {
	v, _ := s.Get(sessionFlashesKey)
	switch list := v.(type) {
	case []any:
		return list
	}
	return nil
}
