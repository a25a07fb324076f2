// Package sar parses sysstat's sar text reports (sar -A, -u, -r, ... as
// printed on a terminal or by sar -f) into the schema's sar tables, and
// holds the sysstat vocabulary (which header fills which table) that the
// sadf parsers share.
//
// # Layout
//
// The report opens with a banner, "Linux <release> (<host>) <date> _<arch>_
// (<N> CPU)"; host and date come from it. Then blocks: a header line
// starting with a time, rows, summary rows ("Average:", "Summary:" or their
// translations), a blank line. Columns are found by header name (Resolve),
// so any sysstat version's column set reads; columns and activities without
// a table of their own go to sar_other. A second banner (concatenated
// reports) starts over.
//
// # Times
//
// Row times are the host's local wall-clock time without a date; they are
// read in parse.Options.Location (the user's --tz; UTC when unset) on the
// banner date, which rolls forward only where the times cross midnight:
//
//   - a row or event whose time is more than 12 hours earlier than the
//     previous time is on the next day (sar_live_u_midnight_LC_C.txt runs
//     from 23:58:42 to 00:01:42); a smaller step back stays on the same day:
//     the clock was set back (NTP, the hour repeated when daylight saving
//     time ends) or sadc wrote a comment with an earlier time (sysstat's
//     expected.sar-ext-hl prints COM 13:22:46 among 13:24 rows);
//   - a section starts at the banner and at each LINUX RESTART; its first
//     header's time is the first sample after it (sysstat's expected.sa1:
//     restart 13:20:09, header 13:20:29) and is placed as a row is;
//   - any later header's time is the sample before its first row: equal to
//     the section's first header, it starts the next activity of sar -f
//     over from that instant, on that header's day; otherwise it is the
//     previous sample of live sar, which reprints its headers: on the same
//     day, or on the day before when it is more than 12 hours later than
//     the previous row (that sample was before midnight, the row after it).
//
// A file whose samples are more than 12 hours apart across midnight (no
// daily sa file is: sadc starts a new one each day) would be read a day
// early there.
//
// 24-hour and 12-hour times ("11:52:03 PM", en_US) are read; one file
// uses one of them.
//
// # Locales
//
// The banner date is read in the layout it shows (see parseDate); the
// decimal mark is taken from the numbers (see Decimal): de_DE's "2,54" is
// read as 2.54. Summary rows in any language are skipped. What was found is
// reported by Parser.Locale, e.g. "date=DD.MM.YYYY clock=24h decimal=,
// summary=Durchschn.:". A banner date in another form (ja_JP's
// 2026年11月21日) is refused with parse.ErrLocale and a message asking to
// rerun sar with LC_ALL=C; so is a file mixing decimal marks.
//
// # Colours
//
// sar run with S_COLORS=always wraps names and values in ANSI SGR sequences
// (ESC [ params m). A line holding ESC is read as the text without them;
// any other escape sequence is an error (strict) or a reject (lenient).
// Columns in errors count bytes of the line as it is in the file, escape
// sequences included. A header whose names hold a control character is an
// error, never a header: its rows would all be misread. sar 12.6 prints the
// reset after the newline of a row that ends in a coloured name, so a
// coloured report ends in "\x1b[0m" without a newline: a last line of colour
// resets only is read as whole, not as a line cut short.
//
// # Human-readable values (sar -h, --human)
//
// sar -h prints sizes with a unit suffix and percentages with a % sign
// ("1.4G", "25.7B", "82.9%"). They are read into the same tables as plain
// values, in the column's unit (see ColUnit and Decimal.Human): k, M, G, T,
// P are powers of 1024 bytes, so 254.1M in kbbuffers is 260198 KiB. sar
// itself rounds these to one decimal: the value stored is the one the text
// says, not the exact one a plain report would print (260172). A suffix on
// a column that is no size (tps, rxpck/s) or a % sign on a size is an
// error. --pretty's layout (IFACE and DEV printed last) is read too.
//
// # Batteries and USB devices
//
// sar -m BAT rows go to sar_battery: the status glyph is stored as sadf's
// word (↑ Full, ? Unknown, ↘ Discharging, ↗ Charging, → NotCharging;
// sysstat's expected.sar-dec and expected.sadf-d print the same file's
// batteries). sar -m USB rows go to sar_usb, split by sysstat's fixed
// layout (see usbFields): manufacturer and product may be empty or hold
// spaces. A row not in that layout is an error, never a guess. Their
// Average:/Summary: rows are structure, like every summary row.
//
// # Events and skipped records
//
// "LINUX RESTART (N CPU)" and "COM <text>" lines become sar_events rows
// (kind restart or comment); sar -f may repeat a comment in every activity
// block: repeats (same kind, time and text) are structure. A record sadc
// writes with interval 0 after a comment or an append prints as rows at the
// same time as the previous record, every value zero: a row whose time and
// label equal the first row of the current sample's, with all values zero,
// is skipped (counted in Stats.Structure and Stats.Skipped).
//
// # Line accounting
//
// Banner, headers, blank lines, summary rows, repeated events and skipped
// records are structure; rows and events are data; anything else is a
// syntax error (strict) or a reject (lenient).
package sar

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
)

