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

// domainSeries is one (host, domain name as printed) series of xentop
// frames, in time order.
type domainSeries struct {
	host, name, domain, role string
	rows                     []int
}

type xentopData struct {
	t                              *table.Columns
	host, name, domain, role       []string
	time, cpu, mem, tx, rx, rs, ws []float64
	rsOK, wsOK                     []bool
	series                         []*domainSeries
}

var xentopColumns = []string{"host", "time", "name", "domain", "role", "cpu_pct", "mem_k",
	"nettx_k", "netrx_k", "vbd_rsect", "vbd_wsect"}

// newXentopData indexes a read xentop_domain table by series.
func newXentopData(t *table.Columns) (*xentopData, error) {
	var err error
	d := &xentopData{t: t}
	for _, c := range []struct {
		name string
		dst  *[]string
	}{{"host", &d.host}, {"name", &d.name}, {"domain", &d.domain}, {"role", &d.role}} {
		if *c.dst, _, err = t.Strings(c.name); err != nil {
			return nil, err
		}
	}
	for _, c := range []struct {
		name string
		dst  *[]float64
		ok   *[]bool
	}{{"time", &d.time, nil}, {"cpu_pct", &d.cpu, nil}, {"mem_k", &d.mem, nil}, {"nettx_k", &d.tx, nil},
		{"netrx_k", &d.rx, nil}, {"vbd_rsect", &d.rs, &d.rsOK}, {"vbd_wsect", &d.ws, &d.wsOK}} {
		v, ok, err := t.Floats(c.name)
		if err != nil {
			return nil, err
		}
		*c.dst = v
		if c.ok != nil {
			*c.ok = ok
		}
	}
	byKey := map[[2]string]*domainSeries{}
	for i := 0; i < t.Rows; i++ {
		k := [2]string{d.host[i], d.name[i]}
		s := byKey[k]
		if s == nil {
			s = &domainSeries{host: d.host[i], name: d.name[i], domain: d.domain[i], role: d.role[i]}
			byKey[k] = s
			d.series = append(d.series, s)
		}
		s.rows = append(s.rows, i)
	}
	for _, s := range d.series {
		sort.SliceStable(s.rows, func(a, b int) bool { return d.time[s.rows[a]] < d.time[s.rows[b]] })
	}
	sort.Slice(d.series, func(a, b int) bool {
		if d.series[a].host != d.series[b].host {
			return d.series[a].host < d.series[b].host
		}
		return d.series[a].name < d.series[b].name
	})
	return d, nil
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

// Xentop is (part of) a lake's xentop_domain table read once, for
// Migrations and VMs on the same data (each of the functions of those names
// reads it again).
type Xentop struct {
	d     *xentopData
	class ClassConfig
}

// SetClassConfig sets the workload-class thresholds Migrations and VMs use
// (the zero value: the documented defaults).
func (x *Xentop) SetClassConfig(c ClassConfig) { x.class = c }

// EachXentop reads the lake's xentop_domain table one host= partition at
// a time, in host order, and calls fn with each: migrations and VM
// rankings are per host, so fn's results, appended in turn, are those of
// the whole table, while memory follows the largest host, not the lake.
// A table with files outside host= partitions is read whole, in one call.
func EachXentop(lake string, fn func(*Xentop) error) error {
	return eachHost(filepath.Join(lake, "table=xentop_domain"), xentopColumns, func(t *table.Columns) error {
		d, err := newXentopData(t)
		if err != nil {
			return err
		}
		return fn(&Xentop{d: d})
	})
}

// Migrations is Migrations of the table read.
func (x *Xentop) Migrations() []schema.Migration {
	d := x.d
	type key struct{ host, domain string }
	type window struct {
		start, end float64
		roles      map[string]bool
		peak       float64
		peakOK     bool
		mem        float64 // largest MEM(k) of the --incoming rows
		memOK      bool
	}
	wins := map[key][]*window{}
	var keys []key
	interval := map[string]float64{} // per host: median frame gap
	for _, s := range d.series {
		if s.domain == "Domain-0" {
			var gaps []float64
			for j := 1; j < len(s.rows); j++ {
				gaps = append(gaps, d.time[s.rows[j]]-d.time[s.rows[j-1]])
			}
			interval[s.host] = median(gaps) / 1e6
		}
	}
	// The suffixed rows of each (host, domain), both roles, in time order
	// (stable: series order breaks ties); a window grows while the next
	// row is within 10 frame intervals of its end. One pass per key.
	type suffixed struct {
		row  int
		role string
	}
	rowsOf := map[key][]suffixed{}
	for _, s := range d.series {
		if s.role == "none" || s.role == "" {
			continue
		}
		k := key{s.host, s.domain}
		if _, ok := rowsOf[k]; !ok {
			keys = append(keys, k)
		}
		for _, i := range s.rows {
			rowsOf[k] = append(rowsOf[k], suffixed{i, s.role})
		}
	}
	for _, k := range keys {
		rs := rowsOf[k]
		sort.SliceStable(rs, func(a, b int) bool { return d.time[rs[a].row] < d.time[rs[b].row] })
		gap := 10 * interval[k.host]
		var ws []*window
		for _, r := range rs {
			ts := d.time[r.row] / 1e6
			var w *window
			if n := len(ws); n > 0 && ts <= ws[n-1].end+gap {
				w = ws[n-1]
			} else {
				w = &window{start: ts, end: ts, roles: map[string]bool{}}
				ws = append(ws, w)
			}
			w.end = math.Max(w.end, ts)
			w.roles[r.role] = true
			if r.role == "incoming" && (!w.memOK || d.mem[r.row] > w.mem) {
				w.mem, w.memOK = d.mem[r.row], true
			}
			if !w.peakOK || d.cpu[r.row] > w.peak {
				w.peak, w.peakOK = d.cpu[r.row], true
			}
		}
		wins[k] = ws
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].host != keys[b].host {
			return keys[a].host < keys[b].host
		}
		return keys[a].domain < keys[b].domain
	})
	seriesOf := func(host, name string) *domainSeries {
		for _, s := range d.series {
			if s.host == host && s.name == name {
				return s
			}
		}
		return nil
	}
	var out []schema.Migration
	for _, k := range keys {
		ws := wins[k]
		sort.Slice(ws, func(a, b int) bool { return ws[a].start < ws[b].start })
		dom0 := seriesOf(k.host, "Domain-0")
		plain := seriesOf(k.host, k.domain)
		for _, w := range ws {
			m := schema.Migration{Host: k.host, Domain: k.domain, Time: micros(w.start * 1e6), End: micros(w.end * 1e6),
				DurationS: w.end - w.start + interval[k.host]}
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
			if plain != nil {
				// the last frame before the window
				if j := plain.firstAt(d, w.start); j > 0 {
					m.MemK = int64(d.mem[plain.rows[j-1]])
					m.MemMiB = ptr(d.mem[plain.rows[j-1]] / 1024)
				}
			}
			if m.MemMiB == nil && w.memOK {
				m.MemMiB = ptr(w.mem / 1024)
			}
			m.Class, m.ClassBasis = "unknown", "no frame of the domain in the minute before the migration on this host (the receiving side: its load was on the sender)"
			if plain != nil {
				if l, ok := loadBefore(d, plain, w.start, loadWindowS); ok {
					m.CPUBefore, m.DiskBefore, m.NetBefore = ptr(*l.CPUs*100), l.DiskMBps, l.NetMBps
					m.Class, m.ClassBasis = Classify(l, x.class)
				}
			}
			if dom0 != nil {
				m.Dom0CPUBase, m.Dom0CPUPeak, m.Dom0SettleS = dom0Effect(d, dom0, w.start, w.end)
			}
			out = append(out, m)
		}
	}
	return out
}

