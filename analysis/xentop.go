package analysis

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// xentopRow is one xentop_domain row as the analyses read it (times in
// µs, as stored).
type xentopRow struct {
	t, cpu, mem, tx, rx, rs, ws float64
	rsOK, wsOK                  bool
}

var xentopColumns = []string{"host", "time", "name", "domain", "role", "cpu_pct", "mem_k",
	"nettx_k", "netrx_k", "vbd_rsect", "vbd_wsect"}

type seriesKey struct{ host, name string }

// series is what one (host, name as printed) series of xentop frames
// keeps while its rows go by in time order: its first and last rows and
// CPU sum (the VM ranking), its rows of the last loadWindowS seconds (the
// load before a migration of the domain of that name), Domain-0's whole
// series (time, CPU) and a migrating name's rows. Memory follows the
// largest of those, not the host.
type series struct {
	seriesKey
	domain, role string // of its first row
	n            int64
	first, last  xentopRow
	cpuSum       float64     // CPU(%) of every row but the first (always 0)
	recent       []xentopRow // rows of the last loadWindowS s, and the one before them (or the series' first)
	dom0         [][2]float64
	suffixed     []suffixedRow
}

func (s *series) migrating() bool { return s.role != "none" && s.role != "" }

// suffixedRow is a row of a migrating name (--incoming, --migratedaway),
// with what the domain's own series showed before it.
type suffixedRow struct {
	t, cpu, mem float64
	role        string
	before      before
}

// before is what a domain's series shows before a time: its last frame's
// memory and its load over the window before (loadBefore).
type before struct {
	mem    float64
	memOK  bool
	load   Load
	loadOK bool
}

// xentopBuilder takes one host's xentop_domain rows in time order (ties
// in the order read) and keeps what Migrations and VMs need.
type xentopBuilder struct {
	series     map[seriesKey]*series
	last       float64
	started    bool
	disordered bool // a row came earlier than the one before
}

func newXentopBuilder() *xentopBuilder { return &xentopBuilder{series: map[seriesKey]*series{}} }

func (b *xentopBuilder) add(host, name, domain, role string, r xentopRow) {
	if b.started && r.t < b.last {
		b.disordered = true
		return
	}
	b.last, b.started = r.t, true
	k := seriesKey{host, name}
	s := b.series[k]
	if s == nil {
		s = &series{seriesKey: k, domain: domain, role: role, first: r}
		b.series[k] = s
	} else {
		s.cpuSum += r.cpu
	}
	s.n++
	s.last = r
	if s.domain == "Domain-0" || name == "Domain-0" {
		s.dom0 = append(s.dom0, [2]float64{r.t, r.cpu})
	}
	if s.migrating() {
		sr := suffixedRow{t: r.t, cpu: r.cpu, mem: r.mem, role: s.role}
		if p := b.series[seriesKey{host, s.domain}]; p != nil {
			sr.before = loadBefore(p.recent, r.t/1e6, loadWindowS)
		}
		s.suffixed = append(s.suffixed, sr)
	}
	// keep the last loadWindowS seconds and the row before them: rows
	// older than that are before any window a later row can start
	s.recent = append(s.recent, r)
	lim := r.t/1e6 - loadWindowS
	k0 := 0
	for k0+1 < len(s.recent) && s.recent[k0+1].t/1e6 < lim {
		k0++
	}
	s.recent = s.recent[k0:]
}

// sorted is the builder's series in (host, name) order.
func (b *xentopBuilder) sorted() []*series {
	out := make([]*series, 0, len(b.series))
	for _, s := range b.series {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].host != out[j].host {
			return out[i].host < out[j].host
		}
		return out[i].name < out[j].name
	})
	return out
}

// Migrations finds live migrations in the lake's xentop_domain table: a
// domain shown with a --incoming or --migratedaway suffix is migrating. Its
// window runs from the first to the last frame with a suffixed name (one
// window per gap of more than 10 frame intervals, so repeated migrations of
// a domain stay apart). Domain-0's CPU is the migration's cost on the host:
// its peak in the window, its base (median of the 10 frames before) and the
// settle time until it is back within max(5, 10 % of base) points. The two
// sides of a migration between two hosts of the lake are one row
// (PairMigrations).
func Migrations(lake string) ([]schema.Migration, error) {
	var out []schema.Migration
	err := EachXentop(lake, func(x *Xentop) error {
		out = append(out, x.Migrations()...)
		return nil
	})
	return PairMigrations(out), err
}

