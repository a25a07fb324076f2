// Package decide holds the seed papers' migration policies: when a host is
// overloaded, which guest to move and where. Each policy is a small type
// behind the Policy interface, registered once from its own file (Register);
// callers list and build them from the registry (Specs, Lookup), never by
// name in a switch.
//
// A policy sees one decision point of one host (State): the host's load
// now and before (History), its guests, the other hosts that could take a
// guest, and the traffic between guests when it is known. Loads are kept
// in absolute units (busy CPUs, bytes, bytes/s) so that hosts of different
// sizes compare; utilisations are shares of the host's capacity.
//
// The package knows nothing about the lake: analysis builds the States from
// xentop and sar tables, and the seed papers' worked cases build them from
// the papers' tables (decide_test.go).
package decide

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Domain is one guest of a host at a decision point.
type Domain struct {
	Name        string
	BusyCPUs    float64 // CPU in use, in CPUs (xentop CPU(%) / 100)
	MemBytes    int64   // memory allocated now
	MaxMemBytes int64   // the most it may be given (xentop MAXMEM); 0 when unknown or unlimited
	NetBps      float64 // bytes/s through the guest's virtual interfaces, sent + received (xentop NETTX+NETRX): traffic to other guests of the host (IDC) included
	// Predicted migration cost (replay's analytic path); PredOK false when
	// none could be made.
	PredTotalS, PredDowntimeS float64
	PredOK                    bool
}

// Host is one physical machine at a decision point.
type Host struct {
	Name     string
	CPUs     float64 // capacity, in CPUs
	BusyCPUs float64 // CPU in use by every domain, Domain-0 included
	MemBytes int64   // physical memory; 0 when unknown
	UsedMem  int64   // memory allocated to every domain, Domain-0 included
	NICBps   float64 // NIC capacity, bytes/s (sent + received counted against it, as the guests' counters add both)
	// Swap is swap-page writes/s on the host (sar -W pswpout/s); nil when
	// the lake has no sar for it: memory overload is then unknown.
	Swap    *float64
	Domains []Domain
	// Assumed marks a host that is not in the lake: the user named it as a
	// destination, and it is taken as idle with the source host's size.
	Assumed bool
}

// CPU is the host's CPU utilisation, a share of its capacity.
func (h *Host) CPU() float64 { return share(h.BusyCPUs, h.CPUs) }

// Mem is the host's memory utilisation (allocated / physical).
func (h *Host) Mem() float64 { return share(float64(h.UsedMem), float64(h.MemBytes)) }

// Net is the host's NIC utilisation: the guests' traffic less what they
// exchange among themselves (IDC never crosses the NIC), over the NIC's
// capacity. traffic may be nil (IDC unknown: taken as 0).
func (h *Host) Net(traffic Traffic) float64 {
	var b float64
	for i := range h.Domains {
		b += nicBps(h, &h.Domains[i], traffic)
	}
	return share(b, h.NICBps)
}

