package sadf

import (
	"bytes"
	"strings"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sar"
)

// # sadf -dh
//
// sadf -dh prints every activity of a record on one line: the header lists
// the activities' columns one after the other, a repeated group (one per
// CPU, device, interface, ...) marked by "[...]" after its last column:
//
//	# hostname;interval;timestamp;CPU;%usr;...;%idle[...];INTR;CPU*[...]
//	SYSSTAT.TEST;31;2019-04-18 13:20:19 UTC;-1;2.15;...;82.88;3;0.00;...;sum;31915.30;1027.05;0;0.00;0.00;...
//
// (sysstat's expected.sadf-dh). The header does not say where one activity
// ends and the next begins, nor the rows how many instances a repeated group
// has. The header is split where a column opens an activity (sysstat's first
// column names: CPU, proc/s, INTR, pswpin/s, ..., DEV, IFACE; one right
// after a label, as DEV;tps, continues the group); a row is split by trying
// every count of instances for the repeated groups, each field checked
// against its column (a CPU number where CPU stands, an integer for
// BUS/BAT/TTY and a name that is no fraction for other labels, a number for
// values, sadf's %.2f fractions for the CPU* columns). When several splits
// fit, those where groups with the same label column (IFACE for net-dev and
// net-edev) list the same devices are kept. A row that still splits more
// than one way, or none, is a syntax error: sadf -d or -j says the same
// without the guesswork. Each instance then goes to the table plain sadf -d
// puts it in.

// groupStart are the first columns of sysstat's activities (sadf -d
// headers of sysstat 12.6).
var groupStart = map[string]bool{
	"CPU": true, "proc/s": true, "INTR": true, "pswpin/s": true, "pgpgin/s": true, "tps": true,
	"kbmemfree": true, "kbswpfree": true, "kbhugfree": true, "dentunusd": true, "runq-sz": true,
	"TTY": true, "DEV": true, "IFACE": true, "call/s": true, "scall/s": true, "totsck": true,
	"irec/s": true, "ihdrerr/s": true, "imsg/s": true, "ierr/s": true, "active/s": true,
	"atmptf/s": true, "idgm/s": true, "tcp6sck": true, "irec6/s": true, "ihdrer6/s": true,
	"imsg6/s": true, "ierr6/s": true, "idgm6/s": true, "FCHOST": true, "BAT": true, "manufact": true,
	"BUS": true, "FILESYSTEM": true, "MOUNTPOINT": true, "%scpu-10": true, "%sio-10": true,
	"%smem-10": true, "FAN": true, "TEMP": true, "IN": true,
}

// hgroup is one activity of a sadf -dh header.
type hgroup struct {
	names    []string
	repeated bool
	block    *sar.Block
	power    power
	label    string  // first column when it is a label (IFACE, DEV, ...)
	classes  []class // what each column's fields must look like
	wildcard bool    // last column is CPU*: as many %.2f fields as CPUs
}

type class uint8

const (
	cAny      class = iota // USB manufacturer and product: any text
	cName                  // a label: not a fraction
	cCPU                   // a CPU label: all, -1 or a number
	cInt                   // an integer
	cNum                   // a number
	cHex                   // a USB ID
	cWord                  // battery status
	cFraction              // sadf's %.2f of a CPU* column
)

// splitHeader splits a sadf -dh header (after hostname;interval;timestamp;)
// into its activities.
func splitHeader(rest []byte) ([]hgroup, error) {
	var groups []hgroup
	var cur []string
	flush := func(repeated bool) {
		if len(cur) > 0 {
			groups = append(groups, hgroup{names: cur, repeated: repeated})
			cur = nil
		}
	}
	for _, n := range strings.Split(string(rest), ";") {
		rep := strings.HasSuffix(n, "[...]")
		n = strings.TrimSuffix(n, "[...]")
		if n == "" {
			return nil, parse.Errorf(parse.ErrSyntax, "empty column name in a sadf -dh header")
		}
		if groupStart[n] && len(cur) > 0 && !(len(cur) == 1 && sar.IsLabel(cur[0]) && cur[0] != "manufact") {
			flush(false)
		}
		cur = append(cur, n)
		if rep {
			flush(true)
		}
	}
	flush(false)
	for i := range groups {
		g := &groups[i]
		joined := strings.Join(g.names, ";")
		switch joined {
		case batteryHeader:
			g.power = powerBattery
			g.classes = []class{cInt, cNum, cNum, cWord}
		case usbHeaders[0], usbHeaders[1]:
			g.power = powerUSB
			g.classes = []class{cInt, cHex, cHex, cInt, cAny, cAny}
		default:
			g.block = sar.Resolve(g.names)
			g.wildcard = g.block.Wildcard == "CPU"
			for j, n := range g.names {
				c := cNum
				switch {
				case g.wildcard && j == len(g.names)-1:
					c = cFraction
				case n == "CPU":
					c = cCPU
				case n == "TTY" || n == "FAN" || n == "TEMP" || n == "IN":
					c = cInt
				case sar.IsLabel(n):
					c = cName
				}
				g.classes = append(g.classes, c)
			}
		}
		if c := g.classes[0]; c != cNum && c != cFraction {
			g.label = g.names[0]
		}
	}
	return groups, nil
}

