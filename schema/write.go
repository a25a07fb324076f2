package schema

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// RowGroupRows is the row-group size of every file: 61,440 rows, half of
// what DuckDB writes (122,880). Scanners parallelise by row group, so groups
// must be numerous enough for a multi-core scan of one partition, yet large
// enough that each column chunk (a hundred KiB or more compressed) amortises
// its page headers and statistics. It also bounds a writer's memory: an open
// file buffers one row group of encoded column values, and with
// parquet-go's buffers 122,880 rows put a 2 GB xentop ingest (several open
// files of up to 24 columns) above its 256 MB budget; 61,440 keeps it near
// 150 MB (bench/xentop.sh) at no measurable CPU cost.
const RowGroupRows = 61_440

// batchRows is how many rows a writer copies before it shreds them into its
// column buffers (RowGroupRows is a multiple of it).
const batchRows = 4096

// BatchRows is how many rows a FileWriter holds before it encodes them:
// from then on it holds a Parquet encoder (see WriterMemory).
const BatchRows = batchRows

// FileWriter writes one table's rows into one Parquet file.
type FileWriter interface {
	// Write appends a row; it must be the table's row type. Its column
	// values are copied into the batch's column buffers, the numbers,
	// bools and times its pointer fields point to included (colbatch.go):
	// the caller may reuse all of them once Write returns.
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
	// Abandon drops the rows and stops the writer without writing the
	// footer, for a file that is being thrown away (it does not close w).
	Abandon()
	// Meta is the footer's key-value metadata as Close would write it
	// now: the caller's, the schema version and table name, and SetMeta's
	// (a copy).
	Meta() map[string]string
	// SpillTo makes the writer spill: its rows go to w in a compact row
	// format (spill.go), a batch at a time and at each Spill, instead of
	// being encoded, until Unspill. Only a writer that has encoded no row
	// yet can spill.
	SpillTo(w io.Writer) error
	// Spill writes the rows buffered so far to the spill writer and
	// releases them.
	Spill() error
	// Unspill stops spilling: it writes the rows read from r (the bytes
	// the writer spilled, in order), then the rows it buffers.
	Unspill(r io.Reader) error
	// Interleave says the caller writes this file's rows in turn with
	// other files' (a source whose partitions alternate): Write then
	// stages them (stage.go). The bytes written are the same either way.
	Interleave()
}

type rowBuffer interface {
	FileWriter
	open(w io.Writer, table string, meta map[string]string)
}

// NewFileWriter starts a Parquet file of table t on w with meta (plus the
// schema version and table name) in the footer's key-value metadata,
// written in sorted key order.
//
// The file is written by parquet-go: rows are batched, and each batch is
// handed column by column, as parquet.Values, to the ColumnWriters of a
// parquet.ConcurrentRowGroupWriter (no intermediate parquet.Buffer, whose
// WriteRowGroup would copy every value a second time). Columns
// are zstd-compressed (fastest level) in version-1 data pages of about
// 64 KiB of values (pageBufferSize; a page is cut after the batch that fills it), RowGroupRows rows per row group, with min/max statistics per
// column chunk and in the page index (not in page headers).
// Encodings come from the parquet tag options:
//
//	dict   RLE_DICTIONARY, one dictionary per column chunk (parquet-go
//	       falls back to PLAIN only past a 1 GiB dictionary: keep dict to
//	       repeating values)
//	delta  DELTA_BINARY_PACKED (integers and timestamps)
//	plain  PLAIN
//
// and otherwise by type: DELTA_BINARY_PACKED for integers and timestamps
// (optional ones included, which parquet-go's struct tags cannot say, hence
// the schema built here from the row type), PLAIN for floats, strings and
// booleans. Integers carry the INTEGER logical type of their Go width and
// signedness, strings STRING, times TIMESTAMP(MICROS, UTC); pointer fields
// are OPTIONAL. A []byte field is an OPTIONAL BYTE_ARRAY without the STRING
// type (bytes that need not be UTF-8), nil a null.
//
// Nothing is written to w, and no Parquet encoder is allocated, before the
// first batch of rows is encoded (batchRows rows, or a Flush or Close): a
// file that holds a few rows costs little more than the rows themselves.
// meta is shared, not copied: the caller must not change it afterwards.
func (t *Table) NewFileWriter(w io.Writer, meta map[string]string) FileWriter {
	b := t.newWriter()
	b.open(w, t.Name, meta)
	return b
}