// dom0Effect measures Domain-0's CPU around a migration window [start, end]
// (seconds): base = median of the 10 frames before, peak within, and the
// time after end until CPU(%) ≤ base + max(5, 0.1·base).
func dom0Effect(d *xentopData, s *domainSeries, start, end float64) (base, peak, settle *float64) {
	i0, i1 := s.firstAt(d, start), s.firstAfter(d, end)
	var pk float64
	pkOK := false
	for _, i := range s.rows[i0:i1] {
		if !pkOK || d.cpu[i] > pk {
			pk, pkOK = d.cpu[i], true
		}
	}
	if pkOK {
		peak = &pk
	}
	if i0 == 0 {
		return nil, peak, nil
	}
	var before []float64
	for _, i := range s.rows[max(0, i0-10):i0] {
		before = append(before, d.cpu[i])
	}
	b := median(before)
	base = &b
	limit := b + math.Max(5, 0.1*b)
	for _, i := range s.rows[i1:] {
		if d.cpu[i] <= limit {
			st := d.time[i]/1e6 - end
			settle = &st
			break
		}
	}
	return base, peak, settle
}

// firstAt is the index in s.rows of the first frame at or after t
// (seconds); firstAfter of the first frame after t. The rows are in time
// order.
func (s *domainSeries) firstAt(d *xentopData, t float64) int {
	return sort.Search(len(s.rows), func(j int) bool { return d.time[s.rows[j]]/1e6 >= t })
}