// fits reports whether field f can be of class c.
func fits(c class, f []byte) bool {
	switch c {
	case cAny:
		return true
	case cName:
		return len(f) > 0 && !isFraction(f)
	case cCPU:
		if string(f) == "all" {
			return true
		}
		_, ok := atoi(f)
		return ok
	case cInt:
		_, ok := atoi(f)
		return ok
	case cNum:
		return isNumber(f)
	case cHex:
		return len(f) > 0 && len(f) <= 4 && len(bytes.Trim(f, "0123456789abcdef")) == 0
	case cWord:
		return len(f) > 0 && !isNumber(f)
	case cFraction:
		return isFraction(f)
	}
	return false
}

// isNumber: an optional '-', digits, and a fraction after '.' or ','.
func isNumber(f []byte) bool {
	if len(f) > 0 && f[0] == '-' {
		f = f[1:]
	}
	digits, mark := 0, false
	for _, c := range f {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !mark && digits > 0:
			mark = true
		default:
			return false
		}
	}
	return digits > 0 && f[len(f)-1] != '.' && f[len(f)-1] != ','
}

func isFraction(f []byte) bool {
	return isNumber(f) && bytes.ContainsAny(f, ".,")
}

// dhSplit finds how the fields of a sadf -dh row split into the header's
// groups. It returns, per group, the number of instances.
type dhSplit struct {
	groups []hgroup
	fields [][]byte
	k      int     // fields per CPU* column set
	dead   []bool  // (field, group) from which no split fits
	seen   []bool  // dead[] is known
	counts []int   // counts of the split being built
	found  [][]int // splits found
	limit  int
}

// width is the number of fields of one instance of group g.
func (s *dhSplit) width(g int) int {
	w := len(s.groups[g].classes)
	if s.groups[g].wildcard {
		w += s.k - 1
	}
	return w
}

// match reports whether an instance of group g starts at field i.
func (s *dhSplit) match(i, g int) bool {
	grp := &s.groups[g]
	w := s.width(g)
	if i+w > len(s.fields) {
		return false
	}
	for j := 0; j < w; j++ {
		c := grp.classes[min(j, len(grp.classes)-1)]
		if !fits(c, s.fields[i+j]) {
			return false
		}
	}
	return true
}

// walk enumerates the splits of fields[i:] into groups[g:], up to limit;
// it reports whether any fits.
func (s *dhSplit) walk(i, g int) bool {
	n := len(s.groups)
	key := i*(n+1) + g
	if s.seen[key] && s.dead[key] {
		return false
	}
	if len(s.found) >= s.limit {
		return true
	}
	ok := false
	if g == n {
		if i == len(s.fields) {
			s.found = append(s.found, append([]int(nil), s.counts...))
			ok = true
		}
	} else {
		grp := &s.groups[g]
		if grp.repeated {
			// Another instance, or none more.
			if s.match(i, g) {
				s.counts[g]++
				if s.walk(i+s.width(g), g) {
					ok = true
				}
				s.counts[g]--
			}
			if s.walk(i, g+1) {
				ok = true
			}
		} else if s.match(i, g) {
			s.counts[g] = 1
			ok = s.walk(i+s.width(g), g+1)
			s.counts[g] = 0
		}
	}
	s.seen[key], s.dead[key] = true, !ok
	return ok
}

// labels lists the label of each instance of group g in split counts.
func (s *dhSplit) labels(counts []int, g int) []string {
	i := 0
	for x := 0; x < g; x++ {
		i += counts[x] * s.width(x)
	}
	var out []string
	for r := 0; r < counts[g]; r++ {
		out = append(out, string(s.fields[i]))
		i += s.width(g)
	}
	return out
}

