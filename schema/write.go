package schema

import (
	"fmt"
	"io"
	"reflect"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/migreplay/migreplay/schema/internal/pqwrite"
)

// RowGroupRows is the row-group size of every file: 122,880 rows, the size
// DuckDB itself writes. Scanners parallelise by row group, so groups must be
// numerous enough for a multi-core scan of one partition, yet large enough
// that each column chunk (a few hundred KiB compressed) amortises its page
// headers and statistics.
const RowGroupRows = 122_880

// PageRows is the number of rows per data page (RowGroupRows is a multiple
// of it). A writer buffers one page of rows, then encodes and compresses
// each column's page; only compressed pages wait for their row group to be
// complete, so an open file holds PageRows rows plus one compressed row
// group.
const PageRows = 4096

// FileWriter writes one table's rows into one Parquet file.
type FileWriter interface {
	// Write appends a row; it must be the table's row type. The row is
	// copied: the caller may reuse it.
	Write(Row) error
	// Flush writes the buffered rows out as a row group (a short one,
	// unless RowGroupRows rows are pending) and releases the page buffers.
	// Writing on afterwards is allowed: rows then start a new row group.
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
// Columns are zstd-compressed (fastest level) in version-1 data pages of
// PageRows rows, RowGroupRows rows per row group, with min/max statistics.
// Encodings come from the parquet tag options:
//
//	dict   RLE_DICTIONARY; past 1 MiB of dictionary per row group the rest of
//	       the group falls back to the type's default below
//	delta  DELTA_BINARY_PACKED (integers and timestamps)
//	plain  PLAIN
//
// and otherwise by type: DELTA_BINARY_PACKED for integers and timestamps
// (optional ones included, where parquet-go's tags cannot say delta), PLAIN
// for floats, strings and booleans.
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
	spec pqwrite.Column
	off  uintptr
	kind fieldKind
	ptr  bool         // a pointer field: optional
	typ  reflect.Kind // the field's (element's) kind
}

// layout is a row type's columns, computed once per type.
type layout struct {
	root string
	cols []column
	pq   []pqwrite.Column
}

var layouts sync.Map // reflect.Type → *layout

func layoutOf(t reflect.Type) *layout {
	if l, ok := layouts.Load(t); ok {
		return l.(*layout)
	}
	l := &layout{root: t.Name()}
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
		s := pqwrite.Column{Name: name, Optional: c.ptr}
		switch {
		case ft == timeType:
			c.kind, s.Type, s.Timestamp, s.Encoding = kTime, pqwrite.Int64, true, pqwrite.Delta
		case ft.Kind() == reflect.String:
			c.kind, s.Type, s.String, s.Encoding = kString, pqwrite.ByteArray, true, pqwrite.Plain
		case ft.Kind() == reflect.Bool:
			c.kind, s.Type, s.Encoding = kBool, pqwrite.Boolean, pqwrite.Plain
		case ft.Kind() == reflect.Float64:
			c.kind, s.Type, s.Encoding = kFloat64, pqwrite.Double, pqwrite.Plain
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			s.IntBits = int(ft.Size()) * 8
			s.Unsigned = ft.Kind() >= reflect.Uint
			c.kind, s.Type, s.Encoding = kInt32, pqwrite.Int32, pqwrite.Delta
			if s.IntBits == 64 {
				c.kind, s.Type = kInt64, pqwrite.Int64
			}
		default:
			panic(fmt.Sprintf("schema: %s.%s: no Parquet column for %v", t.Name(), f.Name, f.Type))
		}
		s.Fallback = s.Encoding
		for _, o := range opts {
			switch o {
			case "dict":
				s.Encoding = pqwrite.Dict
			case "plain":
				s.Encoding, s.Fallback = pqwrite.Plain, pqwrite.Plain
			case "delta":
				if s.Type != pqwrite.Int64 && s.Type != pqwrite.Int32 {
					panic(fmt.Sprintf("schema: %s.%s: delta is for integers and timestamps", t.Name(), f.Name))
				}
				s.Encoding, s.Fallback = pqwrite.Delta, pqwrite.Delta
			case "split":
				panic(fmt.Sprintf("schema: %s.%s: split (BYTE_STREAM_SPLIT) is not readable by Arrow Go v15's pqarrow", t.Name(), f.Name))
			}
		}
		if s.Encoding == pqwrite.Dict && s.Fallback == pqwrite.Dict {
			s.Fallback = pqwrite.Plain
		}
		c.spec = s
		l.cols = append(l.cols, c)
		l.pq = append(l.pq, s)
	}
	v, _ := layouts.LoadOrStore(t, l)
	return v.(*layout)
}

