package table

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// FloatRows is a few numeric columns, and optionally a key column, read
// for computing: only the named columns are read, numbers are float64, and
// a row where any of them is null is dropped (and counted).
type FloatRows struct {
	Source string
	// Cols holds one slice per numeric column asked for, the kept rows in
	// source order.
	Cols [][]float64
	// Codes gives each kept row's key as an index into Keys; nil without a
	// key column.
	Codes []uint32
	// Keys are the distinct key values, sorted. A key column of numbers
	// gives them as Columns.Strings does (%g's shortest form).
	Keys []string
	// Dropped counts the rows skipped for a null number or key (an empty
	// CSV cell, a Parquet null).
	Dropped int
}

// ReadFloatRows reads the numeric columns cols, and the key column when key
// is not "", from path as Read does (a Parquet file, a lake folder or a CSV
// file with a header), keeping only the rows where all of them are set.
//
// A CSV file is scanned in a stream of 1 MiB reads, twice: once to count
// its lines (so that each column is allocated once), once to parse only the
// named fields (RFC 4180: quoted fields, "" inside quotes, CRLF, blank
// lines skipped, a BOM dropped, cells trimmed of spaces). Memory is the
// kept columns plus a constant; the file is never held whole. Errors name
// path:line:col: a field that is not a number, a record whose field count
// differs from the header's, a quote out of place.
//
// Parquet input is read column by column as Read does (only the named
// columns), then compacted in place.
func ReadFloatRows(path string, cols []string, key string) (*FloatRows, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		magic := make([]byte, 4)
		if n, _ := io.ReadFull(f, magic); n < 4 || string(magic) != "PAR1" {
			return readFloatCSV(f, path, cols, key)
		}
	}
	want := slices.Clone(cols)
	if key != "" {
		want = append(want, key)
	}
	t, err := Read(path, want)
	if err != nil {
		return nil, err
	}
	return t.floatRows(cols, key)
}

// floatRows compacts a table read whole into FloatRows.
func (t *Columns) floatRows(cols []string, key string) (*FloatRows, error) {
	fr := &FloatRows{Source: t.Source, Cols: make([][]float64, len(cols))}
	valid := make([][]bool, len(cols))
	for j, name := range cols {
		v, ok, err := t.Floats(name)
		if err != nil {
			return nil, err
		}
		fr.Cols[j], valid[j] = v, ok
	}
	var keys []string
	var kvalid []bool
	if key != "" {
		var err error
		if keys, kvalid, err = t.Strings(key); err != nil {
			return nil, err
		}
		fr.Codes = make([]uint32, 0, t.Rows)
	}
	dict := map[string]uint32{}
	kept := 0
	for i := range t.Rows {
		ok := key == "" || kvalid[i]
		for j := range cols {
			ok = ok && valid[j][i]
		}
		if !ok {
			fr.Dropped++
			continue
		}
		for j := range cols {
			fr.Cols[j][kept] = fr.Cols[j][i]
		}
		if key != "" {
			c, seen := dict[keys[i]]
			if !seen {
				c = uint32(len(fr.Keys))
				dict[keys[i]] = c
				fr.Keys = append(fr.Keys, keys[i])
			}
			fr.Codes = append(fr.Codes, c)
		}
		kept++
	}
	for j := range cols {
		fr.Cols[j] = fr.Cols[j][:kept:kept]
	}
	fr.sortKeys()
	return fr, nil
}

// sortKeys sorts Keys and renumbers Codes to match.
func (fr *FloatRows) sortKeys() {
	if len(fr.Keys) < 2 {
		return
	}
	order := make([]int, len(fr.Keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(fr.Keys[a], fr.Keys[b]) })
	remap := make([]uint32, len(order))
	sorted := make([]string, len(order))
	for newc, old := range order {
		remap[old] = uint32(newc)
		sorted[newc] = fr.Keys[old]
	}
	fr.Keys = sorted
	for i, c := range fr.Codes {
		fr.Codes[i] = remap[c]
	}
}