// Xentop is what Migrations and VMs need of (part of) a lake's
// xentop_domain table, read once for both (each of the functions of those
// names reads it again).
type Xentop struct {
	wins  []*window // by host, domain, start
	vms   []*series // guests, by host and name
	class ClassConfig
}

// window is one migration of a domain on a host.
type window struct {
	host, domain           string
	start, end             float64 // s
	interval               float64 // the host's frame interval, s
	roles                  map[string]bool
	peak                   float64
	peakOK                 bool
	mem                    float64 // largest MEM(k) of the --incoming rows
	memOK                  bool
	before                 before
	dom0                   bool // the host has a Domain-0 series
	base, dom0Peak, settle *float64
}

// SetClassConfig sets the workload-class thresholds Migrations and VMs use
// (the zero value: the documented defaults).
func (x *Xentop) SetClassConfig(c ClassConfig) { x.class = c }

// EachXentop reads the lake's xentop_domain table one host= partition at
// a time, in host order, and calls fn with each: migrations and VM
// rankings are per host, so fn's results, appended in turn, are those of
// the whole table. A host's rows stream through, a row group at a time,
// and each series (host, name as printed) keeps only what the analyses
// need (see series): memory follows the largest of those, Domain-0's
// series, not the host. Rows of a host that do not come in time order
// (files of two captures that overlap in time) are read whole and sorted
// instead, as all were before. A table with files outside host=
// partitions is read as one host, in one call.
func EachXentop(lake string, fn func(*Xentop) error) error {
	dir := filepath.Join(lake, "table=xentop_domain")
	return eachHostFiles(dir, func(files []string) error {
		b, err := streamXentop(dir, files)
		if err != nil {
			return err
		}
		if b.disordered {
			if b, err = sortedXentop(dir, files); err != nil {
				return err
			}
		}
		return fn(b.xentop())
	})
}

// streamXentop feeds one host's files to a builder, row group by row
// group, stopping at the first row out of time order.
func streamXentop(dir string, files []string) (*xentopBuilder, error) {
	b := newXentopBuilder()
	it := table.RowGroups(dir, files, xentopColumns)
	defer it.Close()
	for it.Next() && !b.disordered {
		c, err := xentopCols(it.Columns())
		if err != nil {
			return nil, err
		}
		for i := range it.Columns().Rows {
			b.add(c.host[i], c.name[i], c.domain[i], c.role[i], c.row(i))
		}
	}
	return b, it.Err()
}

// sortedXentop reads one host's files whole and feeds their rows to a
// builder in time order (stable: ties in the order read).
func sortedXentop(dir string, files []string) (*xentopBuilder, error) {
	t, err := table.ReadFiles(dir, files, xentopColumns)
	if err != nil {
		return nil, err
	}
	c, err := xentopCols(t)
	if err != nil {
		return nil, err
	}
	idx := make([]int, t.Rows)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.time[idx[a]] < c.time[idx[b]] })
	b := newXentopBuilder()
	for _, i := range idx {
		b.add(c.host[i], c.name[i], c.domain[i], c.role[i], c.row(i))
	}
	return b, nil
}

// xentopColumns' values in a read table.
type xentopCol struct {
	host, name, domain, role       []string
	time, cpu, mem, tx, rx, rs, ws []float64
	rsOK, wsOK                     []bool
}

func xentopCols(t *table.Columns) (*xentopCol, error) {
	c := &xentopCol{}
	err := readCols(t, []strCol{{"host", &c.host}, {"name", &c.name}, {"domain", &c.domain}, {"role", &c.role}},
		[]floatCol{{"time", &c.time, nil}, {"cpu_pct", &c.cpu, nil}, {"mem_k", &c.mem, nil}, {"nettx_k", &c.tx, nil},
			{"netrx_k", &c.rx, nil}, {"vbd_rsect", &c.rs, &c.rsOK}, {"vbd_wsect", &c.ws, &c.wsOK}})
	return c, err
}

// strCol and floatCol name a column of a read table and where its values
// (and, for numbers, their validity) go.
type strCol struct {
	name string
	dst  *[]string
}

type floatCol struct {
	name string
	dst  *[]float64
	ok   *[]bool
}

