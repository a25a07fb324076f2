package qmpcsv

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/qmp"
	"github.com/migreplay/migreplay/schema"
)

// Format is the parser's name in errors, stats and metadata.
const Format = "qmp-csv"

// Parser reads a CSV export of query-migrate polls into
// schema.QMPMigrate rows, one per data row. Record's struct is reused by
// the next call to Next; the strings and pointers it holds never are.
//
// The first line that is neither blank nor a # comment is the header: cells
// separated by commas, RFC 4180 quoting (a quoted cell may hold commas and
// doubled quotes, but cannot span lines), spaces around unquoted cells
// trimmed. Each header cell names a column in one of two spellings:
//
//   - QMP's own path: a MigrationInfo member (status, total-time,
//     expected-downtime, cpu-throttle-percentage, ...) or a member of ram,
//     disk, xbzrle-cache or vfio joined by a dot (ram.transferred,
//     ram.dirty-sync-count, xbzrle-cache.cache-miss-rate);
//   - the qmp_migrate column name (ram_transferred, total_time_ms), so a
//     CSV export of the table reads back;
//
// exactly, in lower case. Other spellings (ram_dirty-sync-count,
// RAM.Transferred, ram/transferred) are not guessed: such a column is
// unknown. Besides those: time, timestamp, ts or @timestamp is the poll's
// time (one of them; the values as in the JSON logs: epoch s/ms/us/ns told
// apart by magnitude, RFC 3339, or a local time read in Options.Location;
// kept to the microsecond, the column's precision, finer digits truncated);
// host is the QEMU host (an empty cell falls back to Options.Host); poll is
// ignored (rows are numbered from 0 in file order); other_fields holds
// comma-separated names that join the row's other_fields. Any other column
// is unknown: its name is listed in other_fields of each row where its cell
// is not empty, and its values are not stored.
//
// A header cell may carry a unit in parentheses or brackets:
// "ram.transferred (MiB)", "total-time [s]". Accepted units, converted
// exactly to the column's unit: for bytes B, bytes, KiB, MiB, GiB, TiB
// (powers of 1024); for milliseconds ms, s, us; for microseconds us, ms, s;
// pages, pages/s, % and Mbit/s (or Mbps) for the columns in those units.
// kB, MB, GB and TB are refused (a header error): they mean 10^3n bytes to
// some tools and 2^10n to others. A decimal value in a scaled unit is
// converted exactly and rounded half to even to a whole byte or
// millisecond (1.5 KiB is 1536 B; 786.609 MiB is 824819319 B). Without a
// scaling unit, integer columns take plain non-negative integers only.
//
// An empty cell is null. A row whose cells are all empty but for time,
// host and poll is rejected (no poll in it), as is a row with more or fewer
// cells than the header, a value that does not parse, or a string that is
// not valid UTF-8. A header that cannot be read (a unit refused, two time
// columns, a column named twice, no query-migrate column) is an error; in
// lenient mode it is rejected and so is every data line after it.
//
// Line accounting: the header, blank and # lines are structure; each data
// row is data or a reject.
type Parser struct {
	lines *parse.Lines
	opt   parse.Options
	st    parse.Stats
	err   error

	row  schema.QMPMigrate
	vals *values
	nint int // integer columns in the header
	poll int64

	header    bool
	headerErr error // the header's fault, for every line after it (lenient)
	headerAt  int
	cols      []csvCol
	timeCol   int
	hostCol   int
	otherCol  int

	cells   [][]byte
	starts  []int // each cell's 1-based column
	scratch []byte
	names   []string
	sets    qmp.NameSets
	strs    map[string]*string
}

// values holds one row's numbers: one allocation per row (two with floats).
type values struct {
	ints []int64 // cap: the header's integer columns
	t    time.Time
}

func (v *values) int(x int64) *int64 {
	if len(v.ints) == cap(v.ints) {
		y := x // only here does the value escape
		return &y
	}
	v.ints = append(v.ints, x)
	return &v.ints[len(v.ints)-1]
}

func (v *values) float(x float64) *float64 { return &x }

// csvCol is a header column: a field with its unit's scale, or a role.
type csvCol struct {
	role     int
	f        *field
	mul, div uint64 // value × mul / div, for integer fields with a unit
	name     string // for unknown columns
}

