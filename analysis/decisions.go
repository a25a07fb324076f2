package analysis

import (
	"encoding/csv"
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
	frames   []dframe
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
	var hosts []*dhost
	err = eachHost(filepath.Join(lake, "table=xentop_domain"), decideColumns, func(t *table.Columns) error {
		hs, err := decideHosts(t, cfg.HostCPUs)
		hosts = append(hosts, hs...)
		return err
	})
	if err != nil {
		return nil, err
	}
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
	for _, src := range hosts {
		type hold struct {
			until     float64
			needClear bool
		}
		holds := make([]hold, len(pols))
		var hist []decide.Sample
		for fi := 1; fi < len(src.frames); fi++ {
			f := &src.frames[fi]
			if f.migrating {
				continue
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
			for _, o := range hosts {
				if o == src {
					continue
				}
				if of := o.frameAt(f.t); of != nil && f.t-of.t <= float64(sarWindow/time.Microsecond) {
					oh := o.host(of, nicBps)
					s.Others = append(s.Others, oh)
				}
			}
			for _, n := range cfg.DestHosts {
				if !inLake[n] && n != src.name {
					s.Others = append(s.Others, &decide.Host{Name: n, CPUs: sh.CPUs, MemBytes: sh.MemBytes, NICBps: sh.NICBps, Assumed: true})
				}
			}
			hist = append(hist, decide.Sample{Time: s.Time, CPU: sh.CPU(), Net: sh.Net(cfg.Traffic), Swap: sh.Swap})
			s.History = hist
			for pi, p := range pols {
				h := &holds[pi]
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
				res.Decisions = append(res.Decisions, row)
			}
		}
	}
	return res, nil
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

// frameAt is h's latest frame at or before t (µs), nil when none.
func (h *dhost) frameAt(t float64) *dframe {
	i := sort.Search(len(h.frames), func(i int) bool { return h.frames[i].t > t })
	if i == 0 {
		return nil
	}
	return &h.frames[i-1]
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

// decideHosts reduces one read of xentop_domain (one host, or a table
// without host partitions) to frames per host.
func decideHosts(t *table.Columns, cpus map[string]float64) ([]*dhost, error) {
	str := func(c string) ([]string, error) { v, _, err := t.Strings(c); return v, err }
	host, err := str("host")
	if err != nil {
		return nil, err
	}
	name, _ := str("name")
	domain, _ := str("domain")
	role, _ := str("role")
	fl := map[string][]float64{}
	ok := map[string][]bool{}
	for _, c := range []string{"time", "cpu_pct", "mem_k", "mem_pct", "maxmem_k", "vcpus", "nettx_k", "netrx_k"} {
		v, o, err := t.Floats(c)
		if err != nil {
			return nil, err
		}
		fl[c], ok[c] = v, o
	}
	idx := map[string][]int{}
	var order []string
	for i := range host {
		if _, seen := idx[host[i]]; !seen {
			order = append(order, host[i])
		}
		idx[host[i]] = append(idx[host[i]], i)
	}
	sort.Strings(order)
	var out []*dhost
	for _, hn := range order {
		rows := idx[hn]
		tm := fl["time"]
		sort.SliceStable(rows, func(a, b int) bool { return tm[rows[a]] < tm[rows[b]] })
		h := &dhost{name: hn}
		var dom0VCPUs float64
		var bestMemPct float64
		prev := map[string][2]float64{} // name → (time µs, tx+rx KiB)
		for k := 0; k < len(rows); {
			j := k
			for j < len(rows) && tm[rows[j]] == tm[rows[k]] {
				j++
			}
			f := dframe{t: tm[rows[k]]}
			for _, i := range rows[k:j] {
				if role[i] != "none" && role[i] != "" {
					f.migrating = true
				}
				f.busy += fl["cpu_pct"][i] / 100
				f.usedMem += int64(fl["mem_k"][i]) * 1024
				if p := fl["mem_pct"][i]; p > bestMemPct {
					bestMemPct = p
					h.memBytes = int64(fl["mem_k"][i] * 1024 * 100 / p)
				}
				if domain[i] == "Domain-0" {
					dom0VCPUs = fl["vcpus"][i]
					continue
				}
				net := fl["nettx_k"][i] + fl["netrx_k"][i]
				var rate float64
				if p, seen := prev[name[i]]; seen && f.t > p[0] {
					rate = counterRate(p[1], net) * 1024 / ((f.t - p[0]) / 1e6)
				}
				prev[name[i]] = [2]float64{f.t, net}
				d := decide.Domain{Name: name[i], BusyCPUs: fl["cpu_pct"][i] / 100, MemBytes: int64(fl["mem_k"][i]) * 1024, NetBps: rate}
				if ok["maxmem_k"][i] {
					d.MaxMemBytes = int64(fl["maxmem_k"][i]) * 1024
				}
				f.doms = append(f.doms, d)
				f.cpuPct = append(f.cpuPct, fl["cpu_pct"][i])
			}
			h.frames = append(h.frames, f)
			k = j
		}
		switch c, byHost := cpus[hn]; {
		case byHost:
			h.cpus, h.cpusFrom = c, "--host-cpus"
		case cpus[""] > 0:
			h.cpus, h.cpusFrom = cpus[""], "--host-cpus"
		case dom0VCPUs > 0:
			h.cpus, h.cpusFrom = dom0VCPUs, "Domain-0 VCPUS"
		default:
			return nil, fmt.Errorf("host %s: no Domain-0 row gives its CPUs: give --host-cpus %s=N", hn, hn)
		}
		var peak float64
		var peakT float64
		for _, f := range h.frames {
			if f.busy > peak {
				peak, peakT = f.busy, f.t
			}
		}
		if peak > 1.05*h.cpus {
			return nil, fmt.Errorf("host %s: its domains use %.1f CPUs at %s, more than the %g CPUs taken for it (%s): give the host's CPU count with --host-cpus %s=N",
				hn, peak, micros(peakT).Format(time.RFC3339), h.cpus, h.cpusFrom, hn)
		}
		out = append(out, h)
	}
	return out, nil
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
