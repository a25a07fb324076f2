// Package qmp parses logs of QEMU's QMP query-migrate polls into
// schema.QMPMigrate rows, one per poll.
//
// Accepted input: a JSON array of polls (compact or pretty-printed over many
// lines), or JSON lines, or several arrays or objects one after the other.
// Each poll object is one of
//
//   - the bare MigrationInfo: {"status": "active", "ram": {...}, ...};
//   - QMP's answer: {"return": {...}} (with or without "id");
//   - a collector's wrapper: an object holding the poll under "return",
//     "data", "info", "result", "migration", "migrate", "query-migrate" or
//     "stats" (nested up to three levels), and optionally its time under
//     "timestamp", "time", "ts" or "@timestamp", as epoch seconds,
//     milliseconds, microseconds or nanoseconds (a number or a numeric
//     string, told apart by magnitude), an RFC 3339 string (a local
//     "2006-01-02 15:04:05" is read in Options.Location), or QMP's own
//     {"seconds": s, "microseconds": us}. The outermost time wins.
//
// Members the table has no column for (newer QEMU fields, a wrapper's own
// keys such as "vm") are listed, sorted, in the row's other_fields column;
// QMP's "id" is ignored. Objects that are QMP traffic but not polls are
// skipped as structure: the greeting {"QMP": ...}, echoed commands
// {"execute": ...}, events {"event": ...} (MIGRATION events included), error
// replies {"error": ...}, and empty answers {"return": {}} (what
// query-migrate says before any migration, and what qmp_capabilities says).
// Any other object is rejected (ErrUnsupported), as is anything that is not
// JSON (ErrSyntax).
//
// Line accounting: the lines of a poll object are data; lines holding only
// array brackets and commas, or only skipped objects, are structure. When a
// poll spread over several lines is bad, each of its lines is a reject and
// names the fault's line:col. A line is counted once even when it holds
// several objects; a bad one among them makes the line a reject.
//
// A string cannot span lines in JSON, so an object still open at the end of
// a line inside a string is broken; and a line that starts with { where the
// open object cannot take a value ends the open object as truncated. Both
// keep one cut-off JSON line from swallowing the lines after it.
package qmp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// Format is the parser's name in errors, stats and metadata.
const Format = "qmp"

// MaxObject caps the bytes of one JSON object (4 MiB, like parse.MaxLine).
const MaxObject = parse.MaxLine

// line verdict flags
const (
	fGood = 1 << iota // touched a poll
	fSkip             // touched a skipped object
	fBad              // touched something rejected
)

// Parser is a pull iterator over a query-migrate log. Record returns a
// *schema.QMPMigrate; the struct is reused by the next call to Next, the
// strings and pointers it holds never are.
type Parser struct {
	lines *parse.Lines
	opt   parse.Options
	st    parse.Stats
	err   error
	done  bool

	row  schema.QMPMigrate
	poll int64

	// the current line
	line     []byte
	lnum     int
	pos      int
	have     bool
	flags    int
	rejected bool // OnReject already called for the current line

	arr int // open arrays outside objects

	// the open object
	open       bool
	obj        []byte
	depth      int
	inStr      bool
	stack      []byte // containers inside the object, capped at maxDepth
	last       byte   // last significant byte of the open object's last line
	startLine  int
	startCol   int
	firstFlags int
	firstRej   bool
	segs       []int // offset in obj of each line's part
	tooBig     bool

	// per poll
	vals      *values
	timeLevel int
	kind      int // what the object turned out to be
	empty     bool
	others    []other
	infoAt    []string // prefixes of the objects that held MigrationInfo members
	names     []string
	otherSets NameSets
	strs      map[string]*string
	paths     map[string]string
}

// object kinds
const (
	kNone = iota
	kInfo // has MigrationInfo members
	kSkip // QMP traffic that is not a poll
)

// other is a member without a column: its key and the path of its object.
type other struct{ prefix, key string }

// values holds one row's numbers: one allocation per row.
type values struct {
	ints   [40]int64
	floats [4]float64
	t      time.Time
	ni, nf int
}

