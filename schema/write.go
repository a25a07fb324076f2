package schema

import (
	"encoding/binary"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"
)

// RowGroupRows is the row-group size of every file: 61,440 rows, half of
// what DuckDB writes (122,880). Scanners parallelise by row group, so groups
// must be numerous enough for a multi-core scan of one partition, yet large
// enough that each column chunk (a hundred KiB or more compressed) amortises
// its page headers and statistics. It also bounds a writer's memory: an open
// file buffers one row group of uncompressed column values, and with
// parquet-go's buffers 122,880 rows put a 2 GB xentop ingest (several open
// files of up to 24 columns) above its 256 MB budget; 61,440 keeps it near
// 150 MB (bench/xentop.sh) at no measurable CPU cost.
const RowGroupRows = 61_440

// batchRows is how many rows a writer copies before it shreds them into its
// column buffers (RowGroupRows is a multiple of it).
const batchRows = 4096

// FileWriter writes one table's rows into one Parquet file.
type FileWriter interface {
	// Write appends a row; it must be the table's row type. The row is
	// copied: the caller may reuse it.
	Write(Row) error
	// Flush writes the buffered rows out as a row group (a short one,
	// unless RowGroupRows rows are pending) and releases the column
	// buffers. Writing on afterwards is allowed: rows then start a new row
	// group.
	Flush() error
	// SetMeta sets a key-value metadata entry (before Close).
	SetMeta(key, value string)
	// Rows is the number of rows written so far.
	Rows() int64
	// Close flushes and writes the footer; it does not close w.
	Close() error
}

type rowBuffer interface {
	FileWriter
	open(w io.Writer, meta map[string]string)
}

// NewFileWriter starts a Parquet file of table t on w with meta (plus the
// schema version and table name) in the footer's key-value metadata,
// written in sorted key order.
//
// The file is written by parquet-go (parquet.GenericWriter[any].WriteRowGroup) from a
// parquet.Buffer whose column buffers are filled column by column. Columns
// are zstd-compressed (fastest level) in version-1 data pages of up to
// 1 MiB, RowGroupRows rows per row group, with min/max statistics per
// column chunk and in the page index (not in page headers).
// Encodings come from the parquet tag options:
//
//	dict   RLE_DICTIONARY, one dictionary per column chunk (a chunk's
//	       indexes fit one 1 MiB page, so parquet-go's page-boundary
//	       fallback to PLAIN never applies: keep dict to repeating values)
//	delta  DELTA_BINARY_PACKED (integers and timestamps)
//	plain  PLAIN
//
// and otherwise by type: DELTA_BINARY_PACKED for integers and timestamps
// (optional ones included, which parquet-go's struct tags cannot say, hence
// the schema built here from the row type), PLAIN for floats, strings and
// booleans. Integers carry the INTEGER logical type of their Go width and
// signedness, strings STRING, times TIMESTAMP(MICROS, UTC); pointer fields
// are OPTIONAL.
func (t *Table) NewFileWriter(w io.Writer, meta map[string]string) FileWriter {
	b := t.newWriter()
	m := map[string]string{MetaSchemaVersion: Version, MetaTable: t.Name}
	for k, v := range meta {
		m[k] = v
	}
	b.open(w, m)
	return b
}

// fieldKind is how a struct field is read into a column.
type fieldKind uint8

const (
	kInt64 fieldKind = iota // int64, int, uint64, uint
	kInt32                  // int8 … int32, uint8 … uint32 (widened)
	kFloat64
	kString
	kBool
	kTime
)

// column is one struct field's column.
type column struct {
	off      uintptr
	kind     fieldKind
	ptr      bool         // a pointer field: optional
	unsigned bool         // an unsigned integer: a uint32/uint64 column buffer
	typ      reflect.Kind // the field's (element's) kind
}

// layout is a row type's columns, computed once per type.
type layout struct {
	cols []column
	// file is the schema the file is written with: encodings and zstd
	// per column. buffer is the same columns without encodings, for the
	// parquet.Buffer that collects a row group, so that its column buffers
	// are plain typed slices (parquet-go re-encodes them on WriteRowGroup;
	// the two schemas are EqualNodes, which ignores encodings).
	file, buffer *parquet.Schema
}

var layouts sync.Map // reflect.Type → *layout

var zstdFastest compress.Codec = &zstd.Codec{Level: zstd.SpeedFastest}