const (
	cField = iota
	cTime
	cHost
	cPoll
	cOtherFields
	cUnknown
)

// NewParser reads a CSV export of query-migrate polls from r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	return &Parser{lines: parse.NewLines(r), opt: opt, timeCol: -1, hostCol: -1, otherCol: -1,
		sets: qmp.NameSets{}, strs: map[string]*string{}}
}

// Record is the current poll.
func (p *Parser) Record() schema.Row { return &p.row }

// Err is the first strict-mode parse error (a *parse.ParseError) or read error.
func (p *Parser) Err() error { return p.err }

// Stats is the line accounting so far.
func (p *Parser) Stats() parse.Stats { return p.st }

// Next advances to the next poll.
func (p *Parser) Next() bool {
	for p.err == nil && p.lines.Next() {
		p.st.Lines++
		line := p.lines.Bytes()
		if bad := p.lines.Bad(); bad != nil {
			p.reject(p.lines.BadCol(), bad)
			continue
		}
		t := bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")))
		if len(t) == 0 || t[0] == '#' {
			p.st.Structure++
			continue
		}
		if !p.header {
			p.header = true
			if col, err := p.readHeader(line); err != nil {
				p.headerErr, p.headerAt = err, p.lines.Num()
				p.reject(col, err)
				continue
			}
			p.st.Structure++
			continue
		}
		if p.headerErr != nil {
			p.reject(0, parse.Errorf(parse.ErrUnsupported, "no usable header: line %d: %v", p.headerAt, p.headerErr))
			continue
		}
		if col, err := p.readRow(line); err != nil {
			p.reject(col, err)
			continue
		}
		p.st.Data++
		p.st.Records++
		p.poll++
		return true
	}
	if err := p.lines.Err(); err != nil && p.err == nil {
		p.err = err
	}
	return false
}

func (p *Parser) reject(col int, err error) {
	pe := &parse.ParseError{File: p.opt.File, Line: p.lines.Num(), Col: col, Format: Format, Err: err, Raw: parse.Raw(p.lines.Bytes())}
	if !p.opt.Reject(&p.st, pe) {
		p.err = pe
	}
}

// split cuts line into p.cells; on a fault it returns its 1-based column.
func (p *Parser) split(line []byte) (int, error) {
	p.cells, p.starts = p.cells[:0], p.starts[:0]
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line)) // never grows below: cells may point into it
	}
	p.scratch = p.scratch[:0]
	i := 0
	for {
		j := i
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		if j < len(line) && line[j] == '"' {
			start := len(p.scratch)
			k := j + 1
			for {
				q := bytes.IndexByte(line[k:], '"')
				if q < 0 {
					return j + 1, parse.Errorf(parse.ErrSyntax, "quoted cell not closed on its line (a cell cannot span lines)")
				}
				p.scratch = append(p.scratch, line[k:k+q]...)
				k += q + 1
				if k < len(line) && line[k] == '"' {
					p.scratch = append(p.scratch, '"')
					k++
					continue
				}
				break
			}
			for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
				k++
			}
			p.cells = append(p.cells, p.scratch[start:len(p.scratch):len(p.scratch)])
			p.starts = append(p.starts, j+1)
			if k == len(line) {
				return 0, nil
			}
			if line[k] != ',' {
				return k + 1, parse.Errorf(parse.ErrSyntax, "want , after a quoted cell")
			}
			i = k + 1
			continue
		}
		p.starts = append(p.starts, j+1)
		end := bytes.IndexByte(line[i:], ',')
		if end < 0 {
			end = len(line) - i
		}
		cell := bytes.TrimSpace(line[i : i+end])
		if bytes.IndexByte(cell, '"') >= 0 {
			return i + bytes.IndexByte(line[i:], '"') + 1, parse.Errorf(parse.ErrSyntax, "quote inside an unquoted cell")
		}
		p.cells = append(p.cells, cell)
		if i+end == len(line) {
			return 0, nil
		}
		i += end + 1
	}
}

// headerName splits a header cell into its name and unit ("ram.total (MiB)").
func headerName(cell []byte) (name, unit string) {
	s := string(cell)
	for _, br := range [...][2]byte{{'(', ')'}, {'[', ']'}} {
		if n := len(s); n > 0 && s[n-1] == br[1] {
			if i := strings.LastIndexByte(s, br[0]); i > 0 {
				return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1 : n-1])
			}
		}
	}
	return s, ""
}

