package flagon_test

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deployApache runs Apache httpd in the foreground with mod_proxy in front
// of 127.0.0.1:upstream, listening on 127.0.0.1:listen.
func deployApache(t *testing.T, listen int, proxy string) *deployProcess {
	t.Helper()
	bin := deployRequire(t, "apache2", "/usr/sbin/apache2", "httpd", "/usr/sbin/httpd")
	modules := "/usr/lib/apache2/modules"
	if _, err := os.Stat(modules); err != nil {
		modules = "/usr/lib/httpd/modules"
	}
	dir := t.TempDir()
	runAs := ""
	if os.Getuid() == 0 {
		// Apache refuses to serve as root; its workers only proxy.
		group := "nogroup"
		if _, err := user.LookupGroup(group); err != nil {
			group = "nobody"
		}
		runAs = "User nobody\nGroup " + group
	}
	conf := fmt.Sprintf(`ServerRoot %[1]q
ServerName localhost
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
LogLevel warn
Mutex file:%[1]s default
%[3]s
LoadModule mpm_event_module %[4]s/mod_mpm_event.so
LoadModule authz_core_module %[4]s/mod_authz_core.so
LoadModule proxy_module %[4]s/mod_proxy.so
LoadModule proxy_http_module %[4]s/mod_proxy_http.so
LoadModule proxy_fcgi_module %[4]s/mod_proxy_fcgi.so
%[5]s
`, dir, listen, runAs, modules, proxy)
	path := filepath.Join(dir, "httpd.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	require.NoError(t, os.Chmod(dir, 0o755))
	p := deployStart(t, nil, bin, "-f", path, "-DFOREGROUND")
	deployWaitDial(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", listen))
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("apache error.log:\n%s", b)
		}
	})
	return p
}

func TestApacheModProxy(t *testing.T) {
	appPort, apachePort := deployFreePort(t), deployFreePort(t)
	startProxiedApp(t, appPort, "FLAGON_TRUSTED_PROXIES=127.0.0.1,::1", "FLAGON_CLIENT_IP_HEADER=X-Forwarded-For")
	deployApache(t, apachePort, fmt.Sprintf(`ProxyPreserveHost On
ProxyPass / http://127.0.0.1:%[1]d/
ProxyPassReverse / http://127.0.0.1:%[1]d/`, appPort))
	client := deployClient()
	base := fmt.Sprintf("http://127.0.0.1:%d", apachePort)

	code, body := deployGet(t, client, base+"/", nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "Hello, World!", body)

	w := getWhoami(t, client, base+"/whoami", map[string]string{
		"Host":             "public.example",
		"X-Forwarded-For":  "6.6.6.6",
		"X-Forwarded-Host": "evil.example",
	})
	assert.Equal(t, "127.0.0.2", w.ClientIP, "the right-most address Apache appended, not the forged one")
	assert.Equal(t, "public.example", w.Host, "Apache appends the real host to X-Forwarded-Host")
	assert.Equal(t, "http://public.example/whoami", w.ExternalURL)
}

func TestApacheModProxyFCGI(t *testing.T) {
	apachePort, fcgiPort := deployFreePort(t), deployFreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", fcgiPort)
	app := deployStart(t, []string{"FASTCGI_ADDR=" + addr}, deployBuildProxied(t))
	deployWaitDial(t, app, "tcp", addr)
	deployApache(t, apachePort, fmt.Sprintf(`ProxyPass / fcgi://%s/`, addr))
	client := deployClient()
	base := fmt.Sprintf("http://127.0.0.1:%d", apachePort)

	code, body := deployGet(t, client, base+"/", nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "Hello, World!", body)
	w := getWhoami(t, client, base+"/whoami", map[string]string{"X-Forwarded-For": "6.6.6.6"})
	assert.Equal(t, "127.0.0.2", w.ClientIP)
}
