// Package lake writes migreplay's Hive-partitioned Parquet lake:
//
//	<out>/table=<name>/host=<host>/date=<YYYY-MM-DD>/part-<hash>.parquet  (host/time tables)
//	<out>/table=<name>/part-<hash>.parquet                                (other tables)
//
// <hash> is the first 16 hex digits of the SHA-256 of the file's own bytes,
// so a file's name is a function of its content: shards of one job never
// collide, and a rerun on the same input gives exactly its own files with
// identical bytes.
//
// # Runs and commits
//
// Every command that writes a lake (ingest, analyze, fit, reproduce,
// replay) writes one run: a Set. Its files are staged under
// <out>/_tmp/<run id>/ and become visible only at Commit, all of them
// together with the manifests of its sources, or none (Set.Commit gives
// the steps). A plain folder tree cannot rename many files at once, so each
// commit writes a record first, _lake/pending/<run id>.json, listing its
// renames: the new files; the files of an earlier run of the same source
// that it takes out (see Source); the sources' manifests. The record moves
// to _manifests/runs/<run id>.json when the last rename is done. A run that
// dies mid-commit (SIGKILL, power) leaves the record pending, and the next
// run into the lake, or Recover ('migreplay lake recover'), redoes its
// renames (every staged file was synced before the record was written) or,
// if that fails, undoes them: after recovery a run's files are all there
// with its manifests, or none are.
//
// What readers may see: only during the renames of a commit (milliseconds:
// one rename per file, no data is written then) may a reader listing the
// lake see some of a run's new files and not others, and, for a source
// being replaced, its new files beside the old ones (the new files are
// renamed in first, then the old ones out, then the manifests). Nothing a
// reader sees is ever a partial file.
//
// # Many writers
//
// Any number of processes, on one machine or several sharing a file system
// with working flock(2) (local disks; NFS, whose client emulates flock with
// byte-range locks; Lustre mounted with -o flock), may write one lake at
// once. Each run stages under its own _tmp/<run id>/ and holds
// _tmp/<run id>/lock (flock) for its whole life; a staging folder whose
// lock can be taken belongs to a dead run and is removed by the next run's
// recovery, never a live run's. Commits and recovery of one lake take
// _lake/lock (flock) for their short critical section: the planning, the
// record and the renames, never the parse. Shared folders (_tmp/ itself,
// partition folders) are made and removed only under that lock.
//
// The record of a run also names the sources it replaced and every file it
// added, so that Check can say which runs and sources produced each file.
// All bookkeeping lives under "_"-prefixed folders (_tmp/, _lake/,
// _manifests/), which Spark, Trino and DuckDB's hive globs skip. Run ids,
// records and manifests hold wall-clock times; Parquet files never do.
package lake

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/migreplay/migreplay/schema"
)