// WriterMemory estimates the heap a FileWriter of t holds, for callers that
// keep many files open at once and bound their memory (ingest's router):
// rows is how many rows were written since its last Flush (or since it
// began), written whether it has encoded rows before (its Parquet encoder
// then keeps each column's state and the metadata of the row groups
// written: about 10 KiB a column). Fewer than BatchRows rows are the rows'
// column values (a word a number, bool or time, a string or slice header,
// a byte a pointer field's presence flag: colbatch.go; sar_cpu 140 bytes a
// row), plus two fifths for the batch's room (it doubles: between once and
// twice the rows, 1.39 times on average). From BatchRows on,
// the writer holds its encoder (about 200 KiB a column: page buffers,
// dictionary hash tables), the open row group's encoded values (about 5
// bytes a value: dictionary indexes until their page is cut, then the
// compressed pages), two batches and a stage (stage.go). The figures are parquet-go 0.32's
// with 64 KiB pages; TestWriterMemory checks them against the heap that
// 16 open sar_cpu files hold at 4,096 to 61,000 rows each, with a
// dictionary of 10,001 values per column (the worst a sar percentage
// gives). The estimate depends on the counts only, never on timing, so
// decisions taken on it are the same on every run.
func (t *Table) WriterMemory(rows int64, written bool) int64 {
	ncols, size := int64(t.cols), t.rowBytes
	if rows < batchRows {
		m := rows * size * 7 / 5
		if written {
			m += ncols * 10 << 10
		}
		return m
	}
	return ncols*(200<<10+5*min(rows, RowGroupRows)) + (2*batchRows+stageRows)*size
}

// pageBufferSize is the size of the column buffers at which a page is cut
// (parquet.PageBufferSize). 64 KiB rather than parquet-go's 256 KiB: a
// dictionary column's indexes (4 bytes a value) then become compressed
// pages (1-2 bytes) four times as often, so an open row group holds about
// half the memory (sar_cpu: 9.0 MB at 61,000 rows against 13.5 MB), and
// the buffers stay in cache. Measured on 2026-12-05 (same machine, same
// run, 3 rounds): a 2 GB xentop ingest peaks at 176 MB RSS against 186 MB;
// one host's sadf -d CPU rows (110 MB) at 131-134 MB against 182-184 MB
// and 2-4 % faster; files are 1.2 % (sar_cpu), 1.9 % (xentop) and 3.8 %
// (ping) larger, for the page headers and the page index of four times
// as many pages.
const pageBufferSize = 64 << 10

// fieldKind is how a struct field is read into a column.
type fieldKind uint8

const (
	kInt64 fieldKind = iota // int64, int, uint64, uint
	kInt32                  // int8 … int32, uint8 … uint32 (widened)
	kFloat64
	kString
	kBool
	kTime
	kBytes // []byte: BYTE_ARRAY without the STRING type, nil a null
)

// column is one struct field's column.
type column struct {
	off      uintptr
	kind     fieldKind
	ptr      bool         // a pointer field: optional
	unsigned bool         // an unsigned integer: a uint32/uint64 column buffer
	typ      reflect.Kind // the field's (element's) kind
	op       op           // how Write buffers its value (colbatch.go)
}

// layout is a row type's columns, computed once per type, and the schema
// its files are written with (encodings and zstd per column).
type layout struct {
	cols    []column
	file    *parquet.Schema
	batches sync.Pool // *colBatch: emptied whole batches of the row type, for its files' next
	stages  sync.Pool // *colBatch: emptied stages (stageRows rows), for its files' next
}

var layouts sync.Map // reflect.Type → *layout

var zstdFastest compress.Codec = &zstd.Codec{Level: zstd.SpeedFastest}

