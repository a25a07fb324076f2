// Package pqwrite is a small Parquet file encoder for flat tables, built for
// migreplay's ingest: the caller hands it columns one page of rows at a time
// as typed slices (no row shredding, no per-value interfaces), and it writes
// version-1 data pages, zstd-compressed, with min/max statistics and a
// Thrift footer that Arrow (pqarrow), DuckDB, Spark and parquet-go read.
//
// Encodings per column: PLAIN; RLE_DICTIONARY (dictionary page PLAIN) with a
// fallback to the column's other encoding once the dictionary passes
// MaxDictBytes in a row group; DELTA_BINARY_PACKED for INT32/INT64.
// (No BYTE_STREAM_SPLIT: Arrow Go v15's pqarrow cannot read it.) Definition levels of optional columns use
// the RLE/bit-packing hybrid. The output is a function of the input alone:
// the same calls give byte-identical files.
package pqwrite

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Type is a Parquet physical type.
type Type int8

// Physical types (parquet.thrift Type).
const (
	Boolean   Type = 0
	Int32     Type = 1
	Int64     Type = 2
	Double    Type = 5
	ByteArray Type = 6
)

// Encoding is how a column's values are written.
type Encoding int8

const (
	Plain Encoding = iota // PLAIN
	Dict                  // RLE_DICTIONARY, then Column.Fallback past MaxDictBytes
	Delta                 // DELTA_BINARY_PACKED (INT32, INT64)
)

// parquet.thrift Encoding values.
const (
	encPlain        = 0
	encRLE          = 3
	encDelta        = 5
	encRLEDict      = 8
	codecZstd       = 6
	pageData        = 0
	pageDict        = 2
	convUTF8        = 0
	convTimestampUS = 10
)

// Column describes one leaf column.
type Column struct {
	Name      string
	Type      Type
	Optional  bool
	Encoding  Encoding
	Fallback  Encoding // with Dict: the encoding once the dictionary is full (Plain or Delta)
	String    bool     // BYTE_ARRAY holding UTF-8 (STRING logical type)
	Timestamp bool     // INT64 microseconds since the epoch, UTC (TIMESTAMP(MICROS, true))
	IntBits   int      // 8, 16, 32 or 64 for an INTEGER logical type; 0: none
	Unsigned  bool     // with IntBits: unsigned, also for statistics order
}

// MaxDictBytes caps a column chunk's dictionary page (PLAIN size); past it
// the rest of the row group is written in the column's fallback encoding.
// (See also dictIndices: a dictionary that does not pay falls back too.)
const MaxDictBytes = 1 << 20

// KeyValue is one footer metadata entry.
type KeyValue struct{ Key, Value string }

// Writer writes one Parquet file.
type Writer struct {
	w         io.Writer
	off       int64
	root      string
	createdBy string
	cols      []*chunk
	groupRows int64
	maxRows   int64
	groups    []rowGroup
	rows      int64
	err       error

	raw, comp []byte
	idx       []uint32
	th        thrift
}

type rowGroup struct {
	rows, off, size, compressed int64
	cols                        []chunkMeta
}

type chunkMeta struct {
	encodings          uint16 // bit per parquet encoding id
	values, nulls      int64
	unc, comp          int64
	dictOff, dataOff   int64
	min, max           []byte
	hasDict, hasMinMax bool
}

type chunk struct {
	Column
	pages      []byte // data pages of the open row group, headers included
	unc        int64
	values     int64
	nulls      int64
	encodings  uint16
	dictOn     bool
	dictValues int64 // values written as dictionary indices in the row group
	d64        dict64
	ds         dictStr
	st         stats
}

// New starts a file on w. root names the schema's root node. maxRows is the
// row-group size: a group is written once it holds that many rows (pages
// must not straddle it).
func New(w io.Writer, root string, cols []Column, maxRows int, createdBy string) *Writer {
	wr := &Writer{w: w, root: root, createdBy: createdBy, maxRows: int64(maxRows)}
	for _, c := range cols {
		ch := &chunk{Column: c}
		ch.startGroup()
		wr.cols = append(wr.cols, ch)
	}
	wr.write([]byte("PAR1"))
	return wr
}