func layoutOf(t reflect.Type) *layout {
	if l, ok := layouts.Load(t); ok {
		return l.(*layout)
	}
	l := &layout{}
	var fileFields, bufFields []parquet.Field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts := ParquetTag(f)
		if name == "-" {
			continue
		}
		c := column{off: f.Offset}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			c.ptr, ft = true, ft.Elem()
		}
		c.typ = ft.Kind()
		var leaf parquet.Node
		var enc encoding.Encoding
		isInt := false
		switch {
		case ft == timeType:
			c.kind, leaf, enc, isInt = kTime, parquet.Timestamp(parquet.Microsecond), &parquet.DeltaBinaryPacked, true
		case ft.Kind() == reflect.String:
			c.kind, leaf, enc = kString, parquet.String(), &parquet.Plain
		case ft.Kind() == reflect.Bool:
			c.kind, leaf, enc = kBool, parquet.Leaf(parquet.BooleanType), &parquet.Plain
		case ft.Kind() == reflect.Float64:
			c.kind, leaf, enc = kFloat64, parquet.Leaf(parquet.DoubleType), &parquet.Plain
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			bits := int(ft.Size()) * 8
			c.unsigned = ft.Kind() >= reflect.Uint
			c.kind, enc, isInt = kInt32, &parquet.DeltaBinaryPacked, true
			if bits == 64 {
				c.kind = kInt64
			}
			if c.unsigned {
				leaf = parquet.Uint(bits)
			} else {
				leaf = parquet.Int(bits)
			}
		default:
			panic(fmt.Sprintf("schema: %s.%s: no Parquet column for %v", t.Name(), f.Name, f.Type))
		}
		for _, o := range opts {
			switch o {
			case "dict":
				enc = &parquet.RLEDictionary
			case "plain":
				enc = &parquet.Plain
			case "delta":
				if !isInt {
					panic(fmt.Sprintf("schema: %s.%s: delta is for integers and timestamps", t.Name(), f.Name))
				}
				enc = &parquet.DeltaBinaryPacked
			}
		}
		fileNode := parquet.Compressed(parquet.Encoded(leaf, enc), zstdFastest)
		bufNode := leaf
		if c.ptr {
			fileNode, bufNode = parquet.Optional(fileNode), parquet.Optional(bufNode)
		}
		fileFields = append(fileFields, &field{Node: fileNode, name: name, index: i})
		bufFields = append(bufFields, &field{Node: bufNode, name: name, index: i})
		l.cols = append(l.cols, c)
	}
	l.file = parquet.NewSchema(t.Name(), &group{fields: fileFields, goType: t})
	l.buffer = parquet.NewSchema(t.Name(), &group{fields: bufFields, goType: t})
	v, _ := layouts.LoadOrStore(t, l)
	return v.(*layout)
}

// group is a parquet group node whose fields keep the struct's field order
// (parquet.Group is a map and sorts its fields by name).
type group struct {
	fields []parquet.Field
	goType reflect.Type
}

func (g *group) ID() int                     { return 0 }
func (g *group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g *group) Optional() bool              { return false }
func (g *group) Repeated() bool              { return false }
func (g *group) Required() bool              { return true }
func (g *group) Leaf() bool                  { return false }
func (g *group) Fields() []parquet.Field     { return g.fields }
func (g *group) Encoding() encoding.Encoding { return nil }
func (g *group) Compression() compress.Codec { return nil }
func (g *group) GoType() reflect.Type        { return g.goType }

func (g *group) String() string {
	var s strings.Builder
	s.WriteString("group {")
	for _, f := range g.fields {
		fmt.Fprintf(&s, " %s: %v;", f.Name(), f.Type())
	}
	s.WriteString(" }")
	return s.String()
}

// field is one column of a group: a leaf node with its name and the index
// of its struct field.
type field struct {
	parquet.Node
	name  string
	index int
}

func (f *field) Name() string { return f.name }

func (f *field) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	return base.Field(f.index)
}

// typedBuffer writes rows of T: it copies them into a batch and, every
// batchRows rows, reads each column out of the batch into a typed slice
// and appends it to that column's buffer in a parquet.Buffer; a full
// buffer (RowGroupRows rows) is written by parquet-go as one row group.
type typedBuffer[T any, P interface {
	*T
	Row
}] struct {
	l     *layout
	w     *parquet.GenericWriter[any]
	group *parquet.Buffer // the row group being collected; nil after Flush
	batch []T
	rows  int64 // rows in the row groups written
	meta  map[string]string
}

func (b *typedBuffer[T, P]) open(w io.Writer, meta map[string]string) {
	b.l = layoutOf(reflect.TypeFor[T]())
	b.w = parquet.NewGenericWriter[any](w, b.l.file,
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.PageBufferSize(256<<10),
		parquet.DataPageVersion(1),
		// min/max once per page, for the page index and the chunk
		// statistics; not again in each page header
		parquet.DataPageStatistics(false),
		parquet.CreatedBy("migreplay", Version, ""),
	)
	b.meta = meta
}

