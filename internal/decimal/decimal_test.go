package decimal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// form is the package comment's decimal form; strconv.ParseFloat also
// takes NaN, infinities, hexadecimal and underscores, which Parse refuses.
var form = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// checkParse fails when Parse disagrees with strconv.ParseFloat on s: in
// the decimal form, the same value bit for bit (and ok exactly when
// ParseFloat has no error); outside it, not a number. ParseMark must agree
// on s and on s with its point as a comma.
func checkParse(t *testing.T, s string) {
	t.Helper()
	got, ok := Parse([]byte(s))
	want, err := strconv.ParseFloat(s, 64)
	wantOK := err == nil && form.MatchString(s)
	if ok != wantOK || ok && math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("Parse(%q) = %v %v; strconv %v %v, in the decimal form: %v", s, got, ok, want, err, form.MatchString(s))
	}
	// ParseMark reads s with each ',' as a point; mark is s's point
	p := strings.ReplaceAll(s, ",", ".")
	pv, pok := Parse([]byte(p))
	wantMark := byte(0)
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		wantMark = s[i]
	}
	if v, mark, ok := ParseMark([]byte(s)); ok != pok || ok && (math.Float64bits(v) != math.Float64bits(pv) || mark != wantMark) {
		t.Fatalf("ParseMark(%q) = %v %q %v, Parse(%q) %v %v", s, v, mark, ok, p, pv, pok)
	}
}

// adversarial are strings at the edges of each path: signs and negative
// zero, leading and trailing zeros, 19 and 20 significant digits, 2^53 and
// 2^53+1, |exponent| 22 and 23 (Clinger's limit) and 60/61 (the
// Eisel-Lemire table's), halfway cases that Eisel-Lemire gives up on, the
// subnormal and overflow edges, and what is not a number here.
var adversarial = []string{"0", "-0", "+0", "0.0", "-0.000", "00", "-00.00e5", "0e999999999", "-0e-999999999",
	"1", "1.", ".5", "-.5", "+.5", "00012.5000", "0.000000000000000000000000012345", "000000000000000000000000001",
	"1e5", "1E-5", "1e+22", "1e23", "1e-22", "1e-23", "1e60", "1e61", "1e-60", "1e-61", "123456789e-70",
	"9007199254740992", "9007199254740993", "9007199254740993.0", "18446744073709551615", "18446744073709551616",
	"1234567890123456789", "12345678901234567890", "123456789012345678901", "0.1234567890123456789",
	"0.12345678901234567890", "1.00000000000000011102230246251565404236316680908203125",
	"1.000000000000000111022302462515654042363166809082031251", "9007199254740993e-5", "2.2250738585072011e-308",
	"2.2250738585072012e-308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
	"1.7976931348623157e308", "1.7976931348623159e308", "1e400", "-1e-400", "0.1", "0.30000000000000004",
	"56.0639462230231", "14.411334829680907", "3.0000000000000004440892098500626161694526672363281",
	"1e", "1e+", "1e-", "e5", ".", "-", "+", "", "-.", ".e1", "1.2.3", "1,5", "1..5", "--1", "+-1", "1e5.5",
	"inf", "-Inf", "Infinity", "NaN", "nan", "0x1p3", "0X10", "1_000", "1_0.5", " 1", "1 ", "1\x00", "١"}

func TestParseEqualsStrconv(t *testing.T) {
	for _, s := range adversarial {
		checkParse(t, s)
	}
	// the forms trace tools and CSV writers print: %.1f, %.2f, pandas'
	// shortest repr, %.6f, %e, %.17g, %.19e, integers; and long mantissas
	rng := rand.New(rand.NewPCG(2, 3))
	for range 100000 {
		v := math.Exp(100*rng.Float64()-50) * float64(1-2*rng.IntN(2))
		for _, s := range []string{strconv.FormatFloat(v, 'g', -1, 64), fmt.Sprintf("%.1f", v), fmt.Sprintf("%.2f", v),
			fmt.Sprintf("%.6f", v), fmt.Sprintf("%e", v), strconv.FormatFloat(v, 'f', -1, 64), fmt.Sprint(rng.Int64N(1 << 60)),
			fmt.Sprintf("%.17g", v), fmt.Sprintf("%.19e", v), fmt.Sprintf("%.30f", v), fmt.Sprintf("%.25e", v)} {
			checkParse(t, s)
		}
		// random digit strings: many digits, leading zeros, a point anywhere
		var sb strings.Builder
		n := 1 + rng.IntN(40)
		point := rng.IntN(n + 1)
		for i := range n {
			if i == point {
				sb.WriteByte('.')
			}
			sb.WriteByte(byte('0' + rng.IntN(10)))
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&sb, "e%d", rng.IntN(700)-350)
		}
		checkParse(t, sb.String())
	}
}

