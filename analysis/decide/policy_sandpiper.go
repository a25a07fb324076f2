package decide

import (
	"sort"
)

// sandpiper is Sandpiper's policy as seed 003 states it (L504–511):
// "Volume = 1/(1−cpu) × 1/(1−mem) × 1/(1−net), VSR = Volume/Size [...] The
// victim domain is the one with the largest VSR value, and has to be
// migrated to the machine with the lightest load."
//
//   - Trigger: seed 003's thresholds for both policies (L500): CPU above
//     85 %, swap-page writes above 150/s (when the host's sar is in the
//     lake), NIC above 80 %, on the current sample.
//   - cpu, mem, net are the guest's shares of the host's CPUs, memory and
//     NIC; net counts all of the guest's traffic, IDC included, as Sandpiper
//     does (L500: "Sandpiper includes IDC in the network traffic"). Size is
//     the guest's memory in MiB (the unit only scales every VSR alike).
//   - Destination: the host of least volume (see hostVolume) that can take
//     the guest within the thresholds; when none can take the largest-VSR
//     guest the next is tried (Sandpiper's own rule); when no other host is
//     known the largest-VSR guest is named with the destination unknown.
type sandpiper struct{ p Params }

func init() {
	Register(Spec{
		Name:     "sandpiper",
		Help:     "Sandpiper as seed 003 states it: the guest of largest volume/size moves to the least loaded host",
		Source:   "003 L500, L504–511",
		Defaults: seed003Defaults(),
		New:      func(p Params) (Policy, error) { return sandpiper{p}, p.Validate() },
	})
}

// seed003Defaults are the thresholds of seed 003's experiments (L500), the
// 32 MB grant of its memory experiment (L583) and its NB: 283.17 Mbit/s,
// netperf's throughput through the NIC from a guest (Table 1.1, L189).
func seed003Defaults() Params {
	return Params{CPU: 0.85, Swap: 150, Net: 0.80, K: 3, N: 5, Window: 10, GrantBytes: 32 << 20, NetBound: 283.17e6 / 8}
}

func (sp sandpiper) Decide(s *State) (Decision, bool) {
	o := instant(s, sp.p, false)
	if !o.any() || len(s.Source.Domains) == 0 {
		return Decision{}, false
	}
	h := s.Source
	type cand struct {
		d   *Domain
		vsr float64
	}
	var cands []cand
	for i := range h.Domains {
		d := &h.Domains[i]
		size := float64(d.MemBytes) / (1 << 20)
		if size <= 0 {
			continue
		}
		v := volume(domCPU(h, d), domMem(h, d), share(d.NetBps, h.NICBps))
		cands = append(cands, cand{d, v / size})
	}
	if len(cands) == 0 {
		return Decision{}, false
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].vsr != cands[j].vsr {
			return cands[i].vsr > cands[j].vsr
		}
		return cands[i].d.Name < cands[j].d.Name
	})
	ordered := byLoad(s.Others, func(x *Host) float64 { return hostVolume(x, s.Traffic) })
	chosen, dest, note := 0, "", ""
	dest, note = lightest(s, cands[0].d, ordered, sp.p)
	if dest == "" && len(ordered) > 0 {
		for i := 1; i < len(cands); i++ {
			if dd, nn := lightest(s, cands[i].d, ordered, sp.p); dd != "" {
				chosen, dest, note = i, dd, nn+" (guests of larger VSR fit nowhere)"
				break
			}
		}
	}
	c := cands[chosen]
	d := Decision{Trigger: o.String(), Action: "migrate", VM: c.d.Name, Dest: dest, DestNote: note,
		ScoreName: "vsr", Score: c.vsr}
	for i, x := range cands {
		a := Alternative{VM: x.d.Name, Score: x.vsr}
		switch {
		case i == chosen:
			a.Dest = dest
		case i < chosen:
			a.Note = "no host can take it"
		}
		d.Alternatives = append(d.Alternatives, a)
	}
	return d, true
}