// readFloatCSV is ReadFloatRows for a CSV file. The file is cut into
// segments at newlines, one per core (files of 8 MiB and more); one
// parallel pass counts each segment's newlines and quotes. A file without
// quotes, where every newline ends a record, is then parsed segment by
// segment in parallel, each writing its rows at its first line's index
// into columns of one line count's length, compacted at the end; a file
// with quotes is parsed in one sequential stream. Errors are the first in
// file order either way.
func readFloatCSV(f *os.File, path string, cols []string, key string) (*FloatRows, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	segs := csvMaxSegments
	if segs == 0 {
		segs = runtime.GOMAXPROCS(0)
	}
	bounds, err := segments(f, st.Size(), max(1, min(segs, int(st.Size()/csvSegmentBytes))))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	nseg := len(bounds) - 1
	lines, quotes := make([]int, nseg), make([]int, nseg)
	errs := make([]error, nseg)
	parallel(nseg, func(j int) {
		lines[j], quotes[j], errs[j] = countLines(io.NewSectionReader(f, bounds[j], bounds[j+1]-bounds[j]))
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	total, anyQuote := 0, false
	for j := range nseg {
		total += lines[j]
		anyQuote = anyQuote || quotes[j] > 0
	}
	if anyQuote { // records may span newlines: one stream
		bounds, lines = []int64{0, st.Size()}, []int{total}
		nseg = 1
	}
	s0 := newCSVScanner(io.NewSectionReader(f, 0, bounds[1]), path, 1)
	header, _, err := s0.record()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	var names []string
	idx := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(string(h))
		if _, dup := idx[name]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", path, name)
		}
		idx[name] = i
		names = append(names, name)
	}
	rs := rowScan{path: path, nfields: len(header), slot: make([]int, len(header)), want: append(slices.Clone(cols), key)}
	for i := range rs.slot {
		rs.slot[i] = -1
	}
	for j, name := range rs.want {
		if j == len(cols) && key == "" {
			break
		}
		i, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("%s:1: no column %q in the header (columns: %s)", path, name, strings.Join(names, ", "))
		}
		if rs.slot[i] >= 0 {
			return nil, fmt.Errorf("%s:1: column %q asked for twice", path, name)
		}
		rs.slot[i] = j
	}
	rs.cols = make([][]float64, len(cols))
	for j := range cols {
		rs.cols[j] = make([]float64, total)
	}
	if key != "" {
		rs.codes = make([]uint32, total)
	}
	parts := make([]rowPart, nseg)
	first := 0 // line index (0-based) of each segment's first line
	for j := range nseg {
		parts[j].base = first
		first += lines[j]
	}
	parallel(nseg, func(j int) {
		s := s0
		if j > 0 {
			s = newCSVScanner(io.NewSectionReader(f, bounds[j], bounds[j+1]-bounds[j]), path, parts[j].base+1)
			s.bom = true // only the file's start can hold one
		}
		parts[j].err = rs.scan(s, &parts[j])
	})
	fr := &FloatRows{Source: path, Cols: rs.cols, Codes: rs.codes}
	dict := map[string]uint32{}
	keyNumeric := true
	n := 0
	for _, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		for j := range fr.Cols {
			copy(fr.Cols[j][n:], fr.Cols[j][p.base:p.base+p.rows])
		}
		if key != "" {
			remap := make([]uint32, len(p.keys))
			for c, k := range p.keys {
				g, seen := dict[k]
				if !seen {
					g = uint32(len(fr.Keys))
					dict[k] = g
					fr.Keys = append(fr.Keys, k)
				}
				remap[c] = g
			}
			for i, c := range fr.Codes[p.base : p.base+p.rows] {
				fr.Codes[n+i] = remap[c]
			}
			keyNumeric = keyNumeric && p.keyNumeric
		}
		fr.Dropped += p.dropped
		n += p.rows
	}
	for j := range fr.Cols {
		fr.Cols[j] = fr.Cols[j][:n:n]
	}
	if key != "" {
		fr.Codes = fr.Codes[:n:n]
		if keyNumeric {
			fr.numericKeys()
		}
	}
	fr.sortKeys()
	return fr, nil
}

