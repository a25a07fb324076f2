package pqwrite

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/metadata"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"
)

// The expected values of every test here are the inputs themselves: what is
// written must read back identically with two independent readers (Arrow's
// pqarrow and parquet-go), and the footer statistics must equal min/max
// computed by plain loops over the same inputs.

// row is the test table, as parquet-go reads it back.
type row struct {
	I64   int64      `parquet:"i64"`
	U64   uint64     `parquet:"u64"`
	OI64  *int64     `parquet:"oi64,optional"`
	I32   int32      `parquet:"i32"`
	OU32  *uint32    `parquet:"ou32,optional"`
	F64   float64    `parquet:"f64"`
	OF64  *float64   `parquet:"of64,optional"`
	S     string     `parquet:"s"`
	OS    *string    `parquet:"os,optional"`
	B     bool       `parquet:"b"`
	T     time.Time  `parquet:"t,timestamp(microsecond)"`
	OT    *time.Time `parquet:"ot,optional,timestamp(microsecond)"`
	Nulls *int64     `parquet:"nulls,optional"`
}

func columns(i64, i32, f64, str Encoding) []Column {
	return []Column{
		{Name: "i64", Type: Int64, Encoding: i64, Fallback: fb(i64, Delta), IntBits: 64},
		{Name: "u64", Type: Int64, Encoding: i64, Fallback: fb(i64, Delta), IntBits: 64, Unsigned: true},
		{Name: "oi64", Type: Int64, Optional: true, Encoding: i64, Fallback: fb(i64, Plain), IntBits: 64},
		{Name: "i32", Type: Int32, Encoding: i32, Fallback: fb(i32, Delta), IntBits: 32},
		{Name: "ou32", Type: Int32, Optional: true, Encoding: i32, Fallback: fb(i32, Delta), IntBits: 32, Unsigned: true},
		{Name: "f64", Type: Double, Encoding: f64, Fallback: fb(f64, Plain)},
		{Name: "of64", Type: Double, Optional: true, Encoding: f64, Fallback: fb(f64, Plain)},
		{Name: "s", Type: ByteArray, String: true, Encoding: str, Fallback: Plain},
		{Name: "os", Type: ByteArray, String: true, Optional: true, Encoding: str, Fallback: Plain},
		{Name: "b", Type: Boolean},
		{Name: "t", Type: Int64, Timestamp: true, Encoding: i64, Fallback: fb(i64, Delta)},
		{Name: "ot", Type: Int64, Timestamp: true, Optional: true, Encoding: i64, Fallback: fb(i64, Plain)},
		{Name: "nulls", Type: Int64, Optional: true, Encoding: i64, Fallback: fb(i64, Delta), IntBits: 64},
	}
}

func fb(e, f Encoding) Encoding {
	if e == Dict {
		return f
	}
	return e
}

// makeRows mixes runs (for RLE), short repeats (7, 8, 9: the hybrid
// encoder's boundaries), extremes (wrapping deltas), a low-cardinality
// stretch and a high-cardinality stretch (dictionary fallback).
func makeRows(n int, seed uint64) []row {
	r := rand.New(rand.NewPCG(seed, 1))
	rows := make([]row, n)
	base := time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)
	for i := range rows {
		x := &rows[i]
		switch {
		case i%1000 < 300: // runs of 1..20 equal values
			if i%1000 > 0 && r.IntN(20) > 0 {
				*x = rows[i-1]
				x.OI64, x.OU32, x.OF64, x.OS, x.OT = clone(rows[i-1].OI64), clone(rows[i-1].OU32), clone(rows[i-1].OF64), clone(rows[i-1].OS), clone(rows[i-1].OT)
				continue
			}
			fallthrough
		case i%1000 < 700: // low cardinality
			x.I64 = int64(r.IntN(5)) - 2
			x.U64 = uint64(r.IntN(3)) + math.MaxUint64 - 2
			x.I32 = int32(r.IntN(7)) - 3
			x.F64 = float64(r.IntN(100)) / 100
			x.S = []string{"", "alpha", "beta", "γάμμα"}[r.IntN(4)]
		default: // wide: extremes, random bits, long strings
			x.I64 = []int64{math.MinInt64, math.MaxInt64, int64(r.Uint64())}[r.IntN(3)]
			x.U64 = r.Uint64()
			x.I32 = []int32{math.MinInt32, math.MaxInt32, int32(r.Uint32())}[r.IntN(3)]
			x.F64 = []float64{math.Inf(-1), math.Inf(1), math.Copysign(0, -1), r.NormFloat64() * 1e300}[r.IntN(4)]
			x.S = strings.Repeat(fmt.Sprint(r.Uint64()), 1+r.IntN(5))
		}
		x.B = r.IntN(3) == 0
		x.T = base.Add(time.Duration(i/7) * 3 * time.Second).Add(time.Duration(r.IntN(1000)) * time.Microsecond)
		if r.IntN(4) > 0 {
			x.OI64 = ptr(x.I64 / 3)
			x.OU32 = ptr(uint32(x.I32))
			x.OF64 = ptr(x.F64 * 2)
			x.OS = ptr(x.S + "!")
			x.OT = ptr(x.T.Add(time.Hour))
		}
	}
	return rows
}

