package sar

import (
	"slices"
	"strings"
)

// This file is the sysstat vocabulary shared by the sar text parser and the
// sadf parsers (package ingest/sadf): which header makes which table, which
// column fills which field, how an activity without a table is named.

// Kind says which table the rows of a block go to.
type Kind uint8

// The kinds with a schema row type of their own; Other is schema.SarOther.
const (
	Other Kind = iota
	CPU
	Memory
	Paging
	Swapping
	NetDev
	NetEDev
	Disk
	Queue
	Battery   // schema.SarBattery: a text column (status) besides numbers
	USB       // schema.SarUSB: text columns (IDs, manufacturer, product)
	NumTables // how many Kind values there are
)

// maxSlots bounds the number of fields of one table row.
const maxSlots = 16

// spec describes one table: its activity name, the sar/sadf -d header name
// and the sadf -j key of each slot (field), in slot order.
type spec struct {
	activity  string
	label     string // header name of the label column ("" for single-row activities)
	jsonLabel string // sadf -j key of the label
	names     []string
	json      []string
	ints      uint32 // bit i: slot i is an integer column
	aliases   map[string]int
	// text names the columns that hold text (Battery, USB), in the order
	// of Col.Text's indexes.
	text []string
}

var specs = [NumTables]spec{
	CPU: {
		activity: "cpu-load", label: "CPU", jsonLabel: "cpu",
		names: []string{"%user", "%nice", "%system", "%iowait", "%steal", "%idle", "%usr", "%sys", "%irq", "%soft", "%guest", "%gnice"},
		json:  []string{"user", "nice", "system", "iowait", "steal", "idle", "usr", "sys", "irq", "soft", "guest", "gnice"},
	},
	Memory: {
		activity: "memory",
		names: []string{"kbmemfree", "kbavail", "kbmemused", "%memused", "kbbuffers", "kbcached", "kbcommit", "%commit",
			"kbactive", "kbinact", "kbdirty", "kbanonpg", "kbslab", "kbkstack", "kbpgtbl", "kbvmused"},
		json: []string{"memfree", "avail", "memused", "memused-percent", "buffers", "cached", "commit", "commit-percent",
			"active", "inactive", "dirty", "anonpg", "slab", "kstack", "pgtbl", "vmused"},
		ints: 0xffff &^ (1<<3 | 1<<7),
	},
	Paging: {
		activity: "paging",
		names:    []string{"pgpgin/s", "pgpgout/s", "fault/s", "majflt/s", "pgfree/s", "pgscank/s", "pgscand/s", "pgsteal/s", "%vmeff"},
		json:     []string{"pgpgin", "pgpgout", "fault", "majflt", "pgfree", "pgscank", "pgscand", "pgsteal", "vmeff-percent"},
	},
	Swapping: {
		activity: "swap-pages",
		names:    []string{"pswpin/s", "pswpout/s"},
		json:     []string{"pswpin", "pswpout"},
	},
	NetDev: {
		activity: "network.net-dev", label: "IFACE", jsonLabel: "iface",
		names: []string{"rxpck/s", "txpck/s", "rxkB/s", "txkB/s", "rxcmp/s", "txcmp/s", "rxmcst/s", "%ifutil"},
		json:  []string{"rxpck", "txpck", "rxkB", "txkB", "rxcmp", "txcmp", "rxmcst", "ifutil-percent"},
	},
	NetEDev: {
		activity: "network.net-edev", label: "IFACE", jsonLabel: "iface",
		names: []string{"rxerr/s", "txerr/s", "coll/s", "rxdrop/s", "txdrop/s", "txcarr/s", "rxfram/s", "rxfifo/s", "txfifo/s"},
		json:  []string{"rxerr", "txerr", "coll", "rxdrop", "txdrop", "txcarr", "rxfram", "rxfifo", "txfifo"},
	},
	Disk: {
		activity: "disk", label: "DEV", jsonLabel: "disk-device",
		names: []string{"tps", "rkB/s", "wkB/s", "dkB/s", "areq-sz", "aqu-sz", "await", "%util",
			"rd_sec/s", "wr_sec/s", "dc_sec/s", "avgrq-sz", "svctm"},
		json: []string{"tps", "rkB", "wkB", "dkB", "areq-sz", "aqu-sz", "await", "util-percent",
			"rd_sec", "wr_sec", "dc_sec", "avgrq-sz", "svctm"},
		// avgqu-sz was renamed aqu-sz in sysstat 11.6: same quantity.
		aliases: map[string]int{"avgqu-sz": 5},
	},
	Queue: {
		activity: "queue",
		names:    []string{"runq-sz", "plist-sz", "ldavg-1", "ldavg-5", "ldavg-15", "blocked"},
		json:     []string{"runq-sz", "plist-sz", "ldavg-1", "ldavg-5", "ldavg-15", "blocked"},
		ints:     1<<0 | 1<<1 | 1<<5,
	},
	Battery: {
		activity: "power-management.battery", label: "BAT", jsonLabel: "number",
		names: []string{"%cap", "cap/min"},
		json:  []string{"percent-capacity", "variation"},
		text:  []string{"status"},
	},
	USB: {
		activity: "power-management.usb-devices", label: "BUS", jsonLabel: "bus_number",
		names: []string{"maxpower"},
		json:  []string{"maxpower"},
		ints:  1 << 0,
		text:  []string{"idvendor", "idprod", "manufact", "product"},
	},
}

