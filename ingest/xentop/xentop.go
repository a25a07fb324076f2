// Package xentop parses xentop batch output (xentop -b), with the optional
// -v (VCPUs), -n (NetN), -x (VBD), -r (repeated header) and -f (full names)
// forms, into schema's xentop_domain, xentop_vcpu, xentop_net and xentop_vbd
// rows.
//
// # Columns
//
// Domain rows are read by the header's column names, so the pre-Xen-4.0
// header (no VBD_RSECT/VBD_WSECT) and widths that grow with the values are
// both fine. A row is read from the right: each header column takes one
// token (MAXMEM(k) takes the two tokens of "no limit"), the next token must
// be the 6-character STATE flags (d s b c p r or '-'), and everything left of
// it is the name, which may contain spaces (-f). "no limit", "n/a" and "-"
// become nulls.
//
// # Frames
//
// A frame is one sample of every domain. A domain row opens a new frame when
// it is the first row after a header line and
//   - any header seen before was followed by two or more domain rows (the
//     file is not -r output, so every header starts a frame), or
//   - its name already appeared in the current frame, or
//   - its name sorts before the previous row's name, compared without case as
//     xentop sorts (Domain-0 is exempt: -z prints it first).
//
// With -r the header repeats before every domain, so the last two rules find
// where the next frame starts. They can only be fooled when every domain of
// one frame vanished and the next frame's first domain sorts after them all.
// A frame's index counts frames that have domain rows, from 0.
//
// # Time
//
// When lines carry a timestamp prefix (moreutils ts: "%s", "%.s", ISO 8601,
// or its default "Nov 21 23:52:03" completed by Options.Year, rolling into
// the next year when the month goes backwards), the frame's time is the stamp
// on the header line that opened it. The first header fixes the prefix
// kind; every later line must carry one of the same shape. Stamps win over
// Options.Start; without a stamp a frame's time is Start + frame·Interval,
// and without Start a header line is an error (ErrNoTime). Times are UTC,
// truncated to microseconds.
//
// # Lines
//
// Every line counts once: domain, VCPUs, NetN and VBD lines are data (a VCPUs
// line yields one record per vCPU); header lines, blank lines, Tmem lines and
// the -p "Physical CPU Usage" box are structure. A VCPUs line listing no vCPU
// (all offline) is structure too.
package xentop

import (
	"bytes"
	"io"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// Format is the parser's name in --format, rejects and provenance.
const Format = "xentop"

// Detect reports whether head (the first ≤64 KiB of a file, possibly cut
// mid-line) is xentop batch output: one of its first 16 non-blank lines is a
// header "NAME STATE CPU(sec) ..." after an optional timestamp prefix.
func Detect(head []byte) bool {
	var toks []span
	for line := range parse.HeadLines(head, 16) {
		toks = fields(line, toks[:0])
		if _, ok := headerStart(line, toks); ok {
			return true
		}
	}
	return false
}

// headerStart finds the NAME token of a header line: at most 3 tokens of
// timestamp prefix, then NAME STATE and, later, CPU(sec). It returns the
// index of the NAME token.
func headerStart(line []byte, toks []span) (int, bool) {
	tok := func(i int) []byte { return line[toks[i].s:toks[i].e] }
	for i := 0; i <= 3 && i+2 < len(toks); i++ {
		if string(tok(i)) != "NAME" || string(tok(i+1)) != "STATE" {
			continue
		}
		for j := i + 2; j < len(toks); j++ {
			if string(tok(j)) == "CPU(sec)" {
				if _, ok := classify(line, toks[:i]); ok {
					return i, true
				}
				return 0, false
			}
		}
	}
	return 0, false
}

// rowKind says which record Record returns.
type rowKind uint8

const (
	kindNone rowKind = iota
	kindDomain
	kindVCPU
	kindNet
	kindVBD
)

// lineKind says what the previous data line was, for VCPUs continuations.
type lineKind uint8

const (
	prevOther lineKind = iota
	prevVCPU
)

// domEntry is an interned domain name with its migration split.
type domEntry struct {
	name, base, role string
	lastFrame        int64 // last frame the name appeared in
}

type vcpuItem struct {
	idx uint32
	sec uint64
}

// Parser is a pull iterator over xentop batch output. Record returns a
// pointer to a struct reused by the next call to Next; the strings and
// pointers it holds are never reused.
type Parser struct {
	opt   parse.Options
	lines *parse.Lines
	stats parse.Stats
	err   error

	kind  rowKind
	dom   schema.XentopDomain
	vcpu  schema.XentopVCPU
	net   schema.XentopNet
	vbd   schema.XentopVBD
	queue []vcpuItem // vCPU entries of the current line not yet returned
	qpos  int

	stamp     stampKind
	tsMonth   time.Month
	tsYearAdd int

	// header state
	cols      []column // columns after STATE, in header order
	hdrText   []byte   // last header's text (after the prefix), to skip re-parsing -r headers
	hdrLine   int      // line of the last header
	hdrBad    bool     // the last header was rejected
	hdrStamp  time.Time
	hdrHas    bool // hdrStamp is set
	pending   bool // a header was read and no domain row since
	underHdr  int  // domain rows since the last header
	notRepeat bool // some header had ≥2 domain rows: not -r output
	inBox     bool // inside a -p Physical CPU Usage box

	// frame state
	frame     int64
	frameTime time.Time
	prevName  string    // last non-Domain-0 name of the frame, for the sort rule
	cur       *domEntry // domain the sub-lines belong to; nil after a reject
	prev      lineKind

	names    map[string]*domEntry
	kinds    map[string]string
	lastKind string // last VBD kind, to skip the map lookup
	toks     []span

	u64s []uint64
	f64s []float64
	u32s []uint32
}

// NewParser reads xentop batch output from r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	return &Parser{
		opt:   opt,
		lines: parse.NewLines(r),
		frame: -1,
		names: make(map[string]*domEntry),
		kinds: make(map[string]string),
	}
}

