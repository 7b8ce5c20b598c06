package flagon

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds an App's settings. Change it before the app serves; it is
// read when the app is first served.
type Config struct {
	Debug bool   // debug pages, template reloading, the request log of Run
	Addr  string // Run's address: "host:port" (default "127.0.0.1:5000")

	SecretKey          string   // signs sessions; required to use them
	SecretKeyFallbacks []string // older keys still accepted

	TrustedProxies []string // IPs and CIDRs whose forwarding headers are believed; default none
	ClientIPHeader string   // "X-Forwarded-For" (default), "X-Real-IP" or "Forwarded"
	// TrustedHosts lists the hosts the app answers for (Flask's
	// TRUSTED_HOSTS): "example.com" is that host, ".example.com" is
	// example.com and its subdomains; ports are ignored, names compare
	// case-insensitively, IPv6 addresses are written "[::1]". A request for
	// another host (its Host header, or a trusted proxy's forwarded host)
	// gets 400 before any handler. Default none: every host is answered.
	TrustedHosts []string

	MaxBodyBytes       int64 // request bodies past this are 413; default 32 MiB
	MaxMultipartMemory int64 // multipart bytes kept in memory, the rest spills to temporary files; default 8 MiB

	TemplateDir string // default "templates"
	TemplateFS  fs.FS  // overrides TemplateDir, e.g. an embed.FS

	StaticDir     string // default "static"
	StaticURLPath string // default "/static"
	StaticFS      fs.FS  // overrides StaticDir
	// SendFileMaxAge is the max-age of the Cache-Control sent with static
	// files and Context.File (Flask's SEND_FILE_MAX_AGE_DEFAULT). Default 0:
	// "no-cache", so browsers revalidate with the ETag and get 304s.
	SendFileMaxAge time.Duration

	ServerName         string // host for external URLs built without a request
	PreferredURLScheme string // scheme for those URLs, default "http"

	SessionCookieName     string        // default "session"
	SessionLifetime       time.Duration // permanent sessions, default 31 days
	SessionCookieSecure   bool          // also Secure whenever the request is HTTPS
	SessionCookieSameSite http.SameSite // default Lax
	SessionCookieDomain   string        // default none (host-only cookie)
	SessionCookiePath     string        // default "/" (under a trusted proxy's prefix)
	SessionStore          SessionStore  // default: the signed-cookie store

	ReadHeaderTimeout time.Duration // default 10s
	ReadTimeout       time.Duration // default 60s
	WriteTimeout      time.Duration // default 0: none, so streams and SSE can run
	IdleTimeout       time.Duration // default 120s
	ShutdownTimeout   time.Duration // graceful shutdown of Run, default 15s

	Logger *slog.Logger // default slog.Default()

	APITitle   string // the OpenAPI document's info.title, default "Flagon API"
	APIVersion string // its info.version, default "0.0.0"
}

// The OpenAPI document's info when Config.APITitle and APIVersion are
// empty.
const (
	defaultAPITitle   = "Flagon API"
	defaultAPIVersion = "0.0.0"
)

// defaultAddr is the address Run listens on when Config.Addr is not set.
const defaultAddr = "127.0.0.1:5000"

// DefaultConfig returns the settings New starts from.
func DefaultConfig() Config {
	return Config{
		Addr:                  defaultAddr,
		ClientIPHeader:        "X-Forwarded-For",
		MaxBodyBytes:          32 << 20,
		MaxMultipartMemory:    8 << 20,
		TemplateDir:           "templates",
		StaticDir:             "static",
		StaticURLPath:         "/static",
		PreferredURLScheme:    "http",
		SessionCookieName:     "session",
		SessionLifetime:       31 * 24 * time.Hour,
		SessionCookieSameSite: http.SameSiteLaxMode,
		ReadHeaderTimeout:     10 * time.Second,
		ReadTimeout:           60 * time.Second,
		IdleTimeout:           120 * time.Second,
		ShutdownTimeout:       15 * time.Second,
		APITitle:              defaultAPITitle,
		APIVersion:            defaultAPIVersion,
	}
}

