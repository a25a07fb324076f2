package ingest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"unsafe"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// The router sends each record of a source to the file of its (table,
// host, day) partition. A partition has one file, fed in the source's
// order, so its file gets the same rows in the same calls however the
// source interleaves its partitions (the hosts of a merged sadf -d export,
// days, tables): a partition's file is the same bytes as for the same rows
// sorted by partition (provenance aside), unless a flush below cuts a row
// group. Memory and descriptors stay bounded however many partitions a
// source has:
//
//   - The files' buffers (schema.Table.WriterMemory) are held to
//     bufferBudget. A file that has encoded no row yet (fewer than
//     schema.BatchRows rows) holds only its rows and no descriptor; when
//     its batch fills and its encoder would not fit, it spills instead:
//     its rows go to a scratch file of the run and come back, in order,
//     when the source ends (schema.FileWriter.SpillTo), so that its file
//     is still written whole. Past the budget, a file is evicted, among
//     the victimScan least recently written: the least recently written
//     if its table has moved on by a batch since, else the one holding the
//     most rows; a file that has encoded no row spills its rows, one that
//     has is flushed (its rows written as a row group: a cut the sorted
//     rows would not have), keeping its descriptor. (When hosts alternate
//     row by row, the least recently written is the next one written:
//     flushing it would cut a row group at every switch; on 16 hosts'
//     interleaved sadf -d CPU rows, 1,073 row groups against 93.)
//   - A partition that has had no row while its table received idleRows
//     rows is done for now: its file is closed when its metadata is
//     complete once the source is hashed (early: finished, or suspended
//     while the hash is not done yet, see close), else flushed or spilled.
//   - At most maxOpen flushed files keep a descriptor and a Parquet
//     encoder: past it, the least recently written is finished (early) or
//     suspended (closed, its footer completed when the source ends,
//     lake.File.Suspend). A later row of its partition starts another part
//     file.
const (
	idleRows = schema.RowGroupRows
	// fileOverhead is what a file costs besides its writer's buffers
	// (its structs, hash state, partition key), counted in the budget.
	fileOverhead = 2 << 10
	// sweepEvery is how often (rows of a table) the router looks for
	// idle partitions.
	sweepEvery = 4096
	// limitEvery is how many partition switches go between two checks
	// of the limits.
	limitEvery = 64
	// victimScan is how many of the least recently written files the
	// budget's eviction compares.
	victimScan = 64
)

// The limits of a source's open files (variables for the tests). 128 MiB
// of buffers (as schema.Table.WriterMemory estimates them: 8.9 MB for a
// sar_cpu file at a full row group, 8.6 MB measured) let 16 hosts' sadf -d
// CPU rows interleaved by time (110 MB) be written without a cut: the
// same 13.2 MB of Parquet as host after host, against 14.0 MB at 96 MiB
// (0.89-0.91 s against 0.83 s) and 14.7 MB at 64 MiB (2026-12-05; RSS
// 182-186 MB, under the default 192 MiB heap limit plus the runtime's
// own). 5,000 hosts interleaved (82 MB) take 233-238 MB RSS at 128 MiB
// since batches are column-major (263 MB before). Before pages were cut at 64 KiB (schema.pageBufferSize), a file
// held half as much again and a larger budget was slower: the collector
// then ran at the heap limit.
var (
	bufferBudget int64 = 128 << 20
	maxOpen            = 128
	// finishAhead is how many files past the one being finished have
	// handed their last rows to their encoders (router.complete).
	finishAhead = runtime.GOMAXPROCS(0)
	// pretouchAt is the count of open files with encoders at which a source
	// whose partitions alternate pretouches its budget (router.fill);
	// pretouchFn is pretouch, or the tests' spy.
	pretouchAt = 4
	pretouchFn = pretouch
)

// partKey names a partition within its table: host and UTC day.
type partKey struct {
	host string
	day  int64
}

// part is one partition of the source and its open file, if any.
type part struct {
	rt      *route
	key     partKey
	dir     string
	file    *lake.File // nil: none open (closed; a new row opens another)
	rows    int64      // rows written to file since its last flush or spill
	written bool       // file has encoded rows: it holds an encoder and, once a row group is out, a descriptor
	spill   *chunks    // the file spills (never written): where its rows went
	cost    int64      // memory counted for it in router.held
	last    int64      // rt.rows when it last got a row
	// list is the LRU list part is on: hot (rows buffered) or cold
	// (flushed, file open); nil when it has no file.
	list       *partList
	prev, next *part
}

