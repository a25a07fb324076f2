// Package ping parses the text output of ping: iputils (with and without
// -D, -O), BusyBox, FreeBSD and macOS (ping and KAME ping6), and Windows
// (English messages: see windows.go), into schema.PingReply and
// schema.PingSummary rows.
//
// Every line is one of:
//
//   - a probe outcome, one PingReply row (data): a reply ("64 bytes from
//     ip: icmp_seq=1 ttl=64 time=0.028 ms", optionally "[epoch] "-prefixed
//     by -D), a timeout ("no answer yet for icmp_seq=N" of iputils -O,
//     "Request timeout for icmp_seq N" of BSD), an ICMP error ("From ip
//     icmp_seq=2 Destination Host Unreachable", BSD "92 bytes from ip:
//     Destination Host Unreachable"), or a line ping wrote on stderr ("ping:
//     sendmsg: Operation not permitted"). Stderr lines are real probe
//     failures (a send that failed is a probe lost), so they are rows with
//     status error, the whole line as error text, and null seq and time:
//     ping prints neither for them. That holds inside a session; a stderr
//     line read outside one (before the first banner, reply or statistics,
//     or after a session's statistics) is held until a session follows
//     (stdout buffered and stderr not puts a session's send errors before
//     its banner) and is then a row with an empty target (ping does not
//     say which session's it is); if none follows, ping did not run (a
//     bad option, an unknown host: "ping: -i interval too short", Windows
//     "Ping request could not find host"), no probe was sent, and the line
//     is refused (strict) or rejected (lenient) with that reason.
//   - the closing statistics (data): the "N packets transmitted" line and
//     the "rtt"/"round-trip" line (or a lone "pipe N" line) after it make
//     one PingSummary row, emitted after the rtt line, or before the next
//     line that is not blank when there is none (100 % loss).
//   - structure: what ping's options add around the data, none of it a
//     probe outcome: the PING banner (every form: iputils "from SRC DEV:",
//     ping6 "host(name (ip))", BusyBox/BSD "from SRC:", KAME "PING6(...) src
//     --> dst"), blank lines, "--- host ping statistics ---", -p's "PATTERN:
//     0x..." line, warnings ping writes on stderr ("ping: Warning: ...",
//     "WARNING: pinging broadcast address"), -v's debug lines ("ping:
//     sock4.fd: ...", "ai->ai_family: ..."), the SIGQUIT (iputils "5/5 packets, 0% loss") and SIGINFO (BSD "3/4 packets
//     received (75.0%)") status lines, -f's line of flood dots, -R/-T's IP
//     option dumps ("RR:", "TS:", "LSRR:", "SSRR:" with their tab-led hop
//     lines, "NOP", "Unrecorded hops: N"), "wrong data byte" and "wrong total
//     length" dumps, the IP header dumps after an ICMP error (BSD and iputils
//     -v "Vr HL TOS ..." and its values, then BSD's "TCP:/UDP:/ICMP:" line;
//     KAME's "Vr TC  Flow Plen Nxt Hlim", its values and "src->dst"), BSD -v
//     reports of ICMP messages that are not errors ("Echo Request", "Router
//     Advertisement", ...), and "rc=N", the exit code capture scripts append
//     (the shared samples end with one). Audible bells (-a, BSD -A) are
//     dropped wherever they fall. The IP options' hops (-R) are not stored.
//
// Each PING banner starts a new session: target, first seq, duplicates and
// the summary's time restart there. A banner without a name ("PING
// (10.0.0.1) 56(84) bytes of data.") names its target by the address; a
// file without a banner takes the first reply's address.
//
// A reply whose icmp_seq was already answered in the session is a duplicate
// (status dup), marked (DUP!) or not. Ping itself decides so: iputils,
// BusyBox and BSD ping keep a table of answered seqs and count a second
// answer in the summary's "+K duplicates" whether or not they print the
// mark, and macOS ping prints none for a broadcast or multicast target (jc's
// osx-10.14.6 ping-ip-dup fixture: 15 reply lines, "2 packets received, +13
// duplicates", no (DUP!)). iputils-formatted output that repeats a seq
// without the mark is read the same way: a seq can be answered once. Seqs
// are compared after unwrapping past 65535 (ping's table has 65536
// entries); a reply with a bad checksum (BAD CHECKSUM!) is no answer.
//
// Text ping does not print is rejected, never guessed at: anything after a
// complete reply that is not one of ping's flags ("(DUP!)", "(BAD
// CHECKSUM!)", "(DIFFERENT ADDRESS!)", "(truncated)", -R's "(same route)"),
// key=value fields or a bell ("time=0.043 ms: some weird error"), and a BSD
// "N bytes from ip: TEXT" line whose TEXT is none of the ICMP messages BSD
// ping's pr_icmph prints.
//
// Reply times come from the -D prefix; without it they are Options.Start +
// (seq − first seq)·Options.Interval when Start is set (seq unwrapped past
// 65535, counted per session: give one file per session, or -D, when
// sessions are concatenated), else null.
//
// The hot path (a reply line) uses no regexps, no fmt and no allocation
// beyond the row's own values, which are carved from a slab; target and
// address strings are interned.
package ping

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/internal/decimal"
	"github.com/migreplay/migreplay/schema"
)

// Format is the parser's name in errors, stats and metadata.
const Format = "ping"

// cell holds one row's pointed-to numbers; cells come from a slab so a row
// costs no allocation of its own, and a cell is never reused. Times live in
// a slab of their own, so the cell slabs hold no pointers and the garbage
// collector never scans them.
type cell struct {
	rtt   float64
	seq   int64
	ttl   int32
	bytes int32
}

const slabSize = 512

type addr struct {
	ip   *string // the address (the one in parentheses for the name form)
	name string  // the name for the name form, else the address
}

// Parser is a pull iterator over ping output. Record returns a
// *schema.PingReply or a *schema.PingSummary; the struct is reused by the
// next call to Next, the strings and pointers it holds never are.
type Parser struct {
	lines *parse.Lines
	opt   parse.Options
	st    parse.Stats
	err   error
	done  bool
	held  bool // the current line is still to be processed

	reply schema.PingReply
	sum   *schema.PingSummary // open summary: packets transmitted line seen
	cur   schema.Row

	// session state, reset by each banner
	target    string
	targetIP  *string
	banner    bool
	haveFirst bool
	firstSeq  int64
	lastSeq   int64
	epoch     int64 // seq wraps seen ·65536
	last      *time.Time

	fromKey []byte // last reply address, as printed
	fromVal *addr
	addrs   map[string]*addr

	slab  []cell
	times []time.Time
	// with Options.Reuse, every row's numbers and time (p.last is the
	// last time given; a summary and a held error row take copies)
	one     cell
	oneTime time.Time
	block   block // what the previous line lets this one continue

	seen seqSet // seqs answered in the session (last: 8 KiB)

	win winState // Windows ping (windows.go)

	// ping's error lines (ping: ..., Windows "Ping request could not find
	// host") read outside a session: they become rows when a session
	// follows (a banner, reply or statistics: ping ran), rejects when none
	// does (ping did not run). banners counts the banners parsed.
	session bool
	banners int
	pending []pendingErr
	queue   []schema.Row
}