// Record returns the current row: *schema.XentopDomain, *schema.XentopVCPU,
// *schema.XentopNet or *schema.XentopVBD.
func (p *Parser) Record() schema.Row {
	switch p.kind {
	case kindDomain:
		return &p.dom
	case kindVCPU:
		return &p.vcpu
	case kindNet:
		return &p.net
	case kindVBD:
		return &p.vbd
	}
	return nil
}

// Err is the first error in strict mode (a *parse.ParseError), or a read error.
func (p *Parser) Err() error { return p.err }

// Stats is the line accounting so far.
func (p *Parser) Stats() parse.Stats { return p.stats }

// lineError is a fault in the current line: its byte offset (0-based, -1
// when unknown) and the error wrapping a parse sentinel.
type lineError struct {
	col int
	err error
}

// Next advances to the next record.
func (p *Parser) Next() bool {
	if p.qpos < len(p.queue) {
		p.emitVCPU()
		return true
	}
	if p.err != nil {
		return false
	}
	for p.lines.Next() {
		p.stats.Lines++
		n, le := p.line(p.lines.Bytes())
		if le != nil {
			p.queue, p.qpos = p.queue[:0], 0
			p.stats.Reject++
			line := p.lines.Bytes()
			pe := &parse.ParseError{File: p.opt.File, Line: p.lines.Num(), Col: le.col + 1,
				Format: Format, Err: le.err, Raw: parse.Raw(line)}
			if !p.opt.Lenient {
				p.err = pe
				return false
			}
			if p.opt.OnReject != nil {
				p.opt.OnReject(pe)
			}
			continue
		}
		if n == 0 {
			p.stats.Structure++
			continue
		}
		p.stats.Data++
		if p.kind == kindVCPU {
			p.emitVCPU()
		} else {
			p.stats.Records++
		}
		return true
	}
	p.err = p.lines.Err()
	return false
}

func (p *Parser) emitVCPU() {
	it := p.queue[p.qpos]
	if p.qpos == 0 {
		p.vcpu = schema.XentopVCPU{Host: p.opt.Host, Frame: p.frame, Time: p.frameTime, Name: p.cur.name}
	}
	p.qpos++
	p.vcpu.VCPU, p.vcpu.CPUSec = it.idx, it.sec
	p.stats.Records++
}

// shift moves a known column by the prefix length off.
func (le *lineError) shift(off int) *lineError {
	if le.col >= 0 {
		le.col += off
	}
	return le
}

func errAt(col int, sentinel error, format string, args ...any) *lineError {
	return &lineError{col: col, err: parse.Errorf(sentinel, format, args...)}
}