func ptr[T any](v T) *T { return &v }

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptr(*p)
}

// write writes rows in pages of pageRows through the column API.
func write(t testing.TB, rows []row, cols []Column, pageRows, groupRows int) []byte {
	var buf bytes.Buffer
	w := New(&buf, "test", cols, groupRows, "pqwrite test")
	for lo := 0; lo < len(rows); lo += pageRows {
		page := rows[lo:min(lo+pageRows, len(rows))]
		var (
			i64s []int64
			i32s []int32
			f64s []float64
			strs []string
			bs   []bool
		)
		for ci, c := range cols {
			i64s, i32s, f64s, strs, bs = i64s[:0], i32s[:0], f64s[:0], strs[:0], bs[:0]
			var defs []uint8
			if c.Optional {
				defs = []uint8{}
			}
			for _, x := range page {
				v := reflect.ValueOf(x).Field(ci)
				if c.Optional {
					if v.IsNil() {
						defs = append(defs, 0)
						continue
					}
					defs = append(defs, 1)
					v = v.Elem()
				}
				switch val := v.Interface().(type) {
				case int64:
					i64s = append(i64s, val)
				case uint64:
					i64s = append(i64s, int64(val))
				case int32:
					i32s = append(i32s, val)
				case uint32:
					i32s = append(i32s, int32(val))
				case float64:
					f64s = append(f64s, val)
				case string:
					strs = append(strs, val)
				case bool:
					bs = append(bs, val)
				case time.Time:
					i64s = append(i64s, val.UnixMicro())
				}
			}
			switch c.Type {
			case Int64:
				w.Int64s(ci, i64s, defs)
			case Int32:
				w.Int32s(ci, i32s, defs)
			case Double:
				w.Float64s(ci, f64s, defs)
			case ByteArray:
				w.Strings(ci, strs, defs)
			case Boolean:
				w.Bools(ci, bs, defs)
			}
		}
		if err := w.EndPage(len(page)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close([]KeyValue{{"a", "1"}, {"b", "2"}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	rows := makeRows(10_000, 1)
	for _, enc := range []struct {
		name               string
		i64, i32, f64, str Encoding
	}{
		{"plain", Plain, Plain, Plain, Plain},
		{"dict", Dict, Dict, Dict, Dict},
		{"delta", Delta, Delta, Plain, Dict},
	} {
		t.Run(enc.name, func(t *testing.T) {
			cols := columns(enc.i64, enc.i32, enc.f64, enc.str)
			// 1000-row pages, 3000-row groups: 4 groups, the last short.
			data := write(t, rows, cols, 1000, 3000)
			again := write(t, rows, cols, 1000, 3000)
			if !bytes.Equal(data, again) {
				t.Fatal("the same rows gave different bytes")
			}
			checkParquetGo(t, data, rows)
			checkArrow(t, data, rows)
			checkStats(t, data, rows, cols)
		})
	}
}

// A dictionary column whose values hardly repeat falls back mid row group;
// the chunk then holds dictionary and plain pages, and reads back whole.
func TestDictFallback(t *testing.T) {
	rows := makeRows(6000, 2)
	for i := range rows {
		if i >= 2000 {
			rows[i].F64 = float64(i) + 0.5
			rows[i].S = fmt.Sprint("unique-", i)
		}
	}
	cols := columns(Dict, Dict, Dict, Dict)
	data := write(t, rows, cols, 1000, 6000)
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(5) // f64
	if err != nil {
		t.Fatal(err)
	}
	encs := fmt.Sprint(cc.Encodings())
	if !strings.Contains(encs, "RLE_DICTIONARY") || !strings.Contains(encs, "PLAIN") {
		t.Errorf("f64 chunk encodings %s: want dictionary pages then PLAIN fallback", encs)
	}
	checkParquetGo(t, data, rows)
	checkArrow(t, data, rows)
}

// An empty file and a file of one row are valid.
func TestSmallFiles(t *testing.T) {
	for _, n := range []int{0, 1} {
		rows := makeRows(n, 3)
		data := write(t, rows, columns(Dict, Delta, Plain, Dict), 1000, 3000)
		checkParquetGo(t, data, rows)
		checkArrow(t, data, rows)
	}
}

func TestHybridLayout(t *testing.T) {
	// Hand-encoded (parquet-format Encodings.md, RLE/bit-packing hybrid):
	// 9 ones → RLE run header 9<<1 = 0x12, value byte 0x01;
	// then 0,1,1 → one bit-packed group (padded): header (1<<1)|1 = 0x03,
	// bits LSB first 0b110 = 0x06.
	got := appendHybrid(nil, []uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1}, 1)
	want := []byte{0x12, 0x01, 0x03, 0x06}
	if !bytes.Equal(got, want) {
		t.Errorf("hybrid = % x, want % x", got, want)
	}
	// 5 literals then a run of 12: the literal group borrows 3 values of the
	// run (a literal run holds whole groups of 8), the other 9 stay a run.
	got = appendHybrid(nil, []uint32{1, 2, 3, 1, 2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, 3)
	// group 1,2,3,1,2,7,7,7 at 3 bits LSB first: 0x03 header then bytes
	// 1|2<<3|3<<6 = 0xd1, (3>>2)|1<<1|2<<4|7<<7 = 0xa2, 7>>1|7<<2|7<<5 = 0xff;
	// then run of 9 sevens: 0x12, 0x07.
	want = []byte{0x03, 0xd1, 0xa2, 0xff, 0x12, 0x07}
	if !bytes.Equal(got, want) {
		t.Errorf("hybrid = % x, want % x", got, want)
	}
}

func TestDeltaLayout(t *testing.T) {
	// Encodings.md's first example: 1 2 3 4 5 → header 128, 4, 5, first
	// value zigzag(1)=2; block: min delta zigzag(1)=2, bit widths 0 0 0 0.
	got := appendDelta[int64, uint64](nil, []int64{1, 2, 3, 4, 5})
	want := []byte{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("delta = % x, want % x", got, want)
	}
}

func checkParquetGo(t *testing.T, data []byte, want []row) {
	t.Helper()
	r := parquet.NewGenericReader[row](bytes.NewReader(data))
	got := make([]row, len(want)+1)
	n, err := r.Read(got)
	if err != nil && err != io.EOF {
		t.Fatalf("parquet-go: %v", err)
	}
	if n != len(want) {
		t.Fatalf("parquet-go read %d rows, wrote %d", n, len(want))
	}
	for i := range want {
		if !rowEqual(got[i], want[i]) {
			t.Fatalf("parquet-go row %d:\n got  %s\n want %s", i, show(got[i]), show(want[i]))
		}
	}
}

func rowEqual(a, b row) bool {
	a.T, b.T = a.T.UTC(), b.T.UTC()
	if a.OT != nil {
		a.OT = ptr(a.OT.UTC())
	}
	if b.OT != nil {
		b.OT = ptr(b.OT.UTC())
	}
	fa, fb := a.F64, b.F64
	a.F64, b.F64 = 0, 0
	return reflect.DeepEqual(a, b) && math.Float64bits(fa) == math.Float64bits(fb)
}

func show(x row) string {
	s := fmt.Sprintf("%+v", x)
	for _, p := range []any{x.OI64, x.OU32, x.OF64, x.OS, x.OT, x.Nulls} {
		s += fmt.Sprintf(" %v", deref(p))
	}
	return s
}

func deref(p any) any {
	v := reflect.ValueOf(p)
	if v.IsNil() {
		return nil
	}
	return v.Elem().Interface()
}

func checkArrow(t *testing.T, data []byte, want []row) {
	t.Helper()
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow: %v", err)
	}
	defer tbl.Release()
	if tbl.NumRows() != int64(len(want)) {
		t.Fatalf("pqarrow rows %d, want %d", tbl.NumRows(), len(want))
	}
	wantTypes := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float64,
		arrow.BinaryTypes.String, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean,
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		arrow.PrimitiveTypes.Int64}
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		if !arrow.TypeEqual(col.DataType(), wantTypes[c]) {
			t.Errorf("column %s: Arrow type %v, want %v", col.Name(), col.DataType(), wantTypes[c])
		}
		i := 0
		for _, chunk := range col.Data().Chunks() {
			for k := 0; k < chunk.Len(); k++ {
				fv := reflect.ValueOf(want[i]).Field(c)
				var w any
				if fv.Kind() == reflect.Pointer {
					if !fv.IsNil() {
						w = fv.Elem().Interface()
					}
				} else {
					w = fv.Interface()
				}
				var g any
				if !chunk.IsNull(k) {
					switch a := chunk.(type) {
					case *array.Int64:
						g = a.Value(k)
					case *array.Uint64:
						g = a.Value(k)
					case *array.Int32:
						g = a.Value(k)
					case *array.Uint32:
						g = a.Value(k)
					case *array.Float64:
						g = math.Float64bits(a.Value(k))
						if f, ok := w.(float64); ok {
							w = math.Float64bits(f)
						}
					case *array.String:
						g = a.Value(k)
					case *array.Boolean:
						g = a.Value(k)
					case *array.Timestamp:
						g = int64(a.Value(k))
						w = w.(time.Time).UnixMicro()
					}
				}
				if g != w {
					t.Fatalf("pqarrow column %s row %d: %v, want %v", col.Name(), i, g, w)
				}
				i++
			}
		}
	}
}

// checkStats compares each row group's footer statistics with min, max and
// null counts computed over the rows, in the column's own order (unsigned
// for unsigned integers; NaN never occurs in the data).
func checkStats(t *testing.T, data []byte, rows []row, cols []Column) {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	md := pf.MetaData()
	lo := 0
	for g := 0; g < len(md.RowGroups); g++ {
		rg := md.RowGroup(g)
		group := rows[lo : lo+int(rg.NumRows())]
		lo += int(rg.NumRows())
		for ci, c := range cols {
			cc, err := rg.ColumnChunk(ci)
			if err != nil {
				t.Fatal(err)
			}
			st, err := cc.Statistics()
			if err != nil || st == nil {
				t.Fatalf("column %s: no statistics (%v)", c.Name, err)
			}
			var nulls int64
			var vals []any
			for _, x := range group {
				v := reflect.ValueOf(x).Field(ci)
				if v.Kind() == reflect.Pointer {
					if v.IsNil() {
						nulls++
						continue
					}
					v = v.Elem()
				}
				vals = append(vals, v.Interface())
			}
			if st.NullCount() != nulls {
				t.Errorf("group %d column %s: null count %d, want %d", g, c.Name, st.NullCount(), nulls)
			}
			if len(vals) == 0 {
				if st.HasMinMax() {
					t.Errorf("group %d column %s: min/max without values", g, c.Name)
				}
				continue
			}
			wmin, wmax := minMax(vals)
			gmin, gmax := statBytes(st)
			if !bytes.Equal(gmin, wmin) || !bytes.Equal(gmax, wmax) {
				t.Errorf("group %d column %s: min/max % x / % x, want % x / % x", g, c.Name, gmin, gmax, wmin, wmax)
			}
		}
	}
}

func statBytes(st metadata.TypedStatistics) ([]byte, []byte) {
	return st.EncodeMin(), st.EncodeMax()
}

func minMax(vals []any) (lo, hi []byte) {
	less := func(a, b any) bool {
		switch x := a.(type) {
		case int64:
			return x < b.(int64)
		case uint64:
			return x < b.(uint64)
		case int32:
			return x < b.(int32)
		case uint32:
			return x < b.(uint32)
		case float64:
			return x < b.(float64)
		case string:
			return x < b.(string)
		case bool:
			return !x && b.(bool)
		case time.Time:
			return x.Before(b.(time.Time))
		}
		panic("type")
	}
	mn, mx := vals[0], vals[0]
	for _, v := range vals {
		if less(v, mn) {
			mn = v
		}
		if less(mx, v) {
			mx = v
		}
	}
	enc := func(v any, isMin bool) []byte {
		switch x := v.(type) {
		case int64:
			return binary.LittleEndian.AppendUint64(nil, uint64(x))
		case uint64:
			return binary.LittleEndian.AppendUint64(nil, x)
		case int32:
			return binary.LittleEndian.AppendUint32(nil, uint32(x))
		case uint32:
			return binary.LittleEndian.AppendUint32(nil, x)
		case float64:
			if x == 0 { // the format asks for -0 as min and +0 as max
				x = math.Copysign(0, map[bool]float64{true: -1, false: 1}[isMin])
			}
			return binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))
		case string:
			return []byte(x)
		case bool:
			if x {
				return []byte{1}
			}
			return []byte{0}
		case time.Time:
			return binary.LittleEndian.AppendUint64(nil, uint64(x.UnixMicro()))
		}
		panic("type")
	}
	return enc(mn, true), enc(mx, false)
}