func (c *chunk) startGroup() {
	c.pages = c.pages[:0]
	c.unc, c.values, c.nulls, c.encodings = 0, 0, 0, 0
	c.dictOn = c.Encoding == Dict
	c.dictValues = 0
	c.d64.reset()
	c.ds.reset()
	c.st = stats{}
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	w.off += int64(n)
	if err != nil {
		w.err = fmt.Errorf("pqwrite: %w", err)
	}
}

// Rows is the number of rows written so far.
func (w *Writer) Rows() int64 { return w.rows }

// EndPage closes the page every column has just received (rows rows each)
// and writes the row group out when it is full.
func (w *Writer) EndPage(rows int) error {
	w.groupRows += int64(rows)
	w.rows += int64(rows)
	if w.groupRows >= w.maxRows {
		w.flushGroup()
	}
	return w.err
}

// Flush writes the open row group, however many rows it has, and releases
// the writer's buffers until the next page.
func (w *Writer) Flush() error {
	w.flushGroup()
	w.raw, w.comp, w.idx, w.th.b = nil, nil, nil, nil
	for _, c := range w.cols {
		c.pages = nil
		c.d64 = dict64{}
		c.ds = dictStr{}
	}
	return w.err
}

// levels starts a page's raw bytes: the 4-byte length and RLE-hybrid
// definition levels of an optional column (defs[i] is 1 for a value, 0 for
// null); nothing for a required one.
func (w *Writer) levels(c *chunk, defs []uint8, n int) {
	w.raw = w.raw[:0]
	c.values += int64(n)
	if !c.Optional {
		return
	}
	w.raw = append(w.raw, 0, 0, 0, 0)
	w.raw = appendHybrid(w.raw, defs, 1)
	binary.LittleEndian.PutUint32(w.raw, uint32(len(w.raw)-4))
	nn := 0
	for _, d := range defs {
		nn += int(d)
	}
	c.nulls += int64(n - nn)
}

// page compresses w.raw and appends it, with its header, to c's pages.
func (w *Writer) page(c *chunk, n int, enc int32) {
	w.comp = zenc().EncodeAll(w.raw, w.comp[:0])
	w.th.b = w.th.b[:0]
	w.th.begin()
	w.th.i32(1, pageData)
	w.th.i32(2, int32(len(w.raw)))
	w.th.i32(3, int32(len(w.comp)))
	w.th.structField(5)
	w.th.i32(1, int32(n))
	w.th.i32(2, enc)
	w.th.i32(3, encRLE)
	w.th.i32(4, encRLE)
	w.th.end()
	w.th.end()
	c.pages = append(c.pages, w.th.b...)
	c.pages = append(c.pages, w.comp...)
	c.unc += int64(len(w.th.b) + len(w.raw))
	c.encodings |= 1 << enc
	if c.Optional {
		c.encodings |= 1 << encRLE
	}
}

// dictIndices finishes a page of dictionary indices (w.idx). A dictionary
// grown past MaxDictBytes, or holding more than 3/4 as many entries as the
// values it encoded (a column that hardly repeats, where it costs more than
// it saves), turns dictionary encoding off for the rest of the row group.
func (w *Writer) dictIndices(c *chunk, n int) {
	size := len(c.d64.keys)
	if c.Type == ByteArray {
		size = len(c.ds.keys)
	}
	bw := max(1, bitLen(uint32(size-1)))
	w.raw = append(w.raw, byte(bw))
	w.raw = appendHybrid(w.raw, w.idx, bw)
	w.page(c, n, encRLEDict)
	dictBytes := c.ds.bytes
	if c.Type != ByteArray {
		dictBytes = len(c.d64.keys) * 8
		if c.Type == Int32 {
			dictBytes = len(c.d64.keys) * 4
		}
	}
	c.dictValues += int64(len(w.idx))
	if dictBytes > MaxDictBytes || size >= 1024 && int64(size) > c.dictValues*3/4 {
		c.dictOn = false
	}
}

