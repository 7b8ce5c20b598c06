package flagon

import "testing"

func TestHeadShortMatchesTheSlowForm(t *testing.T) {
	for _, s := range []string{"", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghij"} {
		var want uint64
		for i := min(len(s), 8) - 1; i >= 0; i-- {
			want = want<<8 | uint64(s[i])
		}
		if got := head8(s); got != want {
			t.Errorf("head8(%q) = %x, want %x", s, got, want)
		}
	}
}

func TestRouterWordLoadsAssertTheirPreconditions(t *testing.T) {
	if !checkWords {
		t.Skip("the assertions are compiled in only with -race or the flagon_checkwords tag")
	}
	for name, load := range map[string]func(){
		"word8 past the end":           func() { word8("/short", 0) },
		"word8 before the start":       func() { word8("/a-long-path", -1) },
		"word4 past the end":           func() { word4("abc") },
		"sameAfter8 with a short rest": func() { sameAfter8("abcdefghi", "abcdefghij") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			load()
		}()
	}
}
