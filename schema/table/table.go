// Package table reads tables back from the lake (or from a Parquet or CSV
// file) into plain in-memory columns, for the analyses, the fitters and the
// replay's trace readers.
package table

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/internal/intern"
	"github.com/migreplay/migreplay/schema/lake"
)

// Column is one column read whole into memory.
type Column struct {
	Name string
	// Numeric columns (Parquet booleans, integers and floats; CSV columns
	// whose every non-empty cell parses as a number) fill Floats; text
	// columns (Parquet byte arrays, Hive partition keys, other CSV columns)
	// fill Strings. Valid is false where the value is null (an empty CSV
	// cell); Floats holds 0 and Strings "" there.
	Numeric bool
	Floats  []float64
	Strings []string
	Valid   []bool

	notNumber string // CSV: where the first non-number is, "file:line:col: "x""
	// intern shares the strings of a Parquet text column: its values
	// repeat (host, domain, device) and one allocation per value made
	// reading a large lake mostly garbage collection.
	intern intern.Pool
}

// Columns is a set of named columns of equal length: a table, or the
// columns of one that were read.
type Columns struct {
	Source string // the path read
	Rows   int
	cols   map[string]*Column
	names  []string // every column the source has, in source order
	// rowsHint is the row count of the whole source when known up front
	// (a lake: the sum of its files' footers): columns are allocated at
	// that size once instead of growing by appends.
	rowsHint int
	opts     Options
}

// newColumn starts a column, with room for t.rowsHint values.
func (t *Columns) newColumn(name string, numeric bool) *Column {
	c := &Column{Name: name, Numeric: numeric, Valid: make([]bool, 0, t.rowsHint), intern: intern.Pool{Max: 1 << 16}}
	if numeric {
		c.Floats = make([]float64, 0, t.rowsHint)
	} else {
		c.Strings = make([]string, 0, t.rowsHint)
	}
	return c
}

// Names lists every column of the source (Parquet: top-level leaf columns,
// then Hive partition keys; CSV: the header), not only those read.
func (t *Columns) Names() []string { return append([]string(nil), t.names...) }

// Column returns a column that was read, or an error naming the columns
// the source has.
func (t *Columns) Column(name string) (*Column, error) {
	c, ok := t.cols[name]
	if !ok {
		return nil, fmt.Errorf("%s: no column %q (columns: %s)", t.Source, name, strings.Join(t.names, ", "))
	}
	return c, nil
}

// Floats returns column name as numbers with its validity. A text column
// is an error that says where its first non-number is.
func (t *Columns) Floats(name string) ([]float64, []bool, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, nil, err
	}
	if !c.Numeric {
		if c.notNumber != "" {
			return nil, nil, fmt.Errorf("%s: column %q is not numeric", c.notNumber, name)
		}
		return nil, nil, fmt.Errorf("%s: column %q holds text, not numbers", t.Source, name)
	}
	return c.Floats, c.Valid, nil
}