// pendingErr is an error line held until a session shows ping ran.
type pendingErr struct {
	row  schema.PingReply
	line int
	raw  string
}

// maxPending bounds the error lines held outside a session; more are
// rejected at once.
const maxPending = 4096

// block is what a structure line lets the next line be: the rest of a dump
// ping prints over several lines.
type block uint8

const (
	blockNone     block = iota
	blockIPHdr          // after "Vr HL TOS ...": the header's values " 4  5  00 5400 ..."
	blockRetip          // after those values: BSD's "TCP: from port ..", "UDP: ..", "ICMP: type .."
	blockIP6Hdr         // after KAME's "Vr TC  Flow Plen Nxt Hlim": its values
	blockIP6Addrs       // after those values: "src->dst"
	blockOptions        // after "RR:", "TS:", "LSRR:", "SSRR:": tab-led hops, "Unrecorded hops: N"
	blockDataDump       // after "wrong data byte": iputils "#N\t..", BSD "cp:", "dp:" and tab-led bytes
)

// NewParser reads ping output from r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	p := &Parser{lines: parse.NewLines(r), opt: opt, addrs: map[string]*addr{}}
	p.seen.hi = noSeq
	return p
}

// Record is the current row: *schema.PingReply or *schema.PingSummary.
func (p *Parser) Record() schema.Row { return p.cur }

// Err is the first strict-mode parse error (a *parse.ParseError) or read error.
func (p *Parser) Err() error { return p.err }

// Stats is the line accounting so far.
func (p *Parser) Stats() parse.Stats { return p.st }

// Next advances to the next row.
func (p *Parser) Next() bool {
	for {
		if len(p.queue) > 0 {
			p.cur, p.queue[0] = p.queue[0], nil
			p.queue = p.queue[1:]
			return true
		}
		if p.err != nil || p.done {
			return false
		}
		if !p.held {
			if !p.lines.Next() {
				p.done = true
				if err := p.lines.Err(); err != nil {
					p.rejectPending()
					p.err = fmt.Errorf("ping: read %s: %w", p.opt.File, err)
					return false
				}
				p.rejectPending()
				return p.flushSummary()
			}
			p.st.Lines++
		}
		p.held = false
		line := p.lines.Bytes()
		if bad := p.lines.Bad(); bad != nil && !(bad == parse.ErrCutShort && wholeLine(line)) {
			if p.sum != nil {
				p.held = true
				return p.flushSummary()
			}
			if !p.reject(p.lines.BadCol(), bad) {
				return false
			}
			continue
		}
		if p.sum != nil && !p.continuesSummary(line) {
			p.held = true
			return p.flushSummary()
		}
		banners := p.banners
		k, col, err := p.parseLine(line)
		if err == nil && !p.session && len(p.pending) > 0 &&
			(k == kindRow || k == kindData || k == kindSummaryEnd || p.banners != banners) {
			return p.releasePending(k)
		}
		if err == nil && (k != kindPending && k != kindStructure || p.banners != banners) {
			p.session = true
		}
		switch {
		case err != nil:
			if !p.reject(col, err) {
				return false
			}
		case k == kindPending:
			if !p.hold(line) {
				return false
			}
		case k == kindRow:
			p.st.Data++
			p.st.Records++
			p.cur = &p.reply
			return true
		case k == kindSummaryEnd:
			p.st.Data++
			return p.flushSummary()
		case k == kindData:
			p.st.Data++
		default:
			p.st.Structure++
		}
	}
}

// continuesSummary reports whether line belongs to the open summary: its
// rtt line, or a blank line ping prints when there is none.
func (p *Parser) continuesSummary(line []byte) bool {
	line = trimSpace(line)
	return len(line) == 0 || isSummaryTail(line) || isWinSummaryTail(line)
}

func isSummaryTail(line []byte) bool {
	return hasPrefix(line, "rtt ") || hasPrefix(line, "round-trip ") ||
		hasPrefix(line, "pipe ") || hasPrefix(line, "ipg/ewma ")
}

func (p *Parser) flushSummary() bool {
	if p.sum == nil {
		return false
	}
	p.cur = p.sum
	p.sum = nil
	p.st.Records++
	p.session = false // the statistics close the session
	return true
}

// hold keeps the error row p.reply of line until a session shows whether
// ping ran (false: strict mode stopped on one held too many).
func (p *Parser) hold(line []byte) bool {
	if len(p.pending) == maxPending {
		return p.reject(1, parse.Errorf(parse.ErrUnsupported, "more than %d ping error lines outside a session (no PING banner, reply or statistics): ping did not run, or this is not its output", maxPending))
	}
	e := pendingErr{row: p.reply, line: p.lines.Num(), raw: parse.Raw(line)}
	// held past the next lines, which may reuse its numbers' memory
	own(&e.row)
	e.row.Target, e.row.TargetIP = "", nil // outside a session: which target, ping does not say
	p.pending = append(p.pending, e)
	return true
}

// releasePending stores the held error lines, a session having begun with
// the current line (kind k): they come out first, then what the line
// gives.
func (p *Parser) releasePending(k kind) bool {
	p.session = true
	for i := range p.pending {
		r := p.pending[i].row
		p.queue = append(p.queue, &r)
		p.st.Data++
		p.st.Records++
	}
	p.pending = p.pending[:0]
	switch k {
	case kindRow:
		r := p.reply
		p.queue = append(p.queue, &r)
		p.st.Data++
		p.st.Records++
	case kindData:
		p.st.Data++
	case kindSummaryEnd:
		p.st.Data++
		if p.flushSummary() {
			p.queue = append(p.queue, p.cur)
		}
	default:
		p.st.Structure++
	}
	return p.Next()
}

// rejectPending rejects the error lines held when no session followed
// them: ping did not run (a bad option, an unknown host, no permission),
// so no probe was sent and they are no probe's outcome.
func (p *Parser) rejectPending() {
	for _, e := range p.pending {
		pe := &parse.ParseError{File: p.opt.File, Line: e.line, Col: 1, Format: Format, Raw: e.raw,
			Err: parse.Errorf(parse.ErrUnsupported, "ping did not run: %q is the error it printed, and no PING banner, reply or statistics follow it, so no probe was sent and there is no outcome to store (remove the file, or capture ping again once it starts)", *e.row.Error)}
		if !p.opt.Reject(&p.st, pe) {
			if p.err == nil {
				p.err = pe
			}
			break
		}
	}
	p.pending = p.pending[:0]
}

// reject handles a bad line: strict mode stops (false), lenient mode
// reports it and goes on (true).
func (p *Parser) reject(col int, err error) bool {
	pe := &parse.ParseError{File: p.opt.File, Line: p.lines.Num(), Col: col, Format: Format,
		Err: err, Raw: parse.Raw(p.lines.Bytes())}
	if !p.opt.Reject(&p.st, pe) {
		p.err = pe
		return false
	}
	return true
}

