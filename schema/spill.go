package schema

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"time"
	"unsafe"
)

// Spilling: a writer whose rows cannot stay in memory until it encodes
// them (ingest's router, when a source has more partitions than its budget
// holds) writes them out in a compact row format instead, and reads them
// back at the end, before the rows it buffers then: its file gets the same
// rows in the same order as if they had stayed, so the same bytes.
//
// A row is its columns in layout order, each:
//
//	optional (pointer, []byte)   1 byte: 0 null, 1 present (then the value)
//	integers                     the field's bytes (1, 2, 4 or 8), little-endian
//	float64                      8 bytes, IEEE 754 bits
//	bool                         1 byte
//	string, []byte               uvarint length, then the bytes
//	time.Time                    int64 Unix seconds, int32 nanoseconds (UTC)
//
// Fields tagged "-" are not written to Parquet and are not kept. A time
// comes back in UTC: files store its instant, never its zone.

// appendRow appends the row at p to dst.
func (l *layout) appendRow(dst []byte, p unsafe.Pointer) []byte {
	for i := range l.cols {
		c := &l.cols[i]
		q := unsafe.Add(p, c.off)
		if c.kind == kBytes {
			b := *(*[]byte)(q)
			if b == nil {
				dst = append(dst, 0)
				continue
			}
			dst = binary.AppendUvarint(append(dst, 1), uint64(len(b)))
			dst = append(dst, b...)
			continue
		}
		if c.ptr {
			q = *(*unsafe.Pointer)(q)
			if q == nil {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, 1)
		}
		switch c.kind {
		case kString:
			s := *(*string)(q)
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		case kTime:
			t := (*time.Time)(q)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(t.Unix()))
			dst = binary.LittleEndian.AppendUint32(dst, uint32(t.Nanosecond()))
		default:
			dst = append(dst, unsafe.Slice((*byte)(q), c.size())...)
		}
	}
	return dst
}

// size is the bytes of a fixed-size column's value.
func (c *column) size() int {
	switch c.typ {
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return 1
	case reflect.Int16, reflect.Uint16:
		return 2
	case reflect.Int32, reflect.Uint32:
		return 4
	}
	return 8 // int64, uint64, int, uint, float64
}

var errSpillFormat = errors.New("schema: spilled rows are not in the row format (a truncated or foreign spill)")

// readRow reads a row written by appendRow into the zero row at p; io.EOF
// when r is at its end before the row.
func (l *layout) readRow(r *bufio.Reader, p unsafe.Pointer, slab *[]uint64) error {
	for i := range l.cols {
		c := &l.cols[i]
		q := unsafe.Add(p, c.off)
		if c.ptr || c.kind == kBytes {
			flag, err := r.ReadByte()
			if err != nil {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
			if flag == 0 {
				continue
			}
		}
		switch c.kind {
		case kString, kBytes:
			n, err := binary.ReadUvarint(r)
			if err != nil || n > math.MaxInt32 {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return errSpillFormat
			}
			switch {
			case c.kind == kBytes:
				*(*[]byte)(q) = b
			case c.ptr:
				s := unsafe.String(unsafe.SliceData(b), len(b))
				*(*unsafe.Pointer)(q) = unsafe.Pointer(&s)
			default:
				*(*string)(q) = unsafe.String(unsafe.SliceData(b), len(b))
			}
		case kTime:
			var v [12]byte
			if _, err := io.ReadFull(r, v[:]); err != nil {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
			t := time.Unix(int64(binary.LittleEndian.Uint64(v[:8])), int64(binary.LittleEndian.Uint32(v[8:]))).UTC()
			if c.ptr {
				*(*unsafe.Pointer)(q) = unsafe.Pointer(&t)
			} else {
				*(*time.Time)(q) = t
			}
		default:
			if c.ptr {
				// values of 1 to 8 bytes without pointers: one word of
				// a slab each, instead of an allocation each
				if len(*slab) == cap(*slab) {
					*slab = make([]uint64, 0, 1024)
				}
				*slab = (*slab)[:len(*slab)+1]
				v := unsafe.Pointer(&(*slab)[len(*slab)-1])
				*(*unsafe.Pointer)(q) = v
				q = v
			}
			if _, err := io.ReadFull(r, unsafe.Slice((*byte)(q), c.size())); err != nil {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
		}
	}
	return nil
}

// SpillTo implements FileWriter.
func (b *typedBuffer[T, P]) SpillTo(w io.Writer) error {
	if b.w != nil || b.queued > 0 || b.jobs != nil {
		return fmt.Errorf("schema: a %s file spills only before it encodes rows", b.table)
	}
	b.spill = w
	return nil
}

// Spill implements FileWriter.
func (b *typedBuffer[T, P]) Spill() error {
	if b.err != nil || len(b.batch) == 0 {
		return b.err
	}
	if b.spill == nil {
		return fmt.Errorf("schema: Spill on a %s file that does not spill (SpillTo first)", b.table)
	}
	buf := b.spillBuf[:0]
	for i := range b.batch {
		buf = b.l.appendRow(buf, unsafe.Pointer(&b.batch[i]))
	}
	if _, err := b.spill.Write(buf); err != nil {
		b.err = fmt.Errorf("schema: spill %s rows: %w", b.table, err)
	}
	b.spillBuf = buf[:0]
	if cap(b.spillBuf) > 1<<20 {
		b.spillBuf = nil
	}
	// the file now holds no row: its next rows start a small batch
	b.batch = nil
	if b.pts != nil {
		b.pts.reset()
		b.l.putPointees(b.pts)
		b.pts = nil
	}
	return b.err
}

// Unspill implements FileWriter.
func (b *typedBuffer[T, P]) Unspill(r io.Reader) error {
	if b.err != nil {
		return b.err
	}
	// the rows buffered now go after the spilled ones; what they point
	// to stays in their pointees until they are copied
	rest, restPts := b.batch, b.pts
	b.batch, b.pts, b.spill, b.spillBuf = nil, nil, nil, nil
	defer func() {
		if restPts != nil {
			restPts.reset()
			b.l.putPointees(restPts)
		}
	}()
	br := bufio.NewReaderSize(r, 64<<10)
	var slab []uint64
	for {
		var row T
		err := b.l.readRow(br, unsafe.Pointer(&row), &slab)
		if err == io.EOF {
			break
		}
		if err == nil {
			err = b.push(&row)
		}
		if err != nil {
			if b.err == nil {
				b.err = err
			}
			return b.err
		}
	}
	for i := range rest {
		if err := b.push(&rest[i]); err != nil {
			return err
		}
	}
	return nil
}
