package flagon

import (
	"strconv"
	"strings"
)

// acceptQ returns the q-value the Accept header gives mediaType, using the
// most specific matching range (type/subtype, then type/*, then */*); an
// empty header accepts everything with q=1.
func acceptQ(accept, mediaType string) float64 {
	if strings.TrimSpace(accept) == "" {
		return 1
	}
	typ, _, _ := strings.Cut(mediaType, "/")
	best, bestRank := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		rng, params, _ := strings.Cut(part, ";")
		rng = strings.ToLower(strings.TrimSpace(rng))
		rank := -1
		switch {
		case rng == mediaType:
			rank = 2
		case rng == typ+"/*":
			rank = 1
		case rng == "*/*":
			rank = 0
		}
		if rank < bestRank || rank < 0 {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if rank > bestRank || q > best {
			best, bestRank = q, rank
		}
	}
	return best
}

// prefersJSON reports whether the client ranks JSON above HTML.
func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	j := max(acceptQ(accept, "application/json"), acceptQ(accept, "application/problem+json"))
	return j > acceptQ(accept, "text/html")
}

// Accepts returns the offer the client prefers by the q-values of its
// Accept header (the most specific media range that matches an offer gives
// its q-value; ties go to the earlier offer), or "" when it accepts none of
// them. A request without Accept accepts everything: the first offer wins.
//
//	switch c.Accepts("application/json", "text/html") {
//	case "application/json": return c.JSON(200, user)
//	case "text/html":        return c.Template(200, "user.html", user)
//	default:                 return flagon.Abort(406)
//	}
func (c *Context) Accepts(offers ...string) string {
	accept := c.Request.Header.Get("Accept")
	best, bestQ := "", 0.0
	for _, o := range offers {
		if q := acceptQ(accept, strings.ToLower(o)); q > bestQ {
			best, bestQ = o, q
		}
	}
	return best
}

// prefersHTML reports whether the client ranks HTML above JSON.
func prefersHTML(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return false
	}
	j := max(acceptQ(accept, "application/json"), acceptQ(accept, "application/problem+json"))
	return acceptQ(accept, "text/html") > j
}