// readCols points each of strs and floats at its column of t.
func readCols(t *table.Columns, strs []strCol, floats []floatCol) error {
	for _, c := range strs {
		v, _, err := t.Strings(c.name)
		if err != nil {
			return err
		}
		*c.dst = v
	}
	for _, c := range floats {
		v, ok, err := t.Floats(c.name)
		if err != nil {
			return err
		}
		*c.dst = v
		if c.ok != nil {
			*c.ok = ok
		}
	}
	return nil
}

func (c *xentopCol) row(i int) xentopRow {
	return xentopRow{t: c.time[i], cpu: c.cpu[i], mem: c.mem[i], tx: c.tx[i], rx: c.rx[i], rs: c.rs[i], ws: c.ws[i],
		rsOK: c.rsOK[i], wsOK: c.wsOK[i]}
}

// xentop turns what the builder kept into the host's migration windows and
// guests.
func (b *xentopBuilder) xentop() *Xentop {
	x := &Xentop{}
	all := b.sorted()
	interval := map[string]float64{} // per host: median frame gap
	dom0 := map[string]*series{}
	type key struct{ host, domain string }
	var keys []key
	rowsOf := map[key][]suffixedRow{}
	for _, s := range all {
		if s.domain == "Domain-0" {
			var gaps []float64
			for j := 1; j < len(s.dom0); j++ {
				gaps = append(gaps, s.dom0[j][0]-s.dom0[j-1][0])
			}
			interval[s.host] = median(gaps) / 1e6
		}
		if s.name == "Domain-0" {
			dom0[s.host] = s
		}
		if s.domain != "Domain-0" && !s.migrating() && s.n > 0 {
			x.vms = append(x.vms, s)
		}
		// The suffixed rows of each (host, domain), both roles, in time
		// order (stable: series order breaks ties).
		if s.migrating() {
			k := key{s.host, s.domain}
			if _, ok := rowsOf[k]; !ok {
				keys = append(keys, k)
			}
			rowsOf[k] = append(rowsOf[k], s.suffixed...)
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].host != keys[b].host {
			return keys[a].host < keys[b].host
		}
		return keys[a].domain < keys[b].domain
	})
	// A window grows while the next row is within 10 frame intervals of
	// its end; one pass per key.
	for _, k := range keys {
		rs := rowsOf[k]
		sort.SliceStable(rs, func(a, b int) bool { return rs[a].t < rs[b].t })
		gap := 10 * interval[k.host]
		var ws []*window
		for _, r := range rs {
			ts := r.t / 1e6
			var w *window
			if n := len(ws); n > 0 && ts <= ws[n-1].end+gap {
				w = ws[n-1]
			} else {
				w = &window{host: k.host, domain: k.domain, start: ts, end: ts, interval: interval[k.host],
					roles: map[string]bool{}, before: r.before}
				ws = append(ws, w)
			}
			w.end = math.Max(w.end, ts)
			w.roles[r.role] = true
			if r.role == "incoming" && (!w.memOK || r.mem > w.mem) {
				w.mem, w.memOK = r.mem, true
			}
			if !w.peakOK || r.cpu > w.peak {
				w.peak, w.peakOK = r.cpu, true
			}
		}
		for _, w := range ws {
			if d := dom0[k.host]; d != nil {
				w.dom0 = true
				w.base, w.dom0Peak, w.settle = dom0Effect(d.dom0, w.start, w.end)
			}
		}
		x.wins = append(x.wins, ws...)
	}
	return x
}

// Migrations is Migrations of the table read.
func (x *Xentop) Migrations() []schema.Migration {
	var out []schema.Migration
	for _, w := range x.wins {
		m := schema.Migration{Host: w.host, Domain: w.domain, Time: micros(w.start * 1e6), End: micros(w.end * 1e6),
			DurationS: w.end - w.start + w.interval}
		switch {
		case w.roles["incoming"] && w.roles["migratedaway"]:
			m.Roles = "both"
		case w.roles["incoming"]:
			m.Roles = "incoming"
		default:
			m.Roles = "migratedaway"
		}
		if w.peakOK {
			p := w.peak
			m.DomainCPUPeak = &p
		}
		// the last frame of the domain's own series before the window
		if w.before.memOK {
			m.MemK = int64(w.before.mem)
			m.MemMiB = ptr(w.before.mem / 1024)
		}
		if m.MemMiB == nil && w.memOK {
			m.MemMiB = ptr(w.mem / 1024)
		}
		m.Class, m.ClassBasis = "unknown", "no frame of the domain in the minute before the migration on this host (the receiving side: its load was on the sender)"
		if w.before.loadOK {
			l := w.before.load
			m.CPUBefore, m.DiskBefore, m.NetBefore = ptr(*l.CPUs*100), l.DiskMBps, l.NetMBps
			m.Class, m.ClassBasis = Classify(l, x.class)
		}
		if w.dom0 {
			m.Dom0CPUBase, m.Dom0CPUPeak, m.Dom0SettleS = w.base, w.dom0Peak, w.settle
		}
		out = append(out, m)
	}
	return out
}