// Int64s writes one page of an INT64 column: v holds the non-null values,
// defs (optional columns only) one 0/1 definition level per row.
func (w *Writer) Int64s(col int, v []int64, defs []uint8) {
	c := w.cols[col]
	n := rowsOf(c, len(v), defs)
	w.levels(c, defs, n)
	if c.Unsigned {
		c.st.unsigned(v)
	} else {
		c.st.signed(v)
	}
	switch c.encoding(len(v)) {
	case Dict:
		w.idx = w.idx[:0]
		for _, x := range v {
			i, _ := c.d64.index(uint64(x))
			w.idx = append(w.idx, uint32(i))
		}
		w.dictIndices(c, n)
	case Delta:
		w.raw = appendDelta[int64, uint64](w.raw, v)
		w.page(c, n, encDelta)
	default:
		w.raw = appendPlain(w.raw, v)
		w.page(c, n, encPlain)
	}
}

// Int32s writes one page of an INT32 column (see Int64s).
func (w *Writer) Int32s(col int, v []int32, defs []uint8) {
	c := w.cols[col]
	n := rowsOf(c, len(v), defs)
	w.levels(c, defs, n)
	if c.Unsigned {
		c.st.unsigned32(v)
	} else {
		c.st.signed32(v)
	}
	switch c.encoding(len(v)) {
	case Dict:
		w.idx = w.idx[:0]
		for _, x := range v {
			i, _ := c.d64.index(uint64(uint32(x)))
			w.idx = append(w.idx, uint32(i))
		}
		w.dictIndices(c, n)
	case Delta:
		w.raw = appendDelta[int32, uint32](w.raw, v)
		w.page(c, n, encDelta)
	default:
		w.raw = appendPlain(w.raw, v)
		w.page(c, n, encPlain)
	}
}

// Float64s writes one page of a DOUBLE column (see Int64s).
func (w *Writer) Float64s(col int, v []float64, defs []uint8) {
	c := w.cols[col]
	n := rowsOf(c, len(v), defs)
	w.levels(c, defs, n)
	c.st.floats(v)
	switch c.encoding(len(v)) {
	case Dict:
		w.idx = w.idx[:0]
		for _, x := range v {
			i, _ := c.d64.index(math.Float64bits(x))
			w.idx = append(w.idx, uint32(i))
		}
		w.dictIndices(c, n)
	default:
		w.raw = appendPlain(w.raw, v)
		w.page(c, n, encPlain)
	}
}

// Strings writes one page of a BYTE_ARRAY column (see Int64s).
func (w *Writer) Strings(col int, v []string, defs []uint8) {
	c := w.cols[col]
	n := rowsOf(c, len(v), defs)
	w.levels(c, defs, n)
	if c.encoding(len(v)) == Dict {
		w.idx = w.idx[:0]
		for _, s := range v {
			i, isNew := c.ds.index(s)
			if isNew {
				c.st.str(s)
			}
			w.idx = append(w.idx, uint32(i))
		}
		w.dictIndices(c, n)
		return
	}
	for _, s := range v {
		c.st.str(s)
	}
	w.raw = appendPlainStrings(w.raw, v)
	w.page(c, n, encPlain)
}

// Bools writes one page of a BOOLEAN column (PLAIN; see Int64s).
func (w *Writer) Bools(col int, v []bool, defs []uint8) {
	c := w.cols[col]
	n := rowsOf(c, len(v), defs)
	w.levels(c, defs, n)
	c.st.bools(v)
	w.raw = appendPlainBools(w.raw, v)
	w.page(c, n, encPlain)
}

// encoding is the encoding of c's next page, of n values. A page of nulls
// only is never a dictionary page: a chunk without values has no
// dictionary to refer to.
func (c *chunk) encoding(n int) Encoding {
	if c.Encoding == Dict && (!c.dictOn || n == 0) {
		return c.Fallback
	}
	return c.Encoding
}