// line handles one input line. It returns how many records it produced
// (0: structure) or the line's fault.
func (p *Parser) line(line []byte) (int, *lineError) {
	if bad := p.lines.Bad(); bad != nil {
		p.cur = nil
		col := p.lines.BadCol() - 1
		switch bad {
		case parse.ErrBinary:
			return 0, errAt(col, bad, "NUL bytes in a text trace (a compressed or corrupt file?)")
		case parse.ErrTooLong:
			return 0, errAt(-1, bad, "longer than %d bytes", parse.MaxLine)
		}
		return 0, &lineError{col: col, err: bad} // ErrNotUTF8 (col: its first bad byte), ErrCutShort, a read error
	}
	off := 0
	switch p.stamp {
	case stampUnknown:
		p.toks = fields(line, p.toks[:0])
		i, ok := headerStart(line, p.toks)
		if !ok {
			if len(bytes.TrimSpace(line)) == 0 {
				return 0, nil
			}
			return 0, errAt(-1, parse.ErrSyntax, "line before the first xentop header (NAME STATE CPU(sec) ...): is this xentop -b output?")
		}
		p.stamp, _ = classify(line, p.toks[:i])
		if i > 0 {
			off = p.toks[i-1].e + 1
		}
	case stampNone:
	default:
		var ok bool
		off, ok = skipStamp(line, p.stamp.tokens(), p.stamp.firstByte())
		if !ok {
			p.cur = nil
			return 0, errAt(-1, parse.ErrSyntax, "line lacks the %s timestamp prefix the first header had", p.stamp)
		}
	}
	c := line[off:]
	t := skipSpaces(c, 0)
	if t == len(c) {
		p.prev = prevOther
		return 0, nil
	}
	rest := c[t:]
	switch rest[0] {
	case 'N':
		if isHeader(rest) {
			return 0, p.header(line, off, c)
		}
		if bytes.HasPrefix(rest, []byte("Net")) && len(rest) > 3 && isDigit(rest[3]) {
			if k := bytes.IndexByte(rest, ' '); k > 3 && bytes.HasPrefix(rest[k:], []byte(" RX:")) {
				p.prev = prevOther
				return p.netLine(rest, off+t)
			}
		}
		if bytes.Equal(rest, []byte("No PCPU data available")) {
			return 0, nil
		}
	case 'V':
		if bytes.HasPrefix(rest, []byte("VCPUs(sec):")) {
			return p.vcpuLine(rest[len("VCPUs(sec):"):], off+t+len("VCPUs(sec):"))
		}
		if bytes.HasPrefix(rest, []byte("VBD ")) && bytes.Contains(rest, []byte("OO:")) {
			p.prev = prevOther
			return p.vbdLine(rest, off+t)
		}
	case 'T':
		if bytes.HasPrefix(rest, []byte("Tmem:")) {
			p.prev = prevOther
			return 0, nil
		}
	case 'P':
		if bytes.HasPrefix(rest, []byte("Physical CPU Usage:")) {
			p.inBox, p.prev = true, prevOther
			return 0, nil
		}
	case '+', '|':
		if p.inBox {
			return 0, nil
		}
	}
	if t > 0 && p.prev == prevVCPU && isDigit(rest[0]) && isVCPUIndex(rest) {
		return p.vcpuLine(rest, off+t)
	}
	p.prev, p.inBox = prevOther, false
	return p.domainRow(line, off, c)
}

// isHeader: "NAME" then spaces then "STATE".
func isHeader(b []byte) bool {
	if !bytes.HasPrefix(b, []byte("NAME ")) {
		return false
	}
	b = bytes.TrimLeft(b[5:], " ")
	return bytes.HasPrefix(b, []byte("STATE ")) || string(b) == "STATE"
}

// isVCPUIndex: the first token is "<digits>:".
func isVCPUIndex(b []byte) bool {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i > 0 && i < len(b) && b[i] == ':'
}

// header reads a header line: its columns and, with prefixes, its stamp.
func (p *Parser) header(line []byte, off int, c []byte) *lineError {
	p.pending, p.underHdr, p.hdrLine, p.hdrBad = true, 0, p.lines.Num(), true
	p.cur, p.prev, p.inBox = nil, prevOther, false
	if !bytes.Equal(c, p.hdrText) {
		p.hdrText = p.hdrText[:0]
		p.toks = fields(c, p.toks[:0])
		cols, le := parseColumns(c, p.toks, p.cols[:0])
		if le != nil {
			return le.shift(off)
		}
		p.cols = cols
		p.hdrText = append(p.hdrText, c...)
	}
	p.hdrHas = false
	if p.stamp != stampNone {
		p.toks = fields(line[:off], p.toks[:0])
		if k, ok := classify(line, p.toks); !ok || k != p.stamp {
			return errAt(-1, parse.ErrSyntax, "header lacks the %s timestamp prefix of the first header", p.stamp)
		}
		tm, col, err := p.stampTime(p.stamp, line, p.toks)
		if err != nil {
			return &lineError{col: col, err: err}
		}
		p.hdrStamp, p.hdrHas = tm.Truncate(time.Microsecond), true
	} else if p.opt.Start.IsZero() {
		return errAt(-1, parse.ErrNoTime, "xentop frame has no time: prefix lines with ts or pass --start and --interval")
	}
	p.hdrBad = false
	return nil
}

