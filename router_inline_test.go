package flagon

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// routerInlined are the functions the fast walk expects the compiler to
// inline into match and statics.scan (router_words.go says why). A change
// that pushes one over the inlining budget turns it into a call on every
// segment of every request.
var routerInlined = []string{
	"word8",
	"word4",
	"headShort",
	"sameAfter8",
	"(*kid).heads",
	"(*statics).inPlace",
	"methodIndex",
}

func TestRouterHelpersInline(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		var lookErr error
		if goTool, lookErr = exec.LookPath("go"); lookErr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("the go tool is missing, and CI=true needs this check to run")
			}
			t.Skip("the go tool is missing")
		}
	}
	// The compiler's diagnostics are cached with the build, so this is
	// quick after the first run.
	out, err := exec.Command(goTool, "build", "-gcflags=-m", "-o", os.DevNull, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	for _, name := range routerInlined {
		re := regexp.MustCompile(`(?m)^\S+: can inline ` + regexp.QuoteMeta(name) + `( |$)`)
		if !re.Match(out) {
			t.Errorf("the compiler no longer inlines %s: the fast walk now calls it on every segment", name)
		}
	}
}
