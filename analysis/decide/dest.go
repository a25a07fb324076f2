package decide

import (
	"math"
	"sort"
)

// utilisations of a guest on host h, as shares of h's capacity.
func domCPU(h *Host, d *Domain) float64 { return share(d.BusyCPUs, h.CPUs) }
func domMem(h *Host, d *Domain) float64 { return share(float64(d.MemBytes), float64(h.MemBytes)) }

// volume is Sandpiper's load measure 1/(1−cpu)·1/(1−mem)·1/(1−net) (seed
// 003, equation 5, L506). Each utilisation is capped at 0.999 so that a
// saturated resource gives a large, finite volume.
func volume(cpu, mem, net float64) float64 {
	c := func(v float64) float64 { return 1 / (1 - math.Min(math.Max(v, 0), 0.999)) }
	return c(cpu) * c(mem) * c(net)
}

// hostVolume is a host's load as Sandpiper measures a guest's: the volume
// of its CPU, memory and NIC utilisations. "The machine with the lightest
// load" (L511) is read as the host of least volume: seed 003 does not say
// how load is measured; the volume is Sandpiper's own measure.
func hostVolume(h *Host, t Traffic) float64 { return volume(h.CPU(), h.Mem(), h.Net(t)) }

// canTake reports whether dest can take guest d of src and stay within the
// thresholds (seed 003 L358: "destination that have enough resources"): its
// CPU and NIC utilisations with the guest stay at or below p's thresholds
// and, when its memory is known, the guest's memory fits in what is free.
func canTake(dest, src *Host, d *Domain, p Params, t Traffic) bool {
	if dest.CPUs > 0 && share(dest.BusyCPUs+d.BusyCPUs, dest.CPUs) > p.CPU {
		return false
	}
	if dest.MemBytes > 0 && dest.UsedMem+d.MemBytes > dest.MemBytes {
		return false
	}
	if dest.NICBps > 0 && p.Net > 0 && dest.Net(t)+share(nicBps(src, d, t), dest.NICBps) > p.Net {
		return false
	}
	return true
}

// byLoad returns hosts ordered lightest first by load (ties by name).
func byLoad(hosts []*Host, load func(*Host) float64) []*Host {
	out := append([]*Host(nil), hosts...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := load(out[i]), load(out[j])
		if a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// lightest is the first host of hosts (ordered by load) that can take d,
// with a note saying why the destination is what it is.
func lightest(s *State, d *Domain, ordered []*Host, p Params) (string, string) {
	if len(ordered) == 0 {
		return "", "no other host in the lake or named by the user: destination unknown"
	}
	for _, h := range ordered {
		if canTake(h, s.Source, d, p, s.Traffic) {
			note := "least loaded host that can take it"
			if h.Assumed {
				note += " (named by the user, not in the lake: taken as idle)"
			}
			return h.Name, note
		}
	}
	return "", "no host can take it within the thresholds: destination unknown"
}