func layoutOf(t reflect.Type) *layout {
	if l, ok := layouts.Load(t); ok {
		return l.(*layout)
	}
	l := &layout{}
	var fileFields []parquet.Field
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
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Uint8:
			// bytes that need not be UTF-8 (DuckDB reads BLOB);
			// optional like a pointer field: nil is a null
			c.kind, c.ptr, leaf, enc = kBytes, true, parquet.Leaf(parquet.ByteArrayType), &parquet.Plain
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
		if c.ptr {
			fileNode = parquet.Optional(fileNode)
		}
		fileFields = append(fileFields, &field{Node: fileNode, name: name, index: i})
		c.op = opOf(&c)
		l.cols = append(l.cols, c)
	}
	l.file = parquet.NewSchema(t.Name(), &group{fields: fileFields, goType: t})
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

// typedBuffer writes rows of T: it copies each row's column values into
// the column buffers of a batch (colbatch.go) and, every batchRows rows,
// reads each column's buffer as parquet.Values and hands them to that
// column's parquet-go ColumnWriter (of a
// ConcurrentRowGroupWriter), which encodes and compresses a page whenever
// its buffer fills. A row group is committed every RowGroupRows rows.
type typedBuffer[T any, P interface {
	*T
	Row
}] struct {
	l      *layout
	out    io.Writer
	w      *parquet.GenericWriter[any] // made when the first batch is shredded
	table  string
	base   map[string]string // the caller's metadata, shared
	meta   map[string]string // SetMeta's; nil until then
	batch  *colBatch         // the batch being filled; nil until a row comes
	stage  *colBatch         // rows after batch's, while batch is whole (stage.go); else nil or empty
	staged bool              // Interleave was called: rows go through stage once batch is whole
	n      int64             // rows accepted by Write
	err    error             // the first error; every later call returns it

	// With more than one P (GOMAXPROCS), a worker goroutine shreds full
	// batches while Write fills the next one: the parser and the Parquet
	// encoder run on two cores. The worker owns rg, inRG, rows and the
	// vals while any batch is queued (queued > 0). Output bytes are the
	// same either way.
	async  bool
	jobs   chan shredJob[T]
	done   chan error // the worker's answer to each job
	queued int        // jobs sent to the worker and not yet answered

	// spill, when set, takes the rows instead of the encoder (SpillTo).
	spill    io.Writer
	spillBuf []byte

	rg    *parquet.ConcurrentRowGroupWriter
	inRG  int64 // rows in the open row group
	rows  int64 // rows in the committed row groups
	vals  []parquet.Value
	vals1 []parquet.Value // the helper's
}

// shredJob is a batch for the worker; commit asks it to write the row
// group out after the batch (Flush).
type shredJob[T any] struct {
	batch  *colBatch // nil: none
	commit bool
}

func (b *typedBuffer[T, P]) open(w io.Writer, table string, meta map[string]string) {
	b.l = layoutOf(reflect.TypeFor[T]())
	b.out, b.table, b.base = w, table, meta
	b.async = runtime.GOMAXPROCS(0) > 1
}

// writer is the file's Parquet writer, made on first use.
func (b *typedBuffer[T, P]) writer() *parquet.GenericWriter[any] {
	if b.w == nil {
		b.w = parquet.NewGenericWriter[any](b.out, b.l.file,
			parquet.PageBufferSize(pageBufferSize),
			parquet.DataPageVersion(1),
			// min/max once per page, for the page index and the chunk
			// statistics; not again in each page header
			parquet.DataPageStatistics(false),
			// host is the partition key: a file holds one host, the one
			// its host= folder names, so its min/max would only repeat
			// the path (and cost a string compare per value: 3 % of a
			// two-thread ping ingest)
			parquet.SkipPageBounds("host"),
			parquet.CreatedBy("migreplay", Version, ""),
		)
	}
	return b.w
}

func (b *typedBuffer[T, P]) Write(r Row) error {
	p, ok := r.(P)
	if !ok {
		return fmt.Errorf("schema: row %T written to a %T file", r, P(nil))
	}
	if b.err != nil {
		return b.err
	}
	b.n++
	return b.push(p)
}

// push appends a row to the batch and, when the batch is full, hands it
// to the encoder (or spills it).
func (b *typedBuffer[T, P]) push(p *T) error {
	if b.staged && b.batch != nil && b.batch.cap == batchRows {
		s := b.stage
		if s == nil {
			s = b.l.getStage()
			b.stage = s
		}
		b.l.fill(s, unsafe.Pointer(p))
		if s.n < s.cap && b.batch.n+s.n < batchRows {
			return nil
		}
		b.unstage()
		return b.pushed()
	}
	b.room()
	b.l.fill(b.batch, unsafe.Pointer(p))
	return b.pushed()
}