// rowScan parses the records of a CSV segment into preallocated columns.
type rowScan struct {
	path    string
	nfields int      // fields of the header
	slot    []int    // field → numeric column j, len(cols) for the key, −1
	want    []string // column names by slot
	cols    [][]float64
	codes   []uint32
}

// rowPart is one segment's result: its rows are at [base, base+rows) of
// the columns, its codes index keys.
type rowPart struct {
	base, rows, dropped int
	keys                []string
	keyNumeric          bool
	err                 error
}

func (rs *rowScan) scan(s *csvScanner, p *rowPart) error {
	nnum := len(rs.cols)
	dict := map[string]uint32{}
	p.keyNumeric = true
	vals := make([]float64, nnum)
	row := p.base
	for {
		rec, line, err := s.record()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) != rs.nfields {
			return fmt.Errorf("%s:%d: %d fields, the header has %d", rs.path, line, len(rec), rs.nfields)
		}
		null := false
		var kv []byte
		for i, fld := range rec {
			j := rs.slot[i]
			if j < 0 {
				continue
			}
			v := bytes.TrimSpace(fld)
			if len(v) == 0 {
				null = true
				continue
			}
			if j == nnum {
				kv = v
				continue
			}
			x, err := parseFloat(v)
			if err != nil { // as Read: out of float64's range (1e400) is not a number either
				fl, col := s.pos(i)
				return fmt.Errorf("%s:%d:%d: %q: column %q is not numeric", rs.path, fl, col, v, rs.want[j])
			}
			vals[j] = x
		}
		if null {
			p.dropped++
			continue
		}
		for j, v := range vals {
			rs.cols[j][row] = v
		}
		if rs.codes != nil {
			c, seen := dict[string(kv)]
			if !seen {
				c = uint32(len(p.keys))
				k := string(kv)
				dict[k] = c
				p.keys = append(p.keys, k)
				if _, err := strconv.ParseFloat(k, 64); err != nil {
					p.keyNumeric = false
				}
			}
			rs.codes[row] = c
		}
		row++
		p.rows++
	}
}

// segments cuts [0, size) into up to n ranges that start after a newline.
func segments(r io.ReaderAt, size int64, n int) ([]int64, error) {
	b := []int64{0}
	buf := make([]byte, 4096)
	for j := 1; j < n; j++ {
		off := max(size*int64(j)/int64(n), b[len(b)-1])
		for off < size {
			m, err := r.ReadAt(buf, off)
			if i := bytes.IndexByte(buf[:m], '\n'); i >= 0 {
				off += int64(i) + 1
				break
			}
			off += int64(m)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
		}
		if off < size && off > b[len(b)-1] {
			b = append(b, off)
		}
	}
	return append(b, size), nil
}

// parallel runs f(0) … f(n−1) on n goroutines (f(0) on the caller's).
func parallel(n int, f func(j int)) {
	var wg sync.WaitGroup
	for j := 1; j < n; j++ {
		wg.Go(func() { f(j) })
	}
	f(0)
	wg.Wait()
}

// numericKeys renames the keys of a column whose every value is a number
// to %g's shortest form, as Columns.Strings does, merging keys that name the
// same number ("1" and "1.0").
func (fr *FloatRows) numericKeys() {
	dict := map[string]uint32{}
	remap := make([]uint32, len(fr.Keys))
	var keys []string
	for old, k := range fr.Keys {
		v, _ := strconv.ParseFloat(k, 64)
		g := strconv.FormatFloat(v, 'g', -1, 64)
		c, seen := dict[g]
		if !seen {
			c = uint32(len(keys))
			dict[g] = c
			keys = append(keys, g)
		}
		remap[old] = c
	}
	fr.Keys = keys
	for i, c := range fr.Codes {
		fr.Codes[i] = remap[c]
	}
}