type kind int

const (
	kindStructure  kind = iota
	kindData            // data line without a record of its own (packets transmitted)
	kindRow             // p.reply holds a row
	kindSummaryEnd      // the summary is complete
	kindPending         // p.reply holds an error row outside a session: held (see hold)
)

// parseLine classifies line and fills p.reply or p.sum. On error it returns
// the 1-based column of the fault.
func (p *Parser) parseLine(b []byte) (kind, int, error) {
	blk := p.block
	p.block = blockNone
	if len(b) == 0 {
		return kindStructure, 0, nil
	}
	var stamp time.Time
	hasStamp := false
	i := 0
	if b[0] == '[' {
		t, n, ok := parseStamp(b)
		if !ok {
			return 0, n + 1, parse.Errorf(parse.ErrSyntax, "bad -D timestamp prefix, want [seconds.micros] (seconds since 1970, before year 10000)")
		}
		stamp, hasStamp, i = t, true, n
		if i == len(b) {
			return 0, i, parse.Errorf(parse.ErrSyntax, "nothing after the -D timestamp")
		}
	} else if b[0] == '\a' {
		p.block = blk
		return p.afterBells(b)
	}
	c := b[i]
	switch {
	case c >= '0' && c <= '9':
		if n, k, ok := parseUint(b, i); ok {
			if j := hasPrefixAt(b, k, " bytes from "); j > 0 {
				return p.parseReply(b, n, j, stamp, hasStamp)
			}
			if !hasStamp && hasPrefixAt(b, k, " packets transmitted") > 0 {
				return p.parseTransmitted(b)
			}
		}
	case c == 'n' && hasPrefixAt(b, i, "no answer yet for icmp_seq=") > 0:
		j := hasPrefixAt(b, i, "no answer yet for icmp_seq=")
		seq, k, ok := parseUint(b, j)
		if !ok || !restBlank(b, k) {
			return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad icmp_seq in no answer yet line")
		}
		return p.timeout(seq, stamp, hasStamp)
	case c == 'R' && !hasStamp && hasPrefixAt(b, i, "Reply from ") > 0:
		return p.parseWinReply(b, i+len("Reply from "))
	case c == 'R' && hasPrefixAt(b, i, "Request timeout for icmp_seq") > 0:
		j := hasPrefixAt(b, i, "Request timeout for icmp_seq")
		if j < len(b) && (b[j] == ' ' || b[j] == '=') {
			j++
		}
		seq, k, ok := parseUint(b, j)
		if !ok || !restBlank(b, k) {
			return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad icmp_seq in Request timeout line")
		}
		return p.timeout(seq, stamp, hasStamp)
	case c == 'F' && hasPrefixAt(b, i, "From ") > 0:
		return p.parseFrom(b, hasPrefixAt(b, i, "From "), stamp, hasStamp)
	}
	if hasStamp {
		return 0, i + 1, parse.Errorf(parse.ErrSyntax, "unknown line after a -D timestamp")
	}
	return p.parseOther(b, blk)
}

// afterBells parses a line that starts with audible bells (-a, BSD -A) as
// the line without them.
func (p *Parser) afterBells(b []byte) (kind, int, error) {
	n := 0
	for n < len(b) && b[n] == '\a' {
		n++
	}
	k, col, err := p.parseLine(b[n:])
	if err != nil && col > 0 {
		col += n
	}
	return k, col, err
}

// parseOther handles the lines that are neither replies nor timeouts; blk
// is what the line before allows this one to continue.
func (p *Parser) parseOther(b []byte, blk block) (kind, int, error) {
	t := trimSpace(b)
	switch {
	case len(t) == 0:
		return kindStructure, 0, nil
	case blk != blockNone && p.continuesBlock(b, t, blk):
		return kindStructure, 0, nil
	case hasPrefix(t, "PING") && !hasPrefix(t, "PING: "):
		if err := p.parseBanner(t); err != nil {
			return 0, 1, err
		}
		return kindStructure, 0, nil
	case hasPrefix(t, "--- ") && bytes.HasSuffix(t, []byte(" ---")):
		return kindStructure, 0, nil
	case isSummaryTail(t):
		if p.sum == nil {
			return 0, 1, parse.Errorf(parse.ErrSyntax, "rtt line without a packets transmitted line before it")
		}
		if col, err := p.parseTail(t); err != nil {
			return 0, col + (len(b) - len(trimLeft(b))), err
		}
		return kindSummaryEnd, 0, nil
	case hasPrefix(t, "ping: ") || hasPrefix(t, "ping6: ") || isWinFatal(t):
		if isPreamble(t) {
			return kindStructure, 0, nil
		}
		p.stderrRow(t)
		if !p.session {
			return kindPending, 0, nil
		}
		return kindRow, 0, nil
	case isPreamble(t):
		return kindStructure, 0, nil
	case hasPrefix(t, "rc="):
		if _, k, ok := parseUint(t, 3); ok && k == len(t) {
			return kindStructure, 0, nil
		}
	case isOptionStart(t):
		p.block = blockOptions
		return kindStructure, 0, nil
	case string(t) == "NOP", hasPrefix(t, "unknown option ") && isHex(t[len("unknown option "):]):
		return kindStructure, 0, nil // -R/-T: an IP option pr_options names only
	case hasPrefix(t, "wrong data byte #"):
		p.block = blockDataDump
		return kindStructure, 0, nil
	case hasPrefix(t, "wrong total length "): // BSD: reply size differs from the probe's
		return kindStructure, 0, nil
	case hasPrefix(t, "Vr HL TOS"):
		p.block = blockIPHdr
		return kindStructure, 0, nil
	case hasPrefix(t, "Vr TC  Flow Plen Nxt Hlim"):
		p.block = blockIP6Hdr
		return kindStructure, 0, nil
	case isStatusLine(t), isFloodLine(t):
		return kindStructure, 0, nil
	}
	if k, col, err, ok := p.winOther(t); ok {
		return k, col + (len(b) - len(trimLeft(b))), err
	}
	return 0, 1, parse.Errorf(parse.ErrSyntax, "not a line of ping output")
}

// continuesBlock reports whether line (t trimmed) is the next line of the
// dump blk, and sets what the line after it may continue.
func (p *Parser) continuesBlock(b, t []byte, blk block) bool {
	switch blk {
	case blockIPHdr, blockIP6Hdr: // the header's values, indented
		if b[0] != ' ' {
			return false
		}
		p.block = blockRetip
		if blk == blockIP6Hdr {
			p.block = blockIP6Addrs
		}
		return true
	case blockIP6Addrs: // KAME pr_iph: "src->dst"
		k := bytes.Index(t, []byte("->"))
		if k <= 0 || k+2 == len(t) || bytes.IndexByte(t, ' ') >= 0 {
			return false
		}
		p.block = blockRetip
		return true
	case blockRetip: // BSD pr_retip: the quoted packet's transport header
		return hasPrefix(t, "TCP: from port ") || hasPrefix(t, "UDP: from port ") ||
			hasPrefix(t, "ICMP: type ") || hasPrefix(t, "ICMP6: type = ")
	case blockOptions:
		if b[0] == '\t' {
			p.block = blockOptions
			return true
		}
		return hasPrefix(t, "Unrecorded hops: ")
	case blockDataDump:
		if b[0] == '\t' || t[0] == '#' && len(t) > 1 && t[1] >= '0' && t[1] <= '9' ||
			hasPrefix(t, "cp:") || hasPrefix(t, "dp:") {
			p.block = blockDataDump
			return true
		}
	}
	return false
}

