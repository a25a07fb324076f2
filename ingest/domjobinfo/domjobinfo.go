// Package domjobinfo parses libvirt's `virsh domjobinfo` output into
// schema.QMPMigrate rows (the qmp_migrate table), one per job block: a
// single completed job (virsh domjobinfo --completed DOM), or a series of
// blocks polled while a migration runs, each optionally preceded by a line
// holding its time.
//
// Both of virsh's forms are read, in the C locale (LC_ALL=C: virsh
// translates its labels; a block in another language is rejected with
// ErrLocale):
//
//   - the default, from virsh's format strings (libvirt 9.0,
//     tools/virsh-domain.c cmdDomjobinfo): "Job type:         Unbounded",
//     "Time elapsed:     7514         ms", sizes as "%.3lf" of B, KiB, MiB,
//     GiB, TiB, PiB or EiB (powers of 1024: tools/vsh.c vshPrettyCapacity),
//     "Memory bandwidth: 105.145 MiB/s", "Dirty rate:       0            pages/s",
//     "Page size:        4096         bytes", counts as bare integers;
//   - --rawstats: "Job type: 2", a blank line, then "memory_processed: 824819319"
//     lines (virTypedParameter field names and exact values).
//
// A block starts at its "Job type:" line and ends at a blank line, a time
// line, the next "Job type:" line or the end of the input.
//
// Columns, with the same meanings and units as a QMP poll's (libvirt 9.0,
// src/qemu/qemu_monitor_json.c and qemu_domainjob.c say where libvirt
// takes each from):
//
//	Job type            status: Completed, Failed, Cancelled as completed,
//	                    failed, cancelled; while running (Bounded, Unbounded)
//	                    null, as libvirt does not say which of QEMU's running
//	                    statuses (setup, active, postcopy-active, device, ...)
//	                    it is; None (no job) is skipped as structure
//	Memory processed/remaining/total   ram_transferred/ram_remaining/ram_total
//	Memory bandwidth    ram_mbps (libvirt's bytes/s are QEMU's mbps·125000)
//	Dirty rate, Page size, Iteration, Postcopy requests
//	                    ram_dirty_pages_rate, ram_page_size,
//	                    ram_dirty_sync_count, ram_postcopy_requests
//	Constant pages, Normal pages, Normal data
//	                    ram_duplicate, ram_normal, ram_normal_bytes
//	Expected downtime   expected_downtime_ms (a running job's downtime)
//	Setup time          setup_time_ms
//	Compression cache/data/pages/cache misses/overflows
//	                    xbzrle_cache_size, xbzrle_bytes, xbzrle_pages,
//	                    xbzrle_cache_miss, xbzrle_overflow
//	Auto converge throttle   cpu_throttle_percentage
//	Time elapsed        libvirt_time_elapsed_ms: libvirt's job time, which
//	                    is not QEMU's total-time (it starts earlier and ends
//	                    later), so total_time_ms stays null
//	Total downtime      libvirt_downtime_ms: a completed job's downtime as
//	                    libvirt measured it (source stop to destination
//	                    resume), not QEMU's downtime, so downtime_ms stays null
//
// Everything else (Operation, Time elapsed w/o network, Time remaining,
// Data and File processed/remaining/total — libvirt's sums with disks and
// mirrors —, File bandwidth, Downtime w/o network, Temporary disk space,
// Error message, success) has no column: it is named in other_fields by its
// --rawstats name (operation, time_elapsed_net, data_total, errmsg, ...),
// and a label this parser does not know by the label itself.
//
// Only jobs whose statistics are QEMU's query-migrate make rows: Outgoing
// migration, Save and Snapshot (a migration to a file), and Unknown (daemons
// before libvirt 3.3 do not say). A block of another operation (Dump,
// Backup, Incoming migration, ...) is rejected (ErrUnsupported).
//
// Precision: the default form prints sizes to three decimals of their
// unit. A size is converted exactly and rounded half to even to a byte
// ("786.609 MiB" is 824819319 B), so it is what virsh printed, within
// ±0.0005 of the unit virsh chose (±537 kB at GiB); a bandwidth likewise.
// --rawstats prints exact values: use it when bytes must be exact.
//
// Times: a line that is a time by itself gives the time of the block that
// follows it directly (blank lines between are allowed), and of no other:
// `date +%s[.%N]`, `date -Is`/`-Ins`/`--rfc-3339=s|ns` (RFC 3339, with T or
// a space, a comma or dot before the fraction), `date -R` (RFC 1123 with a
// numeric zone), `date` in the C locale ("Fri Dec  4 23:02:01 UTC 2026":
// UTC, GMT, or a zone abbreviation of Options.Location), or a local
// "2006-01-02 15:04:05" read in Options.Location. A block without such a
// line gets Options.Start + poll·Options.Interval when Start is set, else a
// null time: a time is never carried over from another block. A time line
// with no block after it is structure (skipped).
//
// Line accounting: the lines of a block that made a row are data, with its
// time line; a None block's lines and blank lines are structure. A bad line
// rejects its whole block (every line of it is a reject; the bad line says
// what is wrong, the others point at it), so a row never lacks a value its
// block printed.
package domjobinfo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
const Format = "domjobinfo"

