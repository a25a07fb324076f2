package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/migreplay/migreplay/analysis/decide"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// DecideConfig sets the decision run. The zero value means the documented
// defaults: every registered policy with its paper's parameters, each
// host's CPUs from Domain-0's VCPUS, 1 Gbit/s NICs, IDC unknown, no host
// outside the lake.
type DecideConfig struct {
	Policies []string        // registered names; empty: all
	Override decide.Override // thresholds and k of n the user set
	// HostCPUs gives hosts' CPU counts by host name; the key "" applies to
	// every host not named.
	HostCPUs map[string]float64
	NICMbit  float64 // every host's NIC, Mbit/s (default 1000: seed 003's gigabit cluster, L480)
	// Traffic is the inter-domain traffic (ReadTraffic); nil: unknown.
	Traffic     decide.Traffic
	TrafficName string
	// DestHosts names hosts that can take guests besides the lake's own;
	// one not in the lake is taken as idle, of the source host's size.
	DestHosts []string
	VM        VMConfig // the migration-cost prediction (as analysis_vm)
}

// DecideResult is the decisions of every policy, and how many decision
// points each host had.
type DecideResult struct {
	Decisions []schema.Decision
	Points    map[string]int // host → decision points evaluated
	Policies  []string
}

// dframe is one xentop frame of one host, reduced to what policies read.
type dframe struct {
	t         float64 // µs
	migrating bool    // a domain has a --incoming/--migratedaway name
	busy      float64 // CPUs, every domain
	usedMem   int64
	doms      []decide.Domain // guests (Domain-0 excluded)
	cpuPct    []float64       // each guest's CPU(%), for the prediction
}

type dhost struct {
	name     string
	cpus     float64
	cpusFrom string
	memBytes int64
	src      *frameSource // its frames, in time order
	swap     []swapSample // sar -W, by time
}

type swapSample struct {
	t   float64 // µs
	out float64
}

var decideColumns = []string{"host", "time", "name", "domain", "role", "cpu_pct", "mem_k", "mem_pct", "maxmem_k",
	"vcpus", "nettx_k", "netrx_k"}