func (v *values) int(x int64) *int64 {
	if v.ni == len(v.ints) { // a member repeated many times
		y := x
		return &y
	}
	p := &v.ints[v.ni]
	v.ni++
	*p = x
	return p
}

func (v *values) float(x float64) *float64 {
	if v.nf == len(v.floats) {
		y := x
		return &y
	}
	p := &v.floats[v.nf]
	v.nf++
	*p = x
	return p
}

// NewParser reads a query-migrate log from r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	return &Parser{lines: parse.NewLines(r), opt: opt, otherSets: NameSets{}, strs: map[string]*string{}, paths: map[string]string{}}
}

// Record is the current poll.
func (p *Parser) Record() schema.Row { return &p.row }

// Err is the first strict-mode parse error (a *parse.ParseError) or read error.
func (p *Parser) Err() error { return p.err }

// Stats is the line accounting so far.
func (p *Parser) Stats() parse.Stats { return p.st }

// Next advances to the next poll.
func (p *Parser) Next() bool {
	for p.err == nil && !p.done {
		if !p.have && !p.readLine() {
			continue
		}
		if p.scan() {
			return true
		}
		if p.err == nil {
			p.finishLine()
		}
	}
	return false
}

// readLine loads the next line; false when there is none to scan.
func (p *Parser) readLine() bool {
	if !p.lines.Next() {
		if err := p.lines.Err(); err != nil {
			p.err = fmt.Errorf("qmp: read %s: %w", p.opt.File, err)
			return false
		}
		if p.open {
			p.resolve(fBad, p.unclosed("the input ends"), p.lnum, false)
		}
		p.done = true
		return false
	}
	p.st.Lines++
	p.line, p.lnum, p.pos, p.have = p.lines.Bytes(), p.lines.Num(), 0, true
	p.flags, p.rejected = 0, false
	// A last line without a newline needs no special case: JSON closes
	// every value it opens, so a line cut short fails to parse on its own.
	if bad := p.lines.Bad(); bad != nil && bad != parse.ErrCutShort {
		if p.open {
			p.resolve(fBad, p.unclosed("a bad line"), p.lnum-1, false)
			if p.err != nil {
				return true
			}
		}
		p.rejectCur(p.lines.BadCol(), bad)
		p.pos = len(p.line)
		return true
	}
	if p.open {
		// A line starting a new object or array where the open object
		// cannot take a value: the open object was cut off.
		t := bytes.TrimLeft(p.line, " \t")
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') && !p.wantsValue() {
			p.resolve(fBad, p.unclosed("line "+strconv.Itoa(p.lnum)), p.lnum-1, false)
		} else {
			p.segs = append(p.segs, len(p.obj))
		}
	}
	return true
}

// wantsValue reports whether the open object's next token may be a value.
func (p *Parser) wantsValue() bool {
	switch p.last {
	case ':', '[':
		return true
	case ',':
		return len(p.stack) > 0 && p.stack[len(p.stack)-1] == '['
	}
	return false
}

func (p *Parser) unclosed(where string) error {
	return parse.Errorf(parse.ErrSyntax, "JSON object opened at line %d:%d is not closed before %s", p.startLine, p.startCol, where)
}

// scan works through the current line; true when a poll is ready.
func (p *Parser) scan() bool {
	for p.pos < len(p.line) && p.err == nil {
		if p.open {
			if p.scanObject() {
				return true
			}
			continue
		}
		switch c := p.line[p.pos]; c {
		case ' ', '\t', '\r', ',':
			p.pos++
		case '[':
			p.arr++
			p.pos++
		case ']':
			if p.arr == 0 {
				p.rejectCur(p.pos+1, parse.Errorf(parse.ErrSyntax, "] without ["))
				p.pos = len(p.line)
				continue
			}
			p.arr--
			p.pos++
		case '{':
			if p.fast() {
				return true
			}
			if !p.open {
				continue
			}
			p.obj, p.segs = p.obj[:0], append(p.segs[:0], 0)
			p.depth, p.inStr, p.stack, p.tooBig = 0, false, p.stack[:0], false
			p.startLine, p.startCol, p.firstFlags, p.firstRej = p.lnum, p.pos+1, p.flags, p.rejected
		default:
			p.rejectCur(p.pos+1, parse.Errorf(parse.ErrSyntax, "not JSON: want { or ["))
			p.pos = len(p.line)
		}
	}
	return false
}

