package sar

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/internal/intern"
	"github.com/migreplay/migreplay/schema"
)

// Sink builds the records of one input line (or one sadf -j record) and
// hands them out one at a time. The row structs are reused once every
// record has been handed out; the strings and pointers in them never are,
// unless Reuse is set.
type Sink struct {
	Host string // host of the rows built next
	Dec  Decimal
	// Reuse (parse.Options.Reuse) lets Reset reuse the words the rows'
	// numbers were handed out in.
	Reuse bool

	a      arena
	intern intern.Pool
	events map[string]bool

	cpu   []schema.SarCPU
	mem   []schema.SarMemory
	pag   []schema.SarPaging
	swp   []schema.SarSwapping
	ndev  []schema.SarNetDev
	nedev []schema.SarNetEDev
	disk  []schema.SarDisk
	queue []schema.SarQueue
	bat   []schema.SarBattery
	usb   []schema.SarUSB
	other []schema.SarOther
	event []schema.SarEvent
	rows  []schema.Row // built by the caller (AddRow)
	order []ref
	next  int

	// per-row scratch
	vals   [maxSlots]float64
	others []otherVal
	dev    []byte
}

type ref struct {
	t   Kind
	ev  bool
	row bool // an AddRow record
	idx int32
}

type otherVal struct {
	metric string
	v      float64
}

// Len is the number of records not yet handed out.
func (s *Sink) Len() int { return len(s.order) - s.next }

// Pop hands out the next record, nil when none is left. When the last one
// is handed out the sink is ready to be refilled.
func (s *Sink) Pop() schema.Row {
	if s.next >= len(s.order) {
		return nil
	}
	r := s.order[s.next]
	s.next++
	if r.ev {
		return &s.event[r.idx]
	}
	if r.row {
		return s.rows[r.idx]
	}
	switch r.t {
	case CPU:
		return &s.cpu[r.idx]
	case Memory:
		return &s.mem[r.idx]
	case Paging:
		return &s.pag[r.idx]
	case Swapping:
		return &s.swp[r.idx]
	case NetDev:
		return &s.ndev[r.idx]
	case NetEDev:
		return &s.nedev[r.idx]
	case Disk:
		return &s.disk[r.idx]
	case Queue:
		return &s.queue[r.idx]
	case Battery:
		return &s.bat[r.idx]
	case USB:
		return &s.usb[r.idx]
	}
	return &s.other[r.idx]
}

// Reset drops every record (handed out or not).
func (s *Sink) Reset() {
	s.cpu, s.mem, s.pag, s.swp = s.cpu[:0], s.mem[:0], s.pag[:0], s.swp[:0]
	s.ndev, s.nedev, s.disk, s.queue = s.ndev[:0], s.nedev[:0], s.disk[:0], s.queue[:0]
	s.bat, s.usb = s.bat[:0], s.usb[:0]
	s.other, s.event = s.other[:0], s.event[:0]
	clear(s.rows)
	s.rows = s.rows[:0]
	s.order = s.order[:0]
	s.next = 0
	if s.Reuse {
		s.a.f, s.a.i = s.a.f[:0], s.a.i[:0]
	}
}

// AddRow adds a record the caller built (sadf's sar_battery and sar_usb
// rows, whose text columns the slot machinery does not hold).
func (s *Sink) AddRow(r schema.Row) {
	s.rows = append(s.rows, r)
	s.order = append(s.order, ref{row: true, idx: int32(len(s.rows) - 1)})
}

// Intern returns b as a string, shared with earlier equal names (device
// names repeat on every row). The table is capped so a file of unique
// names cannot grow it without bound.
func (s *Sink) Intern(b []byte) string { return s.intern.String(b) }