// Format is the parser's name in errors, rejects and --format.
const Format = "sar"

// Detect reports whether head (the first ≤ 64 KiB of the input, possibly
// cut mid-line) is sar text: its first non-blank line is a banner
// "Linux <release> (<host>) <date>", or a header of an activity sar prints
// ("23:59:57 CPU %user ..."): such text lost its banner, and the parser
// refuses it with that reason rather than leaving it unrecognised.
func Detect(head []byte) bool {
	for line := range parse.HeadLines(head, 1) {
		if bytes.IndexByte(line, esc) >= 0 {
			plain, _, _, err := stripSGR(nil, nil, line)
			if err != nil {
				return false
			}
			line = plain
		}
		if _, ok, _ := parseBanner(line); ok {
			return true
		}
		return isActivityHeader(line)
	}
	return false
}

// isActivityHeader reports whether line is a time and the header of an
// activity sar prints (one with a table, or one sadf -j names).
func isActivityHeader(line []byte) bool {
	toks := splitFields(nil, line)
	var p Parser
	_, n, err := p.parseTime(toks)
	if err != nil || n == 0 || len(toks) < n+2 || !isHeader(toks[n:]) {
		return false
	}
	names := make([]string, len(toks)-n)
	for i, t := range toks[n:] {
		names[i] = string(t)
	}
	b := Resolve(names)
	return b.Kind != Other || !strings.HasPrefix(b.Activity, "sar:")
}

// Parser reads sar text. See the package documentation.
type Parser struct {
	Loop

	banner  bool
	date    date
	clock   int // 0 unknown, 12 or 24
	summary string

	// timeline, in seconds since midnight (tod) and days after the banner date
	day, lastTod     int
	secDay, secTod   int
	tday, ttod       int
	tcache           time.Time
	block            *Block
	seenBlock        bool // a header since the banner: summary rows may follow
	blocks           map[string]*Block
	groupTod         int
	groupBlock       *Block
	groupKey, keyBuf []byte
	repeat           bool
	toks             [][]byte
	fields           [][]byte
	usbProduct       int      // byte offset of the USB header's product column, -1 if none
	plain            []byte   // the line without its colour sequences
	cuts             []sgrCut // where they were
}

// NewParser returns a parser reading r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	p := &Parser{lastTod: -1, secTod: -1, ttod: -1, groupTod: -1, blocks: map[string]*Block{}}
	p.Init(r, opt, Format, p.line)
	p.WholeCut = onlySGR
	return p
}

// Locale describes the conventions found in the input: the banner's date
// layout, the clock, the decimal mark ("?" while no fractional number has
// been read) and, when not English, the summary label. Complete once the
// parser is drained.
func (p *Parser) Locale() string {
	if !p.banner {
		return ""
	}
	clock := "?"
	if p.clock != 0 {
		clock = fmt.Sprintf("%dh", p.clock)
	}
	mark := "?"
	if p.Sink.Dec.Mark != 0 {
		mark = string(p.Sink.Dec.Mark)
	}
	s := fmt.Sprintf("date=%s clock=%s decimal=%s", p.date.layout, clock, mark)
	if p.summary != "" {
		s += " summary=" + p.summary
	}
	return s
}

type lineKind = LineKind

const (
	structure = KindStructure
	data      = KindData
	skipped   = KindSkipped
)

// colouredLine reads a line holding ESC without its colour sequences; a
// column in its error counts in the line as read.
func (p *Parser) colouredLine(line []byte) (lineKind, int, error) {
	var c int
	var err error
	p.plain, p.cuts, c, err = stripSGR(p.plain, p.cuts, line)
	if err != nil {
		return structure, c, err
	}
	kind, c, err := p.line(p.plain) // holds no ESC: stripSGR refuses any other
	return kind, rawCol(p.cuts, c), err
}