// kinds of value
const (
	vMs       = iota // "%-12llu ms"
	vSize            // "%.3lf UNIT"
	vRate            // "%.3lf UNIT/s"
	vPagesPS         // "%-12llu pages/s"
	vBytes           // "%-12llu bytes"
	vCount           // "%-12llu"
	vInt             // "%-13d"
	vString          // "%s"
	vJobType         // the block's first line
	vOp              // Operation
	vDowntime        // rawstats' downtime: expected or total by job type
)

// item is one label's meaning: its --rawstats name, how virsh prints it,
// and where it goes (nil: named in other_fields).
type item struct {
	raw  string
	kind int
	i    func(*schema.QMPMigrate) **int64
	mbps bool // a bandwidth, stored as ram_mbps
}

func col(f func(*schema.QMPMigrate) **int64) func(*schema.QMPMigrate) **int64 { return f }

var (
	ramTotal       = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMTotal })
	ramTransferred = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMTransferred })
	ramRemaining   = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMRemaining })
	dirtyRate      = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMDirtyPagesRate })
	pageSize       = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMPageSize })
	iteration      = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMDirtySyncCount })
	postcopyReqs   = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMPostcopyRequests })
	constant       = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMDuplicate })
	normal         = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMNormal })
	normalBytes    = col(func(r *schema.QMPMigrate) **int64 { return &r.RAMNormalBytes })
	expected       = col(func(r *schema.QMPMigrate) **int64 { return &r.ExpectedDowntimeMs })
	totalDowntime  = col(func(r *schema.QMPMigrate) **int64 { return &r.LibvirtDowntimeMs })
	elapsed        = col(func(r *schema.QMPMigrate) **int64 { return &r.LibvirtTimeElapsedMs })
	setupTime      = col(func(r *schema.QMPMigrate) **int64 { return &r.SetupTimeMs })
	xbzrleCache    = col(func(r *schema.QMPMigrate) **int64 { return &r.XBZRLECacheSize })
	xbzrleBytes    = col(func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEBytes })
	xbzrlePages    = col(func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEPages })
	xbzrleMiss     = col(func(r *schema.QMPMigrate) **int64 { return &r.XBZRLECacheMiss })
	xbzrleOverflow = col(func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEOverflow })
	throttle       = col(func(r *schema.QMPMigrate) **int64 { return &r.CPUThrottlePct })
)

