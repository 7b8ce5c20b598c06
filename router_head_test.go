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
