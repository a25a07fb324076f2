package sadf

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestSplitFields checks splitFields against bytes.Split on ';' and a byte
// loop for ASCII: sadf -d rows, lines around the eight-byte word edges
// (separators at every offset, empty fields, bytes next to ';' in value:
// ':' and '<' differ from it in the lowest bit, 0xbb in the highest) and
// random lines of those bytes.
func TestSplitFields(t *testing.T) {
	lines := []string{
		"",
		";",
		";;;;;;;;;",
		"vm;10;2026-11-21 00:00:10 UTC;-1;9.53;0.00;14.58;3.90;1.05;0.00;0.51;6.05;0.00;64.38",
		"# hostname;interval;timestamp;CPU;%usr;%nice;%sys;%iowait;%steal;%irq;%soft;%guest;%gnice;%idle",
		"h\xc3\xa9te;600;1700000000;-1;1,25",
		"abc:<;:<\xbb;\xbb",
	}
	alphabet := []byte{';', ':', '<', 'a', '0', 0xbb, 0x3b ^ 0x80, 0}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	for _, s := range lines {
		line := []byte(s)
		got, ascii := splitFields(nil, line)
		want := bytes.Split(line, []byte{';'})
		if len(got) != len(want) {
			t.Fatalf("%q: %d fields, want %d", s, len(got), len(want))
		}
		off := 0 // want[i]'s offset in line
		for i := range want {
			if !bytes.Equal(got[i], want[i]) || col(line, got[i]) != off+1 {
				t.Fatalf("%q: field %d %q at col %d, want %q at col %d", s, i, got[i], col(line, got[i]), want[i], off+1)
			}
			off += len(want[i]) + 1
		}
		wantASCII := true
		for _, c := range line {
			wantASCII = wantASCII && c < 0x80
		}
		if ascii != wantASCII {
			t.Fatalf("%q: ascii %v, want %v", s, ascii, wantASCII)
		}
	}
}