func (b *typedBuffer[T, P]) Write(r Row) error {
	p, ok := r.(P)
	if !ok {
		return fmt.Errorf("schema: row %T written to a %T file", r, P(nil))
	}
	if b.batch == nil {
		b.batch = make([]T, 0, batchRows)
	}
	b.batch = append(b.batch, *p)
	if len(b.batch) == batchRows {
		return b.shred()
	}
	return nil
}

// scratch holds one batch of one column's values.
type scratch struct {
	i64   []int64
	i32   []int32
	f64   []float64
	str   []string
	bool  []bool
	bytes []byte
	vals  []parquet.Value
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// shred appends the batch to the column buffers, and writes the row group
// when it is full.
func (b *typedBuffer[T, P]) shred() error {
	n := len(b.batch)
	if n == 0 {
		return nil
	}
	if b.group == nil {
		b.group = parquet.NewBuffer(b.l.buffer)
	}
	s := scratchPool.Get().(*scratch)
	base := unsafe.Pointer(unsafe.SliceData(b.batch))
	stride := unsafe.Sizeof(b.batch[0])
	cbs := b.group.ColumnBuffers()
	var err error
	for i := range b.l.cols {
		if err = b.l.cols[i].write(cbs[i], i, s, base, n, stride); err != nil {
			err = fmt.Errorf("schema: column %s: %w", b.l.buffer.Fields()[i].Name(), err)
			break
		}
	}
	clear(s.str)
	clear(s.vals)
	scratchPool.Put(s)
	clear(b.batch)
	b.batch = b.batch[:0]
	if err != nil {
		return err
	}
	if b.group.NumRows() >= RowGroupRows {
		return b.writeGroup()
	}
	return nil
}

// writeGroup has parquet-go encode, compress and write the collected row
// group, and empties the column buffers for the next.
func (b *typedBuffer[T, P]) writeGroup() error {
	if b.group == nil || b.group.NumRows() == 0 {
		return nil
	}
	n, err := b.w.WriteRowGroup(b.group)
	b.rows += n
	b.group.Reset()
	if err != nil {
		return fmt.Errorf("schema: write row group: %w", err)
	}
	return nil
}

// write reads column c of n rows (stride bytes apart from base) and appends
// them to cb, the buffer of column ci: through the buffer's typed writer
// for a required column, as parquet.Values with definition levels for an
// optional one.
func (c *column) write(cb parquet.ColumnBuffer, ci int, s *scratch, base unsafe.Pointer, n int, stride uintptr) error {
	p := unsafe.Add(base, c.off)
	if c.ptr {
		vals := c.values(s.vals[:0], ci, p, n, stride)
		s.vals = vals
		_, err := cb.WriteValues(vals)
		return err
	}
	var err error
	switch c.kind {
	case kInt64:
		v := reqNum[int64](s.i64[:0], p, n, stride)
		s.i64 = v
		if c.unsigned {
			_, err = typed[uint64Writer](cb).WriteUint64s(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(v))), len(v)))
		} else {
			_, err = typed[parquet.Int64Writer](cb).WriteInt64s(v)
		}
	case kInt32:
		v := s.i32[:0]
		switch c.typ {
		case reflect.Int32:
			v = req32[int32](v, p, n, stride)
		case reflect.Uint32:
			v = req32[uint32](v, p, n, stride)
		case reflect.Int16:
			v = req32[int16](v, p, n, stride)
		case reflect.Uint16:
			v = req32[uint16](v, p, n, stride)
		case reflect.Int8:
			v = req32[int8](v, p, n, stride)
		case reflect.Uint8:
			v = req32[uint8](v, p, n, stride)
		}
		s.i32 = v
		if c.unsigned {
			_, err = typed[uint32Writer](cb).WriteUint32s(unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(v))), len(v)))
		} else {
			_, err = typed[parquet.Int32Writer](cb).WriteInt32s(v)
		}
	case kFloat64:
		v := reqNum[float64](s.f64[:0], p, n, stride)
		s.f64 = v
		_, err = typed[parquet.DoubleWriter](cb).WriteDoubles(v)
	case kBool:
		v := reqNum[bool](s.bool[:0], p, n, stride)
		s.bool = v
		_, err = typed[parquet.BooleanWriter](cb).WriteBooleans(v)
	case kString:
		// ByteArrayWriter takes PLAIN layout: a 4-byte little-endian
		// length before each value.
		v := s.bytes[:0]
		for k := 0; k < n; k++ {
			str := *(*string)(unsafe.Add(p, uintptr(k)*stride))
			v = binary.LittleEndian.AppendUint32(v, uint32(len(str)))
			v = append(v, str...)
		}
		s.bytes = v
		_, err = typed[parquet.ByteArrayWriter](cb).WriteByteArrays(v)
	case kTime:
		v := s.i64[:0]
		for k := 0; k < n; k++ {
			v = append(v, (*time.Time)(unsafe.Add(p, uintptr(k)*stride)).UnixMicro())
		}
		s.i64 = v
		_, err = typed[parquet.Int64Writer](cb).WriteInt64s(v)
	}
	return err
}

