// Package sadf parses sysstat's sadf output: the CSV of sadf -d (also -dU,
// epoch seconds, and -dT, local time), the JSON of sadf -j and the
// one-value-a-line form of sadf -p, into the
// schema's sar tables, with the vocabulary of package sar (the same header
// names map to the same columns).
//
// # sadf -d
//
// Each activity opens with a header "# hostname;interval;timestamp;<cols>"
// (repeated for every activity of sadf -d -A, and after a restart); rows
// are "host;interval;timestamp;<values>". Timestamps are "YYYY-MM-DD
// HH:MM:SS UTC" (the default), epoch seconds (-U), or local wall-clock
// time (-T, -t), with or without a zone label: read in
// parse.Options.Location (the user's --tz, UTC when unset), the label
// checked against the abbreviations --tz uses (see wallClock: sysstat labels
// summer times with the standard abbreviation, CET for CEST). A CPU of -1 is the
// all-CPU row. The interrupt header's "CPU*" stands for per-CPU columns
// named as sar -I prints them (all, CPU0, CPU1, ...): which CPUs, sadf -d
// does not say; see CSVParser.intrCPUs. Batteries and USB devices go to
// sar_battery and sar_usb (see power.go); sadf -dh, every activity of a
// record on one line, to the same tables as sadf -d (see dh.go). sadf
// prints no k/M/G-suffixed values (sadf -d, -j and -p -- -r -h print plain
// numbers in sysstat 12.6.1), so none are read.
//
// Restarts and comments are rows with interval -1: "LINUX-RESTART\t(N CPU)"
// and "COM <text>"; they become sar_events rows (repeats of one event in
// several activities' sections are structure). A row with interval 0 whose
// values are all zero is sadc's interval-0 record: skipped, counted in
// Stats.Structure and Stats.Skipped. Decimal commas (sadf under de_DE) are
// read as in package sar: the first fractional number fixes the mark.
//
// A line with bytes that are not UTF-8 is a syntax error (sadf prints
// non-printable bytes as '.'; Parquet strings are UTF-8).
//
// Line accounting: headers and blank lines are structure; rows and events
// data; anything else a syntax error (strict) or reject (lenient).
//
// # sadf -j
//
// See JSONParser.
//
// # sadf -p
//
// See PParser.
package sadf

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sar"
)

// Format names of the two sadf parsers, in errors, rejects and --format.
const (
	FormatCSV  = "sadf-csv"
	FormatJSON = "sadf-json"
)

var headerPrefix = []byte("# hostname;interval;timestamp;")

// DetectCSV reports whether head (the first ≤ 64 KiB of the input, maybe
// cut mid-line) is sadf -d output: its first non-blank line is the
// "# hostname;interval;timestamp;" header or a restart row
// "<host>;-1;<timestamp>;LINUX-RESTART".
func DetectCSV(head []byte) bool {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if bytes.HasPrefix(line, headerPrefix) {
			return true
		}
		f := bytes.SplitN(line, []byte(";"), 4)
		return len(f) == 4 && string(f[1]) == "-1" && bytes.HasPrefix(f[3], []byte("LINUX-RESTART"))
	}
	return false
}

// CSVParser reads sadf -d output. See the package documentation.
type CSVParser struct {
	sar.Loop

	block   *sar.Block
	blocks  map[string]*sar.Block
	fields  [][]byte
	names   []string
	hostB   []byte
	stamps  stampReader
	power   power    // the current header is a battery or USB one
	hgroups []hgroup // the current header is a sadf -dh one
	split   dhSplit

	// The CPUs the CPU utilisation rows list per host and record, to name
	// the interrupt block's CPU* columns (see intrCPUs). A file may hold
	// several hosts' rows, merged by time (a monitoring system's export):
	// each host has its own.
	cpuT       time.Time
	cpuHost    string    // the host of cpuCur
	cpuHostIs  *hostCPUs // cpusOf(cpuHost), taken once a record
	cpuCur     []string
	hostCPUs   map[string]*hostCPUs
	intrBlocks map[string]*sar.Block
}