// partList is a least-recently-used list of parts: front the most recent.
type partList struct {
	head, tail *part
	n          int
}

func (l *partList) remove(p *part) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		l.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		l.tail = p.prev
	}
	p.prev, p.next, p.list = nil, nil, nil
	l.n--
}

func (l *partList) pushFront(p *part) {
	p.list, p.prev, p.next = l, nil, l.head
	if l.head != nil {
		l.head.prev = p
	} else {
		l.tail = p
	}
	l.head = p
	l.n++
}

// moveFront puts p at the front of l, taking it off the list it is on.
func (l *partList) moveFront(p *part) {
	if p.list == l && l.head == p {
		return
	}
	if p.list != nil {
		p.list.remove(p)
	}
	l.pushFront(p)
}

// route is one row type's routing state. Records of a table mostly share
// host and day while tables interleave (xentop domain, vCPU and VBD
// lines), so each table remembers its current partition; routes are found
// by the record's dynamic type, without hashing a name per record.
type route struct {
	typ   reflect.Type
	table *schema.Table
	cur   *part
	parts map[partKey]*part
	// recent caches parts by where their host string's bytes are and
	// their day: parsers intern host names, so the rows of a merged export
	// (hosts alternating row by row) find their part without hashing the
	// name in parts.
	recent [64]*part
	rows   int64 // records routed: the table's clock, and the file summary's count
	// switched is rows at the last change from one partition to another
	// (0: none yet): two changes within schema.BatchRows rows make the
	// files interleaved (schema.FileWriter.Interleave).
	switched    int64
	interleaved bool // its files were told so
}

// recentSlot is k's slot in route.recent.
func recentSlot(k partKey) int {
	return int((uintptr(unsafe.Pointer(unsafe.StringData(k.host)))>>4 ^ uintptr(k.day)) & 63)
}

// router sends each record to its (table, partition) file of this source.
type router struct {
	set    *lake.Set
	source string // the input's path, as given (the manifests' key)
	meta   map[string]string
	routes []*route
	// early: the metadata is complete once the hash is (the source is a
	// file, hashed as it is read), so a file closed before the end is
	// finished if the hash is done by then; otherwise, and for sources
	// whose metadata is known at their end only, it is suspended and
	// completed at the end.
	early      bool
	hashed     *fileHash
	order      []*part      // every partition, in order of first row
	suspended  []*lake.File // files suspended, to complete at the end
	all        []*lake.File // every file created, closed early or not
	hot, cold  partList
	held       int64    // memory of the open files (parts' cost), the current parts' as of their last switch
	size       int64    // the source's size in bytes (0: unknown, as stdin's)
	pretouched bool     // pretouch ran
	heavy      int      // open files that are written (hold an encoder)
	switches   int64    // partition switches so far
	scratch    *scratch // spilled rows, once a file spills
}

// newRouter routes the records of the source at path, parsed as format.
// Provenance metadata is valid UTF-8 like every stored string: a path or
// command line that is not is written with \xHH escapes.
func newRouter(set *lake.Set, cfg Config, format, path string, size int64, hashed *fileHash) *router {
	return &router{set: set, source: path, size: size, hashed: hashed, meta: map[string]string{
		schema.MetaVersion: cfg.Version,
		schema.MetaParser:  format,
		schema.MetaSource:  parse.EscapeInvalid(path),
		schema.MetaCommand: parse.EscapeInvalid(cfg.Command),
	}}
}

// discard drops every file the router created (none is committed yet).
func (r *router) discard() {
	r.set.Discard(r.all)
	*r = router{set: r.set, source: r.source, size: r.size, meta: r.meta, early: r.early, hashed: r.hashed}
}

