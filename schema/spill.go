package schema

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
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
//	integers, bools              the field's bytes (1, 2, 4 or 8), little-endian
//	float64                      8 bytes, IEEE 754 bits
//	time.Time                    8 bytes, int64 Unix microseconds (what files store)
//	string, []byte               uvarint length, then the bytes
//
// Fields tagged "-" are not written to Parquet and are not kept. Rows are
// written from a batch's column buffers (colbatch.go) and read back into
// them: the spill holds the words Write buffered, in fewer bytes.

// appendRow appends row k of bt to dst.
func (l *layout) appendRow(dst []byte, bt *colBatch, k int) []byte {
	for i := range l.cols {
		c, d := &l.cols[i], &bt.cols[i]
		if c.op == opBytes {
			b := d.bytes[k]
			if b == nil {
				dst = append(dst, 0)
				continue
			}
			dst = binary.AppendUvarint(append(dst, 1), uint64(len(b)))
			dst = append(dst, b...)
			continue
		}
		if c.ptr {
			if !d.set[k] {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, 1)
		}
		if c.op == opString {
			s := d.strs[k]
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
			continue
		}
		// the word's low bytes: the field's (smallWord only widens)
		dst = binary.LittleEndian.AppendUint64(dst, d.words[k])[:len(dst)+c.size()]
	}
	return dst
}

// size is the bytes of a fixed-size column's value (a time's: its
// microseconds).
func (c *column) size() int {
	switch c.typ {
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return 1
	case reflect.Int16, reflect.Uint16:
		return 2
	case reflect.Int32, reflect.Uint32:
		return 4
	}
	return 8 // int64, uint64, int, uint, float64, time.Time
}

var errSpillFormat = errors.New("schema: spilled rows are not in the row format (a truncated or foreign spill)")

// readRow reads a row written by appendRow and appends it to bt, which
// has room for it; io.EOF when r is at its end before the row.
func (l *layout) readRow(r *bufio.Reader, bt *colBatch) error {
	k := bt.n
	for i := range l.cols {
		c, d := &l.cols[i], &bt.cols[i]
		if c.ptr {
			flag, err := r.ReadByte()
			if err != nil {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
			if c.op == opBytes {
				d.bytes[k] = nil
			} else {
				d.set[k] = flag != 0
			}
			if flag == 0 {
				continue
			}
		}
		switch c.op {
		case opString, opBytes:
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
			if c.op == opBytes {
				d.bytes[k] = b
			} else {
				d.strs[k] = unsafe.String(unsafe.SliceData(b), len(b))
			}
		default:
			var v [8]byte
			if _, err := io.ReadFull(r, v[:c.size()]); err != nil {
				if i == 0 && err == io.EOF {
					return io.EOF
				}
				return errSpillFormat
			}
			if c.size() == 8 {
				d.words[k] = binary.LittleEndian.Uint64(v[:])
			} else {
				d.words[k] = smallWord(c.op, unsafe.Pointer(&v))
			}
		}
	}
	bt.n++
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
	b.unstage()
	if b.err != nil || b.batch == nil || b.batch.n == 0 {
		return b.err
	}
	if b.spill == nil {
		return fmt.Errorf("schema: Spill on a %s file that does not spill (SpillTo first)", b.table)
	}
	buf := b.spillBuf[:0]
	for k := range b.batch.n {
		buf = b.l.appendRow(buf, b.batch, k)
	}
	if _, err := b.spill.Write(buf); err != nil {
		b.err = fmt.Errorf("schema: spill %s rows: %w", b.table, err)
	}
	b.spillBuf = buf[:0]
	if cap(b.spillBuf) > 1<<20 {
		b.spillBuf = nil
	}
	// the file now holds no row: its next rows start a small batch
	b.l.putBatch(b.batch)
	b.batch = nil
	return b.err
}

// Unspill implements FileWriter.
func (b *typedBuffer[T, P]) Unspill(r io.Reader) error {
	if b.err != nil {
		return b.err
	}
	// the rows buffered now go after the spilled ones
	b.unstage()
	rest := b.batch
	b.batch, b.spill, b.spillBuf = nil, nil, nil
	defer b.l.putBatch(rest)
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		b.room()
		err := b.l.readRow(br, b.batch)
		if err == io.EOF {
			break
		}
		if err == nil {
			err = b.pushed()
		}
		if err != nil {
			if b.err == nil {
				b.err = err
			}
			return b.err
		}
	}
	if rest == nil {
		return nil
	}
	for k := range rest.n {
		b.room()
		b.batch.copyRow(rest, k)
		if err := b.pushed(); err != nil {
			return err
		}
	}
	return nil
}
