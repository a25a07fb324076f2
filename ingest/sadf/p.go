package sadf

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sar"
	"github.com/migreplay/migreplay/schema"
)

// FormatP names the sadf -p parser in errors, rejects and --format.
const FormatP = "sadf-p"

// DetectP reports whether head (the first ≤ 64 KiB of the input, maybe cut
// mid-line) is sadf -p output: its first non-blank line is "host interval
// timestamp device field value" separated by tabs (an integer interval, a
// timestamp as sadf prints it), or a restart or comment line. sadf -d
// separates its fields with ';' and starts with a "# hostname;" header.
func DetectP(head []byte) bool {
	for line := range parse.HeadLines(head, 1) {
		f := bytes.SplitN(line, []byte("\t"), 6)
		if len(f) < 4 || len(f[0]) == 0 {
			return false
		}
		iv, ok := atoi(f[1])
		if !ok || iv < -1 || !isStamp(f[2]) {
			return false
		}
		if iv == -1 {
			return bytes.HasPrefix(f[3], []byte("LINUX-RESTART")) || bytes.HasPrefix(f[3], []byte("COM"))
		}
		// A whole line has six fields; a head cut inside the first line
		// may hold fewer.
		return len(f) == 6 || !bytes.Contains(head, []byte("\n"))
	}
	return false
}

// isStamp reports whether b has the shape of a sadf timestamp: epoch
// seconds, or "YYYY-MM-DD HH:MM:SS" with an optional zone.
func isStamp(b []byte) bool {
	if _, ok := atoi(b); ok && len(b) <= 12 {
		return true
	}
	_, _, _, _, _, _, ok := civil(b[:min(len(b), 19)])
	return ok && (len(b) == 19 || b[19] == ' ')
}

// pLabel is how a row's device names it.
type pLabel uint8

const (
	pNone     pLabel = iota // single-row activity: device "-"
	pName                   // the device as printed (DEV, IFACE, FILESYSTEM, INTR)
	pCPU                    // "all" or "cpuN": sadf -d's all (-1) or N
	pNumbered               // a prefix and a number ("fan1"): sadf -d's number
)

// pActivity is one activity as sadf -p prints it.
type pActivity struct {
	label  string     // sadf -d's label column, "" for pNone
	kind   pLabel     // how the device reads
	prefix string     // pNumbered: the device's prefix
	fields []string   // the fields, in sadf -d header order
	opens  []string   // the fields a row starts with (the first field but for CPU: -u and -u ALL differ)
	intr   bool       // interrupts: the fields are CPUs (all, cpuN)
	usb    bool       // USB devices: a sar_usb row (text fields)
	want   *sar.Block // the block of a row with every field: its table and activity
}