// Decide runs the migration policies at every decision point of every host
// in the lake's xentop_domain table: each frame but a host's first (no
// rates yet) and those where a domain is migrating (seed 003 L466: "the
// hotspot detector would not detect the loads of the machines that are
// involving VM migration"). The hosts' guests are the frame's domains
// besides Domain-0; their CPU is CPU(%)/100, their network NETTX+NETRX over
// the time since the previous frame, their memory MEM(k) and MAXMEM(k); the
// host's memory is MEM(k)/MEM(%) of its largest domain; its swap writes are
// sar -W's pswpout/s of the first sample at or after the decision point
// (within ten minutes) when the lake has sar of a host of that name. Other
// hosts are seen at their latest frame at or before the decision point, if
// it is at most ten minutes old (else they are not candidates then).
//
// The trace is a recording: the guest a policy chose was not moved. So a
// policy decides once per overload episode: after a migration it does not
// decide again on that host until the migration it chose would be over (its
// predicted total time) and the host has been out of overload at least once;
// memory grants are repeated at every decision point, as seed 003 does
// (L644).
func Decide(lake string, cfg DecideConfig) (*DecideResult, error) {
	names := cfg.Policies
	if len(names) == 0 {
		names = decide.Names()
	}
	type pol struct {
		name string
		p    decide.Policy
	}
	var pols []pol
	for _, n := range names {
		spec, err := decide.Lookup(n)
		if err != nil {
			return nil, err
		}
		p, err := spec.New(spec.Defaults.Apply(cfg.Override))
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", n, err)
		}
		pols = append(pols, pol{n, p})
	}
	nic := cfg.NICMbit
	if nic == 0 {
		nic = 1000
	}
	nicBps := nic * 1e6 / 8
	vm := cfg.VM.withDefaults()
	stop, err := replay.ParsePolicy(vm.Policy)
	if err != nil {
		return nil, err
	}
	hosts, err := decideHosts(filepath.Join(lake, "table=xentop_domain"), cfg.HostCPUs)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, h := range hosts {
			h.src.close()
		}
	}()
	for _, h := range hosts {
		if h.swap, err = readSwap(lake, h.name); err != nil {
			return nil, err
		}
	}
	res := &DecideResult{Points: map[string]int{}, Policies: names}
	idc := "unknown (taken as 0)"
	if cfg.Traffic != nil {
		idc = cfg.TrafficName
	}
	inLake := map[string]bool{}
	for _, h := range hosts {
		inLake[h.name] = true
	}
	// The hosts' frames go by in time order, every host's frames at the
	// same instant together; then each host that has a frame at that
	// instant decides, the others seen at their latest frame at or before
	// it. Memory follows a row group of each host, and each host's history.
	type state struct {
		cur, next *dframe
		frames    int // frames of the host so far
		holds     []hold
		hist      []decide.Sample
		decisions []schema.Decision
	}
	st := make([]*state, len(hosts))
	for i, h := range hosts {
		st[i] = &state{holds: make([]hold, len(pols))}
		if err := h.src.start(); err != nil {
			return nil, err
		}
		if st[i].next, err = h.src.next(); err != nil {
			return nil, err
		}
	}
	for {
		now, any := 0.0, false
		for _, x := range st {
			if x.next != nil && (!any || x.next.t < now) {
				now, any = x.next.t, true
			}
		}
		if !any {
			break
		}
		for i, x := range st {
			if x.next != nil && x.next.t == now {
				x.cur, x.frames = x.next, x.frames+1
				if x.next, err = hosts[i].src.next(); err != nil {
					return nil, err
				}
			}
		}
		for i, src := range hosts {
			x := st[i]
			f := x.cur
			if f == nil || f.t != now || x.frames == 1 || f.migrating {
				continue // no frame now; the host's first (no rates yet); a migration under way
			}
			res.Points[src.name]++
			sh := src.host(f, nicBps)
			sh.Swap = src.swapAt(f.t)
			for i := range sh.Domains {
				d := &sh.Domains[i]
				r, err := replay.Analytic(replay.Config{Memory: d.MemBytes, Bandwidth: vm.Bandwidth, Policy: stop,
					DirtyModel: replay.CPU{Rate: vm.DirtyPerCPU, Usage: math.Max(f.cpuPct[i]/100, 1e-3), WorkingSet: vm.WorkingSet}})
				if err == nil {
					d.PredTotalS, d.PredDowntimeS, d.PredOK = r.TotalTime, r.Downtime, true
				}
			}
			s := &decide.State{Time: micros(f.t), Source: sh, Traffic: cfg.Traffic}
			for j, o := range hosts {
				if of := st[j].cur; j != i && of != nil && f.t-of.t <= float64(sarWindow/time.Microsecond) {
					s.Others = append(s.Others, o.host(of, nicBps))
				}
			}
			for _, n := range cfg.DestHosts {
				if !inLake[n] && n != src.name {
					s.Others = append(s.Others, &decide.Host{Name: n, CPUs: sh.CPUs, MemBytes: sh.MemBytes, NICBps: sh.NICBps, Assumed: true})
				}
			}
			x.hist = append(x.hist, decide.Sample{Time: s.Time, CPU: sh.CPU(), Net: sh.Net(cfg.Traffic), Swap: sh.Swap})
			s.History = x.hist
			for pi, p := range pols {
				h := &x.holds[pi]
				if f.t < h.until {
					continue
				}
				d, ok := p.p.Decide(s)
				if !ok {
					h.needClear = false
					continue
				}
				if h.needClear {
					continue
				}
				row := decisionRow(src, s, p.name, d, idc)
				if d.Action == "migrate" {
					h.needClear = true
					if row.PredTotalS != nil {
						h.until = f.t + *row.PredTotalS*1e6
					}
				}
				x.decisions = append(x.decisions, row)
			}
		}
	}
	for _, x := range st {
		res.Decisions = append(res.Decisions, x.decisions...)
	}
	return res, nil
}

// hold is a policy's state on one host: after a migration it chose, it
// does not decide again before until, nor before the host has been out of
// overload once.
type hold struct {
	until     float64
	needClear bool
}

