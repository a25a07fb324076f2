// Package lake writes migreplay's Hive-partitioned Parquet lake:
//
//	<out>/table=<name>/host=<host>/date=<YYYY-MM-DD>/part-<hash>.parquet  (host/time tables)
//	<out>/table=<name>/part-<hash>.parquet                                (other tables)
//
// <hash> is the first 16 hex digits of the SHA-256 of the file's own bytes,
// so a file's name is a function of its content: shards of one job never
// collide, and a rerun on the same input rewrites exactly its own files with
// identical bytes.
//
// Files are written under <out>/_tmp/ with a .tmp suffix and renamed into
// place only by Commit, so a crash or kill at any moment leaves nothing
// visible to a reader of *.parquet (Spark, Trino and DuckDB's hive globs
// skip paths starting with "_"); Abort removes them.
package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
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

// Set is one batch of files destined for a lake root: everything a command
// writes becomes visible together at Commit, or not at all. Create may be
// called from several goroutines (each writing its own files); Commit and
// Abort run once the writers are done.
type Set struct {
	root    string
	tmp     string
	mu      sync.Mutex // guards pending
	pending []*File
	done    []string
}

// NewSet prepares writing under root (created if needed).
func NewSet(root string) (*Set, error) {
	tmp := filepath.Join(root, "_tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	return &Set{root: root, tmp: tmp}, nil
}

// File is one Parquet file being written.
type File struct {
	// Source tags the file with the input it came from (ingest), so a
	// rerun can find and replace exactly that input's files.
	Source string
	dir    string // relative partition dir
	f      *os.File
	h      hash.Hash
	fw     schema.FileWriter
	cnt    *countWriter
	done   bool  // Finish ran: footer written, temp file closed, fw dropped
	rows   int64 // rows written, kept when fw is dropped
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

// Create starts a file of table in partition dir (see Dir) with meta.
func (s *Set) Create(table *schema.Table, dir string, meta map[string]string) (*File, error) {
	f, err := os.CreateTemp(s.tmp, "part-*.parquet.tmp")
	if err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	lf := &File{dir: dir, f: f, h: h, cnt: cw}
	lf.fw = table.NewFileWriter(cw, meta)
	s.mu.Lock()
	s.pending = append(s.pending, lf)
	s.mu.Unlock()
	return lf, nil
}

// Write appends one row.
func (f *File) Write(r schema.Row) error { return f.fw.Write(r) }

// Flush writes the rows buffered so far into the file as a row group and
// releases the buffers (see schema.FileWriter); later rows start a new row
// group. Callers flush files they are done with for now, to bound memory.
func (f *File) Flush() error { return f.fw.Flush() }

// Finish writes the file's footer and closes it now, releasing every
// buffer; Commit then only names and renames it. No row or metadata can be
// added afterwards. Writers finish files they will not come back to, so
// that memory stays bounded however many partitions one input spans.
func (f *File) Finish() error {
	if f.done {
		return nil
	}
	f.done = true
	f.rows = f.fw.Rows()
	err := f.fw.Close()
	f.fw = nil // release the writer's buffers now, not at Commit
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	if err := f.f.Sync(); err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	return nil
}

// SetMeta sets footer metadata (before Commit).
func (f *File) SetMeta(k, v string) { f.fw.SetMeta(k, v) }

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

// Commit closes every file, names it by content and renames it into place.
// Files are committed in a deterministic order (by final path).
func (s *Set) Commit() ([]Written, error) {
	var out []Written
	for _, lf := range s.pending {
		if err := lf.Finish(); err != nil {
			s.Abort()
			return nil, err
		}
		sum := hex.EncodeToString(lf.h.Sum(nil))[:16]
		rel := filepath.Join(lf.dir, "part-"+sum+".parquet")
		out = append(out, Written{Path: filepath.ToSlash(rel), Rows: lf.Rows(), Bytes: lf.cnt.n, Source: lf.Source})
	}
	for i, lf := range s.pending {
		dst := filepath.Join(s.root, out[i].Path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			s.Abort()
			return nil, fmt.Errorf("lake: %w", err)
		}
		if err := os.Rename(lf.f.Name(), dst); err != nil {
			s.Abort()
			return nil, fmt.Errorf("lake: %w", err)
		}
		s.done = append(s.done, dst)
	}
	s.pending = nil
	_ = os.Remove(s.tmp) // only if empty: another process may be writing
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Discard removes files of s that are not committed yet, written or not
// (ingest drops what a source wrote before it turned out corrupt); the
// others stay for Commit. Safe from several goroutines, for distinct files.
func (s *Set) Discard(files []*File) {
	drop := make(map[*File]bool, len(files))
	for _, lf := range files {
		drop[lf] = true
	}
	s.mu.Lock()
	s.pending = slices.DeleteFunc(s.pending, func(lf *File) bool { return drop[lf] })
	s.mu.Unlock()
	for _, lf := range files {
		if !lf.done {
			lf.fw.Abandon()
			lf.f.Close()
		}
		os.Remove(lf.f.Name())
	}
}

// Abort removes every file not yet committed.
func (s *Set) Abort() {
	for _, lf := range s.pending {
		if !lf.done {
			lf.fw.Abandon()
			lf.f.Close()
		}
		os.Remove(lf.f.Name())
	}
	s.pending = nil
	_ = os.Remove(s.tmp)
}

// WriteTable writes rows of one table as a single file under root and
// commits it. The table must not be partitioned by host/date, or all rows
// must share one partition (the first row's).
func WriteTable[T any, P interface {
	*T
	schema.Row
}](root string, rows []T, meta map[string]string) (Written, error) {
	table := schema.TableOf(P(new(T)))
	dir := Dir(table, "", time.Time{})
	if table.Partitioned && len(rows) > 0 {
		h, t := any(P(&rows[0])).(schema.Partitioner).Partition()
		dir = Dir(table, h, t)
	}
	s, err := NewSet(root)
	if err != nil {
		return Written{}, err
	}
	f, err := s.Create(table, dir, meta)
	if err != nil {
		return Written{}, err
	}
	for i := range rows {
		if err := f.Write(P(&rows[i])); err != nil {
			s.Abort()
			return Written{}, err
		}
	}
	w, err := s.Commit()
	if err != nil {
		return Written{}, err
	}
	return w[0], nil
}