// pActivities lists what sadf -p prints, from sysstat 12.6.1's sadf -d
// headers (sadf -d FILE -- -A); CPU and disk rows also take the names
// sysstat printed before 11.6 (%user, %system; rd_sec/s, wr_sec/s,
// avgrq-sz, avgqu-sz, svctm).
var pActivities = []*pActivity{
	{label: "CPU", kind: pCPU, opens: []string{"%user", "%usr"},
		fields: fieldList("%user %usr %nice %system %sys %iowait %steal %irq %soft %guest %gnice %idle")},
	{label: "INTR", kind: pName, intr: true},
	{fields: fieldList("proc/s cswch/s")},
	{fields: fieldList("pswpin/s pswpout/s")},
	{fields: fieldList("pgpgin/s pgpgout/s fault/s majflt/s pgfree/s pgscank/s pgscand/s pgsteal/s %vmeff")},
	{fields: fieldList("tps rtps wtps dtps bread/s bwrtn/s bdscd/s")},
	{fields: fieldList("kbmemfree kbavail kbmemused %memused kbbuffers kbcached kbcommit %commit kbactive kbinact kbdirty kbanonpg kbslab kbkstack kbpgtbl kbvmused")},
	{fields: fieldList("kbswpfree kbswpused %swpused kbswpcad %swpcad")},
	{fields: fieldList("kbhugfree kbhugused %hugused kbhugrsvd kbhugsurp")},
	{fields: fieldList("dentunusd file-nr inode-nr pty-nr")},
	{fields: fieldList("runq-sz plist-sz ldavg-1 ldavg-5 ldavg-15 blocked")},
	{label: "TTY", kind: pNumbered, prefix: "ttyS", fields: fieldList("rcvin/s xmtin/s framerr/s prtyerr/s brk/s ovrun/s")},
	{label: "DEV", kind: pName,
		fields: fieldList("tps rkB/s wkB/s dkB/s rd_sec/s wr_sec/s dc_sec/s areq-sz avgrq-sz aqu-sz avgqu-sz await svctm %util")},
	{label: "IFACE", kind: pName, fields: fieldList("rxpck/s txpck/s rxkB/s txkB/s rxcmp/s txcmp/s rxmcst/s %ifutil")},
	{label: "IFACE", kind: pName, fields: fieldList("rxerr/s txerr/s coll/s rxdrop/s txdrop/s txcarr/s rxfram/s rxfifo/s txfifo/s")},
	{fields: fieldList("call/s retrans/s read/s write/s access/s getatt/s")},
	{fields: fieldList("scall/s badcall/s packet/s udp/s tcp/s hit/s miss/s sread/s swrite/s saccess/s sgetatt/s")},
	{fields: fieldList("totsck tcpsck udpsck rawsck ip-frag tcp-tw")},
	{fields: fieldList("irec/s fwddgm/s idel/s orq/s asmrq/s asmok/s fragok/s fragcrt/s")},
	{fields: fieldList("ihdrerr/s iadrerr/s iukwnpr/s idisc/s odisc/s onort/s asmf/s fragf/s")},
	{fields: fieldList("imsg/s omsg/s iech/s iechr/s oech/s oechr/s itm/s itmr/s otm/s otmr/s iadrmk/s iadrmkr/s oadrmk/s oadrmkr/s")},
	{fields: fieldList("ierr/s oerr/s idstunr/s odstunr/s itmex/s otmex/s iparmpb/s oparmpb/s isrcq/s osrcq/s iredir/s oredir/s")},
	{fields: fieldList("active/s passive/s iseg/s oseg/s")},
	{fields: fieldList("atmptf/s estres/s retrans/s isegerr/s orsts/s")},
	{fields: fieldList("idgm/s odgm/s noport/s idgmerr/s")},
	{fields: fieldList("tcp6sck udp6sck raw6sck ip6-frag")},
	{fields: fieldList("irec6/s fwddgm6/s idel6/s orq6/s asmrq6/s asmok6/s imcpck6/s omcpck6/s fragok6/s fragcr6/s")},
	{fields: fieldList("ihdrer6/s iadrer6/s iukwnp6/s i2big6/s idisc6/s odisc6/s inort6/s onort6/s asmf6/s fragf6/s itrpck6/s")},
	{fields: fieldList("imsg6/s omsg6/s iech6/s iechr6/s oechr6/s igmbq6/s igmbr6/s ogmbr6/s igmbrd6/s ogmbrd6/s irtsol6/s ortsol6/s irtad6/s inbsol6/s onbsol6/s inbad6/s onbad6/s")},
	{fields: fieldList("ierr6/s idtunr6/s odtunr6/s itmex6/s otmex6/s iprmpb6/s oprmpb6/s iredir6/s oredir6/s ipck2b6/s opck2b6/s")},
	{fields: fieldList("idgm6/s odgm6/s noport6/s idgmer6/s")},
	{label: "CPU", kind: pCPU, fields: fieldList("total/s dropd/s squeezd/s rx_rps/s flw_lim/s blg_len")},
	{label: "CPU", kind: pCPU, fields: fieldList("MHz")},
	{label: "FAN", kind: pNumbered, prefix: "fan", fields: fieldList("DEVICE rpm drpm")},
	{label: "TEMP", kind: pNumbered, prefix: "temp", fields: fieldList("DEVICE degC %temp")},
	{label: "IN", kind: pNumbered, prefix: "in", fields: fieldList("DEVICE inV %in")},
	{label: "BUS", kind: pNumbered, prefix: "bus", usb: true, fields: fieldList("idvendor idprod maxpower manufact product")},
	{label: "FILESYSTEM", kind: pName, fields: fieldList("MBfsfree MBfsused %fsused %ufsused Ifree Iused %Iused")},
	{fields: fieldList("%scpu-10 %scpu-60 %scpu-300 %scpu")},
	{fields: fieldList("%sio-10 %sio-60 %sio-300 %sio %fio-10 %fio-60 %fio-300 %fio")},
	{fields: fieldList("%smem-10 %smem-60 %smem-300 %smem %fmem-10 %fmem-60 %fmem-300 %fmem")},
}