// room makes sure the batch has room for a row.
func (b *typedBuffer[T, P]) room() {
	if b.batch == nil || b.batch.n == b.batch.cap {
		b.grow()
	}
}

// pushed hands the batch to the encoder (or spills it) when the row just
// added filled it.
func (b *typedBuffer[T, P]) pushed() error {
	if b.batch.n == batchRows {
		if b.spill != nil {
			return b.Spill()
		}
		b.err = b.handoff(false, false)
	}
	return b.err
}

// grow makes room in a full batch. The first batch after a start or a
// Flush doubles from 8 rows (a file may get a few rows only, and a source
// may have thousands of them), then takes a whole batch, from the pool
// when it has one; the batches after it are whole. Doubling, not the
// eightfold growth of row-major batches: a row-major batch's room beyond
// its rows is pages never touched, which take no memory, but every column
// of a column-major one touches its share of them. 5,000 hosts' sadf -d
// CPU rows interleaved (82 MB, 185 rows a host), 2 rounds, 2026-12-05:
// eightfold 15.8-17.3 s, 389-392 MB RSS; doubling 13.0-13.1 s, 238-239 MB
// (main, row-major: 15.3-17.1 s, 257-265 MB).
func (b *typedBuffer[T, P]) grow() {
	old := b.batch
	n := 8
	if old != nil {
		n = 2 * old.cap
	}
	if n >= batchRows {
		b.batch = b.l.wholeBatch()
	} else {
		b.batch = b.l.newBatch(n)
	}
	if old != nil {
		b.batch.copyFrom(old)
	}
}

// wholeBatch is an empty batch of batchRows rows, from the pool when it
// has one.
func (l *layout) wholeBatch() *colBatch {
	if bt, ok := l.batches.Get().(*colBatch); ok {
		return bt
	}
	return l.newBatch(batchRows)
}

// putBatch empties bt and gives it to the pool if it is whole.
func (l *layout) putBatch(bt *colBatch) {
	if bt != nil && bt.cap == batchRows {
		bt.reset()
		l.batches.Put(bt)
	}
}

// handoff shreds the current batch (and commits the row group when commit
// is set): in place, or by the worker while Write fills another batch (up
// to maxQueued batches wait for the worker, so that the parser keeps a
// core busy while the worker is in a serial stretch: the last columns of a
// batch, a row group's commit). With wait it returns once the worker is
// idle, with any error it met; otherwise a worker error surfaces at a later
// call. Shredded batches go back to the layout's pool, shared by the
// files of the table, so that a file between batches holds only the one
// it fills; after a commit it holds none until its next row.
func (b *typedBuffer[T, P]) handoff(commit, wait bool) error {
	b.unstage()
	if commit {
		b.l.putStage(b.stage)
		b.stage = nil
	}
	if !b.async || (commit && b.jobs == nil) {
		err := b.shred(b.batch)
		if b.batch != nil {
			b.batch.reset()
		}
		if err == nil && commit {
			err = b.release()
			b.l.putBatch(b.batch)
			b.batch = nil
		}
		return err
	}
	if b.jobs == nil {
		b.jobs = make(chan shredJob[T], maxQueued)
		b.done = make(chan error, maxQueued)
		go b.worker(b.jobs, b.done)
	}
	b.jobs <- shredJob[T]{batch: b.batch, commit: commit}
	b.queued++
	var err error
	if wait && b.queued > 0 {
		// the caller's core is free while it waits: an encoder may have it
		lent := lendCore()
		defer unlendCore(lent)
	}
	for b.queued == maxQueued || wait && b.queued > 0 {
		err = cmp.Or(err, <-b.done)
		b.queued--
	}
	b.batch = nil
	if !commit {
		b.batch = b.l.wholeBatch()
	}
	return err
}