// Event adds a restart (cpus ≥ 0) or comment record, unless the same
// event (host, time, kind, text) was added before: sar -f and sadf -d
// repeat events in every activity's block. It reports whether it added one.
func (s *Sink) Event(t time.Time, kind string, cpus int, text string) bool {
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s", kind, t.UnixMicro(), s.Host, text)
	if s.events[key] {
		return false
	}
	if s.events == nil {
		s.events = make(map[string]bool)
	}
	if len(s.events) < 1<<16 {
		s.events[key] = true
	}
	e := schema.SarEvent{Host: s.Host, Time: t, Kind: kind, Text: text}
	if cpus >= 0 {
		n := int32(cpus)
		e.CPUs = &n
	}
	s.event = append(s.event, e)
	s.order = append(s.order, ref{ev: true, idx: int32(len(s.event) - 1)})
	return true
}

// FieldError is a Row error located at one field.
type FieldError struct {
	Field int // index into the fields given to Row
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Row parses one data row of block b: fields[i] is the text of column i
// (for a wildcard block, the columns from the wildcard on are the rest of
// fields). It builds the table row and a sar_other row per column without
// a field, at time t. When skipZero is set and every number is zero, it
// builds nothing and returns skipped (sadc's interval-0 records).
func (s *Sink) Row(b *Block, t time.Time, fields [][]byte, skipZero bool) (skipped bool, err error) {
	if b.Kind == Battery || b.Kind == USB {
		return false, s.textRow(b, t, fields)
	}
	ncols := len(b.Cols)
	if b.Wildcard != "" {
		if len(fields) < ncols-1 {
			return false, &FieldError{len(fields) - 1, fmt.Errorf("%w: %d fields, the header has at least %d", parse.ErrSyntax, len(fields), ncols-1)}
		}
	} else if len(fields) != ncols {
		f := len(fields) - 1
		if len(fields) > ncols {
			f = ncols
		}
		return false, &FieldError{f, fmt.Errorf("%w: %d fields, the header has %d", parse.ErrSyntax, len(fields), ncols)}
	}
	var set uint32
	s.others = s.others[:0]
	s.dev = s.dev[:0]
	nonzero := false
	cpu := int32(-1)
	for i, f := range fields {
		var c *Col
		wild := b.Wildcard != "" && i >= ncols-1
		if !wild {
			c = &b.Cols[i]
		}
		if c != nil && c.Label {
			if b.Kind == CPU {
				n, err := cpuNumber(f)
				if err != nil {
					return false, &FieldError{i, err}
				}
				cpu = n
			}
			if len(s.dev) > 0 {
				s.dev = append(s.dev, ' ')
			}
			if c.Name == "CPU" && string(f) == "-1" {
				f = allCPU
			}
			if !validText(f) {
				return false, &FieldError{i, fmt.Errorf("%w: %s %q is not valid UTF-8", parse.ErrSyntax, c.Name, parse.Raw(f))}
			}
			s.dev = append(s.dev, f...)
			continue
		}
		var v float64
		var err error
		if c != nil && c.Int {
			v, err = s.Dec.Int(f)
		} else {
			v, err = s.Dec.Float(f)
		}
		if err != nil && c != nil && hasSuffix(f) {
			v, err = s.Dec.Human(f, c.Unit, c.Int)
		}
		if err != nil {
			return false, &FieldError{i, err}
		}
		if v != 0 {
			nonzero = true
		}
		switch {
		case wild:
			s.others = append(s.others, otherVal{b.WildName(i - (ncols - 1)), v})
		case c.Slot >= 0:
			s.vals[c.Slot] = v
			set |= 1 << c.Slot
		default:
			s.others = append(s.others, otherVal{c.Name, v})
		}
	}
	if skipZero && !nonzero {
		return true, nil
	}
	var dev string
	if len(s.dev) > 0 {
		dev = s.Intern(s.dev)
	}
	s.emit(b.Kind, t, cpu, dev, set)
	for _, o := range s.others {
		s.Other(t, b.Activity, dev, o.metric, o.v)
	}
	return false, nil
}

var allCPU = []byte("all")

// Other adds one sar_other record.
func (s *Sink) Other(t time.Time, activity, dev, metric string, v float64) {
	s.other = append(s.other, schema.SarOther{Host: s.Host, Time: t, Activity: activity, Device: dev, Metric: metric, Value: v})
	s.order = append(s.order, ref{t: Other, idx: int32(len(s.other) - 1)})
}

// Set stores a table field's value for the next Emit (sadf -j).
func (s *Sink) Set(slot int, v float64) { s.vals[slot] = v }

// Get is the value last stored with Set for slot.
func (s *Sink) Get(slot int) float64 { return s.vals[slot] }

// Emit adds the table row of t from the values given with Set for the
// slots in set (sadf -j).
func (s *Sink) Emit(tb Kind, t time.Time, cpu int32, dev string, set uint32) {
	s.emit(tb, t, cpu, dev, set)
}

func cpuNumber(f []byte) (int32, error) {
	if string(f) == "all" || string(f) == "-1" {
		return -1, nil
	}
	if len(f) == 0 || len(f) > 6 {
		return 0, fmt.Errorf("%w: CPU %q is neither all nor a CPU number", parse.ErrSyntax, parse.Raw(f))
	}
	n := int32(0)
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: CPU %q is neither all nor a CPU number", parse.ErrSyntax, parse.Raw(f))
		}
		n = n*10 + int32(c-'0')
	}
	return n, nil
}