// scales gives each unit's accepted spellings with value × mul / div.
var scales = map[unit]map[string][2]uint64{
	uBytes:     {"B": {1, 1}, "bytes": {1, 1}, "KiB": {1 << 10, 1}, "MiB": {1 << 20, 1}, "GiB": {1 << 30, 1}, "TiB": {1 << 40, 1}},
	uMs:        {"ms": {1, 1}, "s": {1000, 1}, "us": {1, 1000}},
	uUs:        {"us": {1, 1}, "ms": {1000, 1}, "s": {1000000, 1}},
	uPages:     {"pages": {1, 1}},
	uPagesPerS: {"pages/s": {1, 1}},
	uPct:       {"%": {1, 1}},
	uMbps:      {"Mbit/s": {1, 1}, "Mbps": {1, 1}},
}

// decimalUnits are refused: they mean powers of 1000 or of 1024 by tool.
var decimalUnits = map[string]bool{"kB": true, "KB": true, "MB": true, "GB": true, "TB": true,
	"kB/s": true, "MB/s": true, "GB/s": true}

func (p *Parser) readHeader(line []byte) (int, error) {
	if col, err := p.split(line); err != nil {
		return col, err
	}
	p.cols, p.nint = p.cols[:0], 0
	seen := map[string]bool{}
	known := 0
	for k, cell := range p.cells {
		if !utf8.Valid(cell) {
			return 0, parse.Errorf(parse.ErrSyntax, "header cell %d is not valid UTF-8", k+1)
		}
		name, u := headerName(cell)
		c := csvCol{role: cUnknown, name: name, mul: 1, div: 1}
		switch name {
		case "time", "timestamp", "ts", "@timestamp":
			c.role = cTime
			if p.timeCol >= 0 {
				return 0, parse.Errorf(parse.ErrUnsupported, "two time columns (%s and %s): keep one", p.cols[p.timeCol].name, name)
			}
			p.timeCol = k
		case "host":
			c.role, p.hostCol = cHost, k
		case "poll":
			c.role = cPoll
		case "other_fields":
			c.role, p.otherCol = cOtherFields, k
		default:
			if i, ok := fieldIndex[name]; ok {
				c.role, c.f = cField, &fields[i]
				known++
				if c.f.i != nil {
					p.nint++
				}
			}
		}
		if name == "" {
			return 0, parse.Errorf(parse.ErrSyntax, "header cell %d is empty", k+1)
		}
		if seen[name] && c.role != cUnknown {
			return 0, parse.Errorf(parse.ErrUnsupported, "column %s named twice", name)
		}
		seen[name] = true
		if u != "" {
			if c.role != cField {
				return 0, parse.Errorf(parse.ErrUnsupported, "column %s: a unit (%s) is only read on query-migrate columns", name, u)
			}
			if decimalUnits[u] {
				return 0, parse.Errorf(parse.ErrUnsupported, "column %s: unit %s is ambiguous (powers of 1000 or of 1024 by tool): export in B, KiB, MiB or GiB", name, u)
			}
			sc, ok := scales[c.f.unit][u]
			if !ok {
				return 0, parse.Errorf(parse.ErrUnsupported, "column %s: unit %q does not fit the column (%s)", name, u, unitHelp(c.f.unit))
			}
			c.mul, c.div = sc[0], sc[1]
		}
		p.cols = append(p.cols, c)
	}
	if known == 0 {
		return 0, parse.Errorf(parse.ErrUnsupported, "no query-migrate column in the header (want names such as status, total-time, ram.transferred or ram_transferred)")
	}
	return 0, nil
}

func unitHelp(u unit) string {
	if u == uNone {
		return "it takes no unit"
	}
	var names []string
	for k := range scales[u] {
		names = append(names, k)
	}
	slices.Sort(names)
	return "accepted: " + strings.Join(names, ", ")
}