func (r *router) write(rec schema.Row) error {
	typ := reflect.TypeOf(rec)
	var rt *route
	for _, x := range r.routes {
		if x.typ == typ {
			rt = x
			break
		}
	}
	if rt == nil {
		rt = &route{typ: typ, table: schema.TableOf(rec), parts: map[partKey]*part{}}
		r.routes = append(r.routes, rt)
	}
	rt.rows++
	var host string
	var t time.Time
	if rt.table.Partitioned {
		host, t = rec.(schema.Partitioner).Partition()
	}
	day := int64(-1 << 62)
	if !t.IsZero() {
		day = t.Unix() / 86400
		if t.Unix() < 0 && t.Unix()%86400 != 0 {
			day--
		}
	}
	if rt.rows%sweepEvery == 0 {
		if err := r.sweep(); err != nil {
			return err
		}
	}
	if p := rt.cur; p != nil && p.key.day == day && p.key.host == host {
		if p.rows++; p.rows == schema.BatchRows && !p.written && p.spill == nil {
			if err := r.fill(p); err != nil {
				return err
			}
		}
		return p.file.Write(rec)
	}
	return r.switchTo(rt, partKey{host, day}, t, rec)
}

// pretouchSize is what fill pretouches: the budget not held yet, but no
// more than the source's size (a small source's files will not fill the
// budget; a compressed one's are larger than its bytes, and it pretouches
// less than it could), nor than the Go memory limit less 64 MiB (the
// runtime would give the pages back to stay under it); nothing for a
// source of unknown size.
func (r *router) pretouchSize() int64 {
	n := min(bufferBudget-r.held, r.size)
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		n = min(n, limit-64<<20)
	}
	return n
}

// fill is called before the row that fills the first batch of p's file:
// the file then takes its encoder, if the budget has room for it; if not,
// it spills.
//
// When a file of a source whose partitions alternate takes its encoder
// while pretouchAt-1 other open files hold one (r.heavy), the budget not
// yet held is pretouched once
// (pretouch): the source's open files are about to fill it together, and
// on their own they would do it through fresh pages, which the Parquet
// encoders' dictionary hash tables read before they write (a zero page,
// then a copy on write and a TLB shootdown on every other core). On 16
// hosts' sadf -d CPU rows interleaved by time (110 MB, two threads,
// 2026-12-05): 0.731 s against 0.803 s (medians of 9 alternating runs),
// system time 0.16-0.20 s against 0.29-0.34 s, page faults 41,000-42,000
// against 48,500-49,500, RSS 172-176 MB against 178-181 MB. A source
// that writes its partitions one after the other does not pretouch: its
// files reuse each other's memory as they finish.
func (r *router) fill(p *part) error {
	if r.held-p.cost+r.costOf(p) <= bufferBudget {
		if r.heavy+1 >= pretouchAt && p.rt.interleaved && !r.pretouched { // p and the files already written
			r.pretouched = true
			if n := r.pretouchSize(); n > 0 {
				pretouchFn(n)
			}
		}
		return nil
	}
	return r.spill(p)
}

// spill moves the rows p's file buffers to the scratch file; from now on
// the file spills a batch at a time.
func (r *router) spill(p *part) error {
	if p.spill == nil {
		if r.scratch == nil {
			f, err := r.set.TempFile("spill-*.tmp")
			if err != nil {
				return err
			}
			r.scratch = &scratch{f: f, w: bufio.NewWriterSize(f, 256<<10)}
		}
		p.spill = &chunks{s: r.scratch}
		if err := p.file.SpillTo(p.spill); err != nil {
			return err
		}
	}
	if err := p.file.Spill(); err != nil {
		return err
	}
	p.rows = 0
	r.recost(p)
	return nil
}

// switchTo makes the partition k of rt its current one, opening its file
// if needed, writes rec there and keeps the limits.
func (r *router) switchTo(rt *route, k partKey, t time.Time, rec schema.Row) error {
	interleaved := false
	if old := rt.cur; old != nil {
		old.last = rt.rows - 1
		r.recost(old)
		interleaved = rt.switched > 0 && rt.rows-rt.switched < schema.BatchRows
		rt.switched = rt.rows
	}
	slot := recentSlot(k)
	p := rt.recent[slot]
	if p == nil || p.key != k {
		if p = rt.parts[k]; p == nil {
			p = &part{rt: rt, key: k, dir: lake.Dir(rt.table, k.host, t)}
			rt.parts[k] = p
			r.order = append(r.order, p)
		}
		rt.recent[slot] = p
	}
	if p.file == nil {
		f, err := r.set.Create(rt.table, p.dir, r.meta)
		if err != nil {
			return err
		}
		f.Source = r.source
		r.all = append(r.all, f)
		p.file, p.rows, p.written, p.cost = f, 0, false, 0
	}
	rt.cur = p
	r.hot.moveFront(p)
	if interleaved {
		p.file.Interleave()
		rt.interleaved = true
	}
	if p.rows++; p.rows == schema.BatchRows && !p.written && p.spill == nil {
		if err := r.fill(p); err != nil {
			return err
		}
	}
	if err := p.file.Write(rec); err != nil {
		return err
	}
	// the limits are checked every limitEvery switches (and when a file
	// opens), not at each: sources that alternate partitions switch at
	// every row
	if r.switches++; r.switches%limitEvery == 0 || p.rows == 1 {
		return r.limit()
	}
	return nil
}