// hostCPUs is what one host's rows said of its CPUs.
type hostCPUs struct {
	segs []cpuSeg
	hint int
	ncpu int // CPUs of its last LINUX-RESTART, -1 unknown
}

// maxHosts bounds the hosts whose CPUs a file's parser keeps.
const maxHosts = 1 << 12

// cpusOf is host's record of CPUs (a scratch one past maxHosts hosts).
func (p *CSVParser) cpusOf(host string) *hostCPUs {
	h := p.hostCPUs[host]
	if h == nil {
		h = &hostCPUs{ncpu: -1}
		if p.hostCPUs == nil {
			p.hostCPUs = map[string]*hostCPUs{}
		}
		if len(p.hostCPUs) < maxHosts {
			p.hostCPUs[host] = h
		}
	}
	return h
}

type power uint8

const (
	powerNone power = iota
	powerBattery
	powerUSB
)

// NewCSVParser returns a parser reading sadf -d output from r.
func NewCSVParser(r io.Reader, opt parse.Options) *CSVParser {
	p := &CSVParser{blocks: map[string]*sar.Block{}}
	p.Init(r, opt, FormatCSV, p.line)
	return p
}

// Locale reports the decimal mark found ("decimal=." or "decimal=,";
// "decimal=?" while no fractional number has been read).
func (p *CSVParser) Locale() string { return decimalLocale(p.Sink.Dec) }

func decimalLocale(d sar.Decimal) string {
	if d.Mark == 0 {
		return "decimal=?"
	}
	return "decimal=" + string(d.Mark)
}

type lineKind = sar.LineKind

const (
	structure = sar.KindStructure
	data      = sar.KindData
	skipped   = sar.KindSkipped
)

