package flagon

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What the debug page masks: the values of credential headers, of every
// cookie, and of any query or form field, g value or session value whose
// name says it is a secret; wherever else a masked value appears on the
// page (an error message, the URL, a body) it is replaced too.

// secretWords mark a header, by a word in its lowercased name, as carrying
// credentials: Authorization, Proxy-Authorization, Cookie, Set-Cookie,
// X-Api-Key, X-Auth-Token, X-Csrf-Token, X-Session-Id and the like.
var secretWords = []string{"auth", "cookie", "key", "token", "secret", "passw", "session", "signature", "credential"}

// secretHeader reports whether the header named k (canonical) carries
// credentials, so the debug page masks its value.
func secretHeader(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redacted stands for a masked value of n bytes.
func redacted(n int) string { return "[redacted, " + strconv.Itoa(n) + " bytes]" }

// maskCredential masks a credential header's value and returns the part
// it hid. For Authorization and Proxy-Authorization the scheme ("Bearer",
// "Basic") stays readable.
func maskCredential(k, v string) (shown, hidden string) {
	if k == "Authorization" || k == "Proxy-Authorization" {
		if scheme, cred, ok := strings.Cut(v, " "); ok && scheme != "" && len(scheme) <= 16 && isToken(scheme) {
			cred = strings.TrimSpace(cred)
			return scheme + " " + redacted(len(cred)), cred
		}
	}
	return redacted(len(v)), v
}

// maskCookies lists the cookies of a Cookie header value by name, each
// value masked, and adds the values to secrets.
func maskCookies(v string, secrets []string) (string, []string) {
	var b strings.Builder
	for part := range strings.SplitSeq(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, "=")
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name)
		b.WriteString("=")
		b.WriteString(redacted(len(val)))
		secrets = append(secrets, strings.Trim(val, `"`), val)
	}
	return b.String(), secrets
}

// newSecretScrubber returns a function replacing each secret in a string
// with a mark. Secrets shorter than 6 bytes are left alone: they are too
// common as substrings to mean anything, and too short to be worth much.
func newSecretScrubber(secrets []string) func(string) string {
	// Longest first: the replacer tries its pairs in order, so a secret
	// that contains another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 6 {
			pairs = append(pairs, s, redacted(len(s)))
		}
	}
	if len(pairs) == 0 {
		return func(s string) string { return s }
	}
	return strings.NewReplacer(pairs...).Replace
}

// secretFieldWords mark a field, g key or session key, by a word in its
// lowercased name, as a secret: password, token, api_key, client_secret,
// csrf and the like.
var secretFieldWords = []string{"token", "secret", "passw", "pwd", "credential", "apikey", "api_key", "api-key", "csrf", "authoriz", "signature"}

// secretField reports whether a field or key named k holds a secret.
func secretField(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretFieldWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// maskValues returns vs as name-value rows sorted by name, the values of
// secret fields masked, and adds those values to secrets. replayed is vs
// with placeholderSecret for them, nil when nothing was masked.
func maskValues(vs url.Values, secrets []string) (rows [][2]string, replayed url.Values, _ []string) {
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for i, v := range vs[k] {
			if !secretField(k) {
				rows = append(rows, [2]string{k, v})
				continue
			}
			rows = append(rows, [2]string{k, redacted(len(v))})
			secrets = append(secrets, v)
			if replayed == nil {
				replayed = cloneValues(vs)
			}
			replayed[k][i] = placeholderSecret
		}
	}
	return rows, replayed, secrets
}

func cloneValues(vs url.Values) url.Values {
	out := make(url.Values, len(vs))
	for k, v := range vs {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// maskJSON replaces the values of secret keys, at any depth, of a JSON
// document with placeholderSecret, adding them to secrets. It reports
// whether it replaced any; a body that is not JSON is left alone.
func maskJSON(body []byte, secrets []string) ([]byte, bool, []string) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return body, false, secrets
	}
	masked := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if secretField(k) {
					if b, err := json.Marshal(x); err == nil {
						secrets = append(secrets, strings.Trim(string(b), `"`))
					}
					v[k] = placeholderSecret
					masked = true
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if !masked {
		return body, false, secrets
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body, false, secrets
	}
	return out, true, secrets
}

// replayCredential is a credential header's value in a replay: the scheme
// of Authorization stays, the rest is placeholderSecret.
func replayCredential(k, v string) string {
	if shown, _ := maskCredential(k, v); strings.Contains(shown, " [redacted") {
		scheme, _, _ := strings.Cut(v, " ")
		return scheme + " " + placeholderSecret
	}
	return placeholderSecret
}

// replayCookies is a Cookie header's value in a replay: each cookie by
// name, its value placeholderSecret.
func replayCookies(v string) string {
	var names []string
	for part := range strings.SplitSeq(v, ";") {
		if name, _, _ := strings.Cut(strings.TrimSpace(part), "="); name != "" {
			names = append(names, name+"="+placeholderSecret)
		}
	}
	return strings.Join(names, "; ")
}

// truncated shortens a g or session value for the page.
func truncated(s string) string {
	const max = 500
	if len(s) <= max {
		return s
	}
	t := s[:max]
	for !utf8.ValidString(t) {
		t = t[:len(t)-1]
	}
	return t + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
