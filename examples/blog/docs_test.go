package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quoted is a code block of the tutorial that says which file it quotes:
// a line "<!-- from: auth.go -->" just before the fence.
var quoted = regexp.MustCompile("(?s)<!-- from: ([^ ]+) -->\n```[a-z]*\n(.*?)\n```")

func TestTheTutorialQuotesTheCodeAsItIs(t *testing.T) {
	pages, err := filepath.Glob("../../docs/tutorial/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, pages, "docs/tutorial is beside examples/blog")
	blocks := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		require.NoError(t, err)
		for _, m := range quoted.FindAllStringSubmatch(string(text), -1) {
			blocks++
			file, snippet := m[1], m[2]
			code, err := os.ReadFile(file)
			if !assert.NoError(t, err, "%s quotes %s", page, file) {
				continue
			}
			// A snippet may put together declarations that are apart in the
			// file: each paragraph must be in the file as it is.
			for _, part := range strings.Split(snippet, "\n\n") {
				assert.Contains(t, string(code), part, "%s quotes %s, which has changed: update the page", filepath.Base(page), file)
			}
		}
	}
	assert.Greater(t, blocks, 20, "the tutorial's pages quote the app")
}