// costOf is what p's file holds in memory now.
func (r *router) costOf(p *part) int64 {
	return fileOverhead + p.rt.table.WriterMemory(p.rows, p.written)
}

// recost updates p's share of r.held, and r.heavy: a file holds an
// encoder once a batch of rows went through it.
func (r *router) recost(p *part) {
	c := int64(0)
	if p.file != nil {
		if p.spill != nil {
			p.rows %= schema.BatchRows // a full batch went to the scratch file
		} else if !p.written && p.rows >= schema.BatchRows {
			p.written = true
			r.heavy++
		}
		c = r.costOf(p)
	}
	r.held += c - p.cost
	p.cost = c
}

// over reports whether the open files hold more than the budget, the
// current parts counted as they are now.
func (r *router) over() bool {
	held := r.held
	for _, rt := range r.routes {
		if p := rt.cur; p != nil && p.file != nil {
			held += r.costOf(p) - p.cost
		}
	}
	return held > bufferBudget
}

// limit flushes and closes the files least recently written to until the
// source is within bufferBudget and maxOpen.
func (r *router) limit() error {
	for r.over() {
		p := r.victim()
		if p == nil {
			break // the current partitions alone are over: nothing to evict
		}
		if err := r.evict(p); err != nil {
			return err
		}
	}
	for r.heavy > maxOpen {
		p := r.cold.tail
		for q := r.hot.tail; p == nil && q != nil; q = q.prev {
			if q.written && q != q.rt.cur {
				p = q
			}
		}
		if p == nil {
			break
		}
		if err := r.close(p); err != nil {
			return err
		}
	}
	return nil
}

// victim is the hot file to flush: the least recently written, when its
// table has moved on by a batch since; otherwise the one holding the most
// rows among the victimScan least recently written. (Partitions that
// alternate, the hosts of a merged export, are all recent: the least
// recent of them is the next one written, and flushing the largest cuts
// the fewest and longest row groups.)
func (r *router) victim() *part {
	var best *part
	n := 0
	for p := r.hot.tail; p != nil && n < victimScan; p = p.prev {
		if p == p.rt.cur || p.rows == 0 {
			continue
		}
		if n == 0 && p.rt.rows-p.last > schema.BatchRows {
			return p
		}
		if best == nil || p.rows > best.rows {
			best = p
		}
		n++
	}
	return best
}

// evict releases p's buffers: a file that has encoded rows is flushed,
// one that has not spills.
func (r *router) evict(p *part) error {
	if p.written {
		return r.flush(p)
	}
	if err := r.spill(p); err != nil {
		return err
	}
	p.list.remove(p) // no buffers: on no list until its next row
	return nil
}

// flush writes p's buffered rows out as a row group and moves it to the
// cold list.
func (r *router) flush(p *part) error {
	if err := p.file.Flush(); err != nil {
		return err
	}
	if !p.written && p.rows > 0 {
		p.written = true
		r.heavy++
	}
	p.rows = 0
	r.recost(p)
	r.cold.moveFront(p)
	return nil
}

// close finishes p's file (early, once the source's hash is done) or
// suspends it, and forgets it: a later row of p opens another file. The
// parse never waits for the hash: a file closed before the source is
// hashed (the hash is done when the source has been read to its end,
// readahead.go) is suspended instead of finished (its footer completed at
// the end, lake.File.Suspend), which gives the same bytes. (Waiting
// stalled the parse: on a 400 MB ping capture, whose first UTC day ends
// after a few thousand replies, the sweep closed that day 61,440 rows
// later and the parse stood 0.25 s for the hash of the whole file, then
// read by a goroutine of its own, while the encoder ran out of batches.)
func (r *router) close(p *part) error {
	f := p.file
	if r.early && r.hashed.ready() {
		sum, err := r.hashed.wait()
		if err != nil {
			return err
		}
		f.SetMeta(schema.MetaSourceSHA256, sum)
		f.SetMeta(schema.MetaRows, fmt.Sprint(f.Rows()))
		if err := f.Finish(); err != nil {
			return err
		}
	} else {
		if err := f.Suspend(); err != nil {
			return err
		}
		r.suspended = append(r.suspended, f)
	}
	if p.written {
		r.heavy--
	}
	if p.list != nil {
		p.list.remove(p)
	}
	p.file, p.rows, p.written = nil, 0, false
	r.recost(p)
	if p.rt.cur == p {
		p.rt.cur = nil
	}
	return nil
}