// DefaultPartition is Hive's name for a null or empty partition value.
const DefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// Escape makes a partition value safe as one path component, as Hive and
// Spark escape them: '%XX' for path separators, '=', '%', quoting and glob
// characters and control bytes. The empty string becomes DefaultPartition.
// "." and ".." cannot escape either: every component is prefixed "key=".
func Escape(v string) string {
	if v == "" {
		return DefaultPartition
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\[]^{}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Unescape undoes Escape: %XX bytes; DefaultPartition is the empty value.
// A '%' not followed by two hex digits is an error.
func Unescape(v string) (string, error) {
	if v == DefaultPartition {
		return "", nil
	}
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", fmt.Errorf("%q: '%%' at byte %d is not followed by two hex digits", v, i)
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("%q: '%%' at byte %d is not followed by two hex digits", v, i)
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// Date is the date= partition value of t (UTC), DefaultPartition for zero.
func Date(t time.Time) string {
	if t.IsZero() {
		return DefaultPartition
	}
	return t.UTC().Format("2006-01-02")
}

// Dir is the partition directory (relative to the lake root) of a row.
func Dir(table *schema.Table, host string, t time.Time) string {
	if !table.Partitioned {
		return "table=" + Escape(table.Name)
	}
	return filepath.Join("table="+Escape(table.Name), "host="+Escape(host), "date="+Date(t))
}

// ListFiles lists the Parquet files below root that readers see, in path
// order: *.parquet, skipping names that start with "_" or "." (the lake's
// bookkeeping and staging: _tmp/, _lake/, _manifests/).
func ListFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(name, ".parquet") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// Set is one run's batch of files destined for a lake root: everything a
// command writes becomes visible together at Commit, or not at all. Create
// may be called from several goroutines (each writing its own files);
// Commit and Abort run once the writers are done, and only one of them.
type Set struct {
	root    string
	id      string   // run id
	stage   string   // <root>/_tmp/<id>
	lock    *os.File // the run's lock (stage/lock), held until Commit or Abort ends
	started time.Time
	mu      sync.Mutex // guards pending and command
	pending []*File
	command string // the first file's schema.MetaCommand
	sources []Source
	closed  bool
}

// NewSet starts a run into root (created if needed). Under the lake's lock
// it first finishes or undoes any commit a dead run left half done and
// removes the staging folders of dead runs (see Recover), then makes this
// run's own staging folder _tmp/<run id>/ and takes the run's lock, held
// until Commit or Abort.
func NewSet(root string) (*Set, error) {
	if err := fsys.MkdirAll(root); err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	s := &Set{root: root, id: newRunID(), started: time.Now().UTC()}
	s.stage = filepath.Join(root, tmpDir, s.id)
	err := withLock(root, func() error {
		if _, err := recoverLocked(root); err != nil {
			return err
		}
		if err := fsys.MkdirAll(s.stage); err != nil {
			return err
		}
		lk, err := lockFile(filepath.Join(s.stage, runLockName), false)
		if err != nil {
			_ = fsys.RemoveAll(s.stage)
			return err
		}
		s.lock = lk
		liveRuns.Store(s.id, true)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	return s, nil
}

// File is one Parquet file being written.
type File struct {
	// Source tags the file with the input it came from (ingest), so a
	// rerun can find and replace exactly that input's files.
	Source string
	dir    string // relative partition dir
	out    *staged
	fw     schema.FileWriter
	cnt    *countWriter
	done   bool  // Finish ran: footer written, temp file closed, fw dropped
	rows   int64 // rows written, kept when fw is dropped
	// meta is the footer metadata of a suspended file (Suspend), which
	// Finish writes in place of the provisional footer.
	meta map[string]string
}

// staged is a file's temp file under the run's staging folder, created
// when the first byte is written (a file whose rows are all still
// buffered holds no descriptor), and the SHA-256 of its bytes.
type staged struct {
	stage string
	f     *os.File
	name  string // once created
	h     hash.Hash
}

func (s *staged) Write(p []byte) (int, error) {
	if s.f == nil {
		if s.name != "" {
			return 0, fmt.Errorf("lake: write to %s after it was closed", s.name)
		}
		f, err := fsys.CreateTemp(s.stage, "part-*.parquet.tmp")
		if err != nil {
			return 0, fmt.Errorf("lake: %w", err)
		}
		s.f, s.name = f, f.Name()
	}
	n, err := s.f.Write(p)
	s.h.Write(p[:n])
	return n, err
}

// close syncs and closes the temp file, if it was created.
func (s *staged) close() error {
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("lake: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Create starts a file of table in partition dir (see Dir) with meta
// (shared with the file's writer: do not change it afterwards). Its temp
// file is created when its writer first writes.
func (s *Set) Create(table *schema.Table, dir string, meta map[string]string) (*File, error) {
	out := &staged{stage: s.stage, h: sha256.New()}
	cw := &countWriter{w: out}
	lf := &File{dir: dir, out: out, cnt: cw}
	lf.fw = table.NewFileWriter(cw, meta)
	s.mu.Lock()
	s.pending = append(s.pending, lf)
	if s.command == "" {
		s.command = meta[schema.MetaCommand]
	}
	s.mu.Unlock()
	return lf, nil
}

// Write appends one row.
func (f *File) Write(r schema.Row) error { return f.fw.Write(r) }

// Flush writes the rows buffered so far into the file as a row group and
// releases the buffers (see schema.FileWriter); later rows start a new row
// group. Callers flush files they are done with for now, to bound memory.
func (f *File) Flush() error { return f.fw.Flush() }

// SpillTo, Spill and Unspill let a writer hold a file's rows outside
// memory before it encodes them (schema.FileWriter).
func (f *File) SpillTo(w io.Writer) error { return f.fw.SpillTo(w) }
func (f *File) Spill() error              { return f.fw.Spill() }
func (f *File) Unspill(r io.Reader) error { return f.fw.Unspill(r) }

// Interleave says the file's rows are written in turn with other files'
// (schema.FileWriter).
func (f *File) Interleave() { f.fw.Interleave() }

// TempFile creates a scratch file in the run's staging folder (removed
// with it, if the caller does not remove it first), for a writer's
// spilled rows.
func (s *Set) TempFile(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(s.stage, pattern)
	if err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	return f, nil
}

// Finish writes the file's footer and closes it now, releasing every
// buffer; Commit then only names and renames it. No row or metadata can be
// added afterwards. Writers finish files they will not come back to, so
// that memory stays bounded however many partitions one input spans.
func (f *File) Finish() error {
	if f.done {
		return nil
	}
	f.done = true
	if f.fw == nil { // suspended: complete its footer
		return f.rewriteMeta()
	}
	f.rows = f.fw.Rows()
	err := f.fw.Close()
	f.fw = nil // release the writer's buffers now, not at Commit
	if err != nil {
		f.out.close()
		return fmt.Errorf("lake: %w", err)
	}
	return f.out.close()
}

// Suspend closes the file as Finish does (footer written, descriptor and
// buffers released) while its metadata may still change: SetMeta goes on
// working, and Finish then rewrites the footer with the final metadata and
// hashes the file again (schema.RewriteMeta), giving the bytes Finish
// alone would have. No row can be added. Writers suspend files they will
// not come back to before their metadata is complete (ingest's sar and
// sadf sources, whose locale is known at their end), so that thousands of
// partitions do not hold thousands of writers.
func (f *File) Suspend() error {
	if f.done || f.fw == nil {
		return nil
	}
	f.rows = f.fw.Rows()
	f.meta = f.fw.Meta()
	err := f.fw.Close()
	f.fw = nil
	if err != nil {
		f.out.close()
		return fmt.Errorf("lake: %w", err)
	}
	return f.out.close()
}

// rewriteMeta writes a suspended file's final metadata into its footer and
// hashes its bytes again.
func (f *File) rewriteMeta() error {
	file, err := os.OpenFile(f.out.name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	size, err := schema.RewriteMeta(file, f.meta)
	if err == nil {
		f.out.h.Reset()
		_, err = io.Copy(f.out.h, io.NewSectionReader(file, 0, size))
	}
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	f.cnt.n = size
	return nil
}

// SetMeta sets footer metadata (before Finish).
func (f *File) SetMeta(k, v string) {
	if f.fw == nil && f.meta != nil {
		f.meta[k] = v
		return
	}
	f.fw.SetMeta(k, v)
}

// Rows is the number of rows written.
func (f *File) Rows() int64 {
	if f.fw == nil {
		return f.rows
	}
	return f.fw.Rows()
}

// Written is a committed file.
type Written struct {
	Path   string `json:"path"` // relative to the lake root, '/'-separated
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	Source string `json:"source,omitempty"`
}

// Rows is one table's rows for Write: see RowsOf.
type Rows interface {
	add(s *Set, meta map[string]string) error
}

type rowsOf[T any, P interface {
	*T
	schema.Row
}] []T

// RowsOf wraps rows of one table for Write. A partitioned table gets one
// file per host=/date= partition its rows fall in (none for no rows); any
// other table one file, even for no rows (its schema is then on disk).
func RowsOf[T any, P interface {
	*T
	schema.Row
}](rows []T) Rows {
	return rowsOf[T, P](rows)
}

func (rs rowsOf[T, P]) add(s *Set, meta map[string]string) error {
	table := schema.TableOf(P(new(T)))
	files := map[string]*File{}
	var order []*File
	if !table.Partitioned {
		f, err := s.Create(table, Dir(table, "", time.Time{}), meta)
		if err != nil {
			return err
		}
		files[""] = f
		order = append(order, f)
	}
	for i := range rs {
		dir := ""
		if table.Partitioned {
			h, t := any(P(&rs[i])).(schema.Partitioner).Partition()
			dir = Dir(table, h, t)
		}
		f := files[dir]
		if f == nil {
			var err error
			if f, err = s.Create(table, dir, meta); err != nil {
				return err
			}
			files[dir] = f
			order = append(order, f)
		}
		if err := f.Write(P(&rs[i])); err != nil {
			return fmt.Errorf("lake: write %s: %w", table.Name, err)
		}
	}
	for _, f := range order {
		if err := f.Finish(); err != nil {
			return err
		}
	}
	return nil
}

// Write writes each table's rows (RowsOf) with meta under root as one run:
// all of its files become visible together, or none (see Set.Commit).
func Write(root string, meta map[string]string, tables ...Rows) ([]Written, error) {
	s, err := NewSet(root)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := t.add(s, meta); err != nil {
			s.Abort()
			return nil, err
		}
	}
	return s.Commit()
}

// Discard removes files of s that are not committed yet, written or not
// (ingest drops what a source wrote before it turned out corrupt); the
// others stay for Commit. Safe from several goroutines, for distinct files.
// A file's staged copy is removed now; one left behind by a crash is
// removed with its run's staging folder.
func (s *Set) Discard(files []*File) {
	drop := make(map[*File]bool, len(files))
	for _, lf := range files {
		drop[lf] = true
	}
	s.mu.Lock()
	s.pending = slices.DeleteFunc(s.pending, func(lf *File) bool { return drop[lf] })
	s.mu.Unlock()
	for _, lf := range files {
		if !lf.done && lf.fw != nil {
			lf.fw.Abandon()
		}
		if lf.out.f != nil {
			lf.out.f.Close()
			lf.out.f = nil
		}
		if lf.out.name != "" {
			_ = fsys.Remove(lf.out.name)
		}
	}
}

// WriteTable writes rows of one table under root as one run (Write) and
// returns its one file: for a partitioned table, all rows must share one
// partition.
func WriteTable[T any, P interface {
	*T
	schema.Row
}](root string, rows []T, meta map[string]string) (Written, error) {
	w, err := Write(root, meta, RowsOf[T, P](rows))
	if err != nil {
		return Written{}, err
	}
	if len(w) != 1 {
		return Written{}, fmt.Errorf("lake: WriteTable: %d files, want 1 (rows of several partitions)", len(w))
	}
	return w[0], nil
}