// The fast paths (Clinger, Eisel-Lemire) take the forms tools print with at
// most 19 significant digits; the slow one is for longer ones and the cases
// Eisel-Lemire cannot tell (here 4 %: above 2^53, values a float64 holds
// exactly such as "63163177258.390625" or %.2f's "7306148465663359.00").
func TestFastPathTaken(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	fast, n := 0, 0
	for range 10000 {
		v := math.Exp(100*rng.Float64()-50) * float64(1-2*rng.IntN(2))
		for _, s := range []string{strconv.FormatFloat(v, 'g', -1, 64), fmt.Sprintf("%.2f", v), fmt.Sprintf("%e", v), fmt.Sprintf("%.17g", v)} {
			b := []byte(s)
			i, neg := 0, b[0] == '-'
			if neg {
				i = 1
			}
			m, nd, nf, _, end := Plain(b, i, false)
			if end == len(b) && nd <= 19 { // no exponent, at most 19 digits
				n++
				if _, ok := eiselLemire64(m, -nf, neg); ok || m <= 1<<53 && nf <= 22 {
					fast++
				}
			}
		}
	}
	if fast < n*95/100 {
		t.Errorf("fast path taken for %d of %d", fast, n)
	}
}

func TestScan(t *testing.T) {
	for _, c := range []struct {
		in   string
		i    int
		want float64
		end  int
		ok   bool
	}{
		{"time=0.028 ms", 5, 0.028, 10, true},
		{"time=12 ms", 5, 12, 7, true},
		{"12", 0, 12, 2, true},
		{"1.5.3", 0, 1.5, 3, true},
		{"0.1e5", 0, 0.1, 3, true}, // no exponent: the caller sees the e
		{"1. ms", 0, 0, 2, false},
		{".5", 0, 0, 2, false},
		{"-1", 0, 0, 0, false},
		{"x", 0, 0, 0, false},
		{"", 0, 0, 0, false},
		{"123456789012345678901.5 ms", 0, 123456789012345678901.5, 23, true},
		// more than 19 digits after a prefix: they were read from the
		// prefix's length into the number (6.789012345678905e+14)
		{"time=12345678901234567890.5 ms", 5, 12345678901234567890.5, 27, true},
		{"time=0.00000000000000000001234 ms", 5, 0.00000000000000000001234, 30, true},
	} {
		v, end, ok := Scan([]byte(c.in), c.i)
		if v != c.want || end != c.end || ok != c.ok {
			t.Errorf("Scan(%q, %d) = %v %d %v, want %v %d %v", c.in, c.i, v, end, ok, c.want, c.end, c.ok)
		}
	}
}