// Text columns of Battery and USB blocks (indexes into spec.text).
const (
	TextStatus       = 0 // Battery
	TextIDVendor     = 0 // USB
	TextIDProduct    = 1
	TextManufacturer = 2
	TextProduct      = 3
	maxText          = 4
)

var (
	textSlot [NumTables]map[string]int
	jsonSlot [NumTables]map[string]int
)

func init() {
	for t := CPU; t < NumTables; t++ {
		s := &specs[t]
		if len(s.names) > maxSlots || len(s.json) != len(s.names) {
			panic("sar: bad spec for " + s.activity)
		}
		textSlot[t] = map[string]int{}
		jsonSlot[t] = map[string]int{}
		for i, n := range s.names {
			textSlot[t][n] = i
			jsonSlot[t][s.json[i]] = i
		}
		for n, i := range s.aliases {
			textSlot[t][n] = i
			jsonSlot[t][n] = i
		}
	}
}

// activityByColumn names the activities without a table of their own after
// a column only their header has, with the names sadf -j uses (sysstat 12.6).
var activityByColumn = map[string]string{
	"proc/s":    "process-and-context-switch",
	"cswch/s":   "process-and-context-switch",
	"INTR":      "interrupts",
	"intr/s":    "interrupts",
	"tps":       "io",
	"kbswpfree": "swap-space",
	"kbhugfree": "hugepages",
	"dentunusd": "kernel",
	"TTY":       "serial",
	"call/s":    "network.net-nfs",
	"scall/s":   "network.net-nfsd",
	"totsck":    "network.net-sock",
	"irec/s":    "network.net-ip",
	"ihdrerr/s": "network.net-eip",
	"imsg/s":    "network.net-icmp",
	"ierr/s":    "network.net-eicmp",
	"active/s":  "network.net-tcp",
	"atmptf/s":  "network.net-etcp",
	"idgm/s":    "network.net-udp",
	"tcp6sck":   "network.net-sock6",
	"irec6/s":   "network.net-ip6",
	"ihdrer6/s": "network.net-eip6",
	"imsg6/s":   "network.net-icmp6",
	"ierr6/s":   "network.net-eicmp6",
	"idgm6/s":   "network.net-udp6",
	"total/s":   "network.softnet",
	"FCHOST":    "network.fchost",
	"MHz":       "power-management.cpu-frequency",
	"FAN":       "power-management.fan-speed",
	"TEMP":      "power-management.temperature",
	"IN":        "power-management.voltage-input",
	"BUS":       "power-management.usb-devices",
	"%cap":      "power-management.battery",
	"MBfsfree":  "filesystems",
	"%scpu-10":  "psi.psi-cpu",
	"%sio-10":   "psi.psi-io",
	"%smem-10":  "psi.psi-mem",
}

