package table

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"
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
	// gives them as Table.Strings does (%g's shortest form).
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
func (t *Table) floatRows(cols []string, key string) (*FloatRows, error) {
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

// readFloatCSV is ReadFloatRows for a CSV file (f is at any offset).
func readFloatCSV(f *os.File, path string, cols []string, key string) (*FloatRows, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	lines, err := countLines(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	s := &csvScanner{r: f, path: path, buf: make([]byte, csvBufSize), line: 1}
	header, _, err := s.record()
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
		if i == 0 {
			name = strings.TrimSpace(strings.TrimPrefix(string(bytes.TrimSpace(h)), "\ufeff"))
		}
		if _, dup := idx[name]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", path, name)
		}
		idx[name] = i
		names = append(names, name)
	}
	slot := make([]int, len(header)) // field → column j, len(cols) for the key, −1
	for i := range slot {
		slot[i] = -1
	}
	want := append(slices.Clone(cols), key)
	for j, name := range want {
		if j == len(cols) && key == "" {
			break
		}
		i, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("%s:1: no column %q in the header (columns: %s)", path, name, strings.Join(names, ", "))
		}
		if slot[i] >= 0 {
			return nil, fmt.Errorf("%s:1: column %q asked for twice", path, name)
		}
		slot[i] = j
	}
	fr := &FloatRows{Source: path, Cols: make([][]float64, len(cols))}
	for j := range cols {
		fr.Cols[j] = make([]float64, 0, lines)
	}
	if key != "" {
		fr.Codes = make([]uint32, 0, lines)
	}
	dict := map[string]uint32{}
	keyNumeric := true
	vals := make([]float64, len(cols))
	for {
		rec, line, err := s.record()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", path, line, len(rec), len(header))
		}
		null := false
		var kv []byte
		for i, fld := range rec {
			j := slot[i]
			if j < 0 {
				continue
			}
			v := bytes.TrimSpace(fld)
			if len(v) == 0 {
				null = true
				continue
			}
			if j == len(cols) {
				kv = v
				continue
			}
			x, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(v), len(v)), 64)
			if err != nil { // as Read: out of float64's range (1e400) is not a number either
				fl, col := s.pos(i)
				return nil, fmt.Errorf("%s:%d:%d: %q: column %q is not numeric", path, fl, col, v, want[j])
			}
			vals[j] = x
		}
		if null {
			fr.Dropped++
			continue
		}
		for j, v := range vals {
			fr.Cols[j] = append(fr.Cols[j], v)
		}
		if key != "" {
			c, seen := dict[string(kv)]
			if !seen {
				c = uint32(len(fr.Keys))
				k := string(kv)
				dict[k] = c
				fr.Keys = append(fr.Keys, k)
				if _, err := strconv.ParseFloat(k, 64); err != nil {
					keyNumeric = false
				}
			}
			fr.Codes = append(fr.Codes, c)
		}
	}
	if key != "" && keyNumeric {
		fr.numericKeys()
	}
	fr.sortKeys()
	return fr, nil
}

// numericKeys renames the keys of a column whose every value is a number
// to %g's shortest form, as Table.Strings does, merging keys that name the
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

// csvBufSize is the CSV scanner's read size (tests make it tiny).
var csvBufSize = 1 << 20

// countLines counts the newlines of r (plus one for a last line without).
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, csvBufSize)
	n, last := 0, byte('\n')
	for {
		m, err := r.Read(buf)
		if m > 0 {
			n += bytes.Count(buf[:m], []byte{'\n'})
			last = buf[m-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	return n, nil
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
	at         [][2]int // line and column of each field of the last record
	unq        []byte   // unescaped quoted fields
	bom        bool
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

// pos is the line and 1-based byte column of field i of the last record.
func (s *csvScanner) pos(i int) (int, int) { return s.at[i][0], s.at[i][1] }

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
	s.fields, s.at, s.unq = s.fields[:0], s.at[:0], s.unq[:0]
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
		col := 0
		for {
			c := bytes.IndexByte(rec[col:], ',')
			s.at = append(s.at, [2]int{s.line, col + 1})
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