func fieldList(s string) []string { return strings.Fields(s) }

var (
	pOpeners = map[string][]*pActivity{} // field → the activities a row may open with it
	pMember  = map[string]*pActivity{}   // field → an activity that has it
	pIntr    *pActivity                  // interrupts
)

func init() {
	for _, a := range pActivities {
		var names []string
		if a.label != "" {
			names = append(names, a.label)
		}
		if a.intr {
			a.want = sar.Resolve(append(names, "all"))
			pIntr = a
			continue
		}
		a.want = sar.Resolve(append(names, a.fields...))
		if a.opens == nil {
			a.opens = a.fields[:1]
		}
		if len(a.fields) > 32 {
			panic("sadf: a sadf -p activity with more than 32 fields")
		}
		for _, f := range a.opens {
			pOpeners[f] = append(pOpeners[f], a)
		}
		for _, f := range a.fields {
			if pMember[f] == nil {
				pMember[f] = a
			}
		}
	}
}

// index is the position of field f in a's fields, -1 when a has none.
// For interrupts it is 0 for "all" and N+1 for "cpuN".
func (a *pActivity) index(f []byte) int {
	if a.intr {
		if string(f) == "all" {
			return 0
		}
		if n, ok := cpuN(f); ok {
			return int(n) + 1
		}
		return -1
	}
	for i, name := range a.fields {
		if name == string(f) {
			return i
		}
	}
	return -1
}

// cpuN reads "cpuN".
func cpuN(f []byte) (int64, bool) {
	d, ok := bytes.CutPrefix(f, []byte("cpu"))
	if !ok || len(d) == 0 || len(d) > 6 {
		return 0, false
	}
	n, ok := atoi(d)
	return n, ok && d[0] != '-'
}

// labelOf returns the sadf -d label value of device dev for a row of a,
// false when dev cannot name one (devError says why).
func (a *pActivity) labelOf(dev []byte) ([]byte, bool) {
	switch a.kind {
	case pNone:
		return nil, string(dev) == "-"
	case pName:
		return dev, len(dev) > 0 && string(dev) != "-"
	case pCPU:
		if string(dev) == "all" {
			return dev, true
		}
		_, ok := cpuN(dev)
		return dev[min(3, len(dev)):], ok
	default:
		d, ok := bytes.CutPrefix(dev, []byte(a.prefix))
		n, isNum := atoi(d)
		return d, ok && isNum && n >= 0 && n <= 1<<31-1
	}
}

// devError says why dev names no row of a.
func (a *pActivity) devError(dev []byte) error {
	want := map[pLabel]string{pNone: "'-' (a single-row activity)", pName: "a " + a.label + " name", pCPU: "all or cpuN", pNumbered: a.prefix + "N"}[a.kind]
	return parse.Errorf(parse.ErrSyntax, "device %q where sadf -p prints %s", parse.Raw(dev), want)
}