// isPreamble matches the lines ping prints around a session that carry no
// probe outcome and may come before the banner: stderr warnings ("ping:
// Warning: ...", "WARNING: pinging broadcast address"), -p's "PATTERN:
// 0x..", and iputils -v's "ping: sock4.fd: .." and "ai->ai_family: ..".
func isPreamble(t []byte) bool {
	if hasPrefix(t, "ping: ") || hasPrefix(t, "ping6: ") {
		t = t[bytes.IndexByte(t, ' ')+1:]
		return hasPrefix(t, "Warning: ") || hasPrefix(t, "WARNING: ") ||
			hasPrefix(t, "sock4.fd: ") || hasPrefix(t, "sock6.fd: ")
	}
	switch {
	case hasPrefix(t, "Warning: "), hasPrefix(t, "WARNING: "), hasPrefix(t, "ai->ai_family: "):
		return true
	case hasPrefix(t, "PATTERN: 0x"):
		return isHex(t[len("PATTERN: 0x"):])
	}
	return false
}

// isOptionStart matches the first line of an IP option dump (-R record
// route, -T timestamps, source routes): "RR: \t10.0.0.1", "TS: \t123
// absolute", BSD "RR: (truncated route)".
func isOptionStart(t []byte) bool {
	for _, o := range [...]string{"RR:", "TS:", "LSRR:", "SSRR:"} {
		if hasPrefix(t, o) && (len(t) == len(o) || t[len(o)] == ' ' || t[len(o)] == '\t') {
			return true
		}
	}
	return false
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(b) > 0
}

// isStatusLine matches the status line ping writes on stderr when asked:
// iputils' SIGQUIT "\r5/5 packets, 0% loss, ..." and BSD's SIGINFO
// "\r3/4 packets received (75.0%) ...".
func isStatusLine(b []byte) bool {
	for len(b) > 0 && b[0] == '\r' {
		b = b[1:]
	}
	_, k, ok := parseUint(b, 0)
	if !ok || k >= len(b) || b[k] != '/' {
		return false
	}
	_, k, ok = parseUint(b, k+1)
	return ok && (hasPrefixAt(b, k, " packets, ") > 0 || hasPrefixAt(b, k, " packets received (") > 0)
}

// isFloodLine matches what -f leaves: a dot per probe sent, erased by a
// backspace (iputils "\b \b", BSD "\b") per reply, iputils' "\bE" per
// error and "\bC" per bad checksum. It holds no seq, so the summary is the
// run's record.
func isFloodLine(t []byte) bool {
	dots := false
	for _, c := range t {
		switch c {
		case '.', '\b':
			dots = true
		case ' ', 'E', 'C', '\a':
		default:
			return false
		}
	}
	return dots
}

// newCell hands out a fresh cell from the slab; with Options.Reuse (each
// row is copied whole before the next), the same cell each time.
func (p *Parser) newCell() *cell {
	if p.opt.Reuse {
		p.one = cell{}
		return &p.one
	}
	if len(p.slab) == 0 {
		p.slab = make([]cell, slabSize)
	}
	c := &p.slab[0]
	p.slab = p.slab[1:]
	return c
}

// resetRow starts p.reply for the current session. Fields are written only
// when they change: during a GC cycle every pointer write costs a barrier.
func (p *Parser) resetRow(status string, from *string) {
	r := &p.reply
	if r.Target != p.target || r.TargetIP != p.targetIP || r.Host != p.opt.Host {
		r.Host, r.Target, r.TargetIP = p.opt.Host, p.target, p.targetIP
	}
	if r.Status != status {
		r.Status = status
	}
	if r.From != from {
		r.From = from
	}
	if r.Error != nil {
		r.Error = nil
	}
	r.Seq, r.Time, r.TTL, r.RTTMs, r.Bytes = nil, nil, nil, nil, nil
}