// dom0Effect measures Domain-0's CPU around a migration window [start, end]
// (seconds) in its series (time µs, CPU(%)): base = median of the 10 frames
// before, peak within, and the time after end until CPU(%) ≤ base +
// max(5, 0.1·base).
func dom0Effect(s [][2]float64, start, end float64) (base, peak, settle *float64) {
	i0 := sort.Search(len(s), func(j int) bool { return s[j][0]/1e6 >= start })
	i1 := sort.Search(len(s), func(j int) bool { return s[j][0]/1e6 > end })
	var pk float64
	pkOK := false
	for _, r := range s[i0:i1] {
		if !pkOK || r[1] > pk {
			pk, pkOK = r[1], true
		}
	}
	if pkOK {
		peak = &pk
	}
	if i0 == 0 {
		return nil, peak, nil
	}
	var prior []float64
	for _, r := range s[max(0, i0-10):i0] {
		prior = append(prior, r[1])
	}
	b := median(prior)
	base = &b
	limit := b + math.Max(5, 0.1*b)
	for _, r := range s[i1:] {
		if r[1] <= limit {
			st := r[0]/1e6 - end
			settle = &st
			break
		}
	}
	return base, peak, settle
}

// VMConfig sets the assumptions of the which-VM-to-migrate ranking.
// The zero value means the documented defaults.
type VMConfig struct {
	Policy       string  // replay stop rule; default xen-legacy (xentop hosts run Xen)
	Bandwidth    float64 // bytes/s; default 125e6 (1 Gbit/s)
	DirtyPerCPU  float64 // page writes/s of one fully busy vCPU; default 5000
	WorkingSet   float64 // share of RAM a busy guest writes; default 0.9 (SimGrid)
	IdleCPUPct   float64 // below this mean CPU(%) (and the I/O limits) a guest is idle; default 5
	IdleDiskMBps float64 // default 1
	IdleNetMBps  float64 // default 1
}

func (c VMConfig) withDefaults() VMConfig {
	def := defaultTo
	if c.Policy == "" {
		c.Policy = "xen-legacy"
	}
	def(&c.Bandwidth, 125e6)
	def(&c.DirtyPerCPU, 5000)
	def(&c.WorkingSet, 0.9)
	def(&c.IdleCPUPct, 5)
	def(&c.IdleDiskMBps, 1)
	def(&c.IdleNetMBps, 1)
	return c
}

// VMs classifies every guest of the lake's xentop_domain table (Domain-0
// and suffixed migration rows excluded) by its dominant load and ranks the
// guests of each host by predicted migration cost: the replay engine's
// analytic path with the guest's memory, a CPU-coupled dirty rate
// (CPU(%)/100 × DirtyPerCPU, SimGrid's coupling) and the policy's stop rule.
// Rank 1 is the cheapest guest to move: converging guests first, then by
// predicted total time.
func VMs(lake string, cfg VMConfig) ([]schema.VMCandidate, error) {
	var out []schema.VMCandidate
	err := EachXentop(lake, func(x *Xentop) error {
		v, err := x.VMs(cfg)
		out = append(out, v...)
		return err
	})
	return out, err
}