// PParser reads sadf -p output.
//
// sadf -p prints one value a line, tab-separated: "hostname interval
// timestamp device field value", the device "-" for single-row activities
// (sadf(1)). Restarts and comments are "hostname -1 timestamp
// LINUX-RESTART (N CPU)" and "hostname -1 timestamp COM text". Timestamps
// are sadf -d's: UTC by default, epoch seconds with -U, local wall clock
// with -t and -T (read in --tz, see stampReader).
//
// A row is the run of lines of one host, interval, timestamp and device
// whose fields belong to one activity; sadf -p prints an activity's fields
// in its sadf -d header order, the rows of one activity one after the
// other. The parser groups them back into the rows sadf -d prints and stores
// them as sadf -d's are stored (same tables, devices and metric names: a
// sysstat-made file reads into the same rows either way, see
// TestPMatchesD). The field names are sadf -d's header names; what -p
// prints differently is the device:
//
//   - CPU rows (-u, softnet -n SOFT, -m CPU): "all" and "cpuN" for -d's -1
//     and N;
//   - interrupts (-I): the device is the interrupt, each field a CPU ("all",
//     "cpu0", ...), as sar -I's columns all, CPU0, ...;
//   - fans, temperatures, voltages (-m FAN, TEMP, IN): "fan1", "temp1",
//     "in0" for -d's 1, 1, 0, and the sensor's DEVICE as a field;
//   - USB devices (-m USB): "bus2" for -d's BUS 2; serial lines (-y):
//     "ttyS0" for -d's TTY 0;
//   - disks, interfaces, filesystems: the name, as -d prints it.
//
// Which fields make an activity is pActivities, sysstat 12.6.1's sadf -d
// headers (and the disk and CPU names of older versions, which telegraf's
// sadf -p mock data prints). A field outside the activity its row opened,
// or one that opens no known activity, is an error (strict) or a reject
// (lenient), never put in a row it may not belong to: this covers the
// activities whose -p devices were not seen from a sysstat run (batteries,
// Fibre Channel hosts): read their file with sadf -d or -j.
//
// A row is stored whole or not at all, as a sadf -d line is: a bad value
// rejects its line with its reason and the row's other lines with a reason
// naming it, and so does a bad line (cut short, not UTF-8) that may be the
// row's, a row whose first line is refused, and a row without a field its
// table or activity is recognised by (%idle, kbmemfree, runq-sz, ...),
// which would land elsewhere.
//
// Line accounting: every line of a stored row is data, of a row sadc's
// interval-0 record skipped (all values zero) structure and skipped, a
// repeated restart or comment structure, as in sadf -d.
type PParser struct {
	lines *parse.Lines
	opt   parse.Options
	stats parse.Stats
	err   error
	done  bool
	rec   schema.Row
	sink  sar.Sink

	stamps stampReader
	hostB  []byte
	host   string
	row    pRow
	dead   pDead
	blocks map[string]*sar.Block
	key    []byte    // scratch: a block's key
	names  []string  // scratch: a block's header
	vals   [][]byte  // scratch: a row's values
	fields [6][]byte // scratch: a line's fields
}

// pRow is the row being gathered: its lines are kept until it is complete.
type pRow struct {
	act      *pActivity
	key      []byte // "host\tinterval\ttimestamp\tdevice\t" of its lines
	host     string
	interval int64
	t        time.Time
	label    []byte
	seen     []uint64 // fields seen: bit i for pActivity.index i
	buf      []byte   // the lines, back to back
	lines    []pLine
	lost     error // a bad line that may be the row's (cut short, not UTF-8)
}

// pLine is one line of a row: where it is in pRow.buf, its field and
// value.
type pLine struct {
	num        int // line number
	start, end int // the line in buf
	val        int // offset of the value in the line
	field      int // index of the field (pActivity.index)
}

// pDead is a row whose first line was refused: its other lines are
// rejected with the reason.
type pDead struct {
	key  []byte
	act  *pActivity
	line int
	err  error
}

// NewPParser returns a parser reading sadf -p output from r.
func NewPParser(r io.Reader, opt parse.Options) *PParser {
	p := &PParser{lines: parse.NewLines(r), opt: opt, blocks: map[string]*sar.Block{}}
	p.sink.Reuse = opt.Reuse
	return p
}

// Locale reports the decimal mark found, as CSVParser.Locale does.
func (p *PParser) Locale() string { return decimalLocale(p.sink.Dec) }

// Record is the current record: a pointer to one of schema's sar row types,
// valid until the next call to Next.
func (p *PParser) Record() schema.Row { return p.rec }

// Err is the error that stopped the parser, nil at a clean end.
func (p *PParser) Err() error { return p.err }

// Stats is the line accounting so far (the lines of the row being gathered
// are counted when it is complete).
func (p *PParser) Stats() parse.Stats { return p.stats }

