package schema

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// wideRow has a column of every kind the writer handles, required and
// optional, with each encoding tag. It is not registered (the registry
// feeds README.md); tests drive typedBuffer directly.
type wideRow struct {
	T    time.Time  `parquet:"t,delta,zstd"`
	TP   *time.Time `parquet:"t_p,zstd"`
	I64  int64      `parquet:"i64,zstd"`
	I64P *int64     `parquet:"i64_p,dict,zstd"`
	U64  uint64     `parquet:"u64,plain,zstd"`
	U64P *uint64    `parquet:"u64_p,zstd"`
	I32  int32      `parquet:"i32,dict,zstd"`
	I32P *int32     `parquet:"i32_p,zstd"`
	U32  uint32     `parquet:"u32,zstd"`
	I16  int16      `parquet:"i16,zstd"`
	U16P *uint16    `parquet:"u16_p,dict,zstd"`
	I8   int8       `parquet:"i8,zstd"`
	U8   uint8      `parquet:"u8,dict,zstd"`
	F    float64    `parquet:"f,zstd"`
	FP   *float64   `parquet:"f_p,dict,zstd"`
	S    string     `parquet:"s,dict,zstd"`
	SP   *string    `parquet:"s_p,zstd"`
	B    bool       `parquet:"b,zstd"`
	BP   *bool      `parquet:"b_p,zstd"`
	Skip int        `parquet:"-"`
}

func (*wideRow) TableName() string { return "test_wide" }

// wideRows makes n rows from seed: extremes of each integer type, NaN-free
// floats, empty strings, and a nil in about every third optional field.
func wideRows(n int, seed uint64) []wideRow {
	r := rand.New(rand.NewPCG(seed, 1))
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	rows := make([]wideRow, n)
	for i := range rows {
		w := &rows[i]
		w.T = t0.Add(time.Duration(i) * 1500 * time.Microsecond)
		w.I64 = r.Int64() - math.MaxInt64/2
		w.U64 = r.Uint64()
		w.I32 = int32(r.IntN(40)) - 20
		w.U32 = r.Uint32()
		w.I16 = int16(r.Uint32())
		w.I8 = int8(r.Uint32())
		w.U8 = uint8(r.IntN(7))
		w.F = r.NormFloat64() * 1e3
		w.S = fmt.Sprintf("vm%d", r.IntN(50))
		if i%17 == 0 {
			w.S = ""
		}
		w.B = r.IntN(2) == 1
		w.Skip = i
		if r.IntN(3) > 0 {
			t := w.T.Add(-time.Second)
			i64 := int64(r.IntN(10))
			u64 := math.MaxUint64 - uint64(r.IntN(3))
			i32 := int32(r.Uint32())
			u16 := math.MaxUint16 - uint16(r.IntN(4))
			f := float64(r.IntN(5)) / 4
			s := fmt.Sprintf("%x", r.Uint32())
			b := r.IntN(2) == 1
			w.TP, w.I64P, w.U64P, w.I32P, w.U16P, w.FP, w.SP, w.BP = &t, &i64, &u64, &i32, &u16, &f, &s, &b
		}
	}
	return rows
}

func writeWide(t testing.TB, rows []wideRow, flushAt int) []byte {
	return writeWideStaged(t, rows, flushAt, false)
}