// Strings returns column name as text (numbers formatted with %g's
// shortest exact form) with its validity.
func (t *Columns) Strings(name string) ([]string, []bool, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, nil, err
	}
	if !c.Numeric {
		return c.Strings, c.Valid, nil
	}
	s := make([]string, len(c.Floats))
	for i, v := range c.Floats {
		if c.Valid[i] {
			s[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return s, c.Valid, nil
}

// Read reads the named columns (all of them when columns is nil) from
// path:
//   - a Parquet file (recognised by its PAR1 magic);
//   - a folder: every *.parquet file under it, in path order, skipping
//     names that start with "_" or "." (the lake's _tmp/), with Hive
//     partition keys (host=…/date=…) as text columns. Point it at one
//     table's folder, e.g. out/table=replay_run;
//   - otherwise a CSV file with a header row (RFC 4180; empty cells are
//     null).
//
// Parquet columns must be top-level and not repeated; integers, booleans
// and timestamps come back as numbers in their stored unit (timestamps:
// their stored ticks), byte arrays as text.
func Read(path string, columns []string) (*Columns, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return readLake(path, columns)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if n, _ := io.ReadFull(f, magic); n == 4 && string(magic) == "PAR1" {
		t := &Columns{Source: path, cols: map[string]*Column{}}
		if err := t.appendParquet(f, st.Size(), path, columns, nil); err != nil {
			return nil, err
		}
		return t, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return readCSV(f, path, columns)
}

func readLake(root string, columns []string) (*Columns, error) {
	files, err := ListFiles(root)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .parquet files under this folder", root)
	}
	return ReadFiles(root, files, columns)
}

// ListFiles lists the Parquet files below root that Read reads, in path
// order: *.parquet, skipping names that start with "_" or "." (the lake's
// _tmp/, _lake/ and _manifests/): lake.ListFiles.
func ListFiles(root string) ([]string, error) { return lake.ListFiles(root) }

// GroupByKey splits files (below root) by the value of their Hive
// partition key (host=…), the groups in order of value (unescaped), files
// in their given order within a group. ok is false when some file has no
// such key below root: the files cannot be split by it.
func GroupByKey(root string, files []string, key string) (values []string, groups [][]string, ok bool, err error) {
	by := map[string][]string{}
	for _, f := range files {
		parts, err := Partitions(root, f)
		if err != nil {
			return nil, nil, false, err
		}
		i := slices.IndexFunc(parts, func(p [2]string) bool { return p[0] == key })
		if i < 0 {
			return nil, nil, false, nil
		}
		v := parts[i][1]
		if _, seen := by[v]; !seen {
			values = append(values, v)
		}
		by[v] = append(by[v], f)
	}
	sort.Strings(values)
	for _, v := range values {
		groups = append(groups, by[v])
	}
	return values, groups, true, nil
}

// ReadFiles reads the named columns (all of them when columns is nil) of
// the Parquet files, in the order given, as one table; the Hive partition
// keys (key=value folders) of each file's path below root are text
// columns. Read on a folder is ReadFiles of every Parquet file below it in
// path order; ReadFiles lets a caller prune the files first (one host's
// partitions, say).
func ReadFiles(root string, files []string, columns []string) (*Columns, error) {
	return ReadFilesWith(root, files, columns, Options{})
}

// Options changes how ReadFilesWith reads.
type Options struct {
	// MissingAsNull reads a named column that a file lacks as nulls for
	// that file's rows (a table whose schema grew, files written with a
	// subset of its columns), where ReadFiles reports it. A column that no
	// file has stays absent: Column, Floats and Strings report it.
	MissingAsNull bool
}

// ReadFilesWith is ReadFiles with options.
func ReadFilesWith(root string, files []string, columns []string, o Options) (*Columns, error) {
	t := &Columns{Source: root, cols: map[string]*Column{}, opts: o}
	for _, p := range files {
		t.rowsHint += int(parquetRows(p))
	}
	for _, p := range files {
		parts, err := Partitions(root, p)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err == nil {
			err = t.appendParquet(f, st.Size(), p, columns, parts)
		}
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Partitions is the Hive partition keys and (unescaped) values of the
// folders between root and the file at p, outermost first.
func Partitions(root, p string) ([][2]string, error) {
	rel, err := filepath.Rel(root, filepath.Dir(p))
	if err != nil {
		return nil, err
	}
	var parts [][2]string
	for _, comp := range strings.Split(filepath.ToSlash(rel), "/") {
		if k, v, ok := strings.Cut(comp, "="); ok {
			uv, err := lake.Unescape(v)
			if err != nil {
				return nil, fmt.Errorf("%s: partition %q: %v", p, comp, err)
			}
			parts = append(parts, [2]string{k, uv})
		}
	}
	return parts, nil
}

// parquetRows is the row count in the footer of the Parquet file at p, 0
// when it cannot be read (appendParquet then reports why). readLake reads
// each footer twice, here and in appendParquet, rather than hold a
// descriptor per file of the lake between the two passes.
func parquetRows(p string) int64 {
	f, err := os.Open(p)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0
	}
	return pf.NumRows()
}

// appendParquet appends the wanted columns of one Parquet file, plus the
// Hive partition values parts for each of its rows.
func (t *Columns) appendParquet(r io.ReaderAt, size int64, path string, columns []string, parts [][2]string) error {
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sch := pf.Schema()
	var names []string
	for _, f := range sch.Fields() {
		if f.Leaf() {
			names = append(names, f.Name())
		}
	}
	for _, p := range parts {
		// a key the file also stores as a column (our lake keeps host in
		// both) is read from the file, once
		if !slices.Contains(names, p[0]) {
			names = append(names, p[0])
		}
	}
	if t.names == nil {
		t.names = names
	}
	want := columns
	if want == nil {
		want = names
	}
	rows := int(pf.NumRows())
	for _, name := range want {
		part := -1
		for i, p := range parts {
			if p[0] == name {
				part = i
			}
		}
		c := t.cols[name]
		leaf, ok := sch.Lookup(name)
		switch {
		case part >= 0 && !ok:
			if c == nil {
				c = t.newColumn(name, false)
				t.cols[name] = c
				t.pad(c)
			}
			if c.Numeric {
				return fmt.Errorf("%s: partition key %q is text but earlier files store it as numbers", path, name)
			}
			for range rows {
				c.Strings = append(c.Strings, parts[part][1])
				c.Valid = append(c.Valid, parts[part][1] != "")
			}
			continue
		case !ok && t.opts.MissingAsNull && columns != nil:
			if c != nil {
				c.appendNulls(rows)
			}
			continue
		case !ok:
			return fmt.Errorf("%s: no column %q (columns: %s)", path, name, strings.Join(names, ", "))
		case leaf.MaxRepetitionLevel > 0 || len(leaf.Path) != 1:
			return fmt.Errorf("%s: column %q is nested or repeated; only flat columns can be read", path, name)
		}
		kind := leaf.Node.Type().Kind()
		numeric := kind != parquet.ByteArray && kind != parquet.FixedLenByteArray
		if c == nil {
			c = t.newColumn(name, numeric)
			t.cols[name] = c
			t.pad(c)
		} else if c.Numeric != numeric {
			return fmt.Errorf("%s: column %q changes type (%v) from earlier files", path, name, kind)
		}
		if err := readColumn(pf, leaf.ColumnIndex, c); err != nil {
			return fmt.Errorf("%s: column %q: %w", path, name, err)
		}
		if got := len(c.Valid); got != t.Rows+rows {
			return fmt.Errorf("%s: column %q has %d values for %d rows", path, name, got-t.Rows, rows)
		}
	}
	t.Rows += rows
	return nil
}

// pad fills a column first seen in a later file with nulls for earlier rows.
func (t *Columns) pad(c *Column) { c.appendNulls(t.Rows) }

// appendNulls appends n nulls to c.
func (c *Column) appendNulls(n int) {
	for range n {
		c.Valid = append(c.Valid, false)
		if c.Numeric {
			c.Floats = append(c.Floats, 0)
		} else {
			c.Strings = append(c.Strings, "")
		}
	}
}

func readColumn(pf *parquet.File, idx int, c *Column) error {
	buf := make([]parquet.Value, 4096)
	for _, rg := range pf.RowGroups() {
		if err := readChunk(rg, idx, c, buf); err != nil {
			return err
		}
	}
	return nil
}

// readChunk appends the values of column idx of one row group to c.
func readChunk(rg parquet.RowGroup, idx int, c *Column, buf []parquet.Value) error {
	pages := rg.ColumnChunks()[idx].Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return pages.Close()
		}
		if err != nil {
			return err
		}
		vr := p.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				appendValue(c, v)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return err
			}
		}
		parquet.Release(p)
	}
}