// CPUNumber parses a CPU label: "all" and "-1" are -1.
func CPUNumber(f []byte) (int32, error) { return cpuNumber(f) }

func (s *Sink) f(set uint32, k int) *float64 {
	if set&(1<<k) == 0 {
		return nil
	}
	return s.a.F(s.vals[k])
}

func (s *Sink) i(set uint32, k int) *int64 {
	if set&(1<<k) == 0 {
		return nil
	}
	return s.a.I(s.vals[k])
}

func (s *Sink) emit(tb Kind, t time.Time, cpu int32, dev string, set uint32) {
	var idx int
	switch tb {
	case CPU:
		s.cpu = append(s.cpu, schema.SarCPU{Host: s.Host, Time: t, CPU: cpu,
			User: s.f(set, 0), Nice: s.f(set, 1), System: s.f(set, 2), IOWait: s.f(set, 3),
			Steal: s.f(set, 4), Idle: s.f(set, 5), Usr: s.f(set, 6), Sys: s.f(set, 7),
			IRQ: s.f(set, 8), Soft: s.f(set, 9), Guest: s.f(set, 10), GNice: s.f(set, 11)})
		idx = len(s.cpu) - 1
	case Memory:
		s.mem = append(s.mem, schema.SarMemory{Host: s.Host, Time: t,
			KBMemFree: s.i(set, 0), KBAvail: s.i(set, 1), KBMemUsed: s.i(set, 2), MemUsed: s.f(set, 3),
			KBBuffers: s.i(set, 4), KBCached: s.i(set, 5), KBCommit: s.i(set, 6), Commit: s.f(set, 7),
			KBActive: s.i(set, 8), KBInact: s.i(set, 9), KBDirty: s.i(set, 10), KBAnonPg: s.i(set, 11),
			KBSlab: s.i(set, 12), KBKStack: s.i(set, 13), KBPgTbl: s.i(set, 14), KBVMUsed: s.i(set, 15)})
		idx = len(s.mem) - 1
	case Paging:
		s.pag = append(s.pag, schema.SarPaging{Host: s.Host, Time: t,
			PgPgIn: s.f(set, 0), PgPgOut: s.f(set, 1), Fault: s.f(set, 2), MajFlt: s.f(set, 3),
			PgFree: s.f(set, 4), PgScanK: s.f(set, 5), PgScanD: s.f(set, 6), PgSteal: s.f(set, 7),
			VMEffPct: s.f(set, 8)})
		idx = len(s.pag) - 1
	case Swapping:
		s.swp = append(s.swp, schema.SarSwapping{Host: s.Host, Time: t, PSwpIn: s.f(set, 0), PSwpOut: s.f(set, 1)})
		idx = len(s.swp) - 1
	case NetDev:
		s.ndev = append(s.ndev, schema.SarNetDev{Host: s.Host, Time: t, Iface: dev,
			RxPck: s.f(set, 0), TxPck: s.f(set, 1), RxKB: s.f(set, 2), TxKB: s.f(set, 3),
			RxCmp: s.f(set, 4), TxCmp: s.f(set, 5), RxMcst: s.f(set, 6), IfUtilPct: s.f(set, 7)})
		idx = len(s.ndev) - 1
	case NetEDev:
		s.nedev = append(s.nedev, schema.SarNetEDev{Host: s.Host, Time: t, Iface: dev,
			RxErr: s.f(set, 0), TxErr: s.f(set, 1), Coll: s.f(set, 2), RxDrop: s.f(set, 3),
			TxDrop: s.f(set, 4), TxCarr: s.f(set, 5), RxFram: s.f(set, 6), RxFIFO: s.f(set, 7),
			TxFIFO: s.f(set, 8)})
		idx = len(s.nedev) - 1
	case Disk:
		s.disk = append(s.disk, schema.SarDisk{Host: s.Host, Time: t, Dev: dev,
			TPS: s.f(set, 0), RKB: s.f(set, 1), WKB: s.f(set, 2), DKB: s.f(set, 3),
			AReqSz: s.f(set, 4), AquSz: s.f(set, 5), Await: s.f(set, 6), UtilPct: s.f(set, 7),
			RdSec: s.f(set, 8), WrSec: s.f(set, 9), DcSec: s.f(set, 10), AvgRqSz: s.f(set, 11),
			SvctmMs: s.f(set, 12)})
		idx = len(s.disk) - 1
	case Queue:
		s.queue = append(s.queue, schema.SarQueue{Host: s.Host, Time: t,
			RunqSz: s.i(set, 0), PlistSz: s.i(set, 1), LdAvg1: s.f(set, 2), LdAvg5: s.f(set, 3),
			LdAvg15: s.f(set, 4), Blocked: s.i(set, 5)})
		idx = len(s.queue) - 1
	default:
		return
	}
	s.order = append(s.order, ref{t: tb, idx: int32(idx)})
}