// scanForm is what Scan reads: digits, and a point only with digits after it.
var scanForm = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?`)

func checkScan(t *testing.T, s string) {
	t.Helper()
	v, end, ok := Scan([]byte(s), 0)
	m := scanForm.FindString(s)
	want, err := strconv.ParseFloat(m, 64) // a range error is not a number either
	wantOK := m != "" && err == nil && !(len(s) > len(m) && s[len(m)] == '.' && !strings.Contains(m, "."))
	if ok != wantOK {
		t.Fatalf("Scan(%q) ok %v, want %v", s, ok, wantOK)
	}
	if ok && (end != len(m) || math.Float64bits(v) != math.Float64bits(want)) {
		t.Fatalf("Scan(%q) = %v %d; want %v %d", s, v, end, want, len(m))
	}
	// the same number after a prefix, as ping's "time=" precedes it
	v2, end2, ok2 := Scan([]byte("t="+s), 2)
	if ok2 != ok || end2 != end+2 || math.Float64bits(v2) != math.Float64bits(v) {
		t.Fatalf("Scan(%q, 2) = %v %d %v; at 0 without the prefix: %v %d %v", "t="+s, v2, end2, ok2, v, end, ok)
	}
}

func TestUint(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	cases := []string{"0", "00", "1", "18446744073709551615", "18446744073709551616", "99999999999999999999",
		"000000000000000000000018446744073709551615", "0000000000000000000000018446744073709551616",
		"1234567890123456789", "12345678", "123456789", "", "-1", "+1", "1_0", "1 ", "12a", "0x10"}
	for range 100000 {
		cases = append(cases, strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10))
	}
	for _, s := range cases {
		checkUint(t, s)
	}
}

// checkUint: Uint is strconv.ParseUint(s, 10, 64); ScanUint reads the
// same digits at the start of s followed by anything.
func checkUint(t *testing.T, s string) {
	t.Helper()
	got, ok := Uint([]byte(s))
	want, err := strconv.ParseUint(s, 10, 64)
	if ok != (err == nil) || ok && got != want {
		t.Fatalf("Uint(%q) = %v %v; strconv %v %v", s, got, ok, want, err)
	}
	d := 0
	for d < len(s) && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	want, err = strconv.ParseUint(s[:d], 10, 64)
	v, end, ok := ScanUint([]byte(s+" x"), 0)
	if end != d || ok != (err == nil) || ok && v != want {
		t.Fatalf("ScanUint(%q) = %v %d %v; want %v %d (%v)", s+" x", v, end, ok, want, d, err)
	}
}

// Digits reads digit runs of every length 0–21 at every alignment, up to
// each kind of terminator (bytes just below '0' and above '9', high bytes,
// NUL), exactly below 20 digits; ScanUint and Uint as strconv.ParseUint.
func TestDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 21; n++ {
		for trial := range 200 {
			var d strings.Builder
			for range n {
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
				v, j := Digits(b, i)
				if j != i+n {
					t.Fatalf("%q: end %d, want %d", b, j, i+n)
				}
				want, _ := strconv.ParseUint(d.String(), 10, 64)
				if n > 0 && n < 20 && v != want {
					t.Fatalf("%q: %d, want %d", b, v, want)
				}
				checkUint(t, d.String()+term)
			}
		}
	}
}

func TestExact(t *testing.T) {
	for _, c := range []struct {
		m    uint64
		frac int
		want string // the same digits for strconv; "" when Exact refuses
	}{{0, 0, "0"}, {28, 3, "0.028"}, {123456, 1, "12345.6"}, {1 << 53, 22, "0.0000009007199254740992"},
		{1<<53 + 1, 0, ""}, {1, 23, ""}, {1, -1, ""}} {
		v, ok := Exact(c.m, c.frac)
		if ok != (c.want != "") {
			t.Errorf("Exact(%d, %d) ok %v", c.m, c.frac, ok)
			continue
		}
		if want, _ := strconv.ParseFloat(c.want, 64); ok && v != want {
			t.Errorf("Exact(%d, %d) = %v, strconv(%q) %v", c.m, c.frac, v, c.want, want)
		}
	}
}

// FuzzParse: on any bytes, Parse and ParseMark agree with
// strconv.ParseFloat bit for bit in the decimal form and refuse the rest;
// Scan reads the longest plain decimal at the start; Uint and ScanUint are
// strconv.ParseUint.
func FuzzParse(f *testing.F) {
	for _, s := range adversarial {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s)
		checkScan(t, s)
		checkUint(t, s)
	})
}

// BenchmarkParse parses the numbers xentop, sar and CSV files print.
// Compare two runs with benchstat:
//
//	go test -run '^$' -bench Parse -count 10 ./internal/decimal > old.txt  # then new.txt
func BenchmarkParse(b *testing.B) {
	in := [][]byte{[]byte("0.8"), []byte("1048564"), []byte("12.34"), []byte("-0.028"), []byte("56.0639462230231"),
		[]byte("1.234567e-05"), []byte("98.00"), []byte("3877.00")}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range in {
			if _, ok := Parse(s); !ok {
				b.Fatal(string(s))
			}
		}
	}
	b.ReportMetric(float64(len(in))*float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
}