// RowGroups reads the named columns of the Parquet files (below root, in
// the order given; Hive partition keys as text columns, as ReadFiles) one
// row group at a time: memory follows a row group, not the files.
//
//	it := table.RowGroups(root, files, cols)
//	defer it.Close()
//	for it.Next() {
//		t := it.Columns() // this row group's rows
//	}
//	err := it.Err()
//
// The Table and its columns are reused by the next row group: copy what
// you keep (strings may be kept: they are not reused). A column a file
// lacks is an error.
func RowGroups(root string, files []string, columns []string) *RowGroupIter {
	return &RowGroupIter{root: root, files: files, columns: columns,
		t: &Columns{Source: root, cols: map[string]*Column{}}, buf: make([]parquet.Value, 4096)}
}

// RowGroupIter is RowGroups' iterator.
type RowGroupIter struct {
	root    string
	files   []string
	columns []string
	t       *Columns
	buf     []parquet.Value
	err     error
	// the open file
	f     *os.File
	path  string
	parts [][2]string
	idx   []int // leaf column index; -1 - k for partition key k
	rgs   []parquet.RowGroup
}

// Columns is the current row group's rows.
func (it *RowGroupIter) Columns() *Columns { return it.t }

// Err is the error that stopped Next, if any.
func (it *RowGroupIter) Err() error { return it.err }

// Close releases the open file; Next then returns false.
func (it *RowGroupIter) Close() {
	if it.f != nil {
		it.f.Close()
		it.f = nil
	}
	it.files, it.rgs = nil, nil
}

// Next reads the next row group.
func (it *RowGroupIter) Next() bool {
	for it.err == nil && len(it.rgs) == 0 {
		if it.f != nil {
			it.f.Close()
			it.f = nil
		}
		if len(it.files) == 0 {
			return false
		}
		it.path, it.files = it.files[0], it.files[1:]
		it.err = it.open()
	}
	if it.err != nil {
		it.Close()
		return false
	}
	rg := it.rgs[0]
	it.rgs = it.rgs[1:]
	rows := int(rg.NumRows())
	for i, name := range it.columns {
		c := it.t.cols[name]
		c.Floats, c.Strings, c.Valid = c.Floats[:0], c.Strings[:0], c.Valid[:0]
		if it.idx[i] < 0 {
			v := it.parts[-1-it.idx[i]][1]
			for range rows {
				c.Strings = append(c.Strings, v)
				c.Valid = append(c.Valid, v != "")
			}
			continue
		}
		if err := readChunk(rg, it.idx[i], c, it.buf); err != nil {
			it.err = fmt.Errorf("%s: column %q: %w", it.path, name, err)
		} else if len(c.Valid) != rows {
			it.err = fmt.Errorf("%s: column %q has %d values for %d rows", it.path, name, len(c.Valid), rows)
		}
		if it.err != nil {
			it.Close()
			return false
		}
	}
	it.t.Rows = rows
	return true
}