func decisionRow(src *dhost, s *decide.State, policy string, d decide.Decision, idc string) schema.Decision {
	sh := s.Source
	r := schema.Decision{Host: src.name, Time: s.Time, Policy: policy, Trigger: d.Trigger, Action: d.Action, Domain: d.VM,
		DestNote: d.DestNote, ScoreName: d.ScoreName, Score: d.Score, HostCPUPct: 100 * sh.CPU(), HostCPUs: sh.CPUs,
		HostCPUsFrom: src.cpusFrom, HostNetPct: 100 * sh.Net(s.Traffic), HostSwapOut: sh.Swap, IDC: idc,
		Candidates: int64(len(d.Alternatives))}
	if d.Dest != "" {
		r.Dest = ptr(d.Dest)
	}
	if d.Action == "grant-memory" {
		r.GrantMiB = ptr(d.GrantBytes >> 20)
	} else {
		for _, g := range sh.Domains {
			if g.Name == d.VM && g.PredOK {
				r.PredTotalS, r.PredDowntimeS = ptr(g.PredTotalS), ptr(g.PredDowntimeS)
			}
		}
	}
	var alts []string
	for _, a := range d.Alternatives {
		dest := a.Dest
		if dest == "" {
			dest = "?"
		}
		s := fmt.Sprintf("%s→%s=%.4g", a.VM, dest, a.Score)
		if a.Note != "" {
			s += " [" + a.Note + "]"
		}
		alts = append(alts, s)
	}
	r.Alternatives = strings.Join(alts, "; ")
	return r
}

// host builds the policy view of frame f.
func (h *dhost) host(f *dframe, nicBps float64) *decide.Host {
	return &decide.Host{Name: h.name, CPUs: h.cpus, BusyCPUs: f.busy, MemBytes: h.memBytes, UsedMem: f.usedMem,
		NICBps: nicBps, Domains: append([]decide.Domain(nil), f.doms...)}
}

// swapAt is pswpout/s of the first sar sample at or after t within ten
// minutes (a sar row closes the interval it reports), nil when none.
func (h *dhost) swapAt(t float64) *float64 {
	i := sort.Search(len(h.swap), func(i int) bool { return h.swap[i].t >= t })
	if i == len(h.swap) || h.swap[i].t-t > float64(sarWindow/time.Microsecond) {
		return nil
	}
	return ptr(h.swap[i].out)
}

// decideHosts finds the hosts of the xentop_domain table folder dir, in
// host order, with the CPUs taken for each and what gives each host's
// frames. A host= partition's rows stream through, a row group at a time
// (once here, for the host's figures, and again when its frames are
// replayed): memory follows a row group, not the host. A partition whose
// rows do not come in time order (two captures that overlap), or a table
// with files outside host= partitions, is read whole and sorted instead.
func decideHosts(dir string, cpus map[string]float64) ([]*dhost, error) {
	var out []*dhost
	partitioned := true
	files, err := table.ListFiles(dir)
	if err == nil && len(files) > 0 {
		_, _, partitioned, err = table.GroupByKey(dir, files, "host")
	}
	if err != nil {
		return nil, err
	}
	err = eachHostFiles(dir, func(g []string) error {
		if partitioned && streamDecide {
			h := &dhost{src: &frameSource{dir: dir, files: g}}
			if err := h.scan(cpus); err != nil {
				return err
			}
			if h.src.files != nil {
				out = append(out, h)
				return nil
			}
		}
		hs, err := sortedHosts(dir, g) // out of time order, or several hosts
		if err != nil {
			return err
		}
		for _, h := range hs {
			if err := h.scan(cpus); err != nil {
				return err
			}
		}
		out = append(out, hs...)
		return nil
	})
	return out, err
}

// sortedHosts reads files whole and gives each host in them its rows in
// time order (stable: ties in the order read), in host order.
func sortedHosts(dir string, files []string) ([]*dhost, error) {
	t, err := table.ReadFiles(dir, files, decideColumns)
	if err != nil {
		return nil, err
	}
	c, err := decideCols(t)
	if err != nil {
		return nil, err
	}
	idx := map[string][]int{}
	var order []string
	for i, h := range c.host {
		if _, seen := idx[h]; !seen {
			order = append(order, h)
		}
		idx[h] = append(idx[h], i)
	}
	sort.Strings(order)
	var out []*dhost
	for _, hn := range order {
		rows := idx[hn]
		sort.SliceStable(rows, func(a, b int) bool { return c.time[rows[a]] < c.time[rows[b]] })
		out = append(out, &dhost{src: &frameSource{sorted: c, order: rows}})
	}
	return out, nil
}

