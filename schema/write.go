package schema

import (
	"fmt"
	"io"
	"sort"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// RowGroupRows is the row-group size of every file: 122,880 rows, the size
// DuckDB itself writes. Scanners parallelise by row group, so groups must be
// numerous enough for a multi-core scan of one partition, yet large enough
// that each column chunk (a few hundred KiB compressed) amortises its page
// headers and statistics. It also bounds a writer's memory: one row group
// per open file is buffered before it is flushed.
const RowGroupRows = 122_880

// FileWriter writes one table's rows into one Parquet file.
type FileWriter interface {
	// Write appends a row; it must be the table's row type.
	Write(Row) error
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

// NewFileWriter starts a Parquet file of table t on w with zstd compression,
// RowGroupRows row groups and meta (plus the schema version and table name)
// in the footer's key-value metadata, written in sorted key order.
func (t *Table) NewFileWriter(w io.Writer, meta map[string]string) FileWriter {
	b := t.newWriter()
	m := map[string]string{MetaSchemaVersion: Version, MetaTable: t.Name}
	for k, v := range meta {
		m[k] = v
	}
	b.open(w, m)
	return b
}

const batch = 512

type typedBuffer[T any, P interface {
	*T
	Row
}] struct {
	w    *parquet.GenericWriter[T]
	buf  []T
	rows int64
	meta map[string]string
}

func (b *typedBuffer[T, P]) open(w io.Writer, meta map[string]string) {
	b.w = parquet.NewGenericWriter[T](w,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.PageBufferSize(1<<20),
		parquet.CreatedBy("migreplay", Version, ""),
	)
	b.meta = meta
	b.buf = make([]T, 0, batch)
}

func (b *typedBuffer[T, P]) Write(r Row) error {
	p, ok := r.(P)
	if !ok {
		return fmt.Errorf("schema: row %T written to a %T file", r, P(nil))
	}
	b.buf = append(b.buf, *p)
	b.rows++
	if len(b.buf) == batch {
		return b.flush()
	}
	return nil
}

func (b *typedBuffer[T, P]) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	clear(b.buf)
	b.buf = b.buf[:0]
	return err
}

func (b *typedBuffer[T, P]) SetMeta(k, v string) { b.meta[k] = v }
func (b *typedBuffer[T, P]) Rows() int64         { return b.rows }

func (b *typedBuffer[T, P]) Close() error {
	if err := b.flush(); err != nil {
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
	return b.w.Close()
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