func rowsOf(c *chunk, values int, defs []uint8) int {
	if c.Optional {
		return len(defs)
	}
	if defs != nil {
		panic("pqwrite: definition levels for required column " + c.Name)
	}
	return values
}

// flushGroup writes the open row group: per column its dictionary page (if
// any) and its data pages.
func (w *Writer) flushGroup() {
	if w.groupRows == 0 {
		return
	}
	g := rowGroup{rows: w.groupRows, off: w.off}
	for _, c := range w.cols {
		m := chunkMeta{encodings: c.encodings, values: c.values, nulls: c.nulls, unc: c.unc, comp: int64(len(c.pages))}
		if c.Encoding == Dict && (len(c.ds.keys) > 0 || len(c.d64.keys) > 0) {
			m.hasDict = true
			m.dictOff = w.off
			hdrAndData := w.dictionaryPage(c)
			m.unc += hdrAndData[0]
			m.comp += hdrAndData[1]
			m.encodings |= 1 << encPlain
		}
		m.dataOff = w.off
		w.write(c.pages)
		m.min, m.max, m.hasMinMax = c.st.bytes(c.Column)
		g.size += m.unc
		g.compressed += m.comp
		g.cols = append(g.cols, m)
		c.startGroup()
	}
	w.groups = append(w.groups, g)
	w.groupRows = 0
}

// dictionaryPage writes c's dictionary page and returns its uncompressed and
// written sizes, header included.
func (w *Writer) dictionaryPage(c *chunk) [2]int64 {
	w.raw = w.raw[:0]
	var n int
	switch c.Type {
	case ByteArray:
		n = len(c.ds.keys)
		w.raw = appendPlainStrings(w.raw, c.ds.keys)
	case Int32:
		n = len(c.d64.keys)
		for _, k := range c.d64.keys {
			w.raw = binary.LittleEndian.AppendUint32(w.raw, uint32(k))
		}
	default:
		n = len(c.d64.keys)
		w.raw = appendPlain(w.raw, c.d64.keys)
	}
	w.comp = zenc().EncodeAll(w.raw, w.comp[:0])
	w.th.b = w.th.b[:0]
	w.th.begin()
	w.th.i32(1, pageDict)
	w.th.i32(2, int32(len(w.raw)))
	w.th.i32(3, int32(len(w.comp)))
	w.th.structField(7)
	w.th.i32(1, int32(n))
	w.th.i32(2, encPlain)
	w.th.end()
	w.th.end()
	w.write(w.th.b)
	w.write(w.comp)
	return [2]int64{int64(len(w.th.b) + len(w.raw)), int64(len(w.th.b) + len(w.comp))}
}