// readRow fills p.row from a data line; on a fault it returns its column.
func (p *Parser) readRow(line []byte) (int, error) {
	if col, err := p.split(line); err != nil {
		return col, err
	}
	if len(p.cells) != len(p.cols) {
		return 0, parse.Errorf(parse.ErrSyntax, "%d cells, the header has %d", len(p.cells), len(p.cols))
	}
	p.vals = &values{ints: make([]int64, 0, p.nint)}
	p.row = schema.QMPMigrate{Host: p.opt.Host, Poll: p.poll}
	r, v := &p.row, p.vals
	p.names = p.names[:0]
	polled := false
	for k, cell := range p.cells {
		c := &p.cols[k]
		if len(cell) == 0 {
			continue
		}
		col := p.starts[k]
		switch c.role {
		case cTime:
			t, ok := qmp.ParseTime(string(cell), p.opt.Loc())
			if !ok {
				return col, parse.Errorf(parse.ErrSyntax, "%s: %q is not a time (want epoch s/ms/us/ns, RFC 3339, or a local 2006-01-02 15:04:05)", c.name, cell)
			}
			v.t = t.Truncate(time.Microsecond) // the column's precision
			r.Time = &v.t
		case cHost:
			s, err := p.str(cell, c.name)
			if err != nil {
				return col, err
			}
			r.Host = *s
		case cPoll:
		case cOtherFields:
			if !utf8.Valid(cell) {
				return col, parse.Errorf(parse.ErrSyntax, "other_fields: not valid UTF-8")
			}
			for n := range strings.SplitSeq(string(cell), ",") {
				if n = strings.TrimSpace(n); n != "" {
					p.names = append(p.names, n)
				}
			}
		case cUnknown:
			p.names = append(p.names, c.name)
		case cField:
			polled = true
			if err := p.value(c, cell, r, v); err != nil {
				return col, err
			}
		}
	}
	if !polled {
		return 0, parse.Errorf(parse.ErrUnsupported, "no query-migrate value in this row")
	}
	if r.Time == nil && !p.opt.Start.IsZero() {
		v.t = p.opt.Start.Add(time.Duration(p.poll) * p.opt.Interval).UTC().Truncate(time.Microsecond)
		r.Time = &v.t
	}
	if len(p.names) > 0 {
		r.OtherFields = p.sets.Join(p.names)
	}
	return 0, nil
}

// value stores one query-migrate cell.
func (p *Parser) value(c *csvCol, cell []byte, r *schema.QMPMigrate, v *values) error {
	f := c.f
	switch {
	case f.s != nil:
		s, err := p.str(cell, c.name)
		if err != nil {
			return err
		}
		*f.s(r) = s
	case f.f != nil:
		x, err := strconv.ParseFloat(string(cell), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return parse.Errorf(parse.ErrSyntax, "%s: %q is not a finite number", c.name, cell)
		}
		*f.f(r) = v.float(x)
	default:
		if c.mul == 1 && c.div == 1 {
			x, ok := qmp.ParseInt(cell)
			if !ok {
				return parse.Errorf(parse.ErrSyntax, "%s: %q is not a non-negative integer", c.name, cell)
			}
			*f.i(r) = v.int(x)
			return nil
		}
		x, ok := qmp.ScaleDiv(cell, c.mul, c.div)
		if !ok {
			return parse.Errorf(parse.ErrSyntax, "%s: %q is not a non-negative decimal number", c.name, cell)
		}
		*f.i(r) = v.int(x)
	}
	return nil
}

func (p *Parser) str(cell []byte, name string) (*string, error) {
	if !utf8.Valid(cell) {
		return nil, parse.Errorf(parse.ErrSyntax, "%s: not valid UTF-8", name)
	}
	if s, ok := p.strs[string(cell)]; ok {
		return s, nil
	}
	s := string(cell)
	if len(cell) <= 64 && len(p.strs) < 1024 {
		p.strs[s] = &s
	}
	return &s, nil
}

// Detect reports whether head is a CSV export of query-migrate polls:
// its first line that is neither blank nor a # comment splits at commas
// into cells of which at least two are query-migrate column names (QMP's or
// qmp_migrate's, a unit in brackets allowed).
func Detect(head []byte) bool {
	for line := range parse.HeadLines(head, 64) {
		t := bytes.TrimSpace(line)
		if t[0] == '#' {
			continue
		}
		known := 0
		for cell := range bytes.SplitSeq(t, []byte{','}) {
			name, _ := headerName(bytes.Trim(bytes.TrimSpace(cell), `"`))
			if _, ok := fieldIndex[name]; ok {
				known++
			}
		}
		return known >= 2
	}
	return false
}
