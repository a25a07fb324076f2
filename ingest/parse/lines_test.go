package parse

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A last line without a newline is served, flagged ErrCutShort; every other
// line is clean. (The tools migreplay reads end every line with "\n".)
func TestLinesCutShort(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // line text, "!" suffix when flagged cut short
	}{
		{"a\nb\n", []string{"a", "b"}},
		{"a\r\nb", []string{"a", "b!"}},
		{"95.96\n95", []string{"95.96", "95!"}},
		{"", nil},
		{"\n", []string{""}},
	} {
		l := NewLines(strings.NewReader(tc.in))
		var got []string
		for l.Next() {
			s := string(l.Bytes())
			switch bad := l.Bad(); {
			case errors.Is(bad, ErrCutShort):
				s += "!"
			case bad != nil:
				t.Fatalf("%q: unexpected %v", tc.in, bad)
			}
			got = append(got, s)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHeadLines(t *testing.T) {
	head := "\xef\xbb\xbf\n  \r\nLinux 6.1 (h)\r\n\nsecond\nthird\nfour"
	var got []string
	for l := range HeadLines([]byte(head), 3) {
		got = append(got, string(l))
	}
	want := []string{"Linux 6.1 (h)", "second", "third"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = got[:0]
	for l := range HeadLines([]byte(head), 10) {
		got = append(got, string(l))
		if l[0] == 's' {
			break
		}
	}
	if !slices.Equal(got, []string{"Linux 6.1 (h)", "second"}) {
		t.Errorf("early stop: got %q", got)
	}
}