func (p *CSVParser) line(line []byte) (lineKind, int, error) {
	if len(line) == 0 {
		return structure, 0, nil
	}
	if line[0] == '#' {
		rest, ok := bytes.CutPrefix(line, headerPrefix)
		if !ok {
			if len(bytes.TrimSpace(line[1:])) == 0 {
				return structure, 0, nil
			}
			return structure, 1, parse.Errorf(parse.ErrSyntax, "a header must start with %q", headerPrefix)
		}
		p.block, p.power, p.hgroups = nil, powerNone, nil
		switch string(rest) {
		case batteryHeader:
			p.power = powerBattery
		case usbHeaders[0], usbHeaders[1]:
			p.power = powerUSB
		default:
			if bytes.Contains(rest, []byte("[...]")) {
				groups, err := splitHeader(rest)
				if err != nil {
					return structure, 1, err
				}
				p.hgroups = groups
				return structure, 0, nil
			}
			p.block = p.resolve(rest)
		}
		return structure, 0, nil
	}
	f, ascii := splitFields(p.fields[:0], line)
	p.fields = f
	// Host, device and comment strings go to Parquet, whose strings are
	// UTF-8; sadf prints non-printable bytes as '.', so a line that is not
	// UTF-8 is not sadf's. (An ASCII line, nearly every one, is UTF-8.)
	if !ascii && !utf8.Valid(line) {
		c := 1
		for r, n := utf8.DecodeRune(line); r != utf8.RuneError || n > 1; r, n = utf8.DecodeRune(line[c-1:]) {
			c += n
		}
		return structure, c, parse.Errorf(parse.ErrSyntax, "bytes that are not valid UTF-8 (sadf prints non-printable bytes as '.'): not stored")
	}
	if len(f) < 4 {
		if len(bytes.TrimSpace(line)) == 0 {
			return structure, 0, nil
		}
		return structure, 1, parse.Errorf(parse.ErrSyntax, "not a sadf -d row: want host;interval;timestamp;values")
	}
	if !bytes.Equal(f[0], p.hostB) || p.Sink.Host == "" {
		p.hostB = append(p.hostB[:0], f[0]...)
		p.Sink.Host = p.Sink.Intern(f[0]) // hosts alternate in a merged export
	}
	interval, ok := atoi(f[1])
	if !ok {
		return structure, col(line, f[1]), parse.Errorf(parse.ErrSyntax, "interval %q is not an integer", parse.Raw(f[1]))
	}
	t, err := p.stamps.read(f[2], p.Options().Loc)
	if err != nil {
		return structure, col(line, f[2]), err
	}
	if interval == -1 {
		kind, cpus, text, ok := parseEvent(line[col(line, f[3])-1:])
		if !ok {
			return structure, col(line, f[3]), parse.Errorf(parse.ErrSyntax, "interval -1 row that is neither LINUX-RESTART nor COM")
		}
		if kind == "restart" {
			p.cpusOf(p.Sink.Host).ncpu = cpus
		}
		return p.event(t, kind, cpus, text), 0, nil
	}
	vals := f[3:]
	if p.hgroups != nil {
		kind, field, err := p.dhRow(t, vals, interval)
		if err != nil {
			return structure, col(line, vals[min(field, len(vals)-1)]), err
		}
		return kind, 0, nil
	}
	if p.power != powerNone {
		kind, field, err := p.powerRow(t, vals, interval)
		if err != nil {
			return structure, col(line, vals[field]), err
		}
		return kind, 0, nil
	}
	if p.block == nil {
		return structure, 1, parse.Errorf(parse.ErrSyntax, "data row without a '# hostname;interval;timestamp;...' header before it")
	}
	b := p.block
	switch {
	case b.Kind == sar.CPU:
		p.cpuRow(t, vals[0])
	case b.Wildcard == "CPU":
		var err error
		if b, err = p.intrCPUs(t, b, len(vals)-1); err != nil {
			return structure, col(line, vals[min(1, len(vals)-1)]), err
		}
	}
	skip, err := p.Sink.Row(b, t, vals, interval == 0)
	if err != nil {
		c := 0
		if fe, ok := err.(*sar.FieldError); ok {
			if fe.Field >= 0 && fe.Field < len(vals) {
				c = col(line, vals[fe.Field])
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

// parseEvent reads what sadf -d and -p print after the timestamp of an
// interval -1 row: "LINUX-RESTART\t(N CPU)" (a restart of N CPUs, -1 when
// the count is not printed) or "COM text" (a comment).
func parseEvent(rest []byte) (kind string, cpus int, text string, ok bool) {
	switch {
	case bytes.HasPrefix(rest, []byte("LINUX-RESTART")):
		cpus := -1
		r := bytes.TrimSpace(rest[len("LINUX-RESTART"):])
		if n, ok := bytes.CutPrefix(r, []byte("(")); ok {
			if n, ok := bytes.CutSuffix(n, []byte(" CPU)")); ok {
				if v, ok := atoi(n); ok && v >= 0 && v <= 1<<31-1 {
					cpus = int(v) // a count beyond int32 is no count sadc wrote: none
				}
			}
		}
		return "restart", cpus, "", true
	case bytes.HasPrefix(rest, []byte("COM ")) || string(rest) == "COM":
		if len(rest) > 4 {
			text = string(rest[4:])
		}
		return "comment", -1, text, true
	}
	return "", 0, "", false
}

func (p *CSVParser) event(t time.Time, kind string, cpus int, text string) lineKind {
	if p.Sink.Event(t, kind, cpus, text) {
		return data
	}
	return structure
}

func (p *CSVParser) resolve(rest []byte) *sar.Block {
	if b, ok := p.blocks[string(rest)]; ok {
		return b
	}
	p.names = p.names[:0]
	for _, n := range bytes.Split(rest, []byte(";")) {
		p.names = append(p.names, string(n))
	}
	b := sar.Resolve(p.names)
	if len(p.blocks) < 1<<12 {
		p.blocks[string(rest)] = b
	}
	return b
}

// cpuRow notes the CPU a CPU utilisation row of record t (of the current
// host) is about.
func (p *CSVParser) cpuRow(t time.Time, cpu []byte) {
	if p.cpuHostIs == nil || t != p.cpuT || p.Sink.Host != p.cpuHost {
		p.saveCPUs()
		p.cpuT, p.cpuHost = t, p.Sink.Host
		p.cpuHostIs = p.cpusOf(p.cpuHost)
	}
	n := len(p.cpuCur)
	if n >= 1<<12 {
		return
	}
	// Records list the same CPUs: take the string of the host's last list.
	segs := p.cpuHostIs.segs
	if k := len(segs); k > 0 && n < len(segs[k-1].set) && segs[k-1].set[n] == string(cpu) {
		p.cpuCur = append(p.cpuCur, segs[k-1].set[n])
		return
	}
	p.cpuCur = append(p.cpuCur, p.Sink.Intern(cpu))
}

// cpuSeg is a run of records (times from..to, Unix µs) whose CPU rows list
// the same CPUs: sadf -d prints a run of CPU rows in time order, and the
// list changes only with a restart or CPU hotplug.
type cpuSeg struct {
	from, to int64
	set      []string
}

// saveCPUs files the CPUs of the record being read under its host.
func (p *CSVParser) saveCPUs() {
	if len(p.cpuCur) == 0 {
		return
	}
	h := p.cpusOf(p.cpuHost)
	at := p.cpuT.UnixMicro()
	if k := len(h.segs); k > 0 && at > h.segs[k-1].to && slices.Equal(h.segs[k-1].set, p.cpuCur) {
		h.segs[k-1].to = at
	} else if k < 1<<16 {
		h.segs = append(h.segs, cpuSeg{at, at, slices.Clone(p.cpuCur)})
	}
	p.cpuCur = p.cpuCur[:0]
}

// cpusAt is the CPU list of the current host's run holding record t, nil
// if none does.
func (p *CSVParser) cpusAt(t time.Time) []string {
	h := p.cpusOf(p.Sink.Host)
	at := t.UnixMicro()
	for i := range h.segs {
		j := (h.hint + i) % len(h.segs) // runs are asked for in order
		if s := &h.segs[j]; s.from <= at && at <= s.to {
			h.hint = j
			return s.set
		}
	}
	return nil
}

// intrCPUs names the k CPU* columns of an interrupt row of record t. sadf
// -d prints values without saying for which CPUs: "all" alone without -P,
// all and every CPU with -P ALL (and -A), only the listed ones with -P
// 0,3. The names are those of the CPU utilisation rows of the same record
// when they list k CPUs (sadf -d -A prints both; a record between two
// with the same CPUs counts as listing them); else one column is
// "all" (sadf's default; with -P N and no -u, sadf -d gives no way to
// tell), and k columns are all, CPU0, ... when a LINUX-RESTART said there
// are k-1 CPUs; anything else is an error.
func (p *CSVParser) intrCPUs(t time.Time, b *sar.Block, k int) (*sar.Block, error) {
	p.saveCPUs()
	if set := p.cpusAt(t); len(set) == k {
		return p.intrBlock(b.Cols[0].Name, set), nil
	}
	if n := p.cpusOf(p.Sink.Host).ncpu; k == 1 || k == n+1 && n > 0 {
		return b, nil
	}
	return nil, parse.Errorf(parse.ErrSyntax, "%d interrupt columns (CPU*), and no CPU utilisation rows of this record or restart say which CPUs they are (sadf -d -P with a CPU list): print the CPU utilisation too (-u with the same -P) or use sadf -j", k)
}

// stampReader reads the timestamps of sadf -d and -p: "YYYY-MM-DD
// HH:MM:SS UTC" (the default), epoch seconds (-U), or local wall clock (-T,
// -t) with or without a zone label, read in the --tz location loc returns
// (see wallClock). Consecutive equal stamps are parsed once.
type stampReader struct {
	last     []byte
	t        time.Time
	civilDay int64
	civilKey int64 // y·10000 + m·100 + d of civilDay; 0: none yet
	clock    wallClock
}

func (r *stampReader) read(b []byte, loc func() *time.Location) (time.Time, error) {
	if bytes.Equal(b, r.last) && len(r.last) > 0 {
		return r.t, nil
	}
	t, err := r.parse(b, loc)
	if err != nil {
		return time.Time{}, err
	}
	r.last = append(r.last[:0], b...)
	r.t = t
	return t, nil
}

func (r *stampReader) parse(b []byte, loc func() *time.Location) (time.Time, error) {
	if len(b) > 0 && len(b) <= 12 && b[0] != '-' {
		if sec, ok := atoi(b); ok {
			return time.Unix(sec, 0).UTC(), nil
		}
	}
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, parse.Errorf(parse.ErrSyntax, "timestamp %q: want YYYY-MM-DD HH:MM:SS [zone] or epoch seconds", parse.Raw(b))
	}
	y, mo, d, h, mi, s, ok := civil(b[:19])
	if !ok {
		return time.Time{}, parse.Errorf(parse.ErrSyntax, "timestamp %q out of range", parse.Raw(b))
	}
	zone := b[19:]
	if len(zone) > 0 {
		if zone[0] != ' ' || len(zone) == 1 {
			return time.Time{}, parse.Errorf(parse.ErrSyntax, "timestamp %q: want a zone after one space", parse.Raw(b))
		}
		zone = zone[1:]
	}
	if string(zone) == "UTC" {
		// Days from the civil date (Howard Hinnant's algorithm), cached per day.
		key := int64(y)*10000 + int64(mo)*100 + int64(d)
		if key != r.civilKey {
			r.civilKey, r.civilDay = key, daysFromCivil(y, mo, d)
		}
		return time.Unix(r.civilDay*86400+int64(h*3600+mi*60+s), 0).UTC(), nil
	}
	if r.clock.loc == nil {
		r.clock = newWallClock(loc())
	}
	t, err := r.clock.read(y, mo, d, h, mi, s, string(zone), parse.Raw(b))
	return t.UTC(), err
}

// civil reads "YYYY-MM-DD HH:MM:SS" (b's length and separators checked by
// the caller for sadf -d), each field in range.
func civil[S ~string | ~[]byte](b S) (y, mo, d, h, mi, s int, ok bool) {
	if len(b) != 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	h, ok4 := digits(b[11:13])
	mi, ok5 := digits(b[14:16])
	s, ok6 := digits(b[17:19])
	ok = ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60
	return
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d (proleptic
// Gregorian).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func digits[S ~string | ~[]byte](b S) (int, bool) {
	n := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// atoi parses an optionally negative decimal integer of at most 18 digits.
func atoi(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// col is the 1-based byte column of tok, a sub-slice of line.
func col(line, tok []byte) int {
	off := cap(line) - cap(tok)
	if off < 0 || off > len(line) {
		return 0
	}
	return off + 1
}

// splitFields appends the ';'-separated fields of line to f (each a
// subslice of line, so col finds its column) and reports whether line is
// ASCII, no byte ≥ 0x80. It reads eight bytes at a time: a word's ';'
// bytes are the zero bytes of word XOR ";;;;;;;;", found exactly (no
// false positive) by the high bit of ^((x&0x7f…)+0x7f… | x | 0x7f…). A
// bytes.IndexByte call per field cost 10 % of a one-thread sadf -d
// ingest: sadf's fields are a few bytes long, too short for its vector
// loop to pay for the call.
func splitFields(f [][]byte, line []byte) ([][]byte, bool) {
	const (
		lo7   = 0x7f7f7f7f7f7f7f7f
		semis = 0x3b3b3b3b3b3b3b3b // ';' in every byte
	)
	var all uint64 // every byte OR-ed in: its high bits say if one is ≥ 0x80
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		v := binary.LittleEndian.Uint64(line[i:])
		all |= v
		x := v ^ semis
		for m := ^((x&lo7 + lo7) | x | lo7); m != 0; m &= m - 1 {
			k := i + bits.TrailingZeros64(m)>>3
			f = append(f, line[start:k])
			start = k + 1
		}
	}
	for ; i < len(line); i++ {
		all |= uint64(line[i])
		if line[i] == ';' {
			f = append(f, line[start:i])
			start = i + 1
		}
	}
	return append(f, line[start:]), all&0x8080808080808080 == 0
}