// domainRow reads one domain row and opens a new frame when the rules in
// the package doc say so.
func (p *Parser) domainRow(line []byte, off int, c []byte) (int, *lineError) {
	p.cur = nil
	if p.hdrBad {
		return 0, errAt(-1, parse.ErrSyntax, "domain row under the header at line %d, which was rejected", p.hdrLine)
	}
	nameB, ok := p.parseForward(c)
	if !ok {
		var le *lineError
		if nameB, le = p.parseBackward(c); le != nil {
			if shape := p.rowShape(c); shape != nil {
				le = shape
			}
			return 0, le.shift(off)
		}
	}
	e := p.intern(nameB)
	if p.pending {
		open := p.frame < 0 || p.notRepeat || e.lastFrame == p.frame ||
			(e.name != "Domain-0" && p.prevName != "" && caselessLess(e.name, p.prevName))
		p.pending = false
		if open {
			p.frame++
			p.prevName = ""
			if p.hdrHas {
				p.frameTime = p.hdrStamp
			} else {
				p.frameTime = p.opt.Start.Add(time.Duration(p.frame) * p.opt.Interval).UTC().Truncate(time.Microsecond)
			}
		}
	}
	p.underHdr++
	if p.underHdr == 2 {
		p.notRepeat = true
	}
	e.lastFrame = p.frame
	if e.name != "Domain-0" {
		p.prevName = e.name
	}
	p.cur = e
	d := &p.dom
	d.Host, d.Frame, d.Time = p.opt.Host, p.frame, p.frameTime
	d.Name, d.Domain, d.Role = e.name, e.base, e.role
	p.kind = kindDomain
	return 1, nil
}

// caselessLess compares as strcasecmp does in the C locale.
func caselessLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lower(a[i]), lower(b[i])
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// maxNames bounds the intern table; past it the table starts afresh (the
// strings handed out stay valid).
const maxNames = 1 << 14

func (p *Parser) intern(b []byte) *domEntry {
	if e := p.names[string(b)]; e != nil {
		return e
	}
	if len(p.names) >= maxNames {
		clear(p.names)
	}
	name := string(b)
	base, role := splitRole(name)
	e := &domEntry{name: name, base: base, role: role, lastFrame: -1}
	p.names[name] = e
	return e
}

// splitRole splits the migration suffix off a domain name. Without -f
// xentop cuts names to 10 characters, so a 10-character name ending in "--"
// followed by a non-empty prefix of "incoming" or "migratedaway" is taken as
// that suffix cut short (web01--inc → web01, incoming).
func splitRole(name string) (base, role string) {
	const in, away = "--incoming", "--migratedaway"
	switch {
	case len(name) > len(in) && name[len(name)-len(in):] == in:
		return name[:len(name)-len(in)], "incoming"
	case len(name) > len(away) && name[len(name)-len(away):] == away:
		return name[:len(name)-len(away)], "migratedaway"
	}
	if len(name) == 10 {
		if i := lastIndex(name, "--"); i > 0 && i+2 < len(name) {
			tail := name[i:]
			switch {
			case len(tail) < len(in) && in[:len(tail)] == tail:
				return name[:i], "incoming"
			case len(tail) < len(away) && away[:len(tail)] == tail:
				return name[:i], "migratedaway"
			}
		}
	}
	return name, "none"
}

func lastIndex(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func (p *Parser) internKind(b []byte) string {
	if k, ok := p.kinds[string(b)]; ok {
		return k
	}
	if len(p.kinds) >= 64 {
		clear(p.kinds)
	}
	k := string(b)
	p.kinds[k] = k
	return k
}

// Slabs for nullable values: a pointer handed out is never reused.
func (p *Parser) u64p(v uint64) *uint64 {
	if len(p.u64s) == 0 {
		p.u64s = make([]uint64, 1024)
	}
	q := &p.u64s[0]
	*q = v
	p.u64s = p.u64s[1:]
	return q
}

func (p *Parser) f64p(v float64) *float64 {
	if len(p.f64s) == 0 {
		p.f64s = make([]float64, 256)
	}
	q := &p.f64s[0]
	*q = v
	p.f64s = p.f64s[1:]
	return q
}

func (p *Parser) u32p(v uint32) *uint32 {
	if len(p.u32s) == 0 {
		p.u32s = make([]uint32, 512)
	}
	q := &p.u32s[0]
	*q = v
	p.u32s = p.u32s[1:]
	return q
}