// labelNames are header columns whose values are names, not numbers.
var labelNames = map[string]bool{
	"CPU": true, "INTR": true, "TTY": true, "DEV": true, "IFACE": true, "FILESYSTEM": true,
	"MOUNTPOINT": true, "FCHOST": true, "BUS": true, "idvendor": true, "idprod": true,
	"manufact": true, "product": true, "DEVICE": true, "FAN": true, "TEMP": true, "IN": true,
}

// IsLabel reports whether a header column holds names rather than numbers:
// the known label columns, and any all-capital name (sysstat's convention
// for them: CPU, IFACE, FILESYSTEM, ...).
func IsLabel(name string) bool {
	if labelNames[name] {
		return true
	}
	if len(name) < 2 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// Col is one column of a resolved header.
type Col struct {
	Name  string // as printed in the header
	Label bool   // holds a name (device, CPU, ...), not a number
	Slot  int    // field of the table row; -1: the value goes to sar_other
	Int   bool   // the slot is an integer column
	Text  int    // Battery and USB: which text field (TextStatus, ...); -1: none
	Unit  Unit   // what a sar -h unit suffix on its values means
}

// Unit is a column's unit as far as sar -h/--human suffixes go.
type Unit uint8

// Column units: sizes are counted in KiB or MiB (sar's kB and MB are 1024
// bytes and 1024 KiB).
const (
	UnitNone Unit = iota // a count or rate: a suffix is an error
	UnitPct              // a percentage: "82.9%" is 82.9
	UnitKB               // kbmemfree, rxkB/s, rkB/s, areq-sz, ...
	UnitMB               // MBfsfree, MBfsused
)

// ColUnit is the unit of a header column: names starting with % are
// percentages, names starting with kb or holding kB (and areq-sz, which
// sar(1) gives in kilobytes) are KiB, names starting with MB are MiB.
func ColUnit(name string) Unit {
	switch {
	case strings.HasPrefix(name, "%"):
		return UnitPct
	case strings.HasPrefix(name, "kb") || strings.Contains(name, "kB") || name == "areq-sz":
		return UnitKB
	case strings.HasPrefix(name, "MB"):
		return UnitMB
	}
	return UnitNone
}

// Block is a resolved header: where each column of the rows under it goes.
// Blocks are immutable once resolved and may be shared.
type Block struct {
	Kind     Kind   // the table its rows go to
	Activity string // activity name for sar_other rows
	Cols     []Col
	// LastLabel is set when the last column is a label (FILESYSTEM, product):
	// in sar text it takes the rest of the line, spaces included.
	LastLabel bool
	// Wildcard is set when the last header name ends in '*' (sadf -d prints
	// "INTR;CPU*"): it stands for as many columns as the row has left.
	Wildcard string
	wild     []string
}

// Resolve maps a header's column names (without the time, or sadf's
// hostname;interval;timestamp) to a Block.
//
// A block goes to a table of its own when its header has that table's
// signature column (%idle with CPU, kbmemfree, pgpgin/s, pswpin/s, rxpck/s
// or rxerr/s with IFACE, tps with DEV, runq-sz, %cap with BAT, idvendor
// with BUS) and exactly that table's label column, wherever it stands
// (--pretty prints IFACE and DEV last); its other columns go to sar_other under the table's
// activity. Any other block goes to sar_other whole.
func Resolve(names []string) *Block {
	b := &Block{Cols: make([]Col, len(names))}
	b.Kind = signature(names)
	var labels []string
	for i, n := range names {
		c := Col{Name: n, Slot: -1, Text: -1, Label: IsLabel(n), Unit: ColUnit(n)}
		if k := slices.Index(specs[b.Kind].text, n); k >= 0 {
			c.Label, c.Text = false, k
		}
		if c.Label {
			labels = append(labels, n)
		}
		if i == len(names)-1 && strings.HasSuffix(n, "*") && len(n) > 1 {
			b.Wildcard = n[:len(n)-1]
			c.Label = false
		}
		b.Cols[i] = c
	}
	if b.Kind != Other {
		s := &specs[b.Kind]
		if (s.label == "" && len(labels) != 0) || (s.label != "" && (len(labels) != 1 || labels[0] != s.label)) {
			b.Kind = Other
		}
	}
	if b.Kind == Other {
		b.Activity = otherActivity(names)
		for i := range b.Cols {
			if c := &b.Cols[i]; c.Text >= 0 {
				c.Text, c.Label = -1, IsLabel(c.Name)
			}
		}
	} else {
		s := &specs[b.Kind]
		b.Activity = s.activity
		used := uint32(0)
		for i := range b.Cols {
			c := &b.Cols[i]
			if c.Label {
				continue
			}
			if k, ok := textSlot[b.Kind][c.Name]; ok && used&(1<<k) == 0 {
				used |= 1 << k
				c.Slot = k
				c.Int = s.ints&(1<<k) != 0
			}
		}
	}
	if n := len(b.Cols); n > 0 && b.Cols[n-1].Label {
		b.LastLabel = true
	}
	return b
}

func has(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func signature(names []string) Kind {
	if len(names) == 0 {
		return Other
	}
	first := names[0]
	switch {
	case first == "CPU" && has(names, "%idle"):
		return CPU
	case has(names, "kbmemfree"):
		return Memory
	case has(names, "pgpgin/s"):
		return Paging
	case has(names, "pswpin/s"):
		return Swapping
	// sar --pretty (and -h, -j ID) prints the IFACE and DEV columns last.
	case has(names, "IFACE") && has(names, "rxpck/s"):
		return NetDev
	case has(names, "IFACE") && has(names, "rxerr/s"):
		return NetEDev
	case has(names, "DEV") && has(names, "tps"):
		return Disk
	case has(names, "runq-sz"):
		return Queue
	case first == "BAT" && has(names, "%cap"):
		return Battery
	case first == "BUS" && has(names, "idvendor"):
		return USB
	}
	return Other
}

func otherActivity(names []string) string {
	for _, n := range names {
		if a, ok := activityByColumn[n]; ok {
			return a
		}
	}
	if len(names) == 0 {
		return "sar:"
	}
	return "sar:" + names[0]
}

// WildName is the name of the i-th column a wildcard stands for: sadf -d's
// "CPU*" expands to all, CPU0, CPU1, ... as sar text prints them (the
// interrupt block's header "INTR all CPU0 CPU1"); any other "X*" to X0, X1, ...
func (b *Block) WildName(i int) string {
	for len(b.wild) <= i {
		j := len(b.wild)
		var n string
		switch {
		case b.Wildcard == "CPU" && j == 0:
			n = "all"
		case b.Wildcard == "CPU":
			n = "CPU" + itoa(j-1)
		default:
			n = b.Wildcard + itoa(j)
		}
		b.wild = append(b.wild, n)
	}
	return b.wild[i]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	n := len(buf)
	for i > 0 {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[n:])
}

// JSONTable maps a sadf -j activity path ("cpu-load", "network.net-dev")
// to its table, Other when it has none.
func JSONTable(path string) Kind {
	switch path {
	case "cpu-load", "cpu-load-all":
		return CPU
	case "memory":
		return Memory
	case "paging":
		return Paging
	case "swap-pages":
		return Swapping
	case "network.net-dev":
		return NetDev
	case "network.net-edev":
		return NetEDev
	case "disk":
		return Disk
	case "queue":
		return Queue
	}
	return Other
}

// JSONSlot returns the slot of sadf -j key in table t, -1 if none, and
// whether it is an integer column.
func JSONSlot(t Kind, key string) (slot int, isInt bool) {
	if t == Other {
		return -1, false
	}
	k, ok := jsonSlot[t][key]
	if !ok {
		return -1, false
	}
	return k, specs[t].ints&(1<<k) != 0
}

// JSONLabel is the sadf -j key of table t's label ("cpu", "iface", ...).
func JSONLabel(t Kind) string { return specs[t].jsonLabel }

// ActivityOf is table t's activity name.
func ActivityOf(t Kind) string { return specs[t].activity }

// usbLayout reports whether a USB block's header is sar's: BUS idvendor
// idprod maxpower manufact product, the layout usbFields splits.
func (b *Block) usbLayout() bool {
	want := [...]string{"BUS", "idvendor", "idprod", "maxpower", "manufact", "product"}
	if len(b.Cols) != len(want) {
		return false
	}
	for i, c := range b.Cols {
		if c.Name != want[i] {
			return false
		}
	}
	return true
}
