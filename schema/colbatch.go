package schema

import (
	"math"
	"reflect"
	"slices"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// A FileWriter buffers rows column by column: Write reads each column's
// value out of the row into that column's buffer, so that neither the row
// nor what its pointer fields point to is kept after Write returns (a
// parser may hand out every row's numbers, bools and times from the same
// words: parse.Options.Reuse). Numbers, bools and times are one 8-byte
// word a row (a time its Unix microseconds, what the file stores), a
// pointer field's nil a false in the column's presence flags: those
// buffers hold no pointers, so the collector neither scans them nor runs
// write barriers on them, and a batch is read back sequentially, column
// after column, when it is encoded. Strings are kept as strings (parsers
// never reuse their bytes), []byte as the caller's slice.
type colBatch struct {
	n, cap int       // rows held, rows room
	cols   []colData // one a layout column
}

// colData is one column of a batch; each slice is cap long.
type colData struct {
	words []uint64 // numbers, bools and times (see fill)
	set   []bool   // pointer fields: the row's pointer was not nil
	strs  []string
	bytes [][]byte // nil a null
}

// op is how fill moves a column's value from a row into its buffer.
type op uint8

const (
	op64     op = iota // 8 bytes as they are: int64, uint64, int, uint, float64
	opI32              // int32, uint32: the 32 bits, sign-extended
	opI16              // widened to int32 as Int32Value takes them
	opU16              //
	opI8               //
	opU8               //
	opBool             // 0 or 1
	opTime             // Unix microseconds
	opString           //
	opBytes            //
)

// opOf is column c's op.
func opOf(c *column) op {
	switch c.kind {
	case kTime:
		return opTime
	case kString:
		return opString
	case kBytes:
		return opBytes
	case kBool:
		return opBool
	}
	switch c.typ {
	case reflect.Int32, reflect.Uint32:
		return opI32
	case reflect.Int16:
		return opI16
	case reflect.Uint16:
		return opU16
	case reflect.Int8:
		return opI8
	case reflect.Uint8:
		return opU8
	}
	return op64
}

// shape counts l's column buffers of each kind: words (numbers, bools and
// times), strings, []byte, and presence flags (pointer fields but []byte).
func (l *layout) shape() (words, strs, bytes, flags int) {
	for i := range l.cols {
		c := &l.cols[i]
		switch c.op {
		case opString:
			strs++
		case opBytes:
			bytes++
		default:
			words++
		}
		if c.ptr && c.op != opBytes {
			flags++
		}
	}
	return
}

// bufBytes is what a buffered row of l costs: a word a number, bool or
// time, a string header a string, a slice header a []byte, and a byte of
// presence flag a pointer field (Table.rowBytes, WriterMemory).
func (l *layout) bufBytes() int64 {
	nw, ns, nb, nf := l.shape()
	return int64(nw)*8 + int64(ns)*int64(unsafe.Sizeof("")) + int64(nb)*int64(unsafe.Sizeof([]byte(nil))) + int64(nf)
}

// newBatch makes an empty batch of room rows, each kind of buffer in one
// allocation shared by the columns.
func (l *layout) newBatch(room int) *colBatch {
	nw, ns, nb, nf := l.shape()
	words := make([]uint64, nw*room)
	strs := make([]string, ns*room)
	bytes := make([][]byte, nb*room)
	set := make([]bool, nf*room)
	bt := &colBatch{cap: room, cols: make([]colData, len(l.cols))}
	for i := range l.cols {
		c, d := &l.cols[i], &bt.cols[i]
		switch c.op {
		case opString:
			d.strs, strs = strs[:room:room], strs[room:]
		case opBytes:
			d.bytes, bytes = bytes[:room:room], bytes[room:]
		default:
			d.words, words = words[:room:room], words[room:]
		}
		if c.ptr && c.op != opBytes {
			d.set, set = set[:room:room], set[room:]
		}
	}
	return bt
}

// reset empties bt, dropping its references to strings and bytes.
func (bt *colBatch) reset() {
	for i := range bt.cols {
		d := &bt.cols[i]
		if d.strs != nil {
			clear(d.strs[:bt.n])
		}
		if d.bytes != nil {
			clear(d.bytes[:bt.n])
		}
	}
	bt.n = 0
}

// copyFrom appends src's rows to bt, which has room for them.
func (bt *colBatch) copyFrom(src *colBatch) {
	for i := range bt.cols {
		d, s := &bt.cols[i], &src.cols[i]
		if d.words != nil {
			copy(d.words[bt.n:], s.words[:src.n])
		}
		if d.set != nil {
			copy(d.set[bt.n:], s.set[:src.n])
		}
		if d.strs != nil {
			copy(d.strs[bt.n:], s.strs[:src.n])
		}
		if d.bytes != nil {
			copy(d.bytes[bt.n:], s.bytes[:src.n])
		}
	}
	bt.n += src.n
}

// copyRow appends row k of src to bt, which has room for it.
func (bt *colBatch) copyRow(src *colBatch, k int) {
	n := bt.n
	for i := range bt.cols {
		d, s := &bt.cols[i], &src.cols[i]
		if d.words != nil {
			d.words[n] = s.words[k]
		}
		if d.set != nil {
			d.set[n] = s.set[k]
		}
		if d.strs != nil {
			d.strs[n] = s.strs[k]
		}
		if d.bytes != nil {
			d.bytes[n] = s.bytes[k]
		}
	}
	bt.n++
}

// fill appends the row at p to bt, which has room for it.
func (l *layout) fill(bt *colBatch, p unsafe.Pointer) {
	k := bt.n
	for i := range l.cols {
		c, d := &l.cols[i], &bt.cols[i]
		q := unsafe.Add(p, c.off)
		if c.ptr && c.op != opBytes {
			q = *(*unsafe.Pointer)(q)
			d.set[k] = q != nil
			if q == nil {
				continue
			}
		}
		switch c.op {
		case op64:
			d.words[k] = *(*uint64)(q)
		case opString:
			d.strs[k] = *(*string)(q)
		case opTime:
			d.words[k] = uint64((*time.Time)(q).UnixMicro())
		case opBytes:
			d.bytes[k] = *(*[]byte)(q)
		default:
			d.words[k] = smallWord(c.op, q)
		}
	}
	bt.n++
}

// smallWord is the word of a value narrower than 8 bytes at q.
func smallWord(o op, q unsafe.Pointer) uint64 {
	switch o {
	case opI32:
		return uint64(int64(*(*int32)(q)))
	case opI16:
		return uint64(int64(*(*int16)(q)))
	case opU16:
		return uint64(*(*uint16)(q))
	case opI8:
		return uint64(int64(*(*int8)(q)))
	case opU8:
		return uint64(*(*uint8)(q))
	case opBool:
		if *(*bool)(q) {
			return 1
		}
		return 0
	}
	panic("schema: smallWord of a wide op")
}

// values reads column c of bt's rows into dst as parquet.Values: a
// pointer field's nil is a null (the zero Value, definition level 0), its
// values are at definition level 1, a required field's at 0. Unsigned
// values keep their bits in the physical INT32/INT64 value. (A loop per
// kind and optionality: a value-making closure would cost a call per
// value, and this runs for every value written.)
func (c *column) values(dst []parquet.Value, d *colData, n int) []parquet.Value {
	dst = slices.Grow(dst[:0], n)[:n]
	if c.ptr {
		// a null is the zero Value; a value gets definition level 1
		clear(dst)
		switch c.kind {
		case kInt64, kTime:
			for k, ok := range d.set[:n] {
				if ok {
					dst[k] = parquet.Int64Value(int64(d.words[k]))
					dst[k].SetDefinitionLevel(1)
				}
			}
		case kInt32:
			for k, ok := range d.set[:n] {
				if ok {
					dst[k] = parquet.Int32Value(int32(d.words[k]))
					dst[k].SetDefinitionLevel(1)
				}
			}
		case kFloat64:
			for k, ok := range d.set[:n] {
				if ok {
					dst[k] = parquet.DoubleValue(math.Float64frombits(d.words[k]))
					dst[k].SetDefinitionLevel(1)
				}
			}
		case kBool:
			for k, ok := range d.set[:n] {
				if ok {
					dst[k] = parquet.BooleanValue(d.words[k] != 0)
					dst[k].SetDefinitionLevel(1)
				}
			}
		case kString:
			for k, ok := range d.set[:n] {
				if ok {
					dst[k] = stringValue(d.strs[k])
					dst[k].SetDefinitionLevel(1)
				}
			}
		case kBytes:
			for k, b := range d.bytes[:n] {
				if b != nil {
					dst[k] = parquet.ByteArrayValue(b)
					dst[k].SetDefinitionLevel(1)
				}
			}
		}
		return dst
	}
	switch c.kind {
	case kInt64, kTime:
		for k, w := range d.words[:n] {
			dst[k] = parquet.Int64Value(int64(w))
		}
	case kInt32:
		for k, w := range d.words[:n] {
			dst[k] = parquet.Int32Value(int32(w))
		}
	case kFloat64:
		for k, w := range d.words[:n] {
			dst[k] = parquet.DoubleValue(math.Float64frombits(w))
		}
	case kBool:
		for k, w := range d.words[:n] {
			dst[k] = parquet.BooleanValue(w != 0)
		}
	case kString:
		for k, s := range d.strs[:n] {
			dst[k] = stringValue(s)
		}
	}
	return dst
}

func stringValue(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}