// line reads one line (the one ESC check of a plain line is here).
func (p *Parser) line(line []byte) (lineKind, int, error) {
	if bytes.IndexByte(line, esc) >= 0 {
		return p.colouredLine(line)
	}
	p.toks = splitFields(p.toks[:0], line)
	if len(p.toks) == 0 {
		p.block = nil
		return structure, 0, nil
	}
	if bytes.HasPrefix(line, []byte("Linux ")) {
		bn, ok, err := parseBanner(line)
		if err != nil {
			return structure, 1, err
		}
		if ok {
			p.newBanner(bn)
			return structure, 0, nil
		}
	}
	tod, n, err := p.parseTime(p.toks)
	if err != nil {
		return structure, col(line, p.toks[0]), err
	}
	if n == 0 {
		if p.banner && p.seenBlock && isSummary(p.toks) {
			if lbl := summaryLabel(p.toks); lbl != "Average:" && lbl != "Summary:" && p.summary == "" {
				p.summary = lbl
			}
			return structure, 0, nil
		}
		return structure, col(line, p.toks[0]), parse.Errorf(parse.ErrSyntax,
			"not a sar line: want HH:MM:SS, a summary row, a blank line or the banner (for sar in another locale, rerun it with LC_ALL=C)")
	}
	if !p.banner {
		return structure, 1, parse.Errorf(parse.ErrSyntax, "sar text without its 'Linux <release> (<host>) <date> ...' banner before this line: the banner gives the host and the date of every row; ingest the report as sar printed it, banner included")
	}
	rest := p.toks[n:]
	if len(rest) == 0 {
		return structure, col(line, p.toks[0]), parse.Errorf(parse.ErrSyntax, "a time and nothing else")
	}
	switch {
	case len(rest) >= 2 && string(rest[0]) == "LINUX" && string(rest[1]) == "RESTART":
		p.forward(tod)
		p.secTod = -1 // the next header opens the section
		p.block = nil
		cpus := -1
		if len(rest) >= 4 && len(rest[2]) > 1 && rest[2][0] == '(' && string(rest[3]) == "CPU)" {
			if v, err := p.Sink.Dec.Int(rest[2][1:]); err == nil {
				cpus = int(v)
			}
		}
		return p.event(p.at(tod), "restart", cpus, ""), 0, nil
	case string(rest[0]) == "COM":
		p.forward(tod)
		text := line[col(line, rest[0])-1+3:]
		if len(text) > 0 && (text[0] == ' ' || text[0] == '\t') {
			text = text[1:]
		}
		if !utf8.Valid(text) {
			return structure, col(line, rest[0]), parse.Errorf(parse.ErrSyntax, "comment %q is not valid UTF-8", parse.Raw(text))
		}
		return p.event(p.at(tod), "comment", -1, string(text)), 0, nil
	}
	if isHeader(rest) {
		if err := headerControl(rest); err != nil {
			return structure, col(line, rest[0]), err
		}
		p.header(tod)
		p.block = p.resolve(rest)
		p.seenBlock = true
		if p.block.Kind == USB {
			p.usbProduct = -1
			if n := len(rest); n > 0 && string(rest[n-1]) == "product" {
				p.usbProduct = col(line, rest[n-1]) - 1
			}
		}
		return structure, 0, nil
	}
	if p.block == nil {
		return structure, col(line, rest[0]), parse.Errorf(parse.ErrSyntax, "data row without a header line before it")
	}
	return p.row(line, tod, rest)
}

func (p *Parser) newBanner(bn banner) {
	p.banner = true
	p.date = bn.date
	p.Sink.Host = bn.host
	p.day, p.lastTod, p.secTod, p.ttod = 0, -1, -1, -1
	p.block, p.groupBlock = nil, nil
	p.seenBlock = false
	p.groupTod = -1
}

func (p *Parser) event(t time.Time, kind string, cpus int, text string) lineKind {
	if p.Sink.Event(t, kind, cpus, text) {
		return data
	}
	return structure
}

func (p *Parser) resolve(names [][]byte) *Block {
	var key []byte
	for i, n := range names {
		if i > 0 {
			key = append(key, ' ')
		}
		key = append(key, n...)
	}
	if b, ok := p.blocks[string(key)]; ok {
		return b
	}
	ss := make([]string, len(names))
	for i, n := range names {
		ss[i] = string(n)
	}
	b := Resolve(ss)
	if len(p.blocks) < 1<<12 {
		p.blocks[string(key)] = b
	}
	return b
}

