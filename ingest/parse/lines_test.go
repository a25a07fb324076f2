package parse

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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

// A line that is not text is flagged with the column of its first faulty
// byte: the first NUL (ErrBinary), else the first byte outside a valid
// UTF-8 sequence (ErrNotUTF8), even when it is also the last line (a cut-
// short line that is not text must not pass as one a parser may keep).
func TestLinesNotText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		bad  error
		col  int
		text string
	}{
		{"plain ascii\n", nil, 0, "plain ascii"},
		{"caf\xc3\xa9 \xe2\x86\x91 \xf0\x9f\x98\x80\n", nil, 0, "café ↑ 😀"},
		{"ab\xffcd\n", ErrNotUTF8, 3, "ab\xffcd"},
		{"\xe9t\xe9\n", ErrNotUTF8, 1, "\xe9t\xe9"},                           // Latin-1 été
		{"ok \xe2\x86\n", ErrNotUTF8, 4, "ok \xe2\x86"},                       // a character cut short
		{"\xed\xa0\x80 surrogate\n", ErrNotUTF8, 1, "\xed\xa0\x80 surrogate"}, // UTF-8 of U+D800 is not UTF-8
		{"x\x00\xff\n", ErrBinary, 2, "x\x00\xff"},                            // NUL first
		{"\xff\x00\n", ErrBinary, 2, "\xff\x00"},                              // NUL wins wherever it is
		{"last \xff", ErrNotUTF8, 6, "last \xff"},                             // not ErrCutShort
		{"last\x00", ErrBinary, 5, "last\x00"},
		{"cut 95", ErrCutShort, 0, "cut 95"},
	} {
		l := NewLines(strings.NewReader(tc.in))
		if !l.Next() {
			t.Fatalf("%q: no line", tc.in)
		}
		if l.Bad() != tc.bad || l.BadCol() != tc.col || string(l.Bytes()) != tc.text {
			t.Errorf("%q: bad %v col %d text %q, want %v col %d %q", tc.in, l.Bad(), l.BadCol(), l.Bytes(), tc.bad, tc.col, tc.text)
		}
	}
}

// failAfter serves data, then fails with err.
type failAfter struct {
	data string
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// A read error serves the line it cut (possibly empty) with Bad() == the
// error, once; then Next is false and Err is the error.
func TestLinesReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		in   string
		want []string // line text, "!" suffix when flagged with the read error
	}{
		{"a\nb\npart", []string{"a", "b", "part!"}},
		{"a\nb\n", []string{"a", "b", "!"}},
		{"", []string{"!"}},
	} {
		l := NewLines(&failAfter{tc.in, boom})
		var got []string
		for l.Next() {
			s := string(l.Bytes())
			switch bad := l.Bad(); {
			case bad == boom:
				s += "!"
			case bad != nil:
				t.Fatalf("%q: unexpected %v", tc.in, bad)
			}
			got = append(got, s)
		}
		if !slices.Equal(got, tc.want) || l.Err() != boom {
			t.Errorf("%q: got %q, err %v; want %q, boom", tc.in, got, l.Err(), tc.want)
		}
	}
}

// A line longer than MaxLine keeps MaxRawReject bytes at most, cut between
// characters.
func TestLinesTooLongCutsBetweenCharacters(t *testing.T) {
	long := strings.Repeat("a", MaxRawReject-1) + strings.Repeat("é", MaxLine)
	l := NewLines(strings.NewReader(long + "\nnext\n"))
	if !l.Next() || l.Bad() != ErrTooLong {
		t.Fatalf("bad %v", l.Bad())
	}
	if b := l.Bytes(); len(b) != MaxRawReject-1 || !utf8.Valid(b) {
		t.Errorf("kept %d bytes, valid %v", len(b), utf8.Valid(b))
	}
	if !l.Next() || string(l.Bytes()) != "next" || l.Bad() != nil {
		t.Errorf("line after: %q %v", l.Bytes(), l.Bad())
	}
}

// Lines checks the buffered input a block of whole lines at a time: over 3
// MB (a dozen 256 KiB buffers) of lines of random length, some holding a
// NUL, a Latin-1 byte, a character cut short or a valid é, every line is
// flagged exactly as checking it alone flags it, wherever the buffer
// boundaries fall.
func TestLinesBlockCheckMatchesLineCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var in bytes.Buffer
	var want []string
	for in.Len() < 3<<20 {
		line := []byte(strings.Repeat("x", rng.IntN(300)))
		if len(line) > 0 && rng.IntN(40) == 0 {
			at := rng.IntN(len(line))
			line = slices.Insert(line, at, [][]byte{{0}, {0xe9}, {0xe2, 0x86}, []byte("é")}[rng.IntN(4)]...)
		}
		in.Write(line)
		in.WriteByte('\n')
		var w string
		switch i, j := bytes.IndexByte(line, 0), InvalidUTF8(line); {
		case i >= 0:
			w = fmt.Sprintf("binary %d", i+1)
		case j >= 0:
			w = fmt.Sprintf("utf8 %d", j+1)
		}
		want = append(want, w)
	}
	l := NewLines(&in)
	for n := 0; l.Next(); n++ {
		var got string
		switch l.Bad() {
		case ErrBinary:
			got = fmt.Sprintf("binary %d", l.BadCol())
		case ErrNotUTF8:
			got = fmt.Sprintf("utf8 %d", l.BadCol())
		case nil:
		default:
			t.Fatalf("line %d: %v", n+1, l.Bad())
		}
		if got != want[n] {
			t.Fatalf("line %d: %q, want %q", n+1, got, want[n])
		}
	}
	if l.Num() != len(want) {
		t.Errorf("%d lines, want %d", l.Num(), len(want))
	}
}