// The CSV reader's sizes (tests make them tiny): the scanner's reads, the
// least bytes of a segment parsed in parallel, and the number of segments
// (0: GOMAXPROCS).
var (
	csvBufSize      = 1 << 20
	csvSegmentBytes = int64(8 << 20)
	csvMaxSegments  = 0
)

// countLines counts the newlines of r (plus one for a last line without)
// and its quotes.
func countLines(r io.Reader) (lines, quotes int, err error) {
	buf := make([]byte, min(csvBufSize, 1<<16))
	last := byte('\n')
	for {
		m, err := r.Read(buf)
		if m > 0 {
			lines += bytes.Count(buf[:m], []byte{'\n'})
			quotes += bytes.Count(buf[:m], []byte{'"'})
			last = buf[m-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
	}
	if last != '\n' {
		lines++
	}
	return lines, quotes, nil
}

// csvScanner reads RFC 4180 records from r through a buffer that grows
// only for a record longer than itself.
type csvScanner struct {
	r          io.Reader
	path       string
	buf        []byte
	start, end int  // unread bytes: buf[start:end]
	eof        bool // r is exhausted
	quotes     bool // buf[start:end] holds a '"' (else the fast path)
	line       int  // line of buf[start]
	fields     [][]byte
	at         [][2]int // line and column of each field of the last quoted-path record
	rec        []byte   // the last plain-path record
	recLine    int      // the line it starts on
	unq        []byte   // unescaped quoted fields
	bom        bool
}

func newCSVScanner(r io.Reader, path string, line int) *csvScanner {
	return &csvScanner{r: r, path: path, buf: make([]byte, csvBufSize), line: line}
}

// fill moves the unread bytes to the front and reads more; false at EOF.
func (s *csvScanner) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	n := copy(s.buf, s.buf[s.start:s.end])
	s.start, s.end = 0, n
	if n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	m, err := io.ReadAtLeast(s.r, s.buf[n:], 1)
	s.end += m
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		s.eof = true
		err = nil
	}
	if !s.bom && s.end >= 3 {
		s.bom = true
		if bytes.HasPrefix(s.buf[s.start:s.end], []byte("\xef\xbb\xbf")) {
			s.start += 3
		}
	}
	s.quotes = bytes.IndexByte(s.buf[s.start:s.end], '"') >= 0
	return m > 0, err
}

// pos is the line and 1-based byte column of field i of the last record:
// kept by the quoted path, found again in the record by the plain one.
func (s *csvScanner) pos(i int) (int, int) {
	if s.rec == nil {
		return s.at[i][0], s.at[i][1]
	}
	col := 0
	for range i {
		col += bytes.IndexByte(s.rec[col:], ',') + 1
	}
	return s.recLine, col + 1
}

// errNeedMore asks record to read more input and start the record again.
var errNeedMore = errors.New("need more input")