// fast decodes an object that lies within the current line in place. It
// returns true when that gave a poll; when it could not (the object goes on
// past the line, or is bad), it opens the object for scanObject, which
// finds its end and reports it with its lines.
func (p *Parser) fast() bool {
	b := p.line[p.pos:]
	end, err := p.decode(b)
	if err == nil {
		switch {
		case p.kind == kInfo:
			p.pos += end
			p.flags |= fGood
			p.st.Records++
			p.poll++
			return true
		case p.kind == kSkip || p.empty:
			p.pos += end
			p.flags |= fSkip
			return false
		}
	}
	p.open = true
	return false
}

// scanObject feeds the open object from the current line; true when it
// closed and gave a poll.
func (p *Parser) scanObject() bool {
	b := p.line
	i, start := p.pos, p.pos
	for i < len(b) {
		if p.inStr {
			for i < len(b) && b[i] != '"' && b[i] != '\\' {
				i++
			}
			if i == len(b) {
				break
			}
			if b[i] == '\\' {
				i += 2
				continue
			}
			p.inStr = false
			i++
			continue
		}
		for i < len(b) && !special[b[i]] {
			i++
		}
		if i == len(b) {
			break
		}
		switch c := b[i]; c {
		case '"':
			p.inStr = true
		case '{', '[':
			p.depth++
			if len(p.stack) < maxDepth {
				p.stack = append(p.stack, c)
			}
		case '}', ']':
			p.depth--
			if len(p.stack) > 0 && p.depth < maxDepth {
				p.stack = p.stack[:len(p.stack)-1]
			}
		}
		i++
		if p.depth == 0 {
			p.appendObj(b[p.pos:i])
			p.pos = i
			p.open = false
			return p.finishObject()
		}
	}
	p.appendObj(b[p.pos:])
	p.appendObj([]byte{'\n'})
	p.pos = len(b)
	if i > len(b) || p.inStr {
		// JSON strings cannot hold a raw newline: the object is broken here.
		p.open = false
		p.resolveAt(fBad, parse.Errorf(parse.ErrSyntax, "string not closed at the end of the line"), len(p.obj)-1, p.lnum-1, true)
		return false
	}
	if t := bytes.TrimRight(b[start:], " \t\r"); len(t) > 0 {
		p.last = t[len(t)-1] // blank lines keep the last line's
	}
	return false
}

// special marks the bytes scanObject stops at outside strings.
var special = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

func (p *Parser) appendObj(b []byte) {
	if p.tooBig {
		return
	}
	if len(p.obj)+len(b) > MaxObject {
		p.tooBig = true
		return
	}
	p.obj = append(p.obj, b...)
}

// finishObject decodes the complete object; true when it is a poll.
func (p *Parser) finishObject() bool {
	if p.tooBig {
		p.resolve(fBad, parse.Errorf(parse.ErrTooLong, "JSON object longer than %d bytes", MaxObject), p.lnum-1, true)
		return false
	}
	_, err := p.decode(p.obj)
	switch {
	case err != nil:
		var je *jsonError
		at := 0
		if errors.As(err, &je) {
			at = je.at
			err = parse.Errorf(parse.ErrSyntax, "%s", je.msg)
		}
		p.resolveAt(fBad, err, at, p.lnum-1, true)
		return false
	case p.kind == kInfo:
		p.resolve(fGood, nil, p.lnum-1, true)
		p.st.Records++
		p.poll++
		return p.err == nil
	case p.kind == kSkip || p.empty:
		p.resolve(fSkip, nil, p.lnum-1, true)
		return false
	default:
		p.resolveAt(fBad, parse.Errorf(parse.ErrUnsupported,
			"not a query-migrate poll: no status, ram, total-time or other MigrationInfo member"), 0, p.lnum-1, true)
		return false
	}
}