// uint32Writer and uint64Writer are the typed writers of parquet-go's
// unsigned column buffers (it exports no interface for them).
type (
	uint32Writer interface {
		WriteUint32s([]uint32) (int, error)
	}
	uint64Writer interface {
		WriteUint64s([]uint64) (int, error)
	}
)

// typed returns cb's typed writer W; layoutOf chose the logical types so
// that every required column's buffer has one.
func typed[W any](cb parquet.ColumnBuffer) W {
	w, ok := cb.(W)
	if !ok {
		panic(fmt.Sprintf("schema: column buffer %T is no %T", cb, (*W)(nil)))
	}
	return w
}

// values reads a pointer field into dst as parquet.Values of column ci:
// definition level 0 for nil, 1 with the value otherwise. Unsigned values
// keep their bits in the physical INT32/INT64 value. (One loop per kind:
// a value-making closure would cost a call per value.)
func (c *column) values(dst []parquet.Value, ci int, p unsafe.Pointer, n int, stride uintptr) []parquet.Value {
	null := parquet.NullValue().Level(0, 0, ci)
	switch {
	case c.kind == kInt64:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int64Value(*(*int64)(q)).Level(0, 1, ci))
		}
	case c.typ == reflect.Int32 || c.typ == reflect.Uint32:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int32Value(*(*int32)(q)).Level(0, 1, ci))
		}
	case c.typ == reflect.Int16:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int32Value(int32(*(*int16)(q))).Level(0, 1, ci))
		}
	case c.typ == reflect.Uint16:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int32Value(int32(*(*uint16)(q))).Level(0, 1, ci))
		}
	case c.typ == reflect.Int8:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int32Value(int32(*(*int8)(q))).Level(0, 1, ci))
		}
	case c.typ == reflect.Uint8:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int32Value(int32(*(*uint8)(q))).Level(0, 1, ci))
		}
	case c.kind == kFloat64:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.DoubleValue(*(*float64)(q)).Level(0, 1, ci))
		}
	case c.kind == kBool:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.BooleanValue(*(*bool)(q)).Level(0, 1, ci))
		}
	case c.kind == kString:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			str := *(*string)(q)
			dst = append(dst, parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(str), len(str))).Level(0, 1, ci))
		}
	case c.kind == kTime:
		for k := 0; k < n; k++ {
			q := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(k)*stride))
			if q == nil {
				dst = append(dst, null)
				continue
			}
			dst = append(dst, parquet.Int64Value((*time.Time)(q).UnixMicro()).Level(0, 1, ci))
		}
	}
	return dst
}

// reqNum reads a required field of type V (int64 and uint64 alike: the
// column holds their bits).
func reqNum[V any](dst []V, p unsafe.Pointer, n int, stride uintptr) []V {
	for k := 0; k < n; k++ {
		dst = append(dst, *(*V)(unsafe.Add(p, uintptr(k)*stride)))
	}
	return dst
}

// req32 reads a required integer field of at most 32 bits, widened to
// int32's bits.
func req32[F int8 | int16 | int32 | uint8 | uint16 | uint32](dst []int32, p unsafe.Pointer, n int, stride uintptr) []int32 {
	for k := 0; k < n; k++ {
		dst = append(dst, int32(*(*F)(unsafe.Add(p, uintptr(k)*stride))))
	}
	return dst
}

func (b *typedBuffer[T, P]) Flush() error {
	if err := b.shred(); err != nil {
		return err
	}
	err := b.writeGroup()
	b.batch, b.group = nil, nil
	return err
}

func (b *typedBuffer[T, P]) SetMeta(k, v string) { b.meta[k] = v }

func (b *typedBuffer[T, P]) Rows() int64 {
	n := b.rows + int64(len(b.batch))
	if b.group != nil {
		n += b.group.NumRows()
	}
	return n
}

func (b *typedBuffer[T, P]) Close() error {
	if err := b.Flush(); err != nil {
		return err
	}
	keys := make([]string, 0, len(b.meta))
	for k := range b.meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.w.SetKeyValueMetadata(k, b.meta[k])
	}
	if err := b.w.Close(); err != nil {
		return fmt.Errorf("schema: close Parquet file: %w", err)
	}
	return nil
}

// WriteRows writes rows (all of table t) into one Parquet file on w.
func WriteRows[T any, P interface {
	*T
	Row
}](w io.Writer, rows []T, meta map[string]string) error {
	t := TableOf(P(new(T)))
	fw := t.NewFileWriter(w, meta)
	for i := range rows {
		if err := fw.Write(P(&rows[i])); err != nil {
			return err
		}
	}
	return fw.Close()
}
