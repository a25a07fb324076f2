package table

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// The CSV scanner of ReadFloatRows gives what Read (encoding/csv) gives,
// compacted the same way, on random RFC 4180 files: quoted fields with
// commas, doubled quotes and newlines, CRLF, blank lines, a BOM, empty
// cells, spaces, a numeric key column, a last line without a newline; with
// read sizes that split records anywhere, and files without quotes cut
// into 3 or 7 segments parsed in parallel.
func TestFloatRowsCSVEqualsRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	defer func(n, s int, b int64) { csvBufSize, csvMaxSegments, csvSegmentBytes = n, s, b }(csvBufSize, csvMaxSegments, csvSegmentBytes)
	dir := t.TempDir()
	num := func() string {
		switch rng.IntN(12) {
		case 0:
			return ""
		case 1:
			return " 2.5 "
		case 2:
			return `"` + fmt.Sprint(rng.IntN(100)) + `"`
		case 3:
			return "1e3"
		}
		return fmt.Sprint(rng.NormFloat64() * 100)
	}
	keys := []string{"a", "b b", `"c,d"`, `"e""f"`, "\"g\nh\"", "", " a "}
	plainKeys := []string{"a", "b b", "", " a ", "z"}
	numKeys := []string{"1", "1.0", "2", " 3", ""}
	for trial := range 300 {
		var b strings.Builder
		if trial%7 == 0 {
			b.WriteString("\ufeff")
		}
		nl := "\n"
		if trial%3 == 0 {
			nl = "\r\n"
		}
		b.WriteString("k, x ,y,extra" + nl)
		ks, extra := keys, `"x,""y"""`
		if trial%4 == 0 {
			ks = numKeys
		}
		if trial%5 < 2 { // no quote anywhere: parsed in segments
			ks, extra = plainKeys, "x y"
			if trial%4 == 0 {
				ks = numKeys
			}
		}
		rows := rng.IntN(40)
		for r := range rows {
			if rng.IntN(10) == 0 {
				b.WriteString(nl) // blank line
			}
			v1, v2 := num(), num()
			if extra == "x y" {
				v1, v2 = strings.Trim(v1, `"`), strings.Trim(v2, `"`)
			}
			fmt.Fprintf(&b, "%s,%s,%s,%s", ks[rng.IntN(len(ks))], v1, v2, extra)
			if r < rows-1 || trial%2 == 0 {
				b.WriteString(nl)
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("t%d.csv", trial))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		tbl, err := Read(p, []string{"x", "y", "k"})
		if err != nil {
			t.Fatalf("%d: Read: %v", trial, err)
		}
		want, werr := tbl.floatRows([]string{"x", "y"}, "k")
		for _, c := range []struct{ size, segs int }{{1, 1}, {5, 3}, {64, 1}, {64, 7}, {1 << 20, 2}} {
			size := c.size
			csvBufSize, csvMaxSegments, csvSegmentBytes = c.size, c.segs, 16
			got, err := ReadFloatRows(p, []string{"x", "y"}, "k")
			if fmt.Sprint(err) != fmt.Sprint(werr) {
				t.Fatalf("trial %d size %d: error %v, Read %v\n%q", trial, size, err, werr, b.String())
			}
			if err == nil && !reflect.DeepEqual(emptyNil(got), emptyNil(want)) {
				t.Fatalf("trial %d size %d:\n got %+v\nwant %+v\n%q", trial, size, got, want, b.String())
			}
		}
	}
}

// emptyNil makes empty slices nil, which the two readers leave differently.
func emptyNil(fr *FloatRows) *FloatRows {
	c := *fr
	c.Cols = nil
	for _, col := range fr.Cols {
		if len(col) == 0 {
			col = nil
		}
		c.Cols = append(c.Cols, col)
	}
	if len(c.Codes) == 0 {
		c.Codes = nil
	}
	return &c
}

// Malformed CSV is refused with its place, never read into a number.
func TestFloatRowsCSVErrors(t *testing.T) {
	defer func(s int, b int64) { csvMaxSegments, csvSegmentBytes = s, b }(csvMaxSegments, csvSegmentBytes)
	dir := t.TempDir()
	for _, c := range []struct{ in, want string }{
		{"x,y\n1,2\nfoo,3\n", `:3:1: "foo": column "x" is not numeric`},
		{"x,y\n1,2\n3,foo", `:3:3: "foo": column "y" is not numeric`},
		{"x,y\n1,2\n4,\"a\"\"b\"\n", `:3:3: "a\"b": column "y" is not numeric`},
		{"x,y\n1,1e400\n", `:2:3: "1e400": column "y" is not numeric`},
		{"x,y\n1,2,3\n", ":2: 3 fields, the header has 2"},
		{"x,y\n1\n", ":2: 1 fields, the header has 2"},
		{"x,y\n1,2\"\n", `:2:4: bare " in non-quoted field`},
		{"x,y\n1,\"2\"3\n", `:2:6: extraneous or missing " in quoted-field`},
		{"x,y\n1,\"2\n", `:2:3: a quoted field has no closing quote`},
		{"x,x\n1,2\n", `:1: column "x" appears twice in the header`},
		{"a,b\n1,2\n", `:1: no column "x" in the header (columns: a, b)`},
		{"", "reading the header: EOF"},
		{"x,y\n1,2\n3,4\n5,6\n7,8\n9,a\n1,2\nb,3\n", `:6:3: "a": column "y" is not numeric`},
		{"x,y\n1,2\n3,4\n5,6\n7,8\n9,9,9\n1,2\nb,3\n", `:6: 3 fields, the header has 2`},
	} {
		p := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(p, []byte(c.in), 0o644); err != nil {
			t.Fatal(err)
		}
		// One stream, then segments of a few bytes parsed in parallel:
		// the first error in file order either way.
		for _, segs := range []int{1, 4} {
			csvMaxSegments, csvSegmentBytes = segs, 4
			_, err := ReadFloatRows(p, []string{"x", "y"}, "")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p) {
				t.Errorf("%q in %d segments: %v, want %s%s", c.in, segs, err, p, c.want)
			}
		}
	}
}

