package xentop

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
)

// scanDigits and scanU64 agree with strconv.ParseUint on digit runs of every
// length 0–21, at every alignment, followed by each kind of terminator.
func TestScanDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 21; n++ {
		for trial := 0; trial < 200; trial++ {
			var d strings.Builder
			for k := 0; k < n; k++ {
				d.WriteByte(byte('0' + rng.IntN(10)))
			}
			if trial == 0 && n > 0 {
				d.Reset()
				d.WriteString(strings.Repeat("9", n))
			}
			for _, term := range []string{"", " ", "s", ":", "/", "\xff", "\x00"} {
				pad := strings.Repeat(" ", rng.IntN(9))
				b := []byte(pad + d.String() + term + "   7")
				i := len(pad)
				v, j := scanDigits(b, i)
				if j != i+n {
					t.Fatalf("%q: end %d, want %d", b, j, i+n)
				}
				want, err := strconv.ParseUint(d.String(), 10, 64)
				if n > 0 && n < 20 && v != want {
					t.Fatalf("%q: %d, want %d", b, v, want)
				}
				u, _, ok := scanU64(b, i)
				wantOK := n > 0 && err == nil && (term == "" || term == " ")
				if ok != wantOK || (ok && u != want) {
					t.Fatalf("scanU64(%q) = %d %v, want %d %v", b, u, ok, want, wantOK)
				}
			}
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

// parseFloat returns exactly what strconv.ParseFloat returns (both paths),
// and rejects what it rejects or what is not finite.
func TestParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []string{"0.0", "-0.0", "100.0", "6.2", "1015.7", "0.1", ".5", "5.", "123456789012345",
		"1234567890123456", "0.000000000000001", "99999999.9999999", "1e5", "-", ".", "", "1.2.3",
		"nan", "NaN", "-nan", "inf", "+Inf", "1e400", "12a", " 1"}
	for i := 0; i < 2000; i++ {
		ip := strconv.FormatUint(rng.Uint64N(1<<uint(rng.IntN(50)+1)), 10)
		fp := strconv.FormatUint(rng.Uint64N(1<<uint(rng.IntN(40)+1)), 10)
		cases = append(cases, ip+"."+fp, "-"+ip+"."+fp, ip)
	}
	for _, c := range cases {
		got, ok := parseFloat([]byte(c))
		want, err := strconv.ParseFloat(c, 64)
		wantOK := err == nil && !math.IsNaN(want) && !math.IsInf(want, 0)
		if ok != wantOK || (ok && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("parseFloat(%q) = %v %v, strconv %v %v", c, got, ok, want, err)
		}
	}
}