// consistent: repeated groups with the same label column list the same
// labels (net-dev and net-edev, the interfaces).
func (s *dhSplit) consistent(counts []int) bool {
	first := map[string][]string{}
	for g := range s.groups {
		grp := &s.groups[g]
		if !grp.repeated || grp.label == "" {
			continue
		}
		l := s.labels(counts, g)
		if prev, ok := first[grp.label]; ok {
			if strings.Join(prev, "\x00") != strings.Join(l, "\x00") {
				return false
			}
			continue
		}
		first[grp.label] = l
	}
	return true
}

// dhRow reads one sadf -dh row: vals are the fields after the timestamp.
func (p *CSVParser) dhRow(t time.Time, vals [][]byte, interval int64) (lineKind, int, error) {
	s := &p.split
	s.groups, s.fields, s.limit = p.hgroups, vals, 16
	// CPU* stands for as many columns as the CPU group lists CPUs; with no
	// CPU group, as many %.2f fields as follow the first interrupt name.
	s.k = 1
	cpus := p.dhCPUs(vals)
	if cpus != nil {
		s.k = len(cpus)
	} else {
		for g := range s.groups {
			if s.groups[g].wildcard {
				s.k = 0
			}
		}
		if s.k == 0 {
			return structure, 0, parse.Errorf(parse.ErrSyntax, "a sadf -dh row with interrupts (CPU*) but no CPU utilisation: nothing says which CPUs the interrupt columns are; print it with -u and the same -P, or use sadf -d or -j")
		}
	}
	n := (len(vals) + 1) * (len(s.groups) + 1)
	s.dead = resize(s.dead, n)
	s.seen = resize(s.seen, n)
	s.counts = make([]int, len(s.groups))
	s.found = s.found[:0]
	s.walk(0, 0)
	var keep [][]int
	for _, c := range s.found {
		if s.consistent(c) {
			keep = append(keep, c)
		}
	}
	switch {
	case len(s.found) == 0:
		return structure, 0, parse.Errorf(parse.ErrSyntax, "%d fields that do not split into the sadf -dh header's activities", len(vals))
	case len(keep) != 1:
		return structure, 0, parse.Errorf(parse.ErrSyntax, "%d fields that split into the sadf -dh header's activities in %d ways (the header does not say how many devices each has): print it with sadf -d or -j", len(vals), max(len(keep), len(s.found)))
	}
	counts := keep[0]
	i := 0
	kind := structure
	for g := range s.groups {
		grp := &s.groups[g]
		w := s.width(g)
		for r := 0; r < counts[g]; r++ {
			f := vals[i : i+w]
			var k lineKind
			var err error
			var field int
			switch {
			case grp.power != powerNone:
				p.power = grp.power
				k, field, err = p.powerRow(t, f, interval)
				p.power = powerNone
			default:
				b := grp.block
				if grp.wildcard {
					b = p.intrBlock(grp.names[0], cpus)
				}
				var skip bool
				skip, err = p.Sink.Row(b, t, f, interval == 0)
				if fe, ok := err.(*sar.FieldError); ok {
					field, err = fe.Field, fe.Err
				}
				k = data
				if skip {
					k = skipped
				}
			}
			if err != nil {
				return structure, i + field, err
			}
			if k == data || kind == structure {
				kind = k
			}
			i += w
		}
	}
	return kind, 0, nil
}

func resize(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// dhCPUs lists the CPUs of the row's CPU utilisation group (its first one),
// nil without one: sadf -dh's CPU* columns are those CPUs.
func (p *CSVParser) dhCPUs(vals [][]byte) []string {
	i := 0
	for g := range p.hgroups {
		grp := &p.hgroups[g]
		if grp.block != nil && grp.block.Kind == sar.CPU {
			w := len(grp.classes)
			var out []string
			for ; i+w <= len(vals) && fits(cCPU, vals[i]); i += w {
				out = append(out, string(vals[i]))
			}
			return out
		}
		if grp.repeated || grp.wildcard {
			return nil // the CPU group's place is unknown past a repeated group
		}
		i += len(grp.classes)
	}
	return nil
}

// intrBlock is the interrupt block whose CPU* columns are the CPUs listed
// ("-1" or "all" is all, n is CPUn), as sar -I prints them.
func (p *CSVParser) intrBlock(first string, cpus []string) *sar.Block {
	names := []string{first}
	for _, c := range cpus {
		if c == "-1" || c == "all" {
			names = append(names, "all")
		} else {
			names = append(names, "CPU"+c)
		}
	}
	key := strings.Join(names, ";")
	if b, ok := p.intrBlocks[key]; ok {
		return b
	}
	b := sar.Resolve(names)
	if p.intrBlocks == nil {
		p.intrBlocks = map[string]*sar.Block{}
	}
	if len(p.intrBlocks) < 1<<10 {
		p.intrBlocks[key] = b
	}
	return b
}