// Battery adds one sar_battery record, on the sink's host.
func (s *Sink) Battery(r schema.SarBattery) {
	r.Host = s.Host
	s.bat = append(s.bat, r)
	s.order = append(s.order, ref{t: Battery, idx: int32(len(s.bat) - 1)})
}

// USB adds one sar_usb record, on the sink's host.
func (s *Sink) USB(r schema.SarUSB) {
	r.Host = s.Host
	s.usb = append(s.usb, r)
	s.order = append(s.order, ref{t: USB, idx: int32(len(s.usb) - 1)})
}

// BatteryStatus maps the status sar prints (a glyph) or sadf prints (a
// word, in -d and -j alike) to sadf's word, what sar_battery stores. sysstat's expected.sar-dec and expected.sadf-d print
// the same file's batteries: ↑ Full, ? Unknown, ↘ Discharging, ↗ Charging,
// → NotCharging.
func BatteryStatus(b []byte) (string, bool) {
	switch string(b) {
	case "?", "Unknown":
		return "Unknown", true
	case "↗", "Charging":
		return "Charging", true
	case "↘", "Discharging":
		return "Discharging", true
	case "→", "NotCharging":
		return "NotCharging", true
	case "↑", "Full":
		return "Full", true
	}
	return "", false
}

// textRow builds a Battery or USB row. Its label (BAT, BUS) is a number,
// its text columns are kept as printed (IDs must be hexadecimal, names
// valid UTF-8 without control characters); other numeric columns go to
// sar_other. These rows are snapshots, not rates: never skipped as
// interval-0 records.
func (s *Sink) textRow(b *Block, t time.Time, fields [][]byte) error {
	if len(fields) != len(b.Cols) {
		f := min(len(fields), len(b.Cols)) - 1
		return &FieldError{f, fmt.Errorf("%w: %d fields, the header has %d", parse.ErrSyntax, len(fields), len(b.Cols))}
	}
	var text [maxText][]byte
	var set uint32
	label := int64(-1)
	s.others = s.others[:0]
	for i, f := range fields {
		c := &b.Cols[i]
		switch {
		case c.Label:
			v, err := s.Dec.Int(f)
			if err != nil || v < 0 || v > math.MaxInt32 {
				return &FieldError{i, fmt.Errorf("%w: %s %q is not a number", parse.ErrSyntax, c.Name, parse.Raw(f))}
			}
			label = int64(v)
		case c.Text >= 0:
			if err := checkText(c.Name, f, b.Kind == USB && c.Text <= TextIDProduct); err != nil {
				return &FieldError{i, err}
			}
			text[c.Text] = f
		default:
			var v float64
			var err error
			if c.Int {
				v, err = s.Dec.Int(f)
			} else {
				v, err = s.Dec.Float(f)
			}
			if err != nil && hasSuffix(f) {
				v, err = s.Dec.Human(f, c.Unit, c.Int)
			}
			if err != nil {
				return &FieldError{i, err}
			}
			if c.Slot >= 0 {
				s.vals[c.Slot] = v
				set |= 1 << c.Slot
			} else {
				s.others = append(s.others, otherVal{c.Name, v})
			}
		}
	}
	if label < 0 {
		return &FieldError{0, fmt.Errorf("%w: no %s column", parse.ErrSyntax, specs[b.Kind].label)}
	}
	dev := strconv.FormatInt(label, 10)
	switch b.Kind {
	case Battery:
		status := ""
		if text[TextStatus] != nil {
			var ok bool
			if status, ok = BatteryStatus(text[TextStatus]); !ok {
				return &FieldError{b.textCol(TextStatus), fmt.Errorf("%w: battery status %q is none of ? ↗ ↘ → ↑ (sar) or Unknown Charging Discharging NotCharging Full (sadf)", parse.ErrSyntax, parse.Raw(text[TextStatus]))}
			}
		}
		s.Battery(schema.SarBattery{Time: t, Battery: int32(label), CapPct: s.f(set, 0), CapPerMin: s.f(set, 1), Status: status})
	case USB:
		s.USB(schema.SarUSB{Time: t, Bus: int32(label), MaxPowerMA: s.i(set, 0),
			IDVendor: s.Intern(text[TextIDVendor]), IDProduct: s.Intern(text[TextIDProduct]),
			Manufacturer: s.Intern(text[TextManufacturer]), Product: s.Intern(text[TextProduct])})
	}
	for _, o := range s.others {
		s.Other(t, b.Activity, dev, o.metric, o.v)
	}
	return nil
}