func (p *Parser) row(line []byte, tod int, rest [][]byte) (lineKind, int, error) {
	b := p.block
	fields := rest
	if b.Kind == USB {
		var c int
		var err error
		if p.fields, c, err = usbFields(p.fields[:0], b, line, rest, p.usbProduct); err != nil {
			return structure, c, err
		}
		fields = p.fields
	} else if b.LastLabel && len(rest) > len(b.Cols) {
		// The last column is a name that may hold spaces: it takes the rest
		// of the line.
		last := len(b.Cols) - 1
		start := col(line, rest[last]) - 1
		p.fields = append(p.fields[:0], rest[:last]...)
		p.fields = append(p.fields, bytes.TrimRight(line[start:], " \t"))
		fields = p.fields
	}
	p.forward(tod)
	// Interval-0 records: a second run of rows at the same time.
	p.keyBuf = p.keyBuf[:0]
	for i, c := range b.Cols {
		if c.Label && i < len(fields) {
			p.keyBuf = append(append(p.keyBuf, fields[i]...), 0)
		}
	}
	if tod != p.groupTod || b != p.groupBlock {
		p.groupTod, p.groupBlock, p.repeat = tod, b, false
		p.groupKey = append(p.groupKey[:0], p.keyBuf...)
	} else if bytes.Equal(p.keyBuf, p.groupKey) {
		p.repeat = true
	}
	skip, err := p.Sink.Row(b, p.at(tod), fields, p.repeat)
	if err != nil {
		c := 0
		if fe, ok := err.(*FieldError); ok {
			if fe.Field >= 0 && fe.Field < len(fields) {
				c = col(line, fields[fe.Field])
			}
			err = fe.Err
		}
		return structure, c, err
	}
	if skip {
		return skipped, 0, nil
	}
	return data, 0, nil
}

// halfDay is how far back a time must step to be read as the next day.
const halfDay = 12 * 3600

// usbFields splits a sar -m USB row into the header's six columns.
// sysstat prints BUS idvendor idprod maxpower as numbers that are never
// empty, then the manufacturer as " %-23s" and the product as " %s"
// (MAX_MANUF_LEN 24 in every version the corpus holds, 10.3.1 to 12.7): the
// manufacturer is the 23 bytes after the space that follows maxpower, the
// product the rest of the line after one more space, both without their
// trailing blanks, either possibly empty, both possibly holding spaces
// ("Creative Labs", "HP Wireless Keyboard Mouse Kit"). A row whose product
// does not start under the header's product column is not that layout and
// is refused.
func usbFields(dst [][]byte, b *Block, line []byte, rest [][]byte, productCol int) ([][]byte, int, error) {
	const manufWidth = 23
	if !b.usbLayout() {
		return dst, col(line, rest[0]), parse.Errorf(parse.ErrSyntax, "USB header is not BUS idvendor idprod maxpower manufact product: its rows cannot be split")
	}
	if len(rest) < 4 {
		return dst, col(line, rest[len(rest)-1]), parse.Errorf(parse.ErrSyntax, "USB row with %d fields: want BUS idvendor idprod maxpower, then manufact and product", len(rest))
	}
	end := col(line, rest[3]) - 1 + len(rest[3])
	tail := line[end:]
	var manuf, prod []byte
	if len(tail) > 0 {
		manuf = bytes.TrimRight(tail[1:min(len(tail), 1+manufWidth)], " ")
		if len(tail) > 1+manufWidth {
			if tail[1+manufWidth] != ' ' {
				return dst, end + 2 + manufWidth, parse.Errorf(parse.ErrSyntax, "USB row not in sar's layout: no blank after the %d columns of manufact, so where product starts is unknown", manufWidth)
			}
			prod = bytes.TrimRight(tail[2+manufWidth:], " ")
			if len(prod) > 0 && productCol >= 0 && end+2+manufWidth != productCol {
				return dst, end + 3 + manufWidth, parse.Errorf(parse.ErrSyntax, "USB product does not start under the header's product column (byte %d): not sar's layout", productCol+1)
			}
		}
	}
	dst = append(dst, rest[:4]...)
	return append(dst, manuf, prod), 0, nil
}

// forward places a row or event time: more than 12 hours earlier than the
// previous time means the next day (see the package documentation).
func (p *Parser) forward(tod int) {
	if p.lastTod >= 0 && p.lastTod-tod > halfDay {
		p.day++
	}
	p.lastTod = tod
}