// scan reads h's frames once for what the decisions need of the whole
// host: its name, its memory (MEM(k)/MEM(%) of its largest domain), its
// CPUs (cpus by name, else cpus[""], else Domain-0's VCPUS) and that its
// domains never use more. A streamed host whose rows turn out not to be in
// time order, or of several hosts, is left with h.src.files nil.
func (h *dhost) scan(cpus map[string]float64) error {
	if err := h.src.start(); err != nil {
		return err
	}
	defer h.src.close()
	var peak, peakT float64
	for {
		f, err := h.src.next()
		if errors.Is(err, errNotSorted) {
			h.src.files = nil
			return nil
		}
		if err != nil {
			return err
		}
		if f == nil {
			break
		}
		if f.busy > peak {
			peak, peakT = f.busy, f.t
		}
	}
	b := h.src.b
	h.name, h.memBytes = b.host, b.memBytes
	switch c, byHost := cpus[h.name]; {
	case byHost:
		h.cpus, h.cpusFrom = c, "--host-cpus"
	case cpus[""] > 0:
		h.cpus, h.cpusFrom = cpus[""], "--host-cpus"
	case b.dom0VCPUs > 0:
		h.cpus, h.cpusFrom = b.dom0VCPUs, "Domain-0 VCPUS"
	default:
		return fmt.Errorf("host %s: no Domain-0 row gives its CPUs: give --host-cpus %s=N", h.name, h.name)
	}
	if peak > 1.05*h.cpus {
		return fmt.Errorf("host %s: its domains use %.1f CPUs at %s, more than the %g CPUs taken for it (%s): give the host's CPU count with --host-cpus %s=N",
			h.name, peak, micros(peakT).Format(time.RFC3339), h.cpus, h.cpusFrom, h.name)
	}
	return nil
}

// streamDecide is false in tests that compare the two ways of reading.
var streamDecide = true

// errNotSorted: a streamed host's rows are not in time order, or not all
// of one host.
var errNotSorted = errors.New("rows not in time order")

// frameSource gives one host's frames in time order: from its files, a
// row group at a time (files), or from a table read whole, through its
// rows sorted by time (sorted, order). start (re)starts it.
type frameSource struct {
	dir    string
	files  []string
	sorted *decideCol
	order  []int

	it   *table.RowGroupIter
	c    *decideCol // the current row group's, or sorted
	rows []int      // with sorted: the order of c's rows
	i, n int        // the next row of c (or of rows), and the end
	b    *frameBuilder
}

func (s *frameSource) start() error {
	s.close()
	s.b = &frameBuilder{prev: map[string][2]float64{}}
	if s.files == nil {
		s.c, s.rows, s.i, s.n = s.sorted, s.order, 0, len(s.order)
		return nil
	}
	s.it = table.RowGroups(s.dir, s.files, decideColumns)
	s.c, s.rows, s.i, s.n = nil, nil, 0, 0
	return nil
}

func (s *frameSource) close() {
	if s.it != nil {
		s.it.Close()
		s.it = nil
	}
}

// next is the next frame, nil after the last.
func (s *frameSource) next() (*dframe, error) {
	for {
		for s.i < s.n {
			r := s.i
			if s.rows != nil {
				r = s.rows[r]
			}
			s.i++
			if f, err := s.b.add(s.c, r, s.files != nil); err != nil || f != nil {
				return f, err
			}
		}
		if s.it == nil || !s.it.Next() {
			if s.it != nil && s.it.Err() != nil {
				return nil, s.it.Err()
			}
			return s.b.flush(), nil
		}
		c, err := decideCols(s.it.Columns())
		if err != nil {
			return nil, err
		}
		s.c, s.i, s.n = c, 0, s.it.Columns().Rows
	}
}

// decideColumns' values in a read table.
type decideCol struct {
	host, name, domain, role                      []string
	time, cpu, mem, memPct, maxMem, vcpus, tx, rx []float64
	maxMemOK                                      []bool
}

func decideCols(t *table.Columns) (*decideCol, error) {
	c := &decideCol{}
	err := readCols(t, []strCol{{"host", &c.host}, {"name", &c.name}, {"domain", &c.domain}, {"role", &c.role}},
		[]floatCol{{"time", &c.time, nil}, {"cpu_pct", &c.cpu, nil}, {"mem_k", &c.mem, nil}, {"mem_pct", &c.memPct, nil},
			{"maxmem_k", &c.maxMem, &c.maxMemOK}, {"vcpus", &c.vcpus, nil}, {"nettx_k", &c.tx, nil}, {"netrx_k", &c.rx, nil}})
	return c, err
}