// Close writes the last row group and the footer with meta (in the order
// given). It does not close the underlying writer.
func (w *Writer) Close(meta []KeyValue) error {
	if w.err != nil {
		return w.err
	}
	w.flushGroup()
	t := &w.th
	t.b = t.b[:0]
	t.begin()
	t.i32(1, 1)
	t.list(2, tStruct, len(w.cols)+1)
	t.begin()
	t.str(4, w.root)
	t.i32(5, int32(len(w.cols)))
	t.end()
	for _, c := range w.cols {
		t.begin()
		t.i32(1, int32(c.Type))
		rep := int32(0)
		if c.Optional {
			rep = 1
		}
		t.i32(3, rep)
		t.str(4, c.Name)
		switch {
		case c.String:
			t.i32(6, convUTF8)
			t.structField(10)
			t.structField(1) // STRING
			t.end()
			t.end()
		case c.Timestamp:
			t.i32(6, convTimestampUS)
			t.structField(10)
			t.structField(8) // TIMESTAMP
			t.boolean(1, true)
			t.structField(2)
			t.structField(2) // MICROS
			t.end()
			t.end()
			t.end()
			t.end()
		case c.IntBits != 0:
			t.i32(6, convertedInt(c.IntBits, c.Unsigned))
			t.structField(10)
			t.structField(10) // INTEGER
			t.field(1, 3)     // i8 bitWidth
			t.b = append(t.b, byte(c.IntBits))
			t.boolean(2, !c.Unsigned)
			t.end()
			t.end()
		}
		t.end()
	}
	t.i64(3, w.rows)
	t.list(4, tStruct, len(w.groups))
	for gi, g := range w.groups {
		t.begin()
		t.list(1, tStruct, len(g.cols))
		for ci, m := range g.cols {
			c := w.cols[ci]
			start := m.dataOff
			if m.hasDict {
				start = m.dictOff
			}
			t.begin()
			t.i64(2, start)
			t.structField(3)
			t.i32(1, int32(c.Type))
			var encs []int32
			for e := int32(0); e < 16; e++ {
				if m.encodings&(1<<e) != 0 {
					encs = append(encs, e)
				}
			}
			t.list(2, tI32, len(encs))
			for _, e := range encs {
				t.i(int64(e))
			}
			t.list(3, tBinary, 1)
			t.b = binary.AppendUvarint(t.b, uint64(len(c.Name)))
			t.b = append(t.b, c.Name...)
			t.i32(4, codecZstd)
			t.i64(5, m.values)
			t.i64(6, m.unc)
			t.i64(7, m.comp)
			t.i64(9, m.dataOff)
			if m.hasDict {
				t.i64(11, m.dictOff)
			}
			t.structField(12)
			t.i64(3, m.nulls)
			if m.hasMinMax {
				t.bin(5, m.max)
				t.bin(6, m.min)
			}
			t.end()
			t.end() // meta_data
			t.end() // ColumnChunk
		}
		t.i64(2, g.size)
		t.i64(3, g.rows)
		t.i64(5, g.off)
		t.i64(6, g.compressed)
		t.i16(7, int16(gi))
		t.end()
	}
	if len(meta) > 0 {
		t.list(5, tStruct, len(meta))
		for _, kv := range meta {
			t.begin()
			t.str(1, kv.Key)
			t.str(2, kv.Value)
			t.end()
		}
	}
	t.str(6, w.createdBy)
	t.list(7, tStruct, len(w.cols))
	for range w.cols {
		t.begin()
		t.structField(1) // TYPE_ORDER
		t.end()
		t.end()
	}
	t.end()
	n := len(t.b)
	t.b = binary.LittleEndian.AppendUint32(t.b, uint32(n))
	t.b = append(t.b, "PAR1"...)
	w.write(t.b)
	return w.err
}

func convertedInt(bits int, unsigned bool) int32 {
	// UINT_8..UINT_64 are 11..14, INT_8..INT_64 15..18.
	k := int32(0)
	for b := 8; b < bits; b *= 2 {
		k++
	}
	if unsigned {
		return 11 + k
	}
	return 15 + k
}

var (
	zOnce sync.Once
	zEnc  *zstd.Encoder
)

// zenc is the process's zstd encoder (fastest level, no checksum), shared
// by all writers: EncodeAll is safe for concurrent use.
func zenc() *zstd.Encoder {
	zOnce.Do(func() {
		var err error
		zEnc, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
			zstd.WithEncoderCRC(false),
			zstd.WithZeroFrames(true),
			zstd.WithLowerEncoderMem(true),
		)
		if err != nil {
			panic("pqwrite: " + err.Error())
		}
	})
	return zEnc
}

// stats tracks a column chunk's min and max (nulls aside).
type stats struct {
	has    bool
	i0, i1 int64
	u0, u1 uint64
	f0, f1 float64
	s0, s1 string
	b0, b1 bool
}

func (s *stats) signed(v []int64) {
	if len(v) == 0 {
		return
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo = min(lo, x)
		hi = max(hi, x)
	}
	if !s.has || lo < s.i0 {
		s.i0 = lo
	}
	if !s.has || hi > s.i1 {
		s.i1 = hi
	}
	s.has = true
}