// Next advances to the next record.
func (p *PParser) Next() bool {
	for {
		if p.rec = p.sink.Pop(); p.rec != nil {
			return true
		}
		p.sink.Reset()
		if p.err != nil || p.done {
			return false
		}
		if !p.lines.Next() {
			p.done = true
			p.flush()
			if p.err == nil {
				p.err = p.lines.Err()
			}
			continue
		}
		p.stats.Lines++
		line := p.lines.Bytes()
		if bad := p.lines.Bad(); bad != nil {
			if r := &p.row; r.act != nil && r.lost == nil && mayBelong(line, r.key) {
				r.lost = parse.Errorf(parse.ErrSyntax, "line %d, which may be this row's, is rejected (%v): the row is not stored", p.lines.Num(), bad)
			}
			p.reject(p.lines.Num(), line, p.lines.BadCol(), bad)
			continue
		}
		p.line(line)
	}
}

// mayBelong reports whether a bad line may be a line of the row whose
// lines start with key: it starts with key, or is cut inside it.
func mayBelong(line, key []byte) bool {
	if len(line) < len(key) {
		return bytes.HasPrefix(key, line)
	}
	return bytes.HasPrefix(line, key)
}

// reject reports a bad line: the first stops the run in strict mode.
func (p *PParser) reject(num int, line []byte, col int, err error) {
	pe := &parse.ParseError{File: p.opt.File, Line: num, Col: col, Format: FormatP, Err: err, Raw: parse.Raw(line)}
	if !p.opt.Reject(&p.stats, pe) && p.err == nil {
		p.err = pe
	}
}

func (p *PParser) rejectHere(line []byte, col int, err error) {
	p.reject(p.lines.Num(), line, col, err)
}

// line handles one line (not the row's: a row is stored when a line that
// is not its own comes).
func (p *PParser) line(line []byte) {
	f := p.split(line)
	if len(f) < 4 {
		if len(bytes.TrimSpace(line)) == 0 {
			p.stats.Structure++
			return
		}
		p.rejectHere(line, 1, parse.Errorf(parse.ErrSyntax, "not a sadf -p line: want hostname, interval, timestamp, device, field and value separated by tabs"))
		return
	}
	if string(f[1]) == "-1" {
		p.flush()
		p.event(line, f)
		return
	}
	if len(f) < 6 {
		p.rejectHere(line, len(line)+1, parse.Errorf(parse.ErrSyntax, "%d tab-separated fields: want hostname, interval, timestamp, device, field and value", len(f)))
		return
	}
	key := line[:col(line, f[4])-1]
	field := f[4]
	if r := &p.row; r.act != nil && bytes.Equal(key, r.key) {
		if i := r.act.index(field); i >= 0 && !r.has(i) {
			r.add(p.lines.Num(), line, col(line, f[5])-1, i)
			return
		}
	}
	if p.dead.act != nil && bytes.Equal(key, p.dead.key) && p.dead.act.index(field) >= 0 {
		p.rejectHere(line, col(line, field), parse.Errorf(parse.ErrSyntax, "the first line of this row (line %d) was refused: %v", p.dead.line, p.dead.err))
		return
	}
	p.flush()
	p.open(line, key, f)
}

// split cuts line at its first five tabs (the value keeps any tab after
// them) into p.fields.
func (p *PParser) split(line []byte) [][]byte {
	f := p.fields[:0]
	rest := line
	for len(f) < 5 {
		i := bytes.IndexByte(rest, '\t')
		if i < 0 {
			break
		}
		f = append(f, rest[:i])
		rest = rest[i+1:]
	}
	return append(f, rest)
}

// has reports whether field i is already in the row.
func (r *pRow) has(i int) bool {
	return i>>6 < len(r.seen) && r.seen[i>>6]&(1<<(i&63)) != 0
}

func (r *pRow) add(num int, line []byte, val, field int) {
	start := len(r.buf)
	r.buf = append(r.buf, line...)
	r.lines = append(r.lines, pLine{num: num, start: start, end: len(r.buf), val: val, field: field})
	for len(r.seen) <= field>>6 {
		r.seen = append(r.seen, 0)
	}
	r.seen[field>>6] |= 1 << (field & 63)
}