// textCol is the index of the column holding text field k, 0 if none.
func (b *Block) textCol(k int) int {
	for i, c := range b.Cols {
		if c.Text == k {
			return i
		}
	}
	return 0
}

// checkText refuses a text value that is not valid UTF-8 or holds a
// control character; hex asks for hexadecimal digits (USB IDs, printed
// with %x).
func checkText(name string, f []byte, hex bool) error {
	if hex {
		if len(f) == 0 || len(f) > 8 {
			return fmt.Errorf("%w: %s %q is not a hexadecimal ID", parse.ErrSyntax, name, parse.Raw(f))
		}
		for _, c := range f {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return fmt.Errorf("%w: %s %q is not a hexadecimal ID", parse.ErrSyntax, name, parse.Raw(f))
			}
		}
		return nil
	}
	if !utf8.Valid(f) {
		return fmt.Errorf("%w: %s %q is not valid UTF-8", parse.ErrSyntax, name, parse.Raw(f))
	}
	for _, c := range f {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: %s %q holds a control character", parse.ErrSyntax, name, parse.Raw(f))
		}
	}
	return nil
}

// validText reports whether b is valid UTF-8, with a byte loop for the
// short ASCII names nearly every label is.
func validText(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.Valid(b)
		}
	}
	return true
}
