package flagon

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBannerSaysWhereTheFoldersAreLookedFor(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "static"), 0o755))
	t.Chdir(dir)
	banner := func(a *App) string {
		var out bytes.Buffer
		a.banner(&out, []net.Listener{fakeListener{addr: &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5000}}})
		return out.String()
	}

	t.Run("a default folder that exists is named with its full path", func(t *testing.T) {
		out := banner(New())
		assert.Contains(t, out, " * Static files: "+filepath.Join(dir, "static")+"\n")
		assert.Contains(t, out, " * Templates: no folder "+filepath.Join(dir, "templates")+" (pages cannot be rendered)\n")
		assert.NotContains(t, out, "WARNING")
	})
	t.Run("a configured folder that is missing warns", func(t *testing.T) {
		a := New()
		a.Config.StaticDir = "assets"
		a.Config.TemplateDir = "views"
		out := banner(a)
		assert.Contains(t, out, ` * WARNING: Config.StaticDir "assets" is missing: no folder `+filepath.Join(dir, "assets")+", so /static is not served.")
		assert.Contains(t, out, ` * WARNING: Config.TemplateDir "views" is missing`)
		assert.Contains(t, out, "embed.FS")
	})
	t.Run("embedded folders are not looked for", func(t *testing.T) {
		a := New()
		a.Config.StaticFS = fstest.MapFS{}
		a.Config.TemplateFS = fstest.MapFS{}
		out := banner(a)
		assert.NotContains(t, out, "Static files")
		assert.NotContains(t, out, "Templates")
	})
}