// open starts a row with line, whose fields f[3] (device) and f[4] (field)
// must open an activity. A refused first line makes the row dead: its
// other lines are rejected with the reason.
func (p *PParser) open(line, key []byte, f [][]byte) {
	dev, field := f[3], f[4]
	cands := pOpeners[string(field)]
	if string(field) == "all" {
		cands = []*pActivity{pIntr}
	} else if _, ok := cpuN(field); ok {
		cands = []*pActivity{pIntr}
	}
	var act *pActivity
	var label []byte
	for _, a := range cands {
		if l, ok := a.labelOf(dev); ok {
			act, label = a, l
			break
		}
	}
	switch {
	case act == nil && len(cands) > 0:
		p.refuse(line, key, cands[0], col(line, dev), cands[0].devError(dev))
		return
	case act == nil && pMember[string(field)] != nil:
		p.rejectHere(line, col(line, field), parse.Errorf(parse.ErrSyntax, "field %q without the line that opens its row before it (sadf -p prints %q first)", parse.Raw(field), pMember[string(field)].opens[0]))
		return
	case act == nil:
		p.rejectHere(line, col(line, field), parse.Errorf(parse.ErrSyntax, "field %q opens no activity sadf -p (sysstat 12.6) prints: not sadf -p output, or an activity migreplay reads only from sadf -d or -j", parse.Raw(field)))
		return
	}
	iv, ok := atoi(f[1])
	if !ok || iv < 0 {
		p.refuse(line, key, act, col(line, f[1]), parse.Errorf(parse.ErrSyntax, "interval %q is not a count of seconds", parse.Raw(f[1])))
		return
	}
	t, err := p.stamps.read(f[2], p.opt.Loc)
	if err != nil {
		p.refuse(line, key, act, col(line, f[2]), err)
		return
	}
	p.dead.act = nil
	p.setHost(f[0])
	r := &p.row
	r.act, r.host, r.interval, r.t = act, p.host, iv, t
	r.key = append(r.key[:0], key...)
	r.label = append(r.label[:0], label...)
	r.buf, r.lines = r.buf[:0], r.lines[:0]
	r.seen = r.seen[:0]
	r.add(p.lines.Num(), line, col(line, f[5])-1, act.index(field))
}

// refuse rejects the first line of a row of act and marks the row dead.
func (p *PParser) refuse(line, key []byte, act *pActivity, c int, err error) {
	p.dead = pDead{key: append(p.dead.key[:0], key...), act: act, line: p.lines.Num(), err: err}
	p.rejectHere(line, c, err)
}

func (p *PParser) setHost(h []byte) {
	if !bytes.Equal(h, p.hostB) || p.host == "" {
		p.hostB = append(p.hostB[:0], h...)
		p.host = p.sink.Intern(h) // hosts alternate in a merged export
	}
}

// event handles a restart or comment line.
func (p *PParser) event(line []byte, f [][]byte) {
	t, err := p.stamps.read(f[2], p.opt.Loc)
	if err != nil {
		p.rejectHere(line, col(line, f[2]), err)
		return
	}
	p.setHost(f[0])
	p.sink.Host = p.host
	kind, cpus, text, ok := parseEvent(line[col(line, f[3])-1:])
	if !ok {
		p.rejectHere(line, col(line, f[3]), parse.Errorf(parse.ErrSyntax, "interval -1 line that is neither LINUX-RESTART nor COM"))
		return
	}
	if p.sink.Event(t, kind, cpus, text) {
		p.stats.Data++
		p.stats.Records++
	} else {
		p.stats.Structure++
	}
}