// resolve gives the object's verdict to its lines: the pending lines
// startLine..end, and the current line when cur is set.
func (p *Parser) resolve(v int, err error, end int, cur bool) {
	p.resolveAt(v, err, 0, end, cur)
}

// resolveAt is resolve with the fault at byte offset at of the object.
func (p *Parser) resolveAt(v int, err error, at, end int, cur bool) {
	p.open = false
	faultLine, faultCol := p.locate(at)
	if v == fBad && !p.opt.Lenient {
		raw := p.line
		if faultLine != p.lnum || !cur {
			raw = p.seg(faultLine)
		}
		p.err = &parse.ParseError{File: p.opt.File, Line: faultLine, Col: faultCol, Format: Format, Err: err, Raw: parse.Raw(raw)}
		return
	}
	for l := p.startLine; l <= end; l++ {
		f := v
		if l == p.startLine {
			f |= p.firstFlags
		}
		if f&fBad != 0 && !(l == p.startLine && p.firstRej) {
			e, col := err, 0
			if l == faultLine {
				col = faultCol
			} else if err != nil {
				e = p.elsewhere(err, faultLine, faultCol, end, cur)
			}
			if e == nil {
				e = parse.Errorf(parse.ErrSyntax, "bad line")
			}
			p.report(&parse.ParseError{File: p.opt.File, Line: l, Col: col, Format: Format, Err: e, Raw: parse.Raw(p.seg(l))})
		}
		p.count(f)
	}
	if cur {
		if p.startLine == p.lnum {
			p.rejected = p.rejected || p.firstRej
		}
		if v == fBad && !p.rejected {
			e, col := err, 0
			if faultLine == p.lnum {
				col = faultCol
			} else {
				e = p.elsewhere(err, faultLine, faultCol, end, cur)
			}
			p.report(&parse.ParseError{File: p.opt.File, Line: p.lnum, Col: col, Format: Format, Err: e, Raw: parse.Raw(p.line)})
			p.rejected = true
		}
		p.flags |= v
	}
}

// elsewhere rewords err for a line of a bad object other than the fault's.
func (p *Parser) elsewhere(err error, line, col, end int, cur bool) error {
	last := end
	if cur {
		last = p.lnum
	}
	sentinel := parse.ErrSyntax
	for _, s := range []error{parse.ErrUnsupported, parse.ErrTooLong, parse.ErrBinary} {
		if errors.Is(err, s) {
			sentinel = s
		}
	}
	return parse.Errorf(sentinel, "in the JSON object of lines %d-%d, bad at line %d:%d: %s",
		p.startLine, last, line, col, strings.TrimPrefix(err.Error(), sentinel.Error()+": "))
}

// locate maps a byte offset of the object to its line and 1-based column.
func (p *Parser) locate(at int) (int, int) {
	k := 0
	for k+1 < len(p.segs) && p.segs[k+1] <= at {
		k++
	}
	col := at - p.segs[k] + 1
	if k == 0 {
		col += p.startCol - 1
	}
	return p.startLine + k, col
}

// seg is the object's part on line l (without its newline).
func (p *Parser) seg(l int) []byte {
	k := l - p.startLine
	if k < 0 || k >= len(p.segs) || p.segs[k] > len(p.obj) {
		return nil
	}
	end := len(p.obj)
	if k+1 < len(p.segs) {
		end = p.segs[k+1]
	}
	return bytes.TrimSuffix(p.obj[p.segs[k]:end], []byte{'\n'})
}

// rejectCur rejects the current line (once).
func (p *Parser) rejectCur(col int, err error) {
	p.flags |= fBad
	pe := &parse.ParseError{File: p.opt.File, Line: p.lnum, Col: col, Format: Format, Err: err, Raw: parse.Raw(p.line)}
	if !p.opt.Lenient {
		p.err = pe
		return
	}
	if !p.rejected {
		p.rejected = true
		p.report(pe)
	}
}

func (p *Parser) report(pe *parse.ParseError) {
	if p.opt.OnReject != nil {
		p.opt.OnReject(pe)
	}
}

// count books one finished line under its verdict.
func (p *Parser) count(f int) {
	switch {
	case f&fBad != 0:
		p.st.Reject++
	case f&fGood != 0:
		p.st.Data++
	default:
		p.st.Structure++
		if f&fSkip != 0 {
			p.st.Skipped++
		}
	}
}