// encoderSlots bounds the workers that encode at once, over every file of
// the process, to one less than GOMAXPROCS (at least one): the parsers keep
// a core. When a source's partitions alternate (16 hosts' sadf -d rows
// interleaved by time), 16 workers get a batch at once and, on two cores,
// left the parser runnable but waiting for 181 of its 854 ms (a runtime
// trace); with the bound the run took 0.84-0.90 s against 0.89-0.92 s (6
// rounds each, 2026-12-05), and one source's rows in one file, one worker,
// no time either way.
var encoderSlots = sync.OnceValue(func() chan struct{} {
	n := runtime.GOMAXPROCS(0)
	slots := make(chan struct{}, max(1, n))
	if n > 1 {
		slots <- struct{}{} // the parsers' core
	}
	return slots
})

// coreLent is set while one parser has lent the parsers' encoder slot,
// which encoderSlots holds when it has more than one.
var coreLent atomic.Bool

// lendCore frees the parsers' encoder slot while a parser waits for its
// file's worker (a file finished at the end of a source, when the source's
// files have handed over their last rows together), and reports whether it
// did; unlendCore takes the slot back. One parser lends it at a time, so
// that the slots free are never fewer than the encoders that hold one.
func lendCore() bool {
	slots := encoderSlots()
	if cap(slots) == 1 || !coreLent.CompareAndSwap(false, true) {
		return false
	}
	<-slots
	return true
}

func unlendCore(lent bool) {
	if lent {
		encoderSlots() <- struct{}{}
		coreLent.Store(false)
	}
}

// maxQueued is how many full batches may wait for a file's worker.
const maxQueued = 3

// worker shreds batches in the order they come and answers each job with
// its error; after an error it only answers.
func (b *typedBuffer[T, P]) worker(jobs <-chan shredJob[T], done chan<- error) {
	var err error
	for j := range jobs {
		if err == nil {
			slots := encoderSlots()
			slots <- struct{}{}
			err = b.shred(j.batch)
			if err == nil && j.commit {
				err = b.release()
			}
			<-slots
		}
		b.l.putBatch(j.batch)
		done <- err
	}
}

// shred hands a batch to the column writers, and commits the row group
// when it is full.
func (b *typedBuffer[T, P]) shred(batch *colBatch) error {
	if batch == nil || batch.n == 0 {
		return nil
	}
	n := batch.n
	if b.rg == nil {
		b.rg = b.writer().BeginRowGroup()
	}
	cws := b.rg.ColumnWriters()
	err := b.eachColumn(func(i int, vals *[]parquet.Value) error {
		*vals = b.l.cols[i].values((*vals)[:0], &batch.cols[i], n)
		_, err := cws[i].WriteRowValues(*vals)
		return err
	})
	if err != nil {
		return err
	}
	b.inRG += int64(n)
	if b.inRG >= RowGroupRows {
		return b.commit()
	}
	return nil
}

// release commits the open row group and drops the column writers and
// scratch, so that a flushed file holds no buffers (an ingest keeps many
// files open, flushed, until its end); a later batch begins a new row
// group with new column writers.
func (b *typedBuffer[T, P]) release() error {
	err := b.commit()
	b.rg, b.vals, b.vals1 = nil, nil, nil
	return err
}

// eachColumn calls f for every column index, with a scratch slice. The
// worker shares the columns with a helper goroutine, each taking the next
// column not yet taken; a ColumnWriter is still used by one goroutine at a
// time and gets the same calls in the same order, so the bytes do not
// change.
func (b *typedBuffer[T, P]) eachColumn(f func(i int, vals *[]parquet.Value) error) error {
	ncols := int32(len(b.l.cols))
	var next atomic.Int32
	var errs [2]error
	run := func(w int, vals *[]parquet.Value) {
		for {
			i := next.Add(1) - 1
			if i >= ncols || errs[w] != nil {
				return
			}
			if err := f(int(i), vals); err != nil {
				errs[w] = fmt.Errorf("schema: column %s: %w", b.l.file.Fields()[i].Name(), err)
			}
		}
	}
	if !b.async {
		run(0, &b.vals)
		return errs[0]
	}
	var wg sync.WaitGroup
	wg.Go(func() { run(1, &b.vals1) })
	run(0, &b.vals)
	wg.Wait()
	return cmp.Or(errs[0], errs[1])
}