// flush stores the row being gathered: its records go to the sink. A row
// is stored whole or not at all: a line of it that is bad rejects it with
// its reason, its other lines with a reason naming that line; so does a
// row that lacks a field its table or activity is recognised by (%idle,
// kbmemfree, runq-sz, ...: a file cut or edited), which would otherwise
// land in another table.
func (p *PParser) flush() {
	r := &p.row
	if r.act == nil {
		return
	}
	defer func() { r.act, r.lost = nil, nil }()
	if p.err != nil {
		return
	}
	if r.lost != nil {
		p.rejectRow(-1, r.lost)
		return
	}
	if r.act.usb {
		p.flushUSB()
		return
	}
	b := p.block()
	if b.Kind != r.act.want.Kind || b.Activity != r.act.want.Activity {
		p.rejectRow(-1, parse.Errorf(parse.ErrSyntax, "a %s row of %d fields, without the ones its rows are recognised by (the file is cut or edited): not stored", r.act.want.Activity, len(r.lines)))
		return
	}
	vals := p.vals[:0]
	if r.act.label != "" {
		vals = append(vals, r.label)
	}
	for _, l := range r.lines {
		vals = append(vals, r.buf[l.start+l.val:l.end])
	}
	p.vals = vals
	p.sink.Host = r.host
	skip, err := p.sink.Row(b, r.t, vals, r.interval == 0)
	if err != nil {
		i := -1
		if fe, ok := err.(*sar.FieldError); ok {
			err, i = fe.Err, fe.Field
			if r.act.label != "" {
				i-- // the label is the device, in every line: the whole row
			}
		}
		p.rejectRow(i, err)
		return
	}
	n := int64(len(r.lines))
	if skip {
		p.stats.Structure += n
		p.stats.Skipped += n
	} else {
		p.stats.Data += n
		p.stats.Records += int64(p.sink.Len())
	}
}

// rejectRow rejects every line of the row: line i (-1: none) with err, the
// others with a reason that points at it.
func (p *PParser) rejectRow(i int, err error) {
	r := &p.row
	other := err
	if i >= 0 && i < len(r.lines) {
		other = parse.Errorf(parse.ErrSyntax, "line %d of this row is rejected (%v): the row is not stored", r.lines[i].num, err)
	}
	for k, l := range r.lines {
		if k == i {
			p.reject(l.num, r.buf[l.start:l.end], l.val+1, err)
		} else {
			p.reject(l.num, r.buf[l.start:l.end], 0, other)
		}
	}
}

// block is the sar.Block of the row's header (label, then its fields in
// the order the row holds them), resolved once per header.
func (p *PParser) block() *sar.Block {
	r := &p.row
	k := append(p.key[:0], r.act.label...)
	for _, l := range r.lines {
		k = append(k, ';')
		if r.act.intr {
			k = appendIntrName(k, l.field)
		} else {
			k = append(k, r.act.fields[l.field]...)
		}
	}
	p.key = k
	if b, ok := p.blocks[string(k)]; ok {
		return b
	}
	names := p.names[:0]
	if r.act.label != "" {
		names = append(names, r.act.label)
	}
	for _, l := range r.lines {
		if r.act.intr {
			names = append(names, string(appendIntrName(nil, l.field)))
		} else {
			names = append(names, r.act.fields[l.field])
		}
	}
	p.names = names
	b := sar.Resolve(names)
	if len(p.blocks) < 1<<12 {
		p.blocks[string(k)] = b
	}
	return b
}

// appendIntrName appends the column sar -I and sadf -d give the interrupt
// field i: all, CPU0, CPU1, ...
func appendIntrName(b []byte, i int) []byte {
	if i == 0 {
		return append(b, "all"...)
	}
	return strconv.AppendInt(append(b, "CPU"...), int64(i-1), 10)
}

// flushUSB stores a USB device row (sar_usb).
func (p *PParser) flushUSB() {
	r := &p.row
	var v [5][]byte
	var at [5]int
	for _, l := range r.lines {
		v[l.field], at[l.field] = r.buf[l.start+l.val:l.end], l.num
	}
	fail := func(err error) { p.rejectRow(-1, err) }
	for i, name := range r.act.fields {
		if v[i] == nil {
			fail(parse.Errorf(parse.ErrSyntax, "USB device row without its %s line", name))
			return
		}
	}
	bus, _ := atoi(r.label)
	power, ok := atoi(v[2])
	if !ok {
		fail(parse.Errorf(parse.ErrSyntax, "maxpower %q (line %d) is not an integer", parse.Raw(v[2]), at[2]))
		return
	}
	row, err := newUSB(r.host, r.t, bus, string(v[0]), string(v[1]), power, string(v[3]), string(v[4]))
	if err != nil {
		fail(err)
		return
	}
	p.sink.Host = r.host
	p.sink.AddRow(row)
	p.stats.Data += int64(len(r.lines))
	p.stats.Records++
}