// FromEnv reads settings from environment variables named prefix + "_" +
// the setting in upper snake case: FLAGON_DEBUG, FLAGON_ADDR,
// FLAGON_SECRET_KEY, FLAGON_SECRET_KEY_FALLBACKS, FLAGON_TRUSTED_PROXIES and
// FLAGON_TRUSTED_HOSTS (comma-separated), FLAGON_CLIENT_IP_HEADER, FLAGON_MAX_BODY_BYTES,
// FLAGON_MAX_MULTIPART_MEMORY, FLAGON_SERVER_NAME, FLAGON_PREFERRED_URL_SCHEME, FLAGON_TEMPLATE_DIR,
// FLAGON_STATIC_DIR, FLAGON_STATIC_URL_PATH, FLAGON_SESSION_COOKIE_NAME,
// FLAGON_SESSION_LIFETIME, FLAGON_SESSION_COOKIE_SECURE and the timeouts
// FLAGON_READ_HEADER_TIMEOUT, FLAGON_READ_TIMEOUT, FLAGON_WRITE_TIMEOUT,
// FLAGON_IDLE_TIMEOUT, FLAGON_SHUTDOWN_TIMEOUT (Go durations such as
// "30s"). Unset variables leave the setting alone; a malformed value is an
// error naming the variable, and no setting is changed.
func (c *Config) FromEnv(prefix string) error {
	out := *c
	var errs []string
	get := func(name string) (string, bool) {
		return os.LookupEnv(prefix + "_" + name)
	}
	str := func(name string, dst *string) {
		if v, ok := get(name); ok {
			*dst = v
		}
	}
	list := func(name string, dst *[]string) {
		if v, ok := get(name); ok {
			*dst = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*dst = append(*dst, s)
				}
			}
		}
	}
	boolean := func(name string, dst *bool) {
		if v, ok := get(name); ok {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s_%s=%q is not a boolean (use true or false)", prefix, name, v))
				return
			}
			*dst = b
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v, ok := get(name); ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				errs = append(errs, fmt.Sprintf("%s_%s=%q is not a duration (use a Go duration such as 30s)", prefix, name, v))
				return
			}
			*dst = d
		}
	}
	byteCount := func(name string, dst *int64) {
		if v, ok := get(name); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("%s_%s=%q is not a byte count", prefix, name, v))
				return
			}
			*dst = n
		}
	}
	boolean("DEBUG", &out.Debug)
	str("ADDR", &out.Addr)
	str("SECRET_KEY", &out.SecretKey)
	list("SECRET_KEY_FALLBACKS", &out.SecretKeyFallbacks)
	list("TRUSTED_PROXIES", &out.TrustedProxies)
	str("CLIENT_IP_HEADER", &out.ClientIPHeader)
	list("TRUSTED_HOSTS", &out.TrustedHosts)
	byteCount("MAX_BODY_BYTES", &out.MaxBodyBytes)
	byteCount("MAX_MULTIPART_MEMORY", &out.MaxMultipartMemory)
	str("SERVER_NAME", &out.ServerName)
	str("PREFERRED_URL_SCHEME", &out.PreferredURLScheme)
	str("TEMPLATE_DIR", &out.TemplateDir)
	str("STATIC_DIR", &out.StaticDir)
	str("STATIC_URL_PATH", &out.StaticURLPath)
	str("SESSION_COOKIE_NAME", &out.SessionCookieName)
	duration("SESSION_LIFETIME", &out.SessionLifetime)
	boolean("SESSION_COOKIE_SECURE", &out.SessionCookieSecure)
	duration("READ_HEADER_TIMEOUT", &out.ReadHeaderTimeout)
	duration("READ_TIMEOUT", &out.ReadTimeout)
	duration("WRITE_TIMEOUT", &out.WriteTimeout)
	duration("IDLE_TIMEOUT", &out.IdleTimeout)
	duration("SHUTDOWN_TIMEOUT", &out.ShutdownTimeout)
	switch out.ClientIPHeader {
	case "", "X-Forwarded-For", "X-Real-IP", "Forwarded":
	default:
		errs = append(errs, fmt.Sprintf("%s_CLIENT_IP_HEADER=%q: use X-Forwarded-For, X-Real-IP or Forwarded", prefix, out.ClientIPHeader))
	}
	if len(errs) > 0 {
		return fmt.Errorf("flagon: %s", strings.Join(errs, "; "))
	}
	*c = out
	return nil
}

func (a *App) logger() *slog.Logger {
	if a.Config.Logger != nil {
		return a.Config.Logger
	}
	return slog.Default()
}