// labels are virsh's, in the order libvirt 9.0 prints them.
var labels = map[string]item{
	"Job type":                   {raw: "", kind: vJobType},
	"Operation":                  {raw: "operation", kind: vOp},
	"Time elapsed":               {raw: "time_elapsed", kind: vMs, i: elapsed},
	"Time elapsed w/o network":   {raw: "time_elapsed_net", kind: vMs},
	"Time remaining":             {raw: "time_remaining", kind: vMs},
	"Data processed":             {raw: "data_processed", kind: vSize},
	"Data remaining":             {raw: "data_remaining", kind: vSize},
	"Data total":                 {raw: "data_total", kind: vSize},
	"Memory processed":           {raw: "memory_processed", kind: vSize, i: ramTransferred},
	"Memory remaining":           {raw: "memory_remaining", kind: vSize, i: ramRemaining},
	"Memory total":               {raw: "memory_total", kind: vSize, i: ramTotal},
	"Memory bandwidth":           {raw: "memory_bps", kind: vRate, mbps: true},
	"Dirty rate":                 {raw: "memory_dirty_rate", kind: vPagesPS, i: dirtyRate},
	"Page size":                  {raw: "memory_page_size", kind: vBytes, i: pageSize},
	"Iteration":                  {raw: "memory_iteration", kind: vCount, i: iteration},
	"Postcopy requests":          {raw: "memory_postcopy_requests", kind: vCount, i: postcopyReqs},
	"File processed":             {raw: "disk_processed", kind: vSize},
	"File remaining":             {raw: "disk_remaining", kind: vSize},
	"File total":                 {raw: "disk_total", kind: vSize},
	"File bandwidth":             {raw: "disk_bps", kind: vRate},
	"Constant pages":             {raw: "memory_constant", kind: vCount, i: constant},
	"Normal pages":               {raw: "memory_normal", kind: vCount, i: normal},
	"Normal data":                {raw: "memory_normal_bytes", kind: vSize, i: normalBytes},
	"Total downtime":             {raw: "downtime", kind: vMs, i: totalDowntime},
	"Expected downtime":          {raw: "downtime", kind: vMs, i: expected},
	"Downtime w/o network":       {raw: "downtime_net", kind: vMs},
	"Setup time":                 {raw: "setup_time", kind: vMs, i: setupTime},
	"Compression cache":          {raw: "compression_cache", kind: vSize, i: xbzrleCache},
	"Compressed data":            {raw: "compression_bytes", kind: vSize, i: xbzrleBytes},
	"Compressed pages":           {raw: "compression_pages", kind: vCount, i: xbzrlePages},
	"Compression cache misses":   {raw: "compression_cache_misses", kind: vCount, i: xbzrleMiss},
	"Compression overflows":      {raw: "compression_overflow", kind: vCount, i: xbzrleOverflow},
	"Auto converge throttle":     {raw: "auto_converge_throttle", kind: vInt, i: throttle},
	"Temporary disk space use":   {raw: "disk_temp_used", kind: vSize},
	"Temporary disk space total": {raw: "disk_temp_total", kind: vSize},
	"Error message":              {raw: "errmsg", kind: vString},
}

// raws are the --rawstats fields (VIR_DOMAIN_JOB_* in libvirt-domain.h);
// the value is printed exactly (virTypedParameterToString).
var raws = func() map[string]item {
	m := map[string]item{"success": {raw: "success", kind: vString}}
	for _, it := range labels {
		if it.raw == "" {
			continue
		}
		switch it.kind {
		case vSize, vRate, vPagesPS, vBytes, vMs:
			it.kind = vCount
		}
		m[it.raw] = it
	}
	m["downtime"] = item{raw: "downtime", kind: vDowntime}
	return m
}()

// jobTypes are virsh's names of virDomainJobType, by value.
var jobTypes = []string{"None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"}

// statuses maps a job type to the QMP status it proves (running: none).
var statuses = [...]string{3: "completed", 4: "failed", 5: "cancelled"}

// operations are virsh's names of virDomainJobOperation, by value; ok
// marks those whose statistics are query-migrate's.
var operations = []operation{{"Unknown", true}, {"Start", false}, {"Save", true}, {"Restore", false}, {"Incoming migration", false},
	{"Outgoing migration", true}, {"Snapshot", true}, {"Snapshot revert", false}, {"Dump", false},
	{"Backup", false}, {"Snapshot delete", false}}

type operation struct {
	name string
	ok   bool
}

// sizeUnits are vshPrettyCapacity's units.
var sizeUnits = map[string]uint64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60}