// typedBuffer writes rows of T: it copies them into a page buffer and,
// every PageRows rows, reads each column out of the buffer into a typed
// slice for pqwrite.
type typedBuffer[T any, P interface {
	*T
	Row
}] struct {
	l    *layout
	w    *pqwrite.Writer
	buf  []T
	meta map[string]string
}

func (b *typedBuffer[T, P]) open(w io.Writer, meta map[string]string) {
	b.l = layoutOf(reflect.TypeFor[T]())
	b.w = pqwrite.New(w, b.l.root, b.l.pq, RowGroupRows, "migreplay version "+Version)
	b.meta = meta
}

func (b *typedBuffer[T, P]) Write(r Row) error {
	p, ok := r.(P)
	if !ok {
		return fmt.Errorf("schema: row %T written to a %T file", r, P(nil))
	}
	if b.buf == nil {
		b.buf = make([]T, 0, PageRows)
	}
	b.buf = append(b.buf, *p)
	if len(b.buf) == PageRows {
		return b.flush()
	}
	return nil
}

// scratch holds one page of one column's values.
type scratch struct {
	i64  []int64
	i32  []int32
	f64  []float64
	str  []string
	bool []bool
	defs []uint8
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (b *typedBuffer[T, P]) flush() error {
	n := len(b.buf)
	if n == 0 {
		return nil
	}
	s := scratchPool.Get().(*scratch)
	base := unsafe.Pointer(unsafe.SliceData(b.buf))
	stride := unsafe.Sizeof(b.buf[0])
	for i := range b.l.cols {
		b.l.cols[i].write(b.w, i, s, base, n, stride)
	}
	clear(s.str)
	scratchPool.Put(s)
	clear(b.buf)
	b.buf = b.buf[:0]
	return b.w.EndPage(n)
}

// write reads column c of n rows (stride bytes apart from base) and hands
// them to w as column i.
func (c *column) write(w *pqwrite.Writer, i int, s *scratch, base unsafe.Pointer, n int, stride uintptr) {
	p := unsafe.Add(base, c.off)
	var defs []uint8
	if c.ptr {
		defs = s.defs[:0]
	}
	switch c.kind {
	case kInt64:
		v := s.i64[:0]
		if c.ptr {
			v, defs = optNum[int64](v, defs, p, n, stride)
		} else {
			v = reqNum[int64](v, p, n, stride)
		}
		w.Int64s(i, v, defs)
		s.i64 = v
	case kInt32:
		v := s.i32[:0]
		switch c.typ {
		case reflect.Int32:
			v, defs = num32[int32](v, defs, c.ptr, p, n, stride)
		case reflect.Uint32:
			v, defs = num32[uint32](v, defs, c.ptr, p, n, stride)
		case reflect.Int16:
			v, defs = num32[int16](v, defs, c.ptr, p, n, stride)
		case reflect.Uint16:
			v, defs = num32[uint16](v, defs, c.ptr, p, n, stride)
		case reflect.Int8:
			v, defs = num32[int8](v, defs, c.ptr, p, n, stride)
		case reflect.Uint8:
			v, defs = num32[uint8](v, defs, c.ptr, p, n, stride)
		}
		w.Int32s(i, v, defs)
		s.i32 = v
	case kFloat64:
		v := s.f64[:0]
		if c.ptr {
			v, defs = optNum[float64](v, defs, p, n, stride)
		} else {
			v = reqNum[float64](v, p, n, stride)
		}
		w.Float64s(i, v, defs)
		s.f64 = v
	case kString:
		v := s.str[:0]
		if c.ptr {
			v, defs = optNum[string](v, defs, p, n, stride)
		} else {
			v = reqNum[string](v, p, n, stride)
		}
		w.Strings(i, v, defs)
		s.str = v
	case kBool:
		v := s.bool[:0]
		if c.ptr {
			v, defs = optNum[bool](v, defs, p, n, stride)
		} else {
			v = reqNum[bool](v, p, n, stride)
		}
		w.Bools(i, v, defs)
		s.bool = v
	case kTime:
		v := s.i64[:0]
		if c.ptr {
			for k := 0; k < n; k++ {
				q := *(**time.Time)(unsafe.Add(p, uintptr(k)*stride))
				if q == nil {
					defs = append(defs, 0)
					continue
				}
				defs = append(defs, 1)
				v = append(v, q.UnixMicro())
			}
		} else {
			for k := 0; k < n; k++ {
				v = append(v, (*time.Time)(unsafe.Add(p, uintptr(k)*stride)).UnixMicro())
			}
		}
		w.Int64s(i, v, defs)
		s.i64 = v
	}
	if c.ptr {
		s.defs = defs
	}
}

// reqNum reads a required field of type V (int64 and uint64 alike: the
// column holds their bits).
func reqNum[V any](dst []V, p unsafe.Pointer, n int, stride uintptr) []V {
	for k := 0; k < n; k++ {
		dst = append(dst, *(*V)(unsafe.Add(p, uintptr(k)*stride)))
	}
	return dst
}

// optNum reads a pointer field: non-nil values into dst, a 0/1
// definition level per row into defs.
func optNum[V any](dst []V, defs []uint8, p unsafe.Pointer, n int, stride uintptr) ([]V, []uint8) {
	for k := 0; k < n; k++ {
		q := *(**V)(unsafe.Add(p, uintptr(k)*stride))
		if q == nil {
			defs = append(defs, 0)
			continue
		}
		defs = append(defs, 1)
		dst = append(dst, *q)
	}
	return dst, defs
}

// num32 reads an integer field of at most 32 bits, widened to int32's bits.
func num32[F int8 | int16 | int32 | uint8 | uint16 | uint32](dst []int32, defs []uint8, ptr bool, p unsafe.Pointer, n int, stride uintptr) ([]int32, []uint8) {
	for k := 0; k < n; k++ {
		q := (*F)(unsafe.Add(p, uintptr(k)*stride))
		if ptr {
			q = *(**F)(unsafe.Pointer(q))
			if q == nil {
				defs = append(defs, 0)
				continue
			}
			defs = append(defs, 1)
		}
		dst = append(dst, int32(*q))
	}
	return dst, defs
}

func (b *typedBuffer[T, P]) Flush() error {
	if err := b.flush(); err != nil {
		return err
	}
	b.buf = nil
	return b.w.Flush()
}

func (b *typedBuffer[T, P]) SetMeta(k, v string) { b.meta[k] = v }
func (b *typedBuffer[T, P]) Rows() int64         { return b.w.Rows() + int64(len(b.buf)) }

func (b *typedBuffer[T, P]) Close() error {
	if err := b.flush(); err != nil {
		return err
	}
	b.buf = nil
	keys := make([]string, 0, len(b.meta))
	for k := range b.meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kv := make([]pqwrite.KeyValue, len(keys))
	for i, k := range keys {
		kv[i] = pqwrite.KeyValue{Key: k, Value: b.meta[k]}
	}
	return b.w.Close(kv)
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