func share(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// Traffic is the inter-domain communication matrix: bytes/s exchanged
// (both directions) between two guests, by name. No trace migreplay reads
// records it (seed 003 measured it with a modified Domain-0, L378): it is
// an input (analysis reads it from a CSV), and a nil Traffic means unknown,
// taken as 0 everywhere.
type Traffic map[[2]string]float64

// Between is the traffic between guests a and b.
func (t Traffic) Between(a, b string) float64 {
	if t == nil || a == b {
		return 0
	}
	if a > b {
		a, b = b, a
	}
	return t[[2]string{a, b}]
}

// Add records r bytes/s between a and b (added to what is there).
func (t Traffic) Add(a, b string, r float64) {
	if a > b {
		a, b = b, a
	}
	t[[2]string{a, b}] += r
}

// with is the traffic between d and every guest of h other than d.
func (t Traffic) with(d string, h *Host) float64 {
	if t == nil || h == nil {
		return 0
	}
	var s float64
	for i := range h.Domains {
		s += t.Between(d, h.Domains[i].Name)
	}
	return s
}

// nicBps is the part of d's traffic that crosses the NIC of h: its
// interfaces' traffic less its IDC on h (never below 0).
func nicBps(h *Host, d *Domain, t Traffic) float64 {
	return math.Max(0, d.NetBps-t.with(d.Name, h))
}

// Sample is a host's load at one decision point, for detectors that look
// back (AR(1), k of n).
type Sample struct {
	Time time.Time
	CPU  float64  // utilisation, share of capacity
	Net  float64  // NIC utilisation
	Swap *float64 // swap-page writes/s; nil unknown
}

// State is one decision point of one host.
type State struct {
	Time    time.Time
	Source  *Host
	Others  []*Host  // hosts that could take a guest (the lake's other hosts, and any the user named)
	History []Sample // the source's samples up to and including this one, oldest first
	Traffic Traffic  // nil: IDC unknown, taken as 0
}

// Alternative is one (guest, destination) a policy weighed, with its score.
type Alternative struct {
	VM, Dest string // Dest "" when no destination was known or could take it
	Score    float64
	Note     string // why it was passed over, when it was
}

// Decision is what a policy does at a decision point where it triggered.
type Decision struct {
	Trigger      string // which resources, with the values that crossed the thresholds
	Action       string // "migrate" or "grant-memory"
	VM           string
	Dest         string // "" when unknown (no other host, or none can take the guest)
	DestNote     string // why the destination is what it is
	ScoreName    string // what Alternative.Score is: "pred_total_s", "vsr", "volume"
	Score        float64
	GrantBytes   int64         // grant-memory: how much
	Alternatives []Alternative // every candidate, best first (the chosen one included)
}

// Policy decides at one decision point. Decide returns ok false when the
// policy does not trigger there.
type Policy interface {
	Decide(s *State) (d Decision, ok bool)
}

// Params are a policy's tunables. A registered policy's Defaults hold the
// values its paper gives; Override replaces only what the user set.
type Params struct {
	CPU        float64 // CPU overload threshold, share of capacity
	Swap       float64 // memory overload threshold, swap-page writes/s
	Net        float64 // network overload threshold, share of NIC capacity
	K, N       int     // AR(1) detector: at least K of the last N samples over the threshold
	Window     int     // AR(1) detector: samples the predictor is fitted on
	GrantBytes int64   // memory grant step
	// NetBound is NB of seed 003 (Table 3.1): the most one guest sends
	// through the NIC, bytes/s.
	NetBound float64
}

// Override is what the user set; nil fields keep the policy's defaults.
type Override struct {
	CPU, Swap, Net *float64
	K, N, Window   *int
}

// Apply returns p with o's set fields.
func (p Params) Apply(o Override) Params {
	set := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	seti := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.CPU, o.CPU)
	set(&p.Swap, o.Swap)
	set(&p.Net, o.Net)
	seti(&p.K, o.K)
	seti(&p.N, o.N)
	seti(&p.Window, o.Window)
	return p
}

// Spec is one registered policy.
type Spec struct {
	Name     string
	Help     string // one line
	Source   string // where the paper states it
	Defaults Params
	New      func(Params) (Policy, error)
}

var (
	mu    sync.RWMutex
	specs = map[string]Spec{}
)

// Register adds a policy; a duplicate name panics (a programmer error).
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := specs[s.Name]; dup {
		panic(fmt.Sprintf("decide: policy %q registered twice", s.Name))
	}
	specs[s.Name] = s
}

// Specs lists the registered policies by name.
func Specs() []Spec {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names lists the registered policies' names, sorted.
func Names() []string {
	var out []string
	for _, s := range Specs() {
		out = append(out, s.Name)
	}
	return out
}

// Lookup finds a registered policy.
func Lookup(name string) (Spec, error) {
	mu.RLock()
	s, ok := specs[name]
	mu.RUnlock()
	if !ok {
		return Spec{}, fmt.Errorf("decide: no policy %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return s, nil
}

// Validate checks params every policy relies on.
func (p Params) Validate() error {
	switch {
	case p.CPU <= 0 || p.CPU > 1:
		return fmt.Errorf("CPU threshold %g: want a share in (0, 1]", p.CPU)
	case p.Net < 0 || p.Net > 1:
		return fmt.Errorf("network threshold %g: want a share in [0, 1]", p.Net)
	case p.Swap < 0:
		return fmt.Errorf("swap threshold %g: want ≥ 0 writes/s", p.Swap)
	case p.N < 0 || p.K > p.N:
		return fmt.Errorf("k of n %d/%d: want 0 ≤ k ≤ n", p.K, p.N)
	}
	return nil
}

// pct formats a share as a percentage.
func pct(v float64) string { return fmt.Sprintf("%.1f %%", 100*v) }