// header places a header time (see the package documentation).
func (p *Parser) header(tod int) {
	switch {
	case p.secTod < 0: // the section's first header
		p.forward(tod)
		p.secTod, p.secDay = tod, p.day
		return
	case tod == p.lastTod:
	case tod == p.secTod:
		p.day = p.secDay
	case tod-p.lastTod > halfDay:
		p.day--
	}
	p.lastTod = tod
}

// at is the instant of tod on the current day, in the user's zone.
func (p *Parser) at(tod int) time.Time {
	if tod != p.ttod || p.day != p.tday {
		d := p.date
		p.tcache = time.Date(d.y, time.Month(d.m), d.d+p.day, tod/3600, tod/60%60, tod%60, 0, p.Options().Loc()).UTC()
		p.ttod, p.tday = tod, p.day
	}
	return p.tcache
}

// parseTime reads the time that starts a line: "HH:MM:SS", and "AM"/"PM"
// after it on a 12-hour clock. n is the number of tokens used, 0 when the
// line does not start with a time.
func (p *Parser) parseTime(toks [][]byte) (tod, n int, err error) {
	t := toks[0]
	if len(t) != 8 || t[2] != ':' || t[5] != ':' {
		return 0, 0, nil
	}
	h, ok1 := two(t[0:2])
	m, ok2 := two(t[3:5])
	s, ok3 := two(t[6:8])
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, nil
	}
	n = 1
	clock := 24
	if len(toks) > 1 && (string(toks[1]) == "AM" || string(toks[1]) == "PM") {
		clock = 12
		n = 2
		if h < 1 || h > 12 {
			return 0, 0, parse.Errorf(parse.ErrSyntax, "12-hour time %q has hour %d", parse.Raw(t), h)
		}
		if h == 12 {
			h = 0
		}
		if string(toks[1]) == "PM" {
			h += 12
		}
	}
	if h > 23 || m > 59 || s > 60 {
		return 0, 0, parse.Errorf(parse.ErrSyntax, "time %q out of range", parse.Raw(t))
	}
	if s == 60 {
		s = 59 // a leap second sorts before the next minute
	}
	if !p.banner {
		return h*3600 + m*60 + s, n, nil
	}
	switch p.clock {
	case 0:
		p.clock = clock
		p.date.resolve(clock == 12)
	case clock:
	default:
		return 0, 0, parse.Errorf(parse.ErrSyntax, "%d-hour time in a file that so far used a %d-hour clock", clock, p.clock)
	}
	return h*3600 + m*60 + s, n, nil
}

func two(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// isHeader reports whether the tokens after a time are column names: none
// of them is a number.
func isHeader(toks [][]byte) bool {
	for _, t := range toks {
		if isNumber(t) {
			return false
		}
	}
	return true
}

// isNumber reports whether t looks like a number in any locale: an optional
// sign, then digits with at most one '.' or ',', then at most one sar -h
// unit suffix (% B k M G T P), so that a row of suffixed values is never
// taken for a header.
func isNumber(t []byte) bool {
	i := 0
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		i = 1
	}
	digits, marks := 0, 0
	for ; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == ',':
			marks++
		case i == len(t)-1 && digits > 0 && isUnitSuffix(c):
		default:
			return false
		}
	}
	return digits > 0 && marks <= 1
}

// isSummary reports whether a line is a summary row: its label ends in ':'
// ("Average:", "Summary:", "Durchschn.:", "平均値:") or is followed by a
// lone ':' (fr_FR "Moyenne :").
func isSummary(toks [][]byte) bool {
	if bytes.HasSuffix(toks[0], []byte(":")) {
		return true
	}
	return len(toks) > 1 && string(toks[1]) == ":"
}

func summaryLabel(toks [][]byte) string {
	if bytes.HasSuffix(toks[0], []byte(":")) {
		return string(toks[0])
	}
	return string(toks[0]) + " :"
}

// splitFields splits line on blanks and tabs into dst without copying.
func splitFields(dst [][]byte, line []byte) [][]byte {
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		dst = append(dst, line[i:j])
		i = j
	}
	return dst
}

// col is the 1-based byte column of tok, a sub-slice of line sharing its
// backing array (splitFields keeps the capacities for this).
func col(line, tok []byte) int {
	off := cap(line) - cap(tok)
	if off < 0 || off > len(line) {
		return 0
	}
	return off + 1
}
