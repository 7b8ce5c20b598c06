package flagon_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlagonNoreloadLinksNoReloader builds examples/hello with and without
// the flagon_noreload tag and reads the symbols of both: the tag leaves no
// reloader code in the program.
func TestFlagonNoreloadLinksNoReloader(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/hello twice")
	}
	dir := t.TempDir()
	symbols := func(tags ...string) string {
		bin := filepath.Join(dir, "hello"+strings.Join(tags, ""))
		args := append([]string{"build", "-o", bin}, tags...)
		out, err := exec.Command("go", append(args, "./examples/hello")...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		nm, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
		require.NoError(t, err, "%s", nm)
		return string(nm)
	}
	assert.Contains(t, symbols(), "flagon.(*reloader)", "the default build has the reloader")
	assert.NotContains(t, symbols("-tags=flagon_noreload"), "reloader", "a flagon_noreload build has none of it")
}