// finishLine books the current line unless an open object still holds it.
func (p *Parser) finishLine() {
	p.have = false
	if p.open {
		return
	}
	p.count(p.flags)
}

// decode fills p.row from the complete object in b and returns its end.
func (p *Parser) decode(b []byte) (int, error) {
	p.vals = &values{}
	p.row = schema.QMPMigrate{Host: p.opt.Host, Poll: p.poll}
	p.kind, p.empty, p.timeLevel = kNone, false, 1<<30
	p.others, p.infoAt = p.others[:0], p.infoAt[:0]
	d := &dec{b: b}
	if err := p.walk(d, "", 0); err != nil {
		return d.i, err
	}
	if p.kind != kInfo {
		return d.i, nil
	}
	if p.row.Time == nil && !p.opt.Start.IsZero() {
		p.vals.t = p.opt.Start.Add(time.Duration(p.poll) * p.opt.Interval).UTC()
		p.row.Time = &p.vals.t
	}
	if len(p.others) > 0 {
		// Members of a MigrationInfo object are named as in MigrationInfo
		// (blocked-reasons, ram.foo); a wrapper's by their path (vm, data.host).
		p.names = p.names[:0]
		for _, o := range p.others {
			if slices.Contains(p.infoAt, o.prefix) {
				p.names = append(p.names, o.key)
			} else {
				p.names = append(p.names, o.prefix+o.key)
			}
		}
		p.row.OtherFields = p.otherSets.Join(p.names)
	}
	return d.i, nil
}

// walk reads an object that is a poll, a wrapper, or both.
func (p *Parser) walk(d *dec, prefix string, level int) error {
	return d.object(func(key []byte) error {
		if ok, err := p.infoMember(d, key, prefix); ok || err != nil {
			if err == nil && p.kind == kNone {
				p.kind = kInfo
			}
			if !slices.Contains(p.infoAt, prefix) {
				p.infoAt = append(p.infoAt, prefix)
			}
			return err
		}
		switch string(key) {
		case "timestamp", "time", "ts", "@timestamp":
			at := d.i
			t, ok, err := p.timeValue(d)
			if err != nil {
				return err
			}
			if !ok {
				return d.errf(at, "%s%s: not a time (want epoch seconds/ms/us/ns, RFC 3339, or {seconds, microseconds})", prefix, key)
			}
			if level < p.timeLevel {
				p.timeLevel = level
				p.vals.t = t
				p.row.Time = &p.vals.t
			}
			return nil
		case "return", "data", "info", "result", "migration", "migrate", "query-migrate", "stats":
			if d.peek() == '{' && level < 3 {
				if isEmptyObject(d) {
					p.empty = true
				}
				return p.walk(d, p.path(prefix, key), level+1)
			}
		case "event", "QMP", "execute", "error":
			if level == 0 {
				p.kind = kSkip
				return d.skip()
			}
		case "id":
			if level == 0 {
				return d.skip()
			}
		}
		p.others = append(p.others, other{prefix, string(key)})
		return d.skip()
	})
}

// path is prefix+key+".", interned for top-level keys (they repeat every poll).
func (p *Parser) path(prefix string, key []byte) string {
	if prefix != "" {
		return prefix + string(key) + "."
	}
	if s, ok := p.paths[string(key)]; ok {
		return s
	}
	s := string(key) + "."
	p.paths[string(key)] = s
	return s
}

// isEmptyObject reports whether the object at d.i has no members.
func isEmptyObject(d *dec) bool {
	j := d.i + 1
	for j < len(d.b) && (d.b[j] == ' ' || d.b[j] == '\t' || d.b[j] == '\n' || d.b[j] == '\r') {
		j++
	}
	return j < len(d.b) && d.b[j] == '}'
}