// frameBuilder turns one host's rows, in time order, into frames (the rows
// of one time), and keeps the host's figures: its memory (MEM(k)/MEM(%) of
// the first row with the largest MEM(%)) and Domain-0's VCPUS (its last
// row's).
type frameBuilder struct {
	host      string
	f         *dframe               // the frame being built
	prev      map[string][2]float64 // name → (time µs, tx+rx KiB): network rates
	bestPct   float64
	memBytes  int64
	dom0VCPUs float64
}

// add takes row i of c and returns the frame it ends, if any. With check,
// a row earlier than the frame being built, or of another host, is
// errNotSorted.
func (b *frameBuilder) add(c *decideCol, i int, check bool) (*dframe, error) {
	var done *dframe
	t := c.time[i]
	switch {
	case b.f == nil:
		b.host = c.host[i]
		b.f = &dframe{t: t}
	case check && (t < b.f.t || c.host[i] != b.host):
		return nil, errNotSorted
	case t != b.f.t:
		done, b.f = b.f, &dframe{t: t}
	}
	f := b.f
	if c.role[i] != "none" && c.role[i] != "" {
		f.migrating = true
	}
	f.busy += c.cpu[i] / 100
	f.usedMem += int64(c.mem[i]) * 1024
	if p := c.memPct[i]; p > b.bestPct {
		b.bestPct = p
		b.memBytes = int64(c.mem[i] * 1024 * 100 / p)
	}
	if c.domain[i] == "Domain-0" {
		b.dom0VCPUs = c.vcpus[i]
		return done, nil
	}
	net := c.tx[i] + c.rx[i]
	var rate float64
	if p, seen := b.prev[c.name[i]]; seen && f.t > p[0] {
		rate = counterRate(p[1], net) * 1024 / ((f.t - p[0]) / 1e6)
	}
	b.prev[c.name[i]] = [2]float64{f.t, net}
	d := decide.Domain{Name: c.name[i], BusyCPUs: c.cpu[i] / 100, MemBytes: int64(c.mem[i]) * 1024, NetBps: rate}
	if c.maxMemOK[i] {
		d.MaxMemBytes = int64(c.maxMem[i]) * 1024
	}
	f.doms = append(f.doms, d)
	f.cpuPct = append(f.cpuPct, c.cpu[i])
	return done, nil
}

// flush returns the last frame, nil when there is none.
func (b *frameBuilder) flush() *dframe {
	f := b.f
	b.f = nil
	return f
}

// readSwap reads host's sar_swapping pswpout/s, by time; none is not an
// error.
func readSwap(lake, host string) ([]swapSample, error) {
	dir := filepath.Join(lake, "table=sar_swapping", "host="+host)
	if _, err := os.Stat(dir); err != nil {
		return nil, nil
	}
	files, err := table.ListFiles(dir)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	t, err := table.ReadFilesWith(dir, files, []string{"time", "pswpout_s"}, table.Options{MissingAsNull: true})
	if err != nil {
		return nil, err
	}
	tm, _, _ := t.Floats("time")
	v, ok, _ := t.Floats("pswpout_s")
	var out []swapSample
	for i := range tm {
		if ok[i] {
			out = append(out, swapSample{tm[i], v[i]})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].t < out[b].t })
	return out, nil
}

// ReadTraffic reads an inter-domain traffic matrix from CSV with the
// header src,dst,mbit_s: one row per pair of guests (by the names xentop
// prints), the traffic between them in Mbit/s, both directions together;
// rows of the same pair add up.
func ReadTraffic(path string) (decide.Traffic, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	r.Comment = '#'
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if strings.Join(head, ",") != "src,dst,mbit_s" {
		return nil, fmt.Errorf("%s:1: header %q, want src,dst,mbit_s", path, strings.Join(head, ","))
	}
	tr := decide.Traffic{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(2)
		v, err := strconv.ParseFloat(rec[2], 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("%s:%d: mbit_s %q is not a traffic in Mbit/s", path, line, rec[2])
		}
		if rec[0] == rec[1] {
			return nil, fmt.Errorf("%s:%d: %s exchanges traffic with itself", path, line, rec[0])
		}
		tr.Add(rec[0], rec[1], v*1e6/8)
	}
	return tr, nil
}