// VMs is VMs of the table read.
func (x *Xentop) VMs(cfg VMConfig) ([]schema.VMCandidate, error) {
	cfg = cfg.withDefaults()
	pol, err := replay.ParsePolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	var out []schema.VMCandidate
	for _, s := range x.vms {
		first, last := s.first, s.last
		v := schema.VMCandidate{Host: s.host, Domain: s.name, Time: micros(last.t),
			Frames: s.n, MemK: int64(last.mem)}
		if s.n > 1 { // the first frame's CPU(%) is always 0
			v.CPUPct = s.cpuSum / float64(s.n-1)
		}
		disk := first.rsOK && last.rsOK && first.wsOK && last.wsOK
		if span := (last.t - first.t) / 1e6; span > 0 {
			v.NetMBps = counterRate(first.tx+first.rx, last.tx+last.rx) * 1024 / 1e6 / span
			if disk {
				v.DiskMBps = counterRate(first.rs+first.ws, last.rs+last.ws) * 512 / 1e6 / span
			}
		}
		l := Load{CPUs: ptr(v.CPUPct / 100), NetMBps: ptr(v.NetMBps)}
		if disk {
			l.DiskMBps = ptr(v.DiskMBps)
		}
		v.Class, _ = Classify(l, ClassConfig{IdleCPUs: cfg.IdleCPUPct / 100, IdleDiskMBps: cfg.IdleDiskMBps, IdleNetMBps: cfg.IdleNetMBps})
		v.DirtyRate = v.CPUPct / 100 * cfg.DirtyPerCPU
		res, err := replay.Analytic(replay.Config{
			Memory: v.MemK * 1024, Bandwidth: cfg.Bandwidth, Policy: pol,
			DirtyModel: replay.CPU{Rate: cfg.DirtyPerCPU, Usage: math.Max(v.CPUPct/100, 1e-3), WorkingSet: cfg.WorkingSet},
		})
		if err != nil {
			return nil, fmt.Errorf("predict %s on %s: %w", s.name, s.host, err)
		}
		v.PredTotalS, v.PredDowntimeS, v.PredBytes, v.Converges = res.TotalTime, res.Downtime, res.Bytes, res.Converged
		out = append(out, v)
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Host != y.Host {
			return x.Host < y.Host
		}
		if x.Converges != y.Converges {
			return x.Converges
		}
		if x.PredTotalS != y.PredTotalS {
			return x.PredTotalS < y.PredTotalS
		}
		return x.Domain < y.Domain
	})
	for i := range out {
		if i == 0 || out[i].Host != out[i-1].Host {
			out[i].Rank = 1
		} else {
			out[i].Rank = out[i-1].Rank + 1
		}
	}
	return out, nil
}

// counterRate is the increase of a counter from a to b, 0 if it went
// backwards (a restart or a wrap the float view cannot undo).
func counterRate(a, b float64) float64 {
	if b < a {
		return 0
	}
	return b - a
}

func ptr[T any](v T) *T { return &v }

// loadWindowS is how far back before a migration the guest's load is read
// for its class.
const loadWindowS = 60

// loadBefore is what a domain's rows (time order; rows[0] excluded from
// the CPU mean when it is the series' first row, whose CPU(%) is always 0,
// or else older than the window) show before start (seconds): the last
// row's memory, and the load over the rows in [start − window, start):
// mean CPU over those rows, and disk and network throughput from the
// counters' increase between the first and the last of them (each known
// only when both ends are). The load is known when at least two rows
// fall in the window.
func loadBefore(rows []xentopRow, start, window float64) before {
	var b before
	i0 := sort.Search(len(rows), func(j int) bool { return rows[j].t/1e6 >= start-window })
	i1 := sort.Search(len(rows), func(j int) bool { return rows[j].t/1e6 >= start })
	if i1 > 0 {
		b.mem, b.memOK = rows[i1-1].mem, true
	}
	if i1-i0 < 2 {
		return b
	}
	var cpu float64
	n := 0
	for j := max(i0, 1); j < i1; j++ {
		cpu += rows[j].cpu
		n++
	}
	if n == 0 {
		return b
	}
	x, y := rows[i0], rows[i1-1]
	span := (y.t - x.t) / 1e6
	l := Load{CPUs: ptr(cpu / float64(n) / 100)}
	if span > 0 {
		l.NetMBps = ptr(counterRate(x.tx+x.rx, y.tx+y.rx) * 1024 / 1e6 / span)
		if x.rsOK && y.rsOK && x.wsOK && y.wsOK {
			l.DiskMBps = ptr(counterRate(x.rs+x.ws, y.rs+y.ws) * 512 / 1e6 / span)
		}
	}
	b.load, b.loadOK = l, true
	return b
}