// writeWideStaged is writeWide, the rows staged (FileWriter.Interleave)
// when staged is set.
func writeWideStaged(t testing.TB, rows []wideRow, flushAt int, staged bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	b := &typedBuffer[wideRow, *wideRow]{}
	b.open(&buf, "test_wide", map[string]string{"z": "last", "a": "first"})
	if staged {
		b.Interleave()
	}
	for i := range rows {
		if i == flushAt {
			if err := b.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
		if got := b.Rows(); got != int64(i+1) {
			t.Fatalf("Rows() = %d after %d rows", got, i+1)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every value written comes back through Arrow's reader (pqarrow) as it
// was, across a Flush (a short row group) and a full RowGroupRows group;
// row groups, encodings, logical types and metadata are as documented on
// NewFileWriter; the same rows give the same bytes.
func TestWriterRoundTripAllKinds(t *testing.T) {
	const flushAt = 7000
	n := flushAt + RowGroupRows + 1234
	rows := wideRows(n, 7)
	data := writeWide(t, rows, flushAt)
	if again := writeWide(t, rows, flushAt); !bytes.Equal(data, again) {
		t.Fatal("same rows gave different bytes")
	}
	// staged rows (stage.go), the Flush in the middle of a stage
	if staged := writeWideStaged(t, rows, flushAt, true); !bytes.Equal(data, staged) {
		t.Fatal("the same rows staged gave different bytes")
	}

	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	md := pf.MetaData()
	var groups []int64
	for g := 0; g < pf.NumRowGroups(); g++ {
		groups = append(groups, md.RowGroup(g).NumRows())
	}
	if want := []int64{flushAt, RowGroupRows, 1234}; !slices.Equal(groups, want) {
		t.Errorf("row groups %v, want %v", groups, want)
	}
	kv := md.KeyValueMetadata()
	// the caller's keys plus the schema version and table name, sorted
	if keys, want := kv.Keys(), []string{"a", MetaSchemaVersion, MetaTable, "z"}; !slices.Equal(keys, want) {
		t.Errorf("metadata keys %v, want %v", keys, want)
	}

	// Data-page encodings per column, from NewFileWriter's rules: tags
	// first, then DELTA_BINARY_PACKED for integers and times, PLAIN else.
	wantEnc := map[string]pq.Encoding{
		"t": pq.Encodings.DeltaBinaryPacked, "t_p": pq.Encodings.DeltaBinaryPacked,
		"i64": pq.Encodings.DeltaBinaryPacked, "i64_p": pq.Encodings.RLEDict,
		"u64": pq.Encodings.Plain, "u64_p": pq.Encodings.DeltaBinaryPacked,
		"i32": pq.Encodings.RLEDict, "i32_p": pq.Encodings.DeltaBinaryPacked,
		"u32": pq.Encodings.DeltaBinaryPacked, "i16": pq.Encodings.DeltaBinaryPacked,
		"u16_p": pq.Encodings.RLEDict, "i8": pq.Encodings.DeltaBinaryPacked,
		"u8": pq.Encodings.RLEDict, "f": pq.Encodings.Plain, "f_p": pq.Encodings.RLEDict,
		"s": pq.Encodings.RLEDict, "s_p": pq.Encodings.Plain,
		"b": pq.Encodings.Plain, "b_p": pq.Encodings.Plain,
	}
	rg := md.RowGroup(1)
	for c := 0; c < rg.NumColumns(); c++ {
		cc, err := rg.ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		name := cc.PathInSchema().String()
		if st, err := cc.Statistics(); err != nil || st == nil || !st.HasMinMax() {
			t.Errorf("%s: no min/max statistics (%v)", name, err)
		}
		if cc.Compression().String() != "ZSTD" {
			t.Errorf("%s: compression %v", name, cc.Compression())
		}
		var data []pq.Encoding
		for _, st := range cc.EncodingStats() {
			if st.PageType.String() == "DATA_PAGE" {
				data = append(data, st.Encoding)
			}
		}
		if len(data) == 0 || slices.ContainsFunc(data, func(e pq.Encoding) bool { return e != wantEnc[name] }) {
			t.Errorf("%s: data page encodings %v, want %v", name, data, wantEnc[name])
		}
	}

	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []arrow.DataType{
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int16,
		arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Uint8,
		arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String, arrow.BinaryTypes.String,
		arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Boolean,
	}
	if sch.NumFields() != len(wantTypes) {
		t.Fatalf("pqarrow schema %v", sch)
	}
	for i, wt := range wantTypes {
		f := sch.Field(i)
		if !arrow.TypeEqual(f.Type, wt) {
			t.Errorf("column %d %s: pqarrow type %v, want %v", i, f.Name, f.Type, wt)
		}
	}

	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	got := make([][]any, tbl.NumCols())
	for c := range got {
		// Pointer fields, and only they, are named *_p here.
		if f := tbl.Schema().Field(c); f.Nullable != strings.HasSuffix(f.Name, "_p") {
			t.Errorf("column %s: nullable = %v", f.Name, f.Nullable)
		}
		for _, ch := range tbl.Column(c).Data().Chunks() {
			got[c] = appendValues(t, got[c], ch)
		}
	}
	for i := range rows {
		w := &rows[i]
		want := []any{
			w.T.UnixMicro(), microP(w.TP), w.I64, deref(w.I64P), w.U64, deref(w.U64P),
			w.I32, deref(w.I32P), w.U32, w.I16, deref(w.U16P), w.I8, w.U8,
			w.F, deref(w.FP), w.S, deref(w.SP), w.B, deref(w.BP),
		}
		for c := range want {
			if got[c][i] != want[c] {
				t.Fatalf("row %d column %s: got %v, want %v", i, tbl.Schema().Field(c).Name, got[c][i], want[c])
			}
		}
	}
}

// A dict column with a distinct value in every row (7 MB of dictionary)
// stays dictionary-encoded, one page per row group, and reads back whole.
func TestWriterDictLarge(t *testing.T) {
	rows := wideRows(RowGroupRows, 3)
	for i := range rows {
		rows[i].S = fmt.Sprintf("distinct-string-%08d-%032x", i, i*2654435761) // 57 bytes each
	}
	data := writeWide(t, rows, -1)
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(15)
	if err != nil {
		t.Fatal(err)
	}
	if name := cc.PathInSchema().String(); name != "s" {
		t.Fatalf("column 15 is %s", name)
	}
	var encs []pq.Encoding
	for _, st := range cc.EncodingStats() {
		if st.PageType.String() == "DATA_PAGE" {
			encs = append(encs, st.Encoding)
		}
	}
	if !slices.Equal(encs, []pq.Encoding{pq.Encodings.RLEDict}) {
		t.Errorf("data page encodings %v, want [RLE_DICTIONARY]", encs)
	}
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var got []any
	for _, ch := range tbl.Column(15).Data().Chunks() {
		got = appendValues(t, got, ch)
	}
	for i := range rows {
		if got[i] != rows[i].S {
			t.Fatalf("row %d: %v, want %q", i, got[i], rows[i].S)
		}
	}
}

// A row of the wrong type is an error, not a panic.
func TestWriterWrongRow(t *testing.T) {
	b := &typedBuffer[wideRow, *wideRow]{}
	b.open(&bytes.Buffer{}, "test_wide", map[string]string{})
	if err := b.Write(&Reject{}); err == nil {
		t.Fatal("no error for a Reject written to a test_wide file")
	}
}

func deref[V any](p *V) any {
	if p == nil {
		return nil
	}
	return *p
}

func microP(p *time.Time) any {
	if p == nil {
		return nil
	}
	return p.UnixMicro()
}

// appendValues appends an Arrow array's values as Go values (nil for null;
// timestamps as their int64 microseconds).
func appendValues(t *testing.T, dst []any, a arrow.Array) []any {
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			dst = append(dst, nil)
			continue
		}
		switch a := a.(type) {
		case *array.Timestamp:
			dst = append(dst, int64(a.Value(i)))
		case *array.Int64:
			dst = append(dst, a.Value(i))
		case *array.Uint64:
			dst = append(dst, a.Value(i))
		case *array.Int32:
			dst = append(dst, a.Value(i))
		case *array.Uint32:
			dst = append(dst, a.Value(i))
		case *array.Int16:
			dst = append(dst, a.Value(i))
		case *array.Uint16:
			dst = append(dst, a.Value(i))
		case *array.Int8:
			dst = append(dst, a.Value(i))
		case *array.Uint8:
			dst = append(dst, a.Value(i))
		case *array.Float64:
			dst = append(dst, a.Value(i))
		case *array.String:
			dst = append(dst, a.Value(i))
		case *array.Boolean:
			dst = append(dst, a.Value(i))
		default:
			t.Fatalf("unexpected Arrow array %T", a)
		}
	}
	return dst
}

// The worker goroutine (GOMAXPROCS > 1) and the in-place shredding
// (GOMAXPROCS = 1) write the same bytes.
func TestWriterAsyncSameBytes(t *testing.T) {
	rows := wideRows(2*RowGroupRows+999, 11)
	prev := runtime.GOMAXPROCS(1)
	inPlace := writeWide(t, rows, 5000)
	runtime.GOMAXPROCS(max(prev, 2))
	async := writeWide(t, rows, 5000)
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(inPlace, async) {
		t.Fatalf("GOMAXPROCS 1 wrote %d bytes, 2 wrote %d different bytes", len(inPlace), len(async))
	}
}

// failAfter fails every write once n bytes have been written.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

// A failing output surfaces as an error from Write or Close, in both
// modes, without hanging; an abandoned file refuses more rows.
func TestWriterOutputError(t *testing.T) {
	rows := wideRows(3*RowGroupRows, 5)
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		b := &typedBuffer[wideRow, *wideRow]{}
		b.open(&failAfter{n: 100_000}, "test_wide", map[string]string{})
		var err error
		for i := range rows {
			if err = b.Write(&rows[i]); err != nil {
				break
			}
		}
		if err == nil {
			err = b.Close()
		}
		if !errors.Is(err, errFull) {
			t.Errorf("GOMAXPROCS %d: error %v, want %v", procs, err, errFull)
		}

		b = &typedBuffer[wideRow, *wideRow]{}
		b.open(io.Discard, "test_wide", map[string]string{})
		for i := range batchRows + 1 {
			if err := b.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		b.Abandon()
		if err := b.Write(&rows[0]); err == nil {
			t.Errorf("GOMAXPROCS %d: Write after Abandon: no error", procs)
		}
		runtime.GOMAXPROCS(prev)
	}
}

// A file closed with part of its metadata and completed by RewriteMeta has
// the bytes of the file closed with all of it, across row groups of every
// kind of column.
func TestRewriteMetaSameBytes(t *testing.T) {
	rows := wideRows(RowGroupRows+4321, 3)
	write := func(w io.Writer, meta map[string]string) FileWriter {
		b := &typedBuffer[wideRow, *wideRow]{}
		b.open(w, "test_wide", map[string]string{"source": "a.txt"})
		for k, v := range meta {
			b.SetMeta(k, v)
		}
		for i := range rows {
			if err := b.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		return b
	}
	var direct bytes.Buffer
	full := write(&direct, map[string]string{"rows": "70000", "locale": "decimal=,"}).Meta()

	f, err := os.Create(filepath.Join(t.TempDir(), "part.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write(f, map[string]string{"locale": "decimal=?"})
	size, err := RewriteMeta(f, full)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(got)) || !bytes.Equal(got, direct.Bytes()) {
		t.Fatalf("rewritten file: %d bytes (size %d), direct: %d bytes, different", len(got), size, direct.Len())
	}
	if _, err := RewriteMeta(f, full); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(f.Name()); !bytes.Equal(again, got) {
		t.Fatal("a second rewrite with the same metadata changed the file")
	}
}

// A writer that spills its rows (in batches and at Spill) and reads them
// back writes the bytes of one that kept them: every kind of column,
// nulls, empty strings and extreme integers included.
func TestSpillSameBytes(t *testing.T) {
	rows := wideRows(3*batchRows+1000, 9)
	var direct bytes.Buffer
	b := &typedBuffer[wideRow, *wideRow]{}
	b.open(&direct, "test_wide", nil)
	for i := range rows {
		if err := b.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The second point comes while the stage (stage.go) holds rows: after
	// the Spill at batchRows+5 the batch doubles to batchRows/2 rows, is
	// whole from the next row on, and the rows after that are staged.
	for _, at := range []struct{ procs, unspillAt int }{
		{1, 2*batchRows + 77}, {2, 2*batchRows + 77}, {1, batchRows + batchRows/2 + 256}, {2, batchRows + batchRows/2 + 256},
	} {
		procs, unspillAt := at.procs, at.unspillAt
		prev := runtime.GOMAXPROCS(procs)
		var out, spill bytes.Buffer
		s := &typedBuffer[wideRow, *wideRow]{}
		s.open(&out, "test_wide", nil)
		s.Interleave() // its rows are staged, the direct ones not
		if err := s.SpillTo(&spill); err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if i == unspillAt && (s.stage == nil || s.stage.n == 0) && unspillAt < 2*batchRows {
				t.Fatalf("row %d: the stage holds no row, the test no longer covers an Unspill with staged rows", i)
			}
			if i == unspillAt {
				if err := s.Unspill(&spill); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
			if i == 100 || i == batchRows+5 {
				if err := s.Spill(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(prev)
		if !bytes.Equal(out.Bytes(), direct.Bytes()) {
			t.Fatalf("GOMAXPROCS %d, Unspill at row %d: spilled and read back: %d bytes, kept: %d bytes, different", procs, unspillAt, out.Len(), direct.Len())
		}
		if s.Rows() != int64(len(rows)) {
			t.Fatalf("Rows() = %d, want %d", s.Rows(), len(rows))
		}
	}
	// a writer that has encoded rows cannot spill; a cut spill is an error
	if err := b.SpillTo(io.Discard); err == nil {
		t.Error("SpillTo after encoding: no error")
	}
	s := &typedBuffer[wideRow, *wideRow]{}
	s.open(io.Discard, "test_wide", nil)
	var spill bytes.Buffer
	s.SpillTo(&spill)
	s.Write(&rows[1])
	s.Spill()
	if err := s.Unspill(bytes.NewReader(spill.Bytes()[:spill.Len()-3])); err == nil {
		t.Error("Unspill of a cut spill: no error")
	}
}

// The spill format keeps a []byte column: nil stays null, empty stays
// empty, bytes that are not UTF-8 stay as they were.
func TestSpillBytesColumn(t *testing.T) {
	rows := []Reject{
		{File: "a", Line: 1, Reason: "r", Raw: "x"},
		{File: "b", Line: 2, Raw: `\xff`, RawBytes: []byte{0xff}},
		{File: "c", Line: 3, RawBytes: []byte{}},
	}
	l := layoutOf(reflect.TypeFor[Reject]())
	src := l.newBatch(len(rows))
	for i := range rows {
		l.fill(src, unsafe.Pointer(&rows[i]))
	}
	var buf []byte
	for k := range src.n {
		buf = l.appendRow(buf, src, k)
	}
	br := bufio.NewReader(bytes.NewReader(buf))
	got := l.newBatch(len(rows) + 1)
	for range rows {
		if err := l.readRow(br, got); err != nil {
			t.Fatal(err)
		}
	}
	if got.n != src.n {
		t.Fatalf("%d rows read back, want %d", got.n, src.n)
	}
	for i := range l.cols {
		g, w := &got.cols[i], &src.cols[i]
		for k := range src.n {
			switch {
			case w.words != nil && g.words[k] != w.words[k],
				w.strs != nil && g.strs[k] != w.strs[k],
				w.set != nil && g.set[k] != w.set[k],
				w.bytes != nil && ((g.bytes[k] == nil) != (w.bytes[k] == nil) || !bytes.Equal(g.bytes[k], w.bytes[k])):
				t.Errorf("row %d, column %s: read back other than written", k, l.file.Fields()[i].Name())
			}
		}
	}
	if err := l.readRow(br, got); err != io.EOF {
		t.Errorf("after the last row: %v, want io.EOF", err)
	}
}

// TestWriterMemory checks WriterMemory, which ingest's router bounds its
// open files by, against the live heap of open sar_cpu files at several
// row counts: within a factor of 1.5 either way. The rows are the worst
// case of a sar table: every percentage column draws from its 10,001
// values (0.00 to 100.00), so that each dictionary fills.
// The heap is measured in a process of its own: the tests before it leave
// pooled buffers that the writers would reuse.
func TestWriterMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes half a million rows")
	}
	if os.Getenv("MIGREPLAY_WRITER_MEMORY") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriterMemory$", "-test.v")
		cmd.Env = append(os.Environ(), "MIGREPLAY_WRITER_MEMORY=1")
		out, err := cmd.CombinedOutput()
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("measuring process: %v", err)
		}
		return
	}
	// one P: batches are encoded within Write, none is in flight
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tbl := TableOf(&SarCPU{})
	const files = 8
	r := rand.New(rand.NewPCG(1, 2))
	pct := func() *float64 { v := float64(r.IntN(10_001)) / 100; return &v }
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ws := make([]FileWriter, files)
	for i := range ws {
		ws[i] = tbl.NewFileWriter(io.Discard, map[string]string{})
		ws[i].Interleave() // written in turn, as the router's interleaved files
	}
	n := 0
	for _, rows := range []int{BatchRows, 20_000, 40_000, 61_000} {
		for ; n < rows; n++ {
			for _, w := range ws {
				row := &SarCPU{Host: "h", Time: t0.Add(time.Duration(n) * time.Second), CPU: int32(n % 4),
					User: pct(), Nice: pct(), System: pct(), IOWait: pct(), Steal: pct(), Idle: pct(),
					Usr: pct(), Sys: pct(), IRQ: pct(), Soft: pct(), Guest: pct(), GNice: pct()}
				if err := w.Write(row); err != nil {
					t.Fatal(err)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := float64(after.HeapAlloc-before.HeapAlloc) / files
		est := float64(tbl.WriterMemory(int64(rows), false))
		t.Logf("%d rows: %.2f MB held a file, %.2f MB estimated", rows, held/1e6, est/1e6)
		if est < held/1.5 || est > held*1.5 {
			t.Errorf("%d rows: WriterMemory %.2f MB, a file holds %.2f MB: not within a factor of 1.5", rows, est/1e6, held/1e6)
		}
	}
	runtime.KeepAlive(ws)
}

// Write copies a row whole, the numbers, bools and times its pointer fields
// point to included: a parser may hand out every row's values from the same words
// (parse.Options.Reuse). Rows whose pointers all point at one scratch
// row, overwritten with other values after each Write, give the bytes of
// the same rows written from memory of their own, on one thread and on
// two, with a Flush, and through a spill.
func TestWriteCopiesWhatRowsPointTo(t *testing.T) {
	rows := wideRows(3*batchRows+77, 9)
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		want := writeWide(t, rows, 2*batchRows+5)
		for _, spill := range []bool{false, true} {
			var buf bytes.Buffer
			b := &typedBuffer[wideRow, *wideRow]{}
			b.open(&buf, "test_wide", map[string]string{"z": "last", "a": "first"})
			var spilled bytes.Buffer
			if spill {
				if err := b.SpillTo(&spilled); err != nil {
					t.Fatal(err)
				}
			} else {
				b.Interleave() // the rows staged (stage.go)
			}
			var scratch wideRow
			junk := wideRows(1, 77)[0]
			for i := range rows {
				if i == 2*batchRows+5 {
					if spill {
						if err := b.Unspill(bytes.NewReader(spilled.Bytes())); err != nil {
							t.Fatal(err)
						}
					}
					if err := b.Flush(); err != nil {
						t.Fatal(err)
					}
				}
				row := rows[i]
				reuse(&row, &scratch)
				if err := b.Write(&row); err != nil {
					t.Fatal(err)
				}
				reuse(&junk, &scratch) // the parser moves on
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("GOMAXPROCS %d, spill %v: %d bytes, want the %d of rows with memory of their own", procs, spill, buf.Len(), len(want))
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

// reuse copies what row's number, bool and time pointer fields point to
// into scratch's fields (allocating them once) and points row's fields
// there; a *string is left alone (parsers never reuse what it points to).
func reuse(row, scratch *wideRow) {
	rv, sv := reflect.ValueOf(row).Elem(), reflect.ValueOf(scratch).Elem()
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() || f.Type().Elem().Kind() == reflect.String {
			continue
		}
		s := sv.Field(i)
		if s.IsNil() {
			s.Set(reflect.New(f.Type().Elem()))
		}
		s.Elem().Set(f.Elem())
		f.Set(s)
	}
}