// commit has parquet-go flush the open row group's pages (the columns in
// parallel) and write it.
func (b *typedBuffer[T, P]) commit() error {
	if b.rg == nil || b.inRG == 0 {
		return nil
	}
	cws := b.rg.ColumnWriters()
	if err := b.eachColumn(func(i int, _ *[]parquet.Value) error { return cws[i].Flush() }); err != nil {
		return err
	}
	n, err := b.rg.Commit()
	b.rows += n
	b.inRG = 0
	if err != nil {
		return fmt.Errorf("schema: write row group: %w", err)
	}
	return nil
}

// Flush hands the buffered rows and the row group's commit to the worker
// without waiting for it (an error it meets surfaces at a later call), or
// writes them in place when there is none.
func (b *typedBuffer[T, P]) Flush() error {
	if b.err == nil {
		b.err = b.handoff(true, false)
	}
	return b.err
}

// drain flushes and waits for the worker, which then ends.
func (b *typedBuffer[T, P]) drain() error {
	if b.err == nil {
		b.err = b.handoff(true, true)
	}
	b.stop()
	return b.err
}

func (b *typedBuffer[T, P]) SetMeta(k, v string) {
	if b.meta == nil {
		b.meta = map[string]string{}
	}
	b.meta[k] = v
}

func (b *typedBuffer[T, P]) Meta() map[string]string {
	m := make(map[string]string, len(b.base)+len(b.meta)+2)
	m[MetaSchemaVersion], m[MetaTable] = Version, b.table
	maps.Copy(m, b.base)
	maps.Copy(m, b.meta)
	return m
}

func (b *typedBuffer[T, P]) Rows() int64 { return b.n }

func (b *typedBuffer[T, P]) Close() error {
	if err := b.drain(); err != nil {
		return err
	}
	w := b.writer()
	for _, kv := range sortedMeta(b.Meta()) {
		w.SetKeyValueMetadata(kv.Key, kv.Value)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("schema: close Parquet file: %w", err)
	}
	return nil
}

// sortedMeta is meta in key order, as files store it.
func sortedMeta(meta map[string]string) []format.KeyValue {
	kvs := make([]format.KeyValue, 0, len(meta))
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		kvs = append(kvs, format.KeyValue{Key: k, Value: meta[k]})
	}
	return kvs
}

// RewriteMeta replaces the key-value metadata in the footer of the
// Parquet file f, as a FileWriter's Close left it, with meta (Meta's form:
// every key, the schema version and table included), in key order, and
// returns the file's new size. The rest of the file is left as it was, so
// the file ends up with the bytes Close would have written had meta been
// set before it: a writer can close a file before its metadata is
// complete (ingest's sadf and sar files, whose locale is known only at
// the end of the source) and complete it later.
func RewriteMeta(f *os.File, meta map[string]string) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	var tail [8]byte
	if size < 12 {
		return 0, fmt.Errorf("schema: %s: %d bytes, not a Parquet file", f.Name(), size)
	}
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return 0, err
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if string(tail[4:]) != "PAR1" || n > size-12 {
		return 0, fmt.Errorf("schema: %s: no Parquet footer", f.Name())
	}
	start := size - 8 - n
	footer := make([]byte, n)
	if _, err := f.ReadAt(footer, start); err != nil {
		return 0, err
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), footer, &md); err != nil {
		return 0, fmt.Errorf("schema: %s: footer: %w", f.Name(), err)
	}
	md.KeyValueMetadata = sortedMeta(meta)
	out, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		return 0, fmt.Errorf("schema: %s: footer: %w", f.Name(), err)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(out)))
	out = append(out, "PAR1"...)
	if err := f.Truncate(start); err != nil {
		return 0, err
	}
	if _, err := f.WriteAt(out, start); err != nil {
		return 0, err
	}
	return start + int64(len(out)), nil
}

// Abandon stops the writer without finishing the file.
func (b *typedBuffer[T, P]) Abandon() {
	b.stop()
	b.batch, b.stage, b.err = nil, nil, errAbandoned
}

var errAbandoned = errors.New("schema: write to an abandoned file")

// stop ends the worker, if any (it finishes the batch it has first).
func (b *typedBuffer[T, P]) stop() {
	if b.jobs != nil {
		close(b.jobs)
		b.jobs, b.done, b.queued = nil, nil, 0
	}
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