// sweep closes (early) or flushes the partitions whose table has moved on
// by idleRows rows since their last row.
func (r *router) sweep() error {
	for _, l := range []*partList{&r.hot, &r.cold} {
		for p := l.tail; p != nil; {
			prev := p.prev
			if p != p.rt.cur && p.rt.rows-p.last > idleRows {
				var err error
				switch {
				case r.early && p.spill == nil:
					err = r.close(p)
				case l == &r.hot:
					err = r.evict(p)
				}
				if err != nil {
					return err
				}
			}
			p = prev
		}
	}
	return nil
}

// complete ends the source: every file still open and every suspended
// one gets the metadata known now (the source's SHA-256, its rows, the
// locale the parser found) and is finished, a spilling file once its
// spilled rows are back. A source's files are finished before it ends, so
// that a run over many sources holds one source's files open at a time
// (descriptors and buffers), not every file until the commit.
func (r *router) complete(sha, locale string) error {
	if r.scratch != nil {
		defer r.scratch.remove()
		if err := r.scratch.w.Flush(); err != nil {
			return fmt.Errorf("ingest: spill: %w", err)
		}
	}
	// The files that do not spill are finished finishAhead at a time, in
	// goroutines of their own: each waits for its encoder's last rows and
	// footer, then for its fsync, while the others' encoders and syncs
	// run (the same bytes in any order). Not every file at once: each
	// would then hold its encoder together, and 5,000 hosts' files (82 MB
	// of sadf -d CPU rows) took 20.6 s and 367 MB RSS against 12-13 s and
	// 237 MB finished one at a time (7.6-9.2 s and 240-246 MB now).
	// Spilling files read their rows back one at a time, on this
	// goroutine, after the others.
	errs := make([]error, len(r.order))
	slots := make(chan struct{}, finishAhead)
	var wg sync.WaitGroup
	for i, p := range r.order {
		if p.file == nil || p.spill != nil {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = r.completeFile(p.file, sha, locale)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, p := range r.order {
		if p.file == nil || p.spill == nil {
			continue
		}
		if err := p.file.Unspill(p.spill.reader()); err != nil {
			return err
		}
		if err := r.completeFile(p.file, sha, locale); err != nil {
			return err
		}
	}
	for _, f := range r.suspended {
		if err := r.completeFile(f, sha, locale); err != nil {
			return err
		}
	}
	return nil
}

func (r *router) completeFile(f *lake.File, sha, locale string) error {
	f.SetMeta(schema.MetaSourceSHA256, sha)
	f.SetMeta(schema.MetaRows, fmt.Sprint(f.Rows()))
	if locale != "" {
		f.SetMeta(schema.MetaLocale, locale)
	}
	return f.Finish()
}

// scratch is the file a source's spilling files write their rows to,
// under the run's staging folder, removed when the source ends.
type scratch struct {
	f   *os.File
	w   *bufio.Writer
	off int64
}

func (s *scratch) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// chunks is one file's share of the scratch file: the spans its spills
// wrote, in order.
type chunks struct {
	s     *scratch
	spans [][2]int64 // offset, length
}

func (c *chunks) Write(b []byte) (int, error) {
	n, err := c.s.w.Write(b)
	if k := len(c.spans) - 1; k >= 0 && c.spans[k][0]+c.spans[k][1] == c.s.off {
		c.spans[k][1] += int64(n) // right after its last span
	} else {
		c.spans = append(c.spans, [2]int64{c.s.off, int64(n)})
	}
	c.s.off += int64(n)
	return n, err
}

// reader reads the file's spans back (the scratch file's writer flushed).
func (c *chunks) reader() io.Reader {
	rs := make([]io.Reader, len(c.spans))
	for i, sp := range c.spans {
		rs[i] = io.NewSectionReader(c.s.f, sp[0], sp[1])
	}
	return io.MultiReader(rs...)
}
