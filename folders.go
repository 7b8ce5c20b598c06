package flagon

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// folderBanner prints where the app looks for its static files and its
// templates, for Run's banner: folders on disk are relative to the working
// directory, so an app started from elsewhere finds none. A folder set in
// Config that is missing gets a warning; the default folders, which many
// apps do without, a note.
func (a *App) folderBanner(w io.Writer) {
	cfg := &a.Config
	def := DefaultConfig()
	if cfg.StaticURLPath != "" && cfg.StaticFS == nil {
		a.folderLine(w, "Static files", "Config.StaticDir", cfg.StaticDir, def.StaticDir, cfg.StaticURLPath+" is not served")
	}
	if cfg.TemplateFS == nil {
		dir := cfg.TemplateDir
		if dir == "" {
			dir = def.TemplateDir
		}
		a.folderLine(w, "Templates", "Config.TemplateDir", dir, def.TemplateDir, "pages cannot be rendered")
	}
}

func (a *App) folderLine(w io.Writer, what, setting, dir, def, consequence string) {
	if dir == "" {
		return
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		fmt.Fprintf(w, " * %s: %s\n", what, abs)
		return
	}
	if dir == def {
		fmt.Fprintf(w, " * %s: no folder %s (%s)\n", what, abs, consequence)
		return
	}
	fmt.Fprintf(w, " * WARNING: %s %q is missing: no folder %s, so %s.\n"+
		"   Folders are found relative to the working directory; embed them (embed.FS in Config.StaticFS\n"+
		"   and Config.TemplateFS) for a binary that runs from any directory.\n", setting, dir, abs, consequence)
}