func (s *domainSeries) firstAfter(d *xentopData, t float64) int {
	return sort.Search(len(s.rows), func(j int) bool { return d.time[s.rows[j]]/1e6 > t })
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
	d := x.d
	cfg = cfg.withDefaults()
	pol, err := replay.ParsePolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	var out []schema.VMCandidate
	for _, s := range d.series {
		if s.domain == "Domain-0" || (s.role != "none" && s.role != "") || len(s.rows) == 0 {
			continue
		}
		first, last := s.rows[0], s.rows[len(s.rows)-1]
		v := schema.VMCandidate{Host: s.host, Domain: s.name, Time: micros(d.time[last]),
			Frames: int64(len(s.rows)), MemK: int64(d.mem[last])}
		var cpu float64
		for _, i := range s.rows[1:] { // the first frame's CPU(%) is always 0
			cpu += d.cpu[i]
		}
		if len(s.rows) > 1 {
			v.CPUPct = cpu / float64(len(s.rows)-1)
		}
		if span := (d.time[last] - d.time[first]) / 1e6; span > 0 {
			v.NetMBps = counterRate(d.tx[first]+d.rx[first], d.tx[last]+d.rx[last]) * 1024 / 1e6 / span
			if d.rsOK[first] && d.rsOK[last] && d.wsOK[first] && d.wsOK[last] {
				v.DiskMBps = counterRate(d.rs[first]+d.ws[first], d.rs[last]+d.ws[last]) * 512 / 1e6 / span
			}
		}
		l := Load{CPUs: ptr(v.CPUPct / 100), NetMBps: ptr(v.NetMBps)}
		if d.rsOK[first] && d.rsOK[last] && d.wsOK[first] && d.wsOK[last] {
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

// loadBefore is the load of series s over the frames in [start − window,
// start): mean CPU over those frames (the series' first frame excluded: its
// CPU(%) is always 0), and disk and network throughput from the counters'
// increase between the first and the last of them (each known only when
// both ends are). ok false when fewer than two frames fall in the window.
func loadBefore(d *xentopData, s *domainSeries, start, window float64) (Load, bool) {
	i0, i1 := s.firstAt(d, start-window), s.firstAt(d, start)
	if i1-i0 < 2 {
		return Load{}, false
	}
	var cpu float64
	n := 0
	for j := max(i0, 1); j < i1; j++ {
		cpu += d.cpu[s.rows[j]]
		n++
	}
	if n == 0 {
		return Load{}, false
	}
	a, b := s.rows[i0], s.rows[i1-1]
	span := (d.time[b] - d.time[a]) / 1e6
	l := Load{CPUs: ptr(cpu / float64(n) / 100)}
	if span > 0 {
		l.NetMBps = ptr(counterRate(d.tx[a]+d.rx[a], d.tx[b]+d.rx[b]) * 1024 / 1e6 / span)
		if d.rsOK[a] && d.rsOK[b] && d.wsOK[a] && d.wsOK[b] {
			l.DiskMBps = ptr(counterRate(d.rs[a]+d.ws[a], d.rs[b]+d.ws[b]) * 512 / 1e6 / span)
		}
	}
	return l, true
}
