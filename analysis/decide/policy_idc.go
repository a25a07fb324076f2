package decide

import (
	"fmt"
	"math"
	"sort"
)

// idcAware is seed 003's inter-domain-communication-aware policy (section
// 3.3, L296–368). For guest j of the overloaded host i and destination k
// it weighs
//
//	V_ijk = CPU_ij·C_i + Mem_ij·M_i + NB_ijk·N_i          (equation 3, L300)
//
// with C_i, M_i the host's CPU and memory overload flags and N_i always 1
// (L305), and moves the (j, k) of largest V among destinations "that have
// enough resources" (L358). Readings of what the paper leaves open:
//
//   - CPU_ij, Mem_ij are the guest's shares of the host's CPUs and memory;
//     NB_ijk is a share of the source's NIC capacity, so the three terms are
//     utilisations on one scale (the paper gives no weights besides the
//     flags).
//   - Network benefit NB = Nso + Nsd − Nds (equation 1, L333) with
//     Nds = min(Is, AB, NB_bound) (equation 2, L345): Is is the guest's
//     traffic with the other guests of its host (the Traffic matrix), Nsd its
//     traffic with the guests of k, Nso the rest of what crosses the NIC
//     (its interfaces' traffic less Is, less Nsd); AB is what the source's
//     NIC has free once the guest has left (L351: Nds "can not exceed the
//     available bandwidth of the source machine"); NB_bound is Params.NetBound.
//     Without a Traffic matrix IDC is unknown and taken as 0: NB is then the
//     guest's NIC share for every k.
//   - Ties in V go to the guest of more network traffic (L358), then to the
//     least loaded destination (Sandpiper's measure, hostVolume), then names.
//     With no other host known, V is computed with Nsd = 0 and the
//     destination is unknown.
//   - Memory overload is handled first (L366–368): the guest of largest V
//     is granted Params.GrantBytes more memory (L360–364: a fixed step, never
//     beyond its MAXMEM, only while the host has that much free); only when
//     no grant is possible does the policy migrate. Without the host's sar
//     (swap writes) memory overload is unknown and never triggers.
//
// The detector is the plain threshold test on the current sample for
// "idc", and seed 003's AR(1) hotspot detector for "hotspot-ar1".
type idcAware struct {
	p      Params
	detect func(*State, Params) overload
}

func init() {
	Register(Spec{
		Name:     "idc",
		Help:     "seed 003's IDC-aware policy: largest CPU·C + Mem·M + network benefit, memory grants first; thresholds on the current sample",
		Source:   "003 L296–368, L500",
		Defaults: seed003Defaults(),
		New: func(p Params) (Policy, error) {
			return idcAware{p, func(s *State, p Params) overload { return instant(s, p, false) }}, p.Validate()
		},
	})
}

// netBenefit is NB_ijk, as a share of the source's NIC (see idcAware).
func netBenefit(s *State, d *Domain, dest *Host, p Params) float64 {
	src := s.Source
	if src.NICBps <= 0 {
		return 0
	}
	is := s.Traffic.with(d.Name, src)
	nsd := s.Traffic.with(d.Name, dest)
	nic := nicBps(src, d, s.Traffic)
	nso := math.Max(0, nic-nsd)
	var srcNIC float64
	for i := range src.Domains {
		srcNIC += nicBps(src, &src.Domains[i], s.Traffic)
	}
	ab := math.Max(0, src.NICBps-(srcNIC-nic))
	nds := math.Min(is, ab)
	if p.NetBound > 0 {
		nds = math.Min(nds, p.NetBound)
	}
	return (nso + nsd - nds) / src.NICBps
}