func (s *stats) unsigned(v []int64) {
	if len(v) == 0 {
		return
	}
	lo, hi := uint64(v[0]), uint64(v[0])
	for _, x := range v {
		lo = min(lo, uint64(x))
		hi = max(hi, uint64(x))
	}
	if !s.has || lo < s.u0 {
		s.u0 = lo
	}
	if !s.has || hi > s.u1 {
		s.u1 = hi
	}
	s.has = true
}

func (s *stats) signed32(v []int32) {
	if len(v) == 0 {
		return
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo = min(lo, x)
		hi = max(hi, x)
	}
	if !s.has || int64(lo) < s.i0 {
		s.i0 = int64(lo)
	}
	if !s.has || int64(hi) > s.i1 {
		s.i1 = int64(hi)
	}
	s.has = true
}

func (s *stats) unsigned32(v []int32) {
	if len(v) == 0 {
		return
	}
	lo, hi := uint32(v[0]), uint32(v[0])
	for _, x := range v {
		lo = min(lo, uint32(x))
		hi = max(hi, uint32(x))
	}
	if !s.has || uint64(lo) < s.u0 {
		s.u0 = uint64(lo)
	}
	if !s.has || uint64(hi) > s.u1 {
		s.u1 = uint64(hi)
	}
	s.has = true
}

// floats ignores NaN (it has no place in the order).
func (s *stats) floats(v []float64) {
	for _, x := range v {
		if x != x {
			continue
		}
		if !s.has {
			s.f0, s.f1, s.has = x, x, true
			continue
		}
		if x < s.f0 {
			s.f0 = x
		}
		if x > s.f1 {
			s.f1 = x
		}
	}
}

func (s *stats) str(x string) {
	if !s.has {
		s.s0, s.s1, s.has = strings.Clone(x), strings.Clone(x), true
		return
	}
	if x < s.s0 {
		s.s0 = strings.Clone(x)
	} else if x > s.s1 {
		s.s1 = strings.Clone(x)
	}
}

func (s *stats) bools(v []bool) {
	for _, x := range v {
		if !s.has {
			s.b0, s.b1, s.has = x, x, true
			continue
		}
		s.b0 = s.b0 && x
		s.b1 = s.b1 || x
	}
}

// bytes encodes min and max as Parquet statistics values (PLAIN, without
// a length for BYTE_ARRAY); zeros of floating point are widened to -0/+0 as
// the format asks.
func (s *stats) bytes(c Column) (lo, hi []byte, ok bool) {
	if !s.has {
		return nil, nil, false
	}
	switch c.Type {
	case Int64:
		if c.Unsigned {
			return binary.LittleEndian.AppendUint64(nil, s.u0), binary.LittleEndian.AppendUint64(nil, s.u1), true
		}
		return binary.LittleEndian.AppendUint64(nil, uint64(s.i0)), binary.LittleEndian.AppendUint64(nil, uint64(s.i1)), true
	case Int32:
		if c.Unsigned {
			return binary.LittleEndian.AppendUint32(nil, uint32(s.u0)), binary.LittleEndian.AppendUint32(nil, uint32(s.u1)), true
		}
		return binary.LittleEndian.AppendUint32(nil, uint32(s.i0)), binary.LittleEndian.AppendUint32(nil, uint32(s.i1)), true
	case Double:
		f0, f1 := s.f0, s.f1
		if f0 == 0 {
			f0 = math.Copysign(0, -1)
		}
		if f1 == 0 {
			f1 = 0
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f0)), binary.LittleEndian.AppendUint64(nil, math.Float64bits(f1)), true
	case ByteArray:
		return []byte(s.s0), []byte(s.s1), true
	case Boolean:
		b := func(x bool) []byte {
			if x {
				return []byte{1}
			}
			return []byte{0}
		}
		return b(s.b0), b(s.b1), true
	}
	return nil, nil, false
}