// Parser is a pull iterator over virsh domjobinfo output. Record returns a
// *schema.QMPMigrate; the struct is reused by the next call to Next, the
// strings and pointers it holds never are.
type Parser struct {
	lines *parse.Lines
	opt   parse.Options
	st    parse.Stats
	err   error
	held  bool // the current line ended a block and is still to be read

	row  schema.QMPMigrate
	vals *values
	poll int64

	// the open block
	open    bool
	rawMode bool
	jobType int
	nfields int // lines after the Job type line
	first   int // its first line (the time line's, when it has one)
	lns     []span
	buf     []byte
	seen    map[string]bool
	others  []string
	bad     *parse.ParseError // its first fault (lenient)

	// a time line waiting for its block
	stamp     time.Time
	stampLine int
	stampRaw  []byte

	sets qmp.NameSets
}

// span is one line of the open block: its number and its text in buf.
type span struct{ num, off, end int }

// values holds one row's numbers: one allocation per row.
type values struct {
	ints [24]int64
	mbps float64
	t    time.Time
	n    int
}

func (v *values) int(x int64) *int64 {
	if v.n == len(v.ints) {
		y := x // only here does the value escape
		return &y
	}
	p := &v.ints[v.n]
	v.n++
	*p = x
	return p
}

// NewParser reads virsh domjobinfo output from r.
func NewParser(r io.Reader, opt parse.Options) *Parser {
	return &Parser{lines: parse.NewLines(r), opt: opt, seen: map[string]bool{},
		sets: qmp.NameSets{}}
}

// Record is the current block's row.
func (p *Parser) Record() schema.Row { return &p.row }

// Err is the first strict-mode parse error (a *parse.ParseError) or read error.
func (p *Parser) Err() error { return p.err }

// Stats is the line accounting so far.
func (p *Parser) Stats() parse.Stats { return p.st }

// Next advances to the next job block's row.
func (p *Parser) Next() bool {
	for p.err == nil {
		if !p.held {
			if !p.lines.Next() {
				if err := p.lines.Err(); err != nil {
					p.err = fmt.Errorf("domjobinfo: read %s: %w", p.opt.File, err)
					return false
				}
				if p.open && p.finish() {
					return true
				}
				if p.stampLine > 0 {
					p.dropStamp()
				}
				return false
			}
			p.st.Lines++
		}
		p.held = false
		if p.line() {
			return true
		}
	}
	return false
}

// line reads the current line; true when it ended a block that made a row
// (the line is then held for the next call).
func (p *Parser) line() bool {
	b := p.lines.Bytes()
	n := p.lines.Num()
	if bad := p.lines.Bad(); bad != nil {
		if bad == parse.ErrCutShort && p.open && p.wholeLine(b) {
			bad = nil // the line's unit or fixed word proves it whole
		}
		if bad != nil {
			if p.open {
				p.add(b, n)
				p.fault(n, p.lines.BadCol(), bad)
				return false
			}
			if p.stampLine > 0 {
				p.dropStamp() // a time line times only the block right after it
			}
			p.rejectLine(n, p.lines.BadCol(), bad, b)
			return false
		}
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		if p.open && !(p.rawMode && p.nfields == 0) {
			return p.finishHeld() // read again as structure
		}
		p.st.Structure++
		return false
	}
	label, value, isField := cutLabel(t)
	if isField && string(label) == "Job type" {
		if p.open {
			return p.finishHeld()
		}
		p.start(b, n, value)
		return false
	}
	if !isField { // no time has ": " in it
		if ts, ok := p.parseTime(string(t)); ok {
			if p.open {
				return p.finishHeld()
			}
			if p.stampLine > 0 {
				p.dropStamp()
			}
			// the time column holds microseconds: date -Ins's nanoseconds are truncated
			p.stamp, p.stampLine, p.stampRaw = ts.Truncate(time.Microsecond), n, append(p.stampRaw[:0], b...)
			return false
		}
	}
	if !p.open {
		err := parse.Errorf(parse.ErrSyntax, "not in a domjobinfo block: a block starts with a \"Job type:\" line, as virsh prints it in the C locale (LC_ALL=C)")
		if !isField {
			err = parse.Errorf(parse.ErrSyntax, "neither a domjobinfo line nor a time this parser reads (date +%%s, date -Is, date -R, or date in the C locale with UTC, GMT or a zone of --tz)")
		}
		if isField && !utf8.Valid(t) || isField && !isASCII(label) {
			err = parse.Errorf(parse.ErrLocale, "label %q is not virsh's in the C locale: run virsh with LC_ALL=C", label)
		}
		if p.stampLine > 0 {
			p.dropStamp()
		}
		p.rejectLine(n, 1, err, b)
		return false
	}
	p.add(b, n)
	p.nfields++
	if !isField {
		p.fault(n, 1, parse.Errorf(parse.ErrSyntax, "want \"Label: value\""))
		return false
	}
	p.field(label, value, n, 1+bytes.Index(b, value))
	return false
}