// infoMember reads a MigrationInfo member into p.row; false when key is not one.
func (p *Parser) infoMember(d *dec, key []byte, prefix string) (bool, error) {
	r, v := &p.row, p.vals
	var ip **int64
	switch string(key) {
	case "status":
		s, err := p.stringValue(d, "status")
		r.Status = s
		return true, err
	case "error-desc":
		s, err := p.stringValue(d, "error-desc")
		r.ErrorDesc = s
		return true, err
	case "total-time":
		ip = &r.TotalTimeMs
	case "expected-downtime":
		ip = &r.ExpectedDowntimeMs
	case "downtime":
		ip = &r.DowntimeMs
	case "setup-time":
		ip = &r.SetupTimeMs
	case "cpu-throttle-percentage":
		ip = &r.CPUThrottlePct
	case "postcopy-blocktime":
		ip = &r.PostcopyBlocktimeMs
	case "dirty-limit-throttle-time-per-round":
		ip = &r.DirtyLimitThrottleTimePerRoundUs
	case "dirty-limit-ring-full-time":
		ip = &r.DirtyLimitRingFullTimeUs
	case "ram", "disk", "xbzrle-cache", "vfio":
		if d.isNull() {
			return true, nil
		}
		if d.peek() != '{' {
			return true, d.errf(d.i, "%s%s: want an object", prefix, key)
		}
		name := string(key)
		return true, d.object(func(k []byte) error { return p.statsMember(d, name, k) })
	default:
		return false, nil
	}
	if d.isNull() {
		return true, nil
	}
	x, err := d.int()
	if err != nil {
		return true, named(err, "", key)
	}
	*ip = v.int(x)
	return true, nil
}

// statsMember reads a member of ram, disk, xbzrle-cache or vfio.
func (p *Parser) statsMember(d *dec, group string, key []byte) error {
	r, v := &p.row, p.vals
	var ip **int64
	var fp **float64
	switch group {
	case "ram":
		switch string(key) {
		case "total":
			ip = &r.RAMTotal
		case "transferred":
			ip = &r.RAMTransferred
		case "remaining":
			ip = &r.RAMRemaining
		case "duplicate":
			ip = &r.RAMDuplicate
		case "skipped":
			ip = &r.RAMSkipped
		case "normal":
			ip = &r.RAMNormal
		case "normal-bytes":
			ip = &r.RAMNormalBytes
		case "mbps":
			fp = &r.RAMMbps
		case "dirty-pages-rate":
			ip = &r.RAMDirtyPagesRate
		case "dirty-sync-count":
			ip = &r.RAMDirtySyncCount
		case "page-size":
			ip = &r.RAMPageSize
		case "pages-per-second":
			ip = &r.RAMPagesPerSecond
		case "postcopy-requests":
			ip = &r.RAMPostcopyRequests
		case "multifd-bytes":
			ip = &r.RAMMultifdBytes
		case "precopy-bytes":
			ip = &r.RAMPrecopyBytes
		case "downtime-bytes":
			ip = &r.RAMDowntimeBytes
		case "postcopy-bytes":
			ip = &r.RAMPostcopyBytes
		case "dirty-sync-missed-zero-copy":
			ip = &r.RAMDirtySyncMissedZeroCopy
		}
	case "disk":
		switch string(key) {
		case "total":
			ip = &r.DiskTotal
		case "transferred":
			ip = &r.DiskTransferred
		case "remaining":
			ip = &r.DiskRemaining
		}
	case "xbzrle-cache":
		switch string(key) {
		case "cache-size":
			ip = &r.XBZRLECacheSize
		case "bytes":
			ip = &r.XBZRLEBytes
		case "pages":
			ip = &r.XBZRLEPages
		case "cache-miss":
			ip = &r.XBZRLECacheMiss
		case "cache-miss-rate":
			fp = &r.XBZRLECacheMissRate
		case "encoding-rate":
			fp = &r.XBZRLEEncodingRate
		case "overflow":
			ip = &r.XBZRLEOverflow
		}
	case "vfio":
		if string(key) == "transferred" {
			ip = &r.VFIOTransferred
		}
	}
	switch {
	case ip == nil && fp == nil:
		p.others = append(p.others, other{"", group + "." + string(key)})
		return d.skip()
	case d.isNull():
		return nil
	case fp != nil:
		x, err := d.float()
		if err != nil {
			return named(err, group, key)
		}
		*fp = v.float(x)
		return nil
	}
	x, err := d.int()
	if err != nil {
		return named(err, group, key)
	}
	*ip = v.int(x)
	return nil
}

