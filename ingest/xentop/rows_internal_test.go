package xentop

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
)

// scanU64 takes a counter (decimal.ScanUint, tested there on every length
// and alignment) only when a space or the end of the line follows it.
func TestScanU64(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{{"1048564", 1048564, true}, {"0 7", 0, true}, {"18446744073709551615 ", 1<<64 - 1, true},
		{"18446744073709551616", 0, false}, {"12s", 0, false}, {"12.5", 0, false}, {"-1", 0, false}, {"", 0, false}} {
		v, _, ok := scanU64([]byte(c.in), 0)
		if ok != c.ok || v != c.want {
			t.Errorf("scanU64(%q) = %d %v, want %d %v", c.in, v, ok, c.want, c.ok)
		}
	}
}

// The forward fast path and the backward reader give the same row for every
// domain row both can read: all golden inputs and a generated capture.
func TestForwardBackwardAgree(t *testing.T) {
	var inputs [][]byte
	files, _ := filepath.Glob("testdata/*/input.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	var gen bytes.Buffer
	if err := Generate(&gen, 1<<20, 3); err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, gen.Bytes())
	compared := 0
	for _, in := range inputs {
		p := NewParser(bytes.NewReader(in), parse.Options{Lenient: true})
		// Re-read every domain row the parser accepts with both readers.
		for p.Next() {
			if p.kind != kindDomain {
				continue
			}
			line := p.lines.Bytes()
			off := 0
			if p.stamp != stampNone {
				off, _ = skipStamp(line, p.stamp.tokens(), p.stamp.firstByte())
			}
			c := line[off:]
			fname, fok := p.parseForward(c)
			fwd := p.dom
			bname, err := p.parseBackward(c)
			bwd := p.dom
			if err != nil {
				t.Fatalf("backward rejects %q: %v", c, err.err)
			}
			if !fok {
				if !bytes.Contains(bytes.TrimSpace(bname), []byte(" ")) {
					t.Errorf("forward rejects %q", c)
				}
				continue
			}
			compared++
			fwd.Name, bwd.Name = string(fname), string(bname)
			if !reflect.DeepEqual(fwd, bwd) {
				t.Errorf("%q:\nforward  %+v\nbackward %+v", c, fwd, bwd)
			}
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d rows compared", compared)
	}
}

// A float column takes a decimal as decimal.Parse does (exact: see its
// tests), with the token ending at a space; NaN, infinities, hexadecimal
// floats and underscores, which no xentop prints, are not numbers.
func TestScanFloat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{{"6.2", 6.2, true}, {"-0.5 x", -0.5, true}, {"1015.7", 1015.7, true}, {"1e2", 100, true},
		{"nan", 0, false}, {"inf", 0, false}, {"0x1p3", 0, false}, {"1_0.5", 0, false}, {"1.2.3", 0, false}, {"", 0, false}} {
		v, _, ok := scanFloat([]byte(c.in), 0)
		if ok != c.ok || ok && v != c.want {
			t.Errorf("scanFloat(%q) = %v %v, want %v %v", c.in, v, ok, c.want, c.ok)
		}
	}
}