// Parquet input: nulls dropped, keys sorted, only the asked columns read.
func TestFloatRowsParquet(t *testing.T) {
	type row struct {
		K string   `parquet:"k,dict"`
		X *float64 `parquet:"x,optional"`
		Y int64    `parquet:"y"`
	}
	v := func(f float64) *float64 { return &f }
	p := filepath.Join(t.TempDir(), "r.parquet")
	if err := parquet.WriteFile(p, []row{{"b", v(1), 10}, {"a", nil, 20}, {"a", v(3), 30}, {"", v(4), 40}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFloatRows(p, []string{"x", "y"}, "k")
	if err != nil {
		t.Fatal(err)
	}
	want := &FloatRows{Source: p, Cols: [][]float64{{1, 3, 4}, {10, 30, 40}}, Codes: []uint32{2, 1, 0}, Keys: []string{"", "a", "b"}, Dropped: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// A field that is not a number is placed as Read places it (encoding/csv's
// FieldPos), quoted or not, after a multi-line quoted field too.
func TestFloatRowsCSVNotNumberAsRead(t *testing.T) {
	dir := t.TempDir()
	for _, in := range []string{
		"k,x,y\na,1,2\nb,foo,3\n",
		"k,x,y\na,1,2\nb,\"bar\",3\n",
		"k,x,y\n\"a\nb\",1,2\nc,2,\"x\"\n",
		"k,x,y\r\n\"a\r\nb\",nope,2\r\n",
	} {
		p := filepath.Join(dir, "n.csv")
		if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		tbl, rerr := Read(p, []string{"x", "y", "k"})
		if rerr == nil {
			_, rerr = tbl.floatRows([]string{"x", "y"}, "k")
		}
		_, err := ReadFloatRows(p, []string{"x", "y"}, "k")
		if fmt.Sprint(err) != fmt.Sprint(rerr) {
			t.Errorf("%q: %v\nRead: %v", in, err, rerr)
		}
	}
}

// BenchmarkReadFloatRowsCSV reads x and y of a 1 M-row CSV as bench/fit.sh
// writes it (pandas' to_csv of two float64 columns: shortest repr, about
// 18 digits each). Compare two runs with benchstat:
//
//	go test ./schema/table -run '^$' -bench ReadFloatRows -count 10 > old.txt  # then new.txt
//	benchstat old.txt new.txt
func BenchmarkReadFloatRowsCSV(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(1, 0))
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for range n {
		x := 10 + 90*rng.Float64()
		fmt.Fprintf(&sb, "%v,%v\n", x, 700/x*(1+0.05*rng.NormFloat64()))
	}
	p := filepath.Join(b.TempDir(), "xy.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		fr, err := ReadFloatRows(p, []string{"x", "y"}, "")
		if err != nil || len(fr.Cols[0]) != n {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// FuzzReadFloatRowsCSV: on any bytes, the streaming CSV reader (one
// stream, and segments parsed in parallel) refuses what Read refuses and
// otherwise returns what Read returns, compacted; it never panics.
func FuzzReadFloatRowsCSV(f *testing.F) {
	for _, s := range []string{"k,x,y\na,1,2\n", "k,x,y\r\n\"a,b\",1,\"2\"\r\n\r\nc,,3\n", "x,y,k\n1e3,-.5,1\n2,3,1.0", "k,x,y\n\"a\nb\",1,2"} {
		f.Add([]byte(s), uint8(1), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, segs, bufLog uint8) {
		defer func(n, s int, b int64) { csvBufSize, csvMaxSegments, csvSegmentBytes = n, s, b }(csvBufSize, csvMaxSegments, csvSegmentBytes)
		p := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var want *FloatRows
		tbl, werr := Read(p, []string{"x", "y", "k"})
		if werr == nil {
			want, werr = tbl.floatRows([]string{"x", "y"}, "k")
		}
		csvBufSize, csvMaxSegments, csvSegmentBytes = 1<<(bufLog%12), 1+int(segs%6), 8
		got, err := ReadFloatRows(p, []string{"x", "y"}, "k")
		if (err == nil) != (werr == nil) {
			t.Fatalf("error %v, Read %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(emptyNil(got), emptyNil(want)) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	})
}
