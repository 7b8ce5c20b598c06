//go:build !flagon_noreload

package flagon

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// reloadPoll is how often the reloader looks at the sources. Polling
// needs no dependency and works the same on every system and file system
// (editors that save by renaming, network and container mounts); a scan
// of a module of a few hundred files takes well under a millisecond.
const reloadPoll = 300 * time.Millisecond

// stamp is what a scan notes of a file: a save changes one or the other.
type stamp struct {
	mod  time.Time
	size int64
}

// sources is one scan of the watched files, by path.
type sources map[string]stamp

// scanSources notes the files a build of the module at root reads: its
// non-test .go files, go.mod and go.sum. Nested modules (a folder with its
// own go.mod), testdata, vendor and folders starting with "." or "_" are
// skipped, as the go command skips them.
func scanSources(root string) sources {
	s := sources{}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed during the walk, an unreadable folder
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		watched := strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") ||
			filepath.Dir(path) == root && (name == "go.mod" || name == "go.sum")
		if !watched {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			s[path] = stamp{fi.ModTime(), fi.Size()}
		}
		return nil
	})
	return s
}

// scan notes the module's sources and the embedded files.
func (r *reloader) scan() sources {
	s := scanSources(r.root)
	s.add(r.embeds)
	return s
}

// rewatch takes the embedded files listed again after a build (a source
// may embed other files now), and notes the new ones in the last scan.
func (r *reloader) rewatch(files []string) {
	r.embeds = files
	var added []string
	for _, f := range r.embeds {
		if _, ok := r.snap[f]; !ok {
			added = append(added, f)
		}
	}
	r.snap.add(added)
}

// changed returns a file that differs between the scans s and t (added,
// removed or saved), or "" when they are the same.
func (s sources) changed(t sources) string {
	for p, st := range t {
		if old, ok := s[p]; !ok || !old.mod.Equal(st.mod) || old.size != st.size {
			return p
		}
	}
	for p := range s {
		if _, ok := t[p]; !ok {
			return p
		}
	}
	return ""
}

// embeddedFiles lists the files that the main module's packages in the
// build of pkg embed (//go:embed): they are sources too (examples/site
// embeds its templates and static files), though not Go files.
func embeddedFiles(ctx context.Context, goBin, dir, pkg string, flags []string) []string {
	args := append([]string{"list", "-e", "-deps", "-f",
		"{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .EmbedFiles}}|{{.}}{{end}}{{end}}{{end}}"}, flags...)
	cmd := exec.CommandContext(ctx, goBin, append(args, pkg)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var files []string
	for line := range strings.SplitSeq(string(out), "\n") {
		parts := strings.Split(line, "|")
		for _, f := range parts[1:] {
			files = append(files, filepath.Join(parts[0], filepath.FromSlash(f)))
		}
	}
	return files
}

// add notes files in s, as a scan would.
func (s sources) add(files []string) {
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			s[f] = stamp{fi.ModTime(), fi.Size()}
		} else {
			s[f] = stamp{}
		}
	}
}