// stringValue reads a string or null.
func (p *Parser) stringValue(d *dec, name string) (*string, error) {
	if d.isNull() {
		return nil, nil
	}
	if d.peek() != '"' {
		return nil, d.errf(d.i, "%s: want a string", name)
	}
	b, err := d.str()
	if err != nil {
		return nil, err
	}
	if s, ok := p.strs[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(b) <= 64 && len(p.strs) < 1024 {
		p.strs[s] = &s // statuses repeat: share one string
	}
	return &s, nil
}

// timeValue reads a collector timestamp; ok is false for a value that is
// not one (the value is consumed either way).
func (p *Parser) timeValue(d *dec) (time.Time, bool, error) {
	switch c := d.peek(); {
	case c == '{':
		var sec, usec int64
		var haveSec bool
		err := d.object(func(k []byte) error {
			var err error
			switch string(k) {
			case "seconds":
				sec, err = d.int()
				haveSec = true
			case "microseconds":
				usec, err = d.int()
			default:
				err = d.skip()
			}
			return err
		})
		if err != nil || !haveSec {
			return time.Time{}, false, err
		}
		return time.Unix(sec, usec*1000).UTC(), true, nil
	case c == '"':
		b, err := d.str()
		if err != nil {
			return time.Time{}, false, err
		}
		t, ok := ParseTime(string(b), p.opt.Loc())
		return t, ok, nil
	case c == '-' || (c >= '0' && c <= '9'):
		b, err := d.number()
		if err != nil {
			return time.Time{}, false, err
		}
		t, ok := epoch(b)
		return t, ok, nil
	}
	return time.Time{}, false, d.skip()
}

// epoch reads an epoch number, its unit told by magnitude: below 1e11
// seconds (to the year 5138), below 1e14 milliseconds, below 1e17
// microseconds, else nanoseconds. Decimal fractions are read exactly.
func epoch(b []byte) (time.Time, bool) {
	intPart, frac, _ := bytes.Cut(b, []byte{'.'})
	if bytes.ContainsAny(b, "eE-") {
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil || f < 0 || f >= 1e19 {
			return time.Time{}, false
		}
		intPart = strconv.AppendFloat(nil, f, 'f', -1, 64)
		intPart, frac, _ = bytes.Cut(intPart, []byte{'.'})
	}
	n, err := strconv.ParseUint(string(intPart), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	// scale: nanoseconds per unit
	var scale uint64
	switch {
	case n < 1e11:
		scale = 1e9
	case n < 1e14:
		scale = 1e6
	case n < 1e17:
		scale = 1e3
	default:
		scale = 1
	}
	var fracNs uint64
	for i, unit := 0, scale/10; i < len(frac) && unit > 0; i, unit = i+1, unit/10 {
		fracNs += uint64(frac[i]-'0') * unit
	}
	ns := n%(1e9/scale)*scale + fracNs
	if scale == 1e9 {
		ns = fracNs
	}
	sec := int64(n / (1e9 / scale))
	return time.Unix(sec, int64(ns)).UTC(), true
}

// ParseTime reads a timestamp string: RFC 3339 (with T or a space), a local
// time without a zone in loc, or an epoch number (seconds, ms, us or ns, told
// apart by magnitude as in a JSON number; decimal fractions are exact).
func ParseTime(s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:T ") {
		return epoch([]byte(s))
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	for _, layout := range [...]string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Detect reports whether head (the first ≤64 KiB, possibly cut) is a
// query-migrate log: it starts with { or [ and names "status" with "ram" or
// "total-time". sadf -j output (it has "sysstat") is not.
func Detect(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return false
	}
	if bytes.Contains(t, []byte(`"sysstat"`)) {
		return false
	}
	return bytes.Contains(t, []byte(`"status"`)) &&
		(bytes.Contains(t, []byte(`"ram"`)) || bytes.Contains(t, []byte(`"total-time"`)))
}