// record returns the next record's fields (valid until the next call)
// and the line it starts on; io.EOF after the last one.
func (s *csvScanner) record() ([][]byte, int, error) {
	for {
		if s.start == s.end {
			if ok, err := s.fill(); err != nil {
				return nil, 0, err
			} else if !ok {
				return nil, 0, io.EOF
			}
		}
		fields, n, lines, err := s.parse(s.buf[s.start:s.end])
		if err == errNeedMore {
			if _, err := s.fill(); err != nil {
				return nil, 0, err
			}
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		line := s.line
		s.recLine = line
		s.start += n
		s.line += lines
		if fields == nil { // a blank line
			continue
		}
		return fields, line, nil
	}
}

// parse reads one record from the front of b: its fields (nil for a blank
// line), the bytes it took and the newlines among them. errNeedMore when b
// ends inside it and more input may follow.
func (s *csvScanner) parse(b []byte) ([][]byte, int, int, error) {
	s.fields, s.at, s.unq, s.rec = s.fields[:0], s.at[:0], s.unq[:0], nil
	nl := bytes.IndexByte(b, '\n')
	if !s.quotes {
		end := nl
		if end < 0 {
			if !s.eof {
				return nil, 0, 0, errNeedMore
			}
			end = len(b)
		}
		rec := b[:end]
		took, lines := end, 0
		if nl >= 0 {
			took, lines = end+1, 1
		}
		if len(rec) == 0 || (len(rec) == 1 && rec[0] == '\r') {
			return nil, took, lines, nil
		}
		s.rec = rec // for pos
		col := 0
		for {
			c := bytes.IndexByte(rec[col:], ',')
			if c < 0 {
				s.fields = append(s.fields, rec[col:])
				break
			}
			s.fields = append(s.fields, rec[col:col+c])
			col += c + 1
		}
		return s.fields, took, lines, nil
	}
	return s.parseQuoted(b)
}

// parseQuoted is parse for input that may hold quotes.
func (s *csvScanner) parseQuoted(b []byte) ([][]byte, int, int, error) {
	i, line, lineStart := 0, s.line, 0
	if len(b) > 0 && b[0] == '\n' {
		return nil, 1, 1, nil
	}
	if len(b) > 1 && b[0] == '\r' && b[1] == '\n' {
		return nil, 2, 1, nil
	}
	var spans [][2]int // into s.unq for unescaped fields, marked by a negative start
	for {
		s.at = append(s.at, [2]int{line, i - lineStart + 1})
		if i < len(b) && b[i] == '"' {
			// Quoted field: up to a '"' not doubled.
			fieldStart := len(s.unq)
			j := i + 1
			for {
				q := bytes.IndexByte(b[j:], '"')
				if q < 0 {
					if !s.eof {
						return nil, 0, 0, errNeedMore
					}
					return nil, 0, 0, fmt.Errorf("%s:%d:%d: a quoted field has no closing quote", s.path, s.at[len(s.at)-1][0], s.at[len(s.at)-1][1])
				}
				seg := b[j : j+q]
				for k, c := range seg {
					if c == '\n' {
						line++
						lineStart = j + k + 1
					}
				}
				s.unq = append(s.unq, seg...)
				j += q + 1
				if j < len(b) && b[j] == '"' {
					s.unq = append(s.unq, '"')
					j++
					continue
				}
				if j == len(b) && !s.eof {
					return nil, 0, 0, errNeedMore
				}
				break
			}
			spans = append(spans, [2]int{-1 - fieldStart, len(s.unq)})
			i = j
			switch {
			case i == len(b):
			case b[i] == ',' || b[i] == '\n':
			case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
				i++
			case b[i] == '\r' && i+1 == len(b) && !s.eof:
				return nil, 0, 0, errNeedMore
			case b[i] == '\r' && i+1 == len(b): // a last \r is dropped, as encoding/csv does
				i++
			default:
				return nil, 0, 0, fmt.Errorf("%s:%d:%d: extraneous or missing \" in quoted-field", s.path, line, i-lineStart+1)
			}
		} else {
			// Unquoted field: up to ',' or '\n'; no '"' inside.
			j := i
			for j < len(b) && b[j] != ',' && b[j] != '\n' {
				if b[j] == '"' {
					return nil, 0, 0, fmt.Errorf("%s:%d:%d: bare \" in non-quoted field", s.path, line, j-lineStart+1)
				}
				j++
			}
			if j == len(b) && !s.eof {
				return nil, 0, 0, errNeedMore
			}
			spans = append(spans, [2]int{i, j})
			i = j
		}
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		took, lines := i, line-s.line
		if i < len(b) && b[i] == '\n' {
			took, lines = i+1, lines+1
		}
		for _, sp := range spans {
			if sp[0] < 0 {
				s.fields = append(s.fields, s.unq[-1-sp[0]:sp[1]])
			} else {
				s.fields = append(s.fields, b[sp[0]:sp[1]])
			}
		}
		return s.fields, took, lines, nil
	}
}