// minTime and maxTime bound what a time column holds (years 0000 to 9999,
// as JSON and the lake's readers print them).
var (
	minTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// maxStampSec is the last -D second within maxTime.
const maxStampSec = 253402300799

// setTime fills p.reply.Time from the stamp or from seq, the row's seq
// unwrapped (haveSeq: the row has one), and finishes the row: kindRow, or
// an error when Start + (seq − first seq)·Interval falls outside the years
// a time column holds.
func (p *Parser) setTime(seq int64, haveSeq bool, stamp time.Time, hasStamp bool) (kind, int, error) {
	var t time.Time
	switch {
	case hasStamp:
		t = stamp
	case haveSeq && !p.opt.Start.IsZero():
		n, iv := seq-p.firstSeq, int64(p.opt.Interval)
		if iv != 0 && (n > math.MaxInt64/iv || n < math.MinInt64/iv) {
			return 0, 1, parse.Errorf(parse.ErrNoTime, "icmp_seq %d is too far from the first seq for --start + seq·--interval (is it damaged?)", seq)
		}
		t = p.opt.Start.Add(time.Duration(n) * p.opt.Interval).UTC()
		if t.Before(minTime) || t.After(maxTime) {
			return 0, 1, parse.Errorf(parse.ErrNoTime, "--start + seq·--interval is %s, outside years 0-9999 (check --start, --interval and the seq)", t.Format(time.RFC3339))
		}
	default:
		return kindRow, 0, nil
	}
	pt := &p.oneTime
	if !p.opt.Reuse {
		if len(p.times) == 0 {
			p.times = make([]time.Time, slabSize)
		}
		pt = &p.times[0]
		p.times = p.times[1:]
	}
	*pt = t
	p.reply.Time = pt
	p.last = pt
	return kindRow, 0, nil
}

// own gives the numbers and time r points to memory of their own: a row
// held past the next lines, which may reuse the parser's (Options.Reuse).
func own(r *schema.PingReply) {
	r.Seq, r.Time, r.TTL, r.RTTMs, r.Bytes = ownNum(r.Seq), ownTime(r.Time), ownNum(r.TTL), ownNum(r.RTTMs), ownNum(r.Bytes)
}

func ownNum[V int32 | int64 | float64](p *V) *V {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func ownTime(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	t := *p
	return &t
}

// unwrap maps a 16-bit seq onto a count that keeps growing past 65535.
func (p *Parser) unwrap(seq int64) int64 {
	if !p.haveFirst {
		p.haveFirst, p.firstSeq, p.lastSeq = true, seq, seq
		return seq
	}
	switch d := seq - p.lastSeq; {
	case d < -32768:
		p.epoch += 65536
	case d > 32768 && p.epoch > 0:
		return seq + p.epoch - 65536 // a late reply from before the wrap
	}
	p.lastSeq = seq
	return seq + p.epoch
}

// seqSet is the set of seqs answered in a session, kept as ping keeps its
// own (iputils rcvd_tbl, BSD rcvd_tbl): one bit per seq modulo 65536,
// cleared when the newest seq moves 65536 past it, so only the last 65536
// seqs are remembered. A reset clears only the words the session touched.
type seqSet struct {
	bits   [1024]uint64
	lo, hi int64 // oldest and newest seq marked since the reset; hi is noSeq when none was
}

// noSeq is seqSet.hi when no seq is marked: far enough below any seq that
// no seq is its next one.
const noSeq = -1 << 62

func (s *seqSet) reset() {
	if s.hi != noSeq {
		s.clear(s.lo, s.hi)
	}
	s.hi = noSeq
}

// set marks seq and reports whether it was marked.
func (s *seqSet) set(seq int64) bool {
	w, m := &s.bits[seq>>6&1023], uint64(1)<<(seq&63)
	old := *w&m != 0
	*w |= m
	return old
}

// mark records seq (unwrapped, ≥ 0) as answered and reports whether it
// already was. parseReply handles the usual case, the next seq, inline.
func (s *seqSet) mark(seq int64) bool {
	switch {
	case seq-s.hi >= 65536: // the first seq (hi is noSeq), or a jump past the table
		s.reset()
		s.lo = seq
	case seq > s.hi:
		s.clear(s.hi+1, seq-1)
	case s.hi-seq >= 65536:
		return false // older than the table: its bit is a later seq's
	default:
		s.lo = min(s.lo, seq)
		return s.set(seq)
	}
	// a new newest seq: its bit held the seq 65536 before it, if any
	s.hi = seq
	s.set(seq)
	return false
}

// clear forgets seqs a..b; all of them when b−a ≥ 65535.
func (s *seqSet) clear(a, b int64) {
	if b-a >= 65535 {
		clear(s.bits[:])
		return
	}
	for a <= b {
		lo := a & 63
		n := min(64-lo, b-a+1)
		m := ^uint64(0)
		if n < 64 {
			m = (uint64(1)<<n - 1) << lo
		}
		s.bits[a>>6&1023] &^= m
		a += n
	}
}

func (p *Parser) timeout(seq int64, stamp time.Time, hasStamp bool) (kind, int, error) {
	p.resetRow(schema.PingStatusTimeout, nil)
	c := p.newCell()
	c.seq = seq
	p.reply.Seq = &c.seq
	return p.setTime(p.unwrap(seq), true, stamp, hasStamp)
}

func (p *Parser) stderrRow(line []byte) {
	p.resetRow(schema.PingStatusError, nil)
	s := string(line)
	p.reply.Error = &s
}

// parseStamp reads a -D prefix "[1795305201.448244] " and returns the time
// and the index after it.
func parseStamp(b []byte) (time.Time, int, bool) {
	// seconds (ten digits since 2001): eight bytes at a time
	s, i := decimal.Digits(b, 1)
	sec, ok := int64(s), i > 1 && i-1 <= 18
	if !ok || sec > maxStampSec {
		return time.Time{}, i, false
	}
	var nsec int64
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		// nanoseconds: the first 9 digits, eight at a time
		ns, end := decimal.Digits(b[:min(len(b), i+9)], i)
		if end == start {
			return time.Time{}, i, false
		}
		nsec, i = int64(ns), end
		for n := i - start; n < 9; n++ {
			nsec *= 10
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++ // beyond nanoseconds
		}
	}
	if i+1 >= len(b) || b[i] != ']' || b[i+1] != ' ' {
		return time.Time{}, i, false
	}
	return time.Unix(sec, nsec).UTC(), i + 2, true
}

// parseReply parses the rest of "N bytes from ADDR: icmp_seq=S ttl=T
// time=R ms [(DUP!)]" and its BusyBox, BSD and KAME ping6 variants; j is
// the index after "bytes from ".
func (p *Parser) parseReply(b []byte, nbytes int64, j int, stamp time.Time, hasStamp bool) (kind, int, error) {
	if nbytes > 1<<31-1 {
		return 0, 1, parse.Errorf(parse.ErrSyntax, "byte count out of range")
	}
	a, j, err := p.replyAddr(b, j)
	if err != nil {
		return 0, j + 1, err
	}
	if !p.banner && p.target == "" {
		p.target, p.targetIP = a.name, a.ip
	}
	p.resetRow(schema.PingStatusReply, a.ip)
	c := p.newCell()
	c.bytes = int32(nbytes)
	p.reply.Bytes = &c.bytes
	haveSeq := false
	for j < len(b) {
		const (
			fSeq = iota + 1
			fTTL
		)
		field, k := 0, 0
		switch ch := b[j]; {
		case ch == ' ':
			j++
			continue
		case ch == 'i' && hasPrefixAt(b, j, "icmp_seq=") > 0:
			field, k = fSeq, j+len("icmp_seq=")
		case ch == 's' && hasPrefixAt(b, j, "seq=") > 0:
			field, k = fSeq, j+len("seq=")
		case ch == 't' && hasPrefixAt(b, j, "ttl=") > 0:
			field, k = fTTL, j+len("ttl=")
		case ch == 'h' && hasPrefixAt(b, j, "hlim=") > 0:
			field, k = fTTL, j+len("hlim=")
		case ch == 't' && hasPrefixAt(b, j, "time=") > 0:
			k = j + len("time=")
			v, e, ok := decimal.Scan(b, k)
			if !ok {
				return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad time= value")
			}
			c.rtt = v
			p.reply.RTTMs = &c.rtt
			if m := hasPrefixAt(b, e, " ms"); m > 0 {
				e = m
			} else if m := hasPrefixAt(b, e, "ms"); m > 0 {
				e = m
			}
			j = e
			continue
		case ch == '(':
			e := bytes.IndexByte(b[j:], ')')
			if e < 0 {
				return 0, j + 1, parse.Errorf(parse.ErrSyntax, "unclosed (")
			}
			switch flag := b[j+1 : j+e]; string(flag) {
			case "DUP!":
				p.reply.Status = schema.PingStatusDup
			case "same route": // -R: the route is the previous reply's
			default: // BAD CHECKSUM!, DIFFERENT ADDRESS!, truncated
				s := string(flag)
				p.reply.Error = &s
			}
			j += e + 1
			continue
		case ch == '\t' || ch == '\a': // -R puts "\t(same route)" after a reply, -a a bell
			j++
			continue
		case !haveSeq && p.reply.TTL == nil && p.reply.RTTMs == nil &&
			(ch >= 'A' && ch <= 'Z' || hasPrefixAt(b, j, "frag needed ") > 0):
			// BSD: an ICMP message, "92 bytes from ip: Destination Host Unreachable"
			return p.bsdMessage(b, j, stamp, hasStamp)
		default:
			// other key=value fields some pings print (-v: ident=, dst=; BSD -M: mask=, tso=)
			e := j
			for e < len(b) && b[e] >= 'a' && b[e] <= 'z' {
				e++
			}
			if e == j || e >= len(b) || b[e] != '=' {
				return 0, j + 1, parse.Errorf(parse.ErrSyntax, "unexpected text in reply: not a field ping prints")
			}
			for e < len(b) && b[e] != ' ' && b[e] != '\t' {
				e++
			}
			j = e
			continue
		}
		v, e, ok := parseUint(b, k)
		if !ok || (field == fTTL && v > 1<<31-1) {
			return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad %s value", b[j:k-1])
		}
		if field == fSeq {
			c.seq = v
			p.reply.Seq = &c.seq
			haveSeq = true
		} else {
			c.ttl = int32(v)
			p.reply.TTL = &c.ttl
		}
		j = e
	}
	if !haveSeq {
		return 0, j, parse.Errorf(parse.ErrSyntax, "reply without icmp_seq")
	}
	u := p.unwrap(c.seq)
	if sn := &p.seen; p.reply.Error != nil && *p.reply.Error == "BAD CHECKSUM!" {
		// a bad checksum answers nothing
	} else if u == sn.hi+1 { // the usual case: the next seq, new
		sn.hi = u
		sn.bits[u>>6&1023] |= 1 << (u & 63)
	} else if sn.mark(u) {
		p.reply.Status = schema.PingStatusDup
	}
	return p.setTime(u, true, stamp, hasStamp)
}

// bsdMessage reads the ICMP message of a BSD "N bytes from ADDR: TEXT" line
// (TEXT at b[j:], p.reply started as a reply): an error about a probe is a
// row with status error; a message -v reports that is no error (Echo
// Request, Router Advertisement) is structure; text BSD ping does not print
// is rejected.
func (p *Parser) bsdMessage(b []byte, j int, stamp time.Time, hasStamp bool) (kind, int, error) {
	text := trimSpace(b[j:])
	switch icmpMessage(text) {
	case msgInfo:
		return kindStructure, 0, nil
	case msgUnknown:
		return 0, j + 1, parse.Errorf(parse.ErrSyntax, "unknown ICMP message %q: not one BSD ping prints (the line may be damaged)", text)
	}
	s := string(text)
	p.reply.Status, p.reply.Error = schema.PingStatusError, &s
	return p.setTime(0, false, stamp, hasStamp)
}

type msgKind uint8

const (
	msgUnknown msgKind = iota
	msgError           // an ICMP error about a probe
	msgInfo            // an ICMP message -v reports that says nothing about a probe
)

// icmpMessage classifies the text BSD ping's pr_icmph prints after "N bytes
// from ADDR: " (FreeBSD and macOS ping, KAME ping6), variable parts
// checked for their shape.
func icmpMessage(t []byte) msgKind {
	switch string(t) {
	case "Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		"Source Route Failed", "Destination Net Unknown", "Destination Host Unknown",
		"Source Host Isolated", "Destination Net Prohibited", "Destination Host Prohibited",
		"Destination Net Unreachable for TOS", "Destination Host Unreachable for TOS",
		"Communication prohibited by filter", "Host precedence violation", "Precedence cutoff",
		"Source Quench", "Time to live exceeded", "Frag reassembly time exceeded",
		// KAME ping6
		"No Route to Destination", "Destination Administratively Unreachable",
		"Destination Unreachable Beyond Scope":
		return msgError
	case "Echo Reply", "Echo Request", "Timestamp", "Timestamp Reply",
		"Information Request", "Information Reply", "Address Mask Request",
		"Address Mask Reply", "Router Advertisement", "Router Solicitation",
		// KAME ping6
		"Listener Query", "Listener Report", "Listener Done", "Neighbor Solicitation",
		"Neighbor Advertisement", "Node Information Query", "Node Information Reply":
		return msgInfo
	}
	num := func(s []byte) bool { _, k, ok := parseUint(s, 0); return ok && k == len(s) }
	switch {
	case hasPrefix(t, "frag needed and DF set (MTU ") && t[len(t)-1] == ')':
		if num(t[len("frag needed and DF set (MTU ") : len(t)-1]) {
			return msgError
		}
	case hasPrefix(t, "Redirect"): // "Redirect Host(New addr: 10.0.0.9)"
		k := bytes.Index(t, []byte("(New addr: "))
		if k > 0 && t[len(t)-1] == ')' {
			switch kind := t[len("Redirect"):k]; string(kind) {
			case " Network", " Host", " Type of Service and Network", " Type of Service and Host":
				return msgError
			default:
				if hasPrefix(kind, ", Bad Code: ") && num(kind[len(", Bad Code: "):]) {
					return msgError
				}
			}
		}
	case hasPrefix(t, "Parameter problem: ") && bytes.Contains(t, []byte("pointer = 0x")):
		if isHex(t[bytes.Index(t, []byte("pointer = 0x"))+len("pointer = 0x"):]) {
			return msgError
		}
	case hasPrefix(t, "Packet too big mtu = "):
		if num(t[len("Packet too big mtu = "):]) {
			return msgError
		}
	case hasPrefix(t, "Bad ICMP type: "):
		if num(t[len("Bad ICMP type: "):]) {
			return msgInfo
		}
	default:
		for _, pre := range [...]string{"Dest Unreachable, Bad Code: ", "Destination Unreachable, Bad Code: ", "Time exceeded, Bad Code: "} {
			if hasPrefix(t, pre) && num(t[len(pre):]) {
				return msgError
			}
		}
	}
	return msgUnknown
}

// replyAddr reads the address after "bytes from " up to ": " (or KAME's
// ", "), interning it. It returns the index after the separator.
func (p *Parser) replyAddr(b []byte, j int) (*addr, int, error) {
	if k := j + len(p.fromKey); p.fromVal != nil && k < len(b) && bytes.Equal(b[j:k], p.fromKey) &&
		(b[k] == ':' || b[k] == ',') && (k+1 == len(b) || b[k+1] == ' ') {
		return p.fromVal, k + 1, nil
	}
	e := j
	for ; e < len(b); e++ {
		if (b[e] == ':' || b[e] == ',') && (e+1 == len(b) || b[e+1] == ' ') {
			break
		}
	}
	if e == len(b) || e == j {
		return nil, j, parse.Errorf(parse.ErrSyntax, "want ADDRESS: after bytes from")
	}
	a := p.intern(b[j:e])
	p.fromKey = append(p.fromKey[:0], b[j:e]...)
	p.fromVal = a
	return a, e + 1, nil
}

// intern returns the address record for tok ("ip" or "name (ip)").
func (p *Parser) intern(tok []byte) *addr {
	if a, ok := p.addrs[string(tok)]; ok {
		return a
	}
	a := &addr{}
	name, ip := splitNameIP(tok)
	a.name = string(name)
	s := string(ip)
	if s == a.name {
		s = a.name
	}
	a.ip = &s
	if len(p.addrs) < 1<<16 {
		p.addrs[string(tok)] = a
	}
	return a
}

// splitNameIP splits "name (ip)" into name and ip; a bare address is both.
func splitNameIP(tok []byte) (name, ip []byte) {
	if k := bytes.Index(tok, []byte(" (")); k > 0 && tok[len(tok)-1] == ')' {
		return tok[:k], tok[k+2 : len(tok)-1]
	}
	return tok, tok
}

// parseFrom parses an ICMP error: "From ADDR [(ip)][:] [icmp_seq=N] TEXT".
func (p *Parser) parseFrom(b []byte, j int, stamp time.Time, hasStamp bool) (kind, int, error) {
	e := j
	for e < len(b) && b[e] != ' ' && !(b[e] == ':' && (e+1 == len(b) || b[e+1] == ' ')) {
		e++
	}
	if e == j {
		return 0, j + 1, parse.Errorf(parse.ErrSyntax, "want an address after From")
	}
	if e+1 < len(b) && b[e] == ' ' && b[e+1] == '(' {
		k := bytes.IndexByte(b[e:], ')')
		if k < 0 {
			return 0, e + 2, parse.Errorf(parse.ErrSyntax, "unclosed ( after From address")
		}
		e += k + 1
	}
	a := p.intern(b[j:e])
	if e < len(b) && b[e] == ':' {
		e++
	}
	p.resetRow(schema.PingStatusError, a.ip)
	c := p.newCell()
	for e < len(b) && b[e] == ' ' {
		e++
	}
	haveSeq := false
	if k := hasPrefixAt(b, e, "icmp_seq="); k > 0 {
		v, n, ok := parseUint(b, k)
		if !ok {
			return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad icmp_seq value")
		}
		c.seq = v
		p.reply.Seq = &c.seq
		haveSeq = true
		e = n
	}
	s := string(trimSpace(b[e:]))
	p.reply.Error = &s
	u := c.seq
	if haveSeq {
		u = p.unwrap(c.seq)
	}
	return p.setTime(u, haveSeq, stamp, hasStamp)
}

// parseBanner reads a PING banner: "PING host (ip) 56(84) bytes of data.",
// iputils ping6 "PING host(name (ip)) 56 data bytes", BusyBox/BSD
// "PING host (ip): 56 data bytes", macOS/FreeBSD "PING6(56=40+8+8 bytes)
// src --> dst". It starts a new session.
func (p *Parser) parseBanner(b []byte) error {
	p.newSession()
	rest := b[len("PING"):]
	if hasPrefix(rest, "6(") || hasPrefix(rest, "(") {
		k := bytes.Index(rest, []byte(" --> "))
		if k < 0 {
			return parse.Errorf(parse.ErrSyntax, "PING6 banner without src --> dst")
		}
		dst := trimSpace(rest[k+len(" --> "):])
		if len(dst) == 0 {
			return parse.Errorf(parse.ErrSyntax, "PING6 banner without a destination")
		}
		p.target = string(dst)
		s := p.target
		p.targetIP = &s
		return nil
	}
	if !hasPrefix(rest, " ") {
		return parse.Errorf(parse.ErrSyntax, "not a PING banner")
	}
	rest = rest[1:]
	e := 0
	for e < len(rest) && rest[e] != ' ' && rest[e] != '(' {
		e++
	}
	p.target = string(rest[:e])
	rest = rest[e:]
	for hasPrefix(rest, " ") && e == 0 {
		rest = rest[1:] // no name: "PING  (10.0.0.1) 56(84) bytes of data."
	}
	if hasPrefix(rest, " (") {
		rest = rest[1:]
	}
	if !hasPrefix(rest, "(") && e == 0 {
		return parse.Errorf(parse.ErrSyntax, "PING banner without a destination")
	}
	if hasPrefix(rest, "(") {
		depth, k := 0, 0
		for ; k < len(rest); k++ {
			if rest[k] == '(' {
				depth++
			} else if rest[k] == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if k == len(rest) {
			return parse.Errorf(parse.ErrSyntax, "unclosed ( in PING banner")
		}
		_, ip := splitNameIP(rest[1:k])
		if len(ip) == 0 {
			return parse.Errorf(parse.ErrSyntax, "PING banner without a destination")
		}
		s := string(ip)
		p.targetIP = &s
		if p.target == "" {
			p.target = s // the name is empty: the address names the target
		}
	}
	return nil
}

// newSession starts the session a banner opens: target, first seq, the
// seqs answered and the summary's time restart.
func (p *Parser) newSession() {
	p.banners++
	p.win.seq = 0
	p.target, p.targetIP, p.banner = "", nil, true
	p.haveFirst, p.epoch, p.last = false, 0, nil
	p.seen.reset()
}

// parseTransmitted opens a summary from "N packets transmitted, M received,
// [+K duplicates, ][+C corrupted, ][+E errors, ]X% packet loss[, time Tms]"
// (BusyBox/BSD: "M packets received", "0.0% packet loss", no time).
func (p *Parser) parseTransmitted(b []byte) (kind, int, error) {
	s := &schema.PingSummary{Host: p.opt.Host, Target: p.target, TargetIP: p.targetIP, Time: ownTime(p.last)}
	i := 0
	for i < len(b) {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		end := bytes.Index(b[i:], []byte(", "))
		if end < 0 {
			end = len(b)
		} else {
			end += i
		}
		item := trimSpace(b[i:end])
		if err := summaryItem(s, item); err != nil {
			return 0, i + 1, err
		}
		i = end + 2
	}
	p.sum = s
	return kindData, 0, nil
}

func summaryItem(s *schema.PingSummary, item []byte) error {
	if len(item) == 0 {
		return nil
	}
	if hasPrefix(item, "time ") && bytes.HasSuffix(item, []byte("ms")) {
		v, k, ok := parseUint(item, 5)
		if !ok || k != len(item)-2 {
			return parse.Errorf(parse.ErrSyntax, "bad session time %q", item)
		}
		s.TimeMs = &v
		return nil
	}
	if k := bytes.Index(item, []byte("% packet loss")); k > 0 && k+len("% packet loss") == len(item) {
		v, ok := decimal.Parse(item[:k])
		if !ok {
			return parse.Errorf(parse.ErrSyntax, "bad packet loss %q", item)
		}
		s.LossPct = &v
		return nil
	}
	num := item
	if num[0] == '+' {
		num = num[1:]
	}
	n, k, ok := parseUint(num, 0)
	if !ok || k >= len(num) || num[k] != ' ' {
		return parse.Errorf(parse.ErrSyntax, "unknown summary item %q", item)
	}
	switch string(num[k+1:]) {
	case "packets transmitted":
		s.Transmitted = n
	case "received", "packets received":
		s.Received = n
	case "duplicates":
		s.Duplicates = n
	case "corrupted":
		s.Corrupted = n
	case "errors":
		s.Errors = n
	case "packets out of wait time": // FreeBSD -W: late replies, already counted
	default:
		return parse.Errorf(parse.ErrSyntax, "unknown summary item %q", item)
	}
	return nil
}

// parseTail fills the open summary from "rtt min/avg/max/mdev = a/b/c/d ms[,
// pipe N][, ipg/ewma x/y ms]" (BusyBox "round-trip min/avg/max = a/b/c ms",
// BSD ".../stddev", KAME ".../std-dev"), or a line holding only the pipe or
// ipg/ewma items. It returns the column of a fault.
func (p *Parser) parseTail(b []byte) (int, error) {
	s := p.sum
	i := 0
	for i < len(b) {
		end := bytes.Index(b[i:], []byte(", "))
		if end < 0 {
			end = len(b)
		} else {
			end += i
		}
		item := b[i:end]
		var err error
		switch {
		case hasPrefix(item, "rtt ") || hasPrefix(item, "round-trip "):
			err = rttItem(s, item[bytes.IndexByte(item, ' ')+1:])
		case hasPrefix(item, "pipe "):
			v, k, ok := parseUint(item, 5)
			if !ok || k != len(item) {
				err = parse.Errorf(parse.ErrSyntax, "bad pipe %q", item)
			}
			s.Pipe = &v
		case hasPrefix(item, "ipg/ewma "):
			var vals [2]float64
			var n int
			n, err = slashFloats(trimMs(item[len("ipg/ewma "):]), vals[:])
			if err == nil && n != 2 {
				err = parse.Errorf(parse.ErrSyntax, "ipg/ewma wants two values")
			}
			s.IPGMs, s.EWMAMs = &vals[0], &vals[1]
		default:
			err = parse.Errorf(parse.ErrSyntax, "unknown rtt line item %q", item)
		}
		if err != nil {
			return i + 1, err
		}
		i = end + 2
	}
	return 0, nil
}

// rttItem reads "min/avg/max[/mdev] = a/b/c[/d] ms".
func rttItem(s *schema.PingSummary, b []byte) error {
	k := bytes.Index(b, []byte(" = "))
	if k < 0 {
		return parse.Errorf(parse.ErrSyntax, "rtt line without =")
	}
	names := bytes.Split(b[:k], []byte("/"))
	var vals [4]float64
	n, err := slashFloats(trimMs(b[k+3:]), vals[:])
	if err != nil {
		return err
	}
	if n != len(names) {
		return parse.Errorf(parse.ErrSyntax, "rtt line: %d names, %d values", len(names), n)
	}
	for i, name := range names {
		v := &vals[i]
		switch string(name) {
		case "min":
			s.RTTMinMs = v
		case "avg":
			s.RTTAvgMs = v
		case "max":
			s.RTTMaxMs = v
		case "mdev", "stddev", "std-dev":
			s.RTTMdevMs = v
		default:
			return parse.Errorf(parse.ErrSyntax, "unknown rtt statistic %q", name)
		}
	}
	return nil
}

func trimMs(b []byte) []byte {
	b = trimSpace(b)
	if bytes.HasSuffix(b, []byte(" ms")) {
		return b[:len(b)-3]
	}
	return bytes.TrimSuffix(b, []byte("ms"))
}

// slashFloats parses "a/b/c" into dst and returns how many it read.
func slashFloats(b []byte, dst []float64) (int, error) {
	n := 0
	for _, f := range bytes.Split(b, []byte("/")) {
		if n == len(dst) {
			return n, parse.Errorf(parse.ErrSyntax, "too many values in %q", b)
		}
		v, ok := decimal.Parse(f)
		if !ok {
			return n, parse.Errorf(parse.ErrSyntax, "bad number %q", f)
		}
		dst[n] = v
		n++
	}
	return n, nil
}

// parseUint reads the decimal digits at b[i:] and returns their value and
// the index after them; ok is false without digits or with more than 18
// (an int64 holds every 18-digit number).
func parseUint(b []byte, i int) (int64, int, bool) {
	v, end := decimal.Run(b, i, 0)
	return int64(v), end, end > i && end-i <= 18
}

// hasPrefixAt returns the index after s when b[i:] starts with s, else -1.
func hasPrefixAt(b []byte, i int, s string) int {
	if i < 0 || len(b)-i < len(s) || string(b[i:i+len(s)]) != s {
		return -1
	}
	return i + len(s)
}

// wholeLine reports whether a last line without a newline is still known
// to be whole: it ends in the token ping prints after its last value, the
// unit " ms" (replies with time=, the rtt line, iputils' "time Nms") or
// "(DUP!)". Anything else may be a prefix of what ping printed.
func wholeLine(line []byte) bool {
	t := trimSpace(line)
	return bytes.HasSuffix(t, []byte("ms")) || bytes.HasSuffix(t, []byte("(DUP!)"))
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

func restBlank(b []byte, i int) bool { return len(trimSpace(b[i:])) == 0 }

// trimSpace drops blanks and audible bells (-a) around b.
func trimSpace(b []byte) []byte {
	return bytes.TrimRight(trimLeft(b), " \t\r\a")
}

func trimLeft(b []byte) []byte { return bytes.TrimLeft(b, " \t\r\a") }

// Detect reports whether head (the first ≤64 KiB of a file, possibly cut
// mid-line) is ping output: its first meaningful line is a PING banner, a
// reply ("N bytes from"), a timeout or an ICMP error line, optionally after
// a -D "[epoch] " prefix, or a Windows banner, reply or timeout. What ping
// prints before its banner is skipped: stderr lines ("ping: ...",
// warnings), -p's "PATTERN: 0x..", iputils -v's "ai->ai_family: ..",
// bells. A head of nothing but ping's error lines is ping output too (ping
// that did not run: the parser says so).
func Detect(head []byte) bool {
	stderr := false
	for line := range parse.HeadLines(head, 64) {
		t := trimSpace(line)
		if len(t) == 0 || isPreamble(t) {
			continue
		}
		if hasPrefix(t, "ping: ") || hasPrefix(t, "ping6: ") || isWinFatal(t) {
			stderr = true
			continue
		}
		if t[0] == '[' {
			_, i, ok := parseStamp(t)
			if !ok {
				return false
			}
			t = t[i:]
		}
		switch {
		case hasPrefix(t, "PING "):
			return bytes.Contains(t, []byte("bytes"))
		case hasPrefix(t, "PING6(") || hasPrefix(t, "PING("):
			return bytes.Contains(t, []byte(" --> "))
		case hasPrefix(t, "no answer yet for icmp_seq="), hasPrefix(t, "Request timeout for icmp_seq"):
			return true
		case hasPrefix(t, "From "):
			return bytes.Contains(t, []byte(" icmp_seq="))
		case hasPrefix(t, "Pinging "):
			return bytes.HasSuffix(t, []byte(" bytes of data:"))
		case string(t) == "Request timed out.":
			return true
		case hasPrefix(t, "Reply from "):
			k := bytes.Index(t, []byte(": "))
			return k > 0 && (hasPrefixAt(t, k, ": bytes=") > 0 || hasPrefixAt(t, k, ": time") > 0 || winMessages[string(t[k+2:])])
		}
		_, k, ok := parseUint(t, 0)
		return ok && hasPrefixAt(t, k, " bytes from ") > 0
	}
	return stderr
}