// finishHeld finishes the open block before the current line, which is
// read again by the next call.
func (p *Parser) finishHeld() bool {
	p.held = true
	return p.finish()
}

func isASCII(s []byte) bool {
	for _, c := range s {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cutLabel splits "Label:   value" (value may be empty).
func cutLabel(t []byte) (label, value []byte, ok bool) {
	i := bytes.IndexByte(t, ':')
	if i <= 0 {
		return nil, nil, false
	}
	label = bytes.TrimSpace(t[:i])
	if len(label) == 0 || bytes.ContainsAny(label, "\"{}[]") {
		return nil, nil, false
	}
	if i+1 < len(t) && t[i+1] != ' ' && t[i+1] != '\t' {
		return nil, nil, false // 23:02:01 and URLs are not labels
	}
	return label, bytes.TrimSpace(t[i+1:]), true
}

// wholeLine reports whether a last line without a newline is provably
// complete: it ends in a unit or word virsh prints after the value.
func (p *Parser) wholeLine(b []byte) bool {
	t := bytes.TrimSpace(b)
	for _, suf := range []string{" ms", " B", "iB", "iB/s", " B/s", " pages/s", " bytes"} {
		if bytes.HasSuffix(t, []byte(suf)) {
			return true
		}
	}
	return false
}

// start opens a block at its Job type line.
func (p *Parser) start(b []byte, n int, value []byte) {
	p.open, p.bad, p.rawMode, p.nfields = true, nil, false, 0
	p.lns, p.buf, p.others = p.lns[:0], p.buf[:0], p.others[:0]
	clear(p.seen)
	p.first = n
	p.vals = &values{}
	p.row = schema.QMPMigrate{Host: p.opt.Host, Poll: p.poll}
	if p.stampLine > 0 {
		p.first = p.stampLine
		p.lns = append(p.lns, span{p.stampLine, 0, len(p.stampRaw)})
		p.buf = append(p.buf, p.stampRaw...)
		p.vals.t = p.stamp
		p.row.Time = &p.vals.t
		p.stampLine = 0
	}
	p.add(b, n)
	col := 1 + bytes.Index(b, value)
	if v, ok := qmp.ParseInt(value); ok {
		p.rawMode = true
		if v >= int64(len(jobTypes)) {
			p.fault(n, col, parse.Errorf(parse.ErrUnsupported, "job type %d is not one libvirt 9.0 knows (0-5)", v))
			return
		}
		p.jobType = int(v)
	} else if i := slices.Index(jobTypes, string(value)); i >= 0 {
		p.jobType = i
	} else {
		p.fault(n, col, parse.Errorf(parse.ErrLocale, "job type %q is not virsh's in the C locale (%s): run virsh with LC_ALL=C", value, strings.Join(jobTypes, ", ")))
		return
	}
	if p.jobType < len(statuses) && statuses[p.jobType] != "" {
		s := statuses[p.jobType]
		p.row.Status = &s
	}
}

func (p *Parser) add(b []byte, n int) {
	off := len(p.buf)
	p.buf = append(p.buf, b...)
	p.lns = append(p.lns, span{n, off, len(p.buf)})
}

// fault records the open block's first fault; strict mode stops on it.
func (p *Parser) fault(n, col int, err error) {
	if p.bad != nil {
		return
	}
	pe := &parse.ParseError{File: p.opt.File, Line: n, Col: col, Format: Format, Err: err, Raw: parse.Raw(p.lines.Bytes())}
	if !p.opt.Lenient {
		p.err = pe
		return
	}
	p.bad = pe
}

// field reads one "Label: value" line of the open block.
func (p *Parser) field(label, value []byte, n, col int) {
	var it item
	var ok bool
	if p.rawMode {
		it, ok = raws[string(label)]
	} else {
		it, ok = labels[string(label)]
	}
	name := it.raw
	if !ok {
		if !utf8.Valid(label) || !isASCII(label) {
			p.fault(n, 1, parse.Errorf(parse.ErrLocale, "label %q is not virsh's in the C locale: run virsh with LC_ALL=C", label))
			return
		}
		name = string(label)
	}
	if p.seen[name] {
		p.fault(n, 1, parse.Errorf(parse.ErrSyntax, "%s printed twice in one block (a Job type line missing?)", label))
		return
	}
	p.seen[name] = true
	if !ok {
		p.others = append(p.others, name)
		return
	}
	r, v := &p.row, p.vals
	switch it.kind {
	case vJobType:
		p.fault(n, 1, parse.Errorf(parse.ErrSyntax, "Job type inside a block"))
		return
	case vOp:
		op := -1
		if p.rawMode {
			if x, ok := qmp.ParseInt(value); ok && x < int64(len(operations)) {
				op = int(x)
			}
		} else {
			op = slices.IndexFunc(operations, func(o operation) bool { return o.name == string(value) })
		}
		switch {
		case op < 0:
			p.fault(n, col, parse.Errorf(parse.ErrUnsupported, "operation %q is not one libvirt 9.0 prints (run virsh with LC_ALL=C)", value))
		case !operations[op].ok:
			p.fault(n, col, parse.Errorf(parse.ErrUnsupported, "a %s job: its statistics are not QEMU's query-migrate (only Outgoing migration, Save, Snapshot make qmp_migrate rows)", operations[op].name))
		default:
			p.others = append(p.others, name)
		}
		return
	case vString:
		if !utf8.Valid(value) {
			p.fault(n, col, parse.Errorf(parse.ErrSyntax, "%s: not valid UTF-8", label))
			return
		}
		p.others = append(p.others, name)
		return
	case vDowntime:
		it.i = expected
		if p.jobType == 3 {
			it.i = totalDowntime
		}
	}
	x, err := p.number(it.kind, value)
	if err != nil {
		p.fault(n, col, parse.Errorf(parse.ErrSyntax, "%s: %v", label, err))
		return
	}
	switch {
	case it.mbps:
		v.mbps = float64(x) / 125000 // libvirt: bytes/s = mbps·(1000·1000/8)
		r.RAMMbps = &v.mbps
	case it.i != nil:
		*it.i(r) = v.int(x)
	default:
		p.others = append(p.others, name)
	}
}

// number reads a value as virsh prints it for kind.
func (p *Parser) number(kind int, value []byte) (int64, error) {
	num, unit, _ := bytes.Cut(value, []byte{' '})
	unit = bytes.TrimSpace(unit)
	want := ""
	switch kind {
	case vMs:
		want = "ms"
	case vPagesPS:
		want = "pages/s"
	case vBytes:
		want = "bytes"
	case vSize, vRate:
		u := string(unit)
		if kind == vRate {
			var ok bool
			if u, ok = strings.CutSuffix(u, "/s"); !ok {
				return 0, fmt.Errorf("%q: want a size per second (such as 105.145 MiB/s)", value)
			}
		}
		mul, ok := sizeUnits[u]
		if !ok {
			return 0, fmt.Errorf("%q: want a size in B, KiB, MiB, GiB, TiB, PiB or EiB (as virsh prints it)", value)
		}
		x, ok := qmp.Scale(num, mul)
		if !ok {
			return 0, fmt.Errorf("%q is not a non-negative decimal size", value)
		}
		return x, nil
	case vInt:
		if len(unit) != 0 {
			return 0, fmt.Errorf("%q: want an integer", value)
		}
		x, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q: want an integer", value)
		}
		return x, nil
	}
	if string(unit) != want {
		if want == "" {
			return 0, fmt.Errorf("%q: want a bare integer", value)
		}
		return 0, fmt.Errorf("%q: want an integer and %s", value, want)
	}
	x, ok := qmp.ParseInt(num)
	if !ok {
		return 0, fmt.Errorf("%q is not a non-negative integer", num)
	}
	return x, nil
}

// finish closes the open block; true when it made a row.
func (p *Parser) finish() bool {
	p.open = false
	if p.err != nil {
		return false
	}
	if p.bad != nil {
		last := p.lns[len(p.lns)-1].num
		for _, s := range p.lns {
			pe := &parse.ParseError{File: p.opt.File, Line: s.num, Format: Format, Raw: parse.Raw(p.buf[s.off:s.end])}
			if s.num == p.bad.Line {
				pe.Col, pe.Err = p.bad.Col, p.bad.Err
			} else {
				pe.Err = parse.Errorf(sentinel(p.bad.Err), "in the domjobinfo block of lines %d-%d, bad at line %d:%d: %v",
					p.first, last, p.bad.Line, p.bad.Col, p.bad.Err)
			}
			p.st.Reject++
			if p.opt.OnReject != nil {
				p.opt.OnReject(pe)
			}
		}
		return false
	}
	if p.jobType == 0 { // None: no job, nothing measured
		p.st.Structure += int64(len(p.lns))
		p.st.Skipped += int64(len(p.lns))
		return false
	}
	r := &p.row
	if r.Time == nil && !p.opt.Start.IsZero() {
		p.vals.t = p.opt.Start.Add(time.Duration(p.poll) * p.opt.Interval).UTC().Truncate(time.Microsecond)
		r.Time = &p.vals.t
	}
	if len(p.others) > 0 {
		r.OtherFields = p.sets.Join(p.others)
	}
	p.st.Data += int64(len(p.lns))
	p.st.Records++
	p.poll++
	return true
}

// sentinel is the parse sentinel err wraps.
func sentinel(err error) error {
	for _, s := range []error{parse.ErrLocale, parse.ErrUnsupported, parse.ErrTooLong, parse.ErrBinary, parse.ErrCutShort} {
		if errors.Is(err, s) {
			return s
		}
	}
	return parse.ErrSyntax
}

// rejectLine rejects one line outside any block.
func (p *Parser) rejectLine(n, col int, err error, b []byte) {
	pe := &parse.ParseError{File: p.opt.File, Line: n, Col: col, Format: Format, Err: err, Raw: parse.Raw(b)}
	if !p.opt.Reject(&p.st, pe) {
		p.err = pe
	}
}

// dropStamp books a time line that no block followed as structure.
func (p *Parser) dropStamp() {
	p.st.Structure++
	p.st.Skipped++
	p.stampLine = 0
}

// parseTime reads a time line (see the package doc).
func (p *Parser) parseTime(s string) (time.Time, bool) {
	loc := p.opt.Loc()
	if t, ok := qmp.ParseTime(strings.Replace(s, ",", ".", 1), loc); ok {
		return t, true
	}
	for _, layout := range [...]string{time.RFC1123Z, "Mon Jan _2 15:04:05 MST 2006", "Mon Jan _2 15:04:05.999999999 MST 2006"} {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		if name, off := t.Zone(); layout != time.RFC1123Z && name != "UTC" && name != "GMT" {
			// an abbreviation loc does not have gets a made-up zero offset: refuse it
			n2, off2 := t.In(loc).Zone()
			if n2 != name || off2 != off {
				return time.Time{}, false
			}
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

// Detect reports whether head is virsh domjobinfo output: its first line
// that is not blank or a time is "Job type:" followed by one of virsh's job
// types (C locale) or a --rawstats number.
func Detect(head []byte) bool {
	p := &Parser{}
	for line := range parse.HeadLines(head, 8) {
		t := bytes.TrimSpace(line)
		label, value, ok := cutLabel(t)
		if ok && string(label) == "Job type" {
			_, isNum := qmp.ParseInt(value)
			return isNum || slices.Contains(jobTypes, string(value))
		}
		if _, isTime := p.parseTime(string(t)); !isTime {
			return false
		}
	}
	return false
}