func (x idcAware) Decide(s *State) (Decision, bool) {
	o := x.detect(s, x.p)
	if !o.any() || len(s.Source.Domains) == 0 {
		return Decision{}, false
	}
	src := s.Source
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	vol := func(d *Domain, dest *Host) float64 {
		return domCPU(src, d)*flag(o.cpu) + domMem(src, d)*flag(o.mem) + netBenefit(s, d, dest, x.p)
	}
	if o.mem {
		if d, ok := x.grant(s, vol); ok {
			d.Trigger = o.String()
			return d, true
		}
	}
	type cand struct {
		d    *Domain
		dest *Host
		v    float64
	}
	var cands []cand
	var nofit []cand
	for i := range src.Domains {
		d := &src.Domains[i]
		if len(s.Others) == 0 {
			cands = append(cands, cand{d, nil, vol(d, nil)})
			continue
		}
		for _, k := range s.Others {
			c := cand{d, k, vol(d, k)}
			if canTake(k, src, d, x.p, s.Traffic) {
				cands = append(cands, c)
			} else {
				nofit = append(nofit, c)
			}
		}
	}
	destNote := "no other host in the lake or named by the user: destination unknown"
	if len(cands) == 0 {
		// every (guest, host) pair overflows a destination: name the guest
		// of largest V with the destination unknown
		for i := range nofit {
			nofit[i].dest = nil
		}
		cands, nofit = nofit, nil
		destNote = "no host can take it within the thresholds: destination unknown"
	}
	load := map[*Host]float64{}
	for _, k := range s.Others {
		load[k] = hostVolume(k, s.Traffic)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if !tied(a.v, b.v) {
			return a.v > b.v
		}
		if a.d.NetBps != b.d.NetBps {
			return a.d.NetBps > b.d.NetBps
		}
		if a.dest != nil && b.dest != nil && load[a.dest] != load[b.dest] {
			return load[a.dest] < load[b.dest]
		}
		if a.d.Name != b.d.Name {
			return a.d.Name < b.d.Name
		}
		return a.dest != nil && b.dest != nil && a.dest.Name < b.dest.Name
	})
	best := cands[0]
	d := Decision{Trigger: o.String(), Action: "migrate", VM: best.d.Name, ScoreName: "volume", Score: best.v, DestNote: destNote}
	if best.dest != nil {
		d.Dest = best.dest.Name
		d.DestNote = "largest V_ijk among hosts that can take it"
		if best.dest.Assumed {
			d.DestNote += " (named by the user, not in the lake: taken as idle)"
		}
	}
	for _, c := range cands {
		a := Alternative{VM: c.d.Name, Score: c.v}
		if c.dest != nil {
			a.Dest = c.dest.Name
		}
		d.Alternatives = append(d.Alternatives, a)
	}
	for _, c := range nofit {
		d.Alternatives = append(d.Alternatives, Alternative{VM: c.d.Name, Dest: c.dest.Name, Score: c.v, Note: "host cannot take it"})
	}
	return d, true
}

// grant is the memory-overload step: the guest of largest V (no
// destination: Nsd = 0) that can still be given GrantBytes gets them.
func (x idcAware) grant(s *State, vol func(*Domain, *Host) float64) (Decision, bool) {
	src := s.Source
	if x.p.GrantBytes <= 0 || src.MemBytes <= 0 || src.MemBytes-src.UsedMem < x.p.GrantBytes {
		return Decision{}, false
	}
	type cand struct {
		d *Domain
		v float64
	}
	var cands []cand
	for i := range src.Domains {
		d := &src.Domains[i]
		if d.MaxMemBytes > 0 && d.MemBytes+x.p.GrantBytes > d.MaxMemBytes {
			continue
		}
		cands = append(cands, cand{d, vol(d, nil)})
	}
	if len(cands) == 0 {
		return Decision{}, false
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if !tied(cands[i].v, cands[j].v) {
			return cands[i].v > cands[j].v
		}
		return cands[i].d.Name < cands[j].d.Name
	})
	d := Decision{Action: "grant-memory", VM: cands[0].d.Name, ScoreName: "volume", Score: cands[0].v,
		GrantBytes: x.p.GrantBytes, DestNote: fmt.Sprintf("memory grant on the host (%d MiB free)", (src.MemBytes-src.UsedMem)>>20)}
	for _, c := range cands {
		d.Alternatives = append(d.Alternatives, Alternative{VM: c.d.Name, Score: c.v})
	}
	return d, true
}