// open opens it.path and maps the columns to it.
func (it *RowGroupIter) open() error {
	var err error
	if it.parts, err = Partitions(it.root, it.path); err != nil {
		return err
	}
	if it.f, err = os.Open(it.path); err != nil {
		return err
	}
	st, err := it.f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(it.f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", it.path, err)
	}
	it.rgs = pf.RowGroups()
	sch, t := pf.Schema(), it.t
	it.idx = make([]int, len(it.columns))
	for i, name := range it.columns {
		leaf, ok := sch.Lookup(name)
		switch {
		case ok && (leaf.MaxRepetitionLevel > 0 || len(leaf.Path) != 1):
			return fmt.Errorf("%s: column %q is nested or repeated; only flat columns can be read", it.path, name)
		case ok:
			it.idx[i] = leaf.ColumnIndex
			kind := leaf.Node.Type().Kind()
			numeric := kind != parquet.ByteArray && kind != parquet.FixedLenByteArray
			c := t.cols[name]
			if c == nil {
				c = t.newColumn(name, numeric)
				t.cols[name] = c
				t.names = append(t.names, name)
			} else if c.Numeric != numeric {
				return fmt.Errorf("%s: column %q changes type (%v) from earlier files", it.path, name, kind)
			}
		default:
			k := slices.IndexFunc(it.parts, func(p [2]string) bool { return p[0] == name })
			if k < 0 {
				return fmt.Errorf("%s: no column %q", it.path, name)
			}
			it.idx[i] = -1 - k
			if c := t.cols[name]; c == nil {
				t.cols[name] = t.newColumn(name, false)
				t.names = append(t.names, name)
			} else if c.Numeric {
				return fmt.Errorf("%s: partition key %q is text but earlier files store it as numbers", it.path, name)
			}
		}
	}
	return nil
}

func appendValue(c *Column, v parquet.Value) {
	if v.IsNull() {
		c.Valid = append(c.Valid, false)
		if c.Numeric {
			c.Floats = append(c.Floats, 0)
		} else {
			c.Strings = append(c.Strings, "")
		}
		return
	}
	c.Valid = append(c.Valid, true)
	if !c.Numeric {
		c.Strings = append(c.Strings, c.intern.String(v.ByteArray()))
		return
	}
	var f float64
	switch v.Kind() {
	case parquet.Boolean:
		if v.Boolean() {
			f = 1
		}
	case parquet.Int32:
		f = float64(v.Int32())
	case parquet.Int64:
		f = float64(v.Int64())
	case parquet.Float:
		f = float64(v.Float())
	case parquet.Double:
		f = v.Double()
	default: // INT96 (legacy timestamps): not a number we can use
		c.Valid[len(c.Valid)-1] = false
	}
	c.Floats = append(c.Floats, f)
}

// readCSV reads a CSV file with a header row.
func readCSV(r io.Reader, path string, columns []string) (*Columns, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's BOM
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	t := &Columns{Source: path, cols: map[string]*Column{}}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		t.names = append(t.names, h)
		if _, dup := idx[h]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", path, h)
		}
		idx[h] = i
	}
	want := columns
	if want == nil {
		want = t.names
	}
	type wanted struct {
		i int
		c *Column
	}
	var ws []wanted
	for _, name := range want {
		i, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("%s:1: no column %q in the header (columns: %s)", path, name, strings.Join(t.names, ", "))
		}
		c := &Column{Name: name, Numeric: true}
		t.cols[name] = c
		ws = append(ws, wanted{i, c})
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err) // csv.ParseError carries line:col
		}
		for _, w := range ws {
			s := strings.TrimSpace(rec[w.i])
			w.c.Strings = append(w.c.Strings, s)
			w.c.Valid = append(w.c.Valid, s != "")
			if s == "" || !w.c.Numeric {
				w.c.Floats = append(w.c.Floats, 0)
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				line, col := cr.FieldPos(w.i)
				w.c.notNumber = fmt.Sprintf("%s:%d:%d: %q", path, line, col, s)
				w.c.Numeric = false
			}
			w.c.Floats = append(w.c.Floats, f)
		}
		t.Rows++
	}
	for _, w := range ws {
		if w.c.Numeric {
			w.c.Strings = nil
		} else {
			w.c.Floats = nil
		}
	}
	return t, nil
}
