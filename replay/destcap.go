package replay

import (
	"fmt"
	"math"
)

// Receiver is the receiving host's side of the migration stream: the CPU
// its Dom0 (or QEMU's incoming thread) may spend taking pages off the wire
// and into the new guest (Xen's xc_domain_restore). Seed 004 capped the
// destination Dom0 as well as the source's (section 4.A, Figure 3): "the
// migration time always drops when the destination host's Dom0 is given
// more CPU resource" (line 81).
//
// The stream is a pipeline: sender CPU → link → receiver CPU. Its rate is
// the slowest stage's,
//
//	rate = min(link goodput, sender CPU rate, receiver CPU rate, limit),
//
// the same rule Rate applies to the sender's stages. The receiver's stage
// costs CPU per byte and per packet like the sender's (cpuLimitedRate):
//
//	receiver rate = CPUCap · CPURate / ((1 − s) + s · 1460/(MTU − 40)).
//
// Every byte of the stream passes this stage: the first pass, the pages
// sent again because the guest dirtied them, the last round and the device
// state. The minimum, rather than a softer combination of the two CPUs, is
// what TCP flow control between two work-conserving caps gives: Xen's
// credit scheduler charges a capped Dom0 only while it runs, so a side
// stalled by the other keeps its share for when data flows again (a fluid
// simulation of two capped stages, unaligned 30 ms periods and 64 KiB to
// 4 MiB of socket buffers between them, stays within 1 % of the minimum;
// analysis/reproduce/README.md). The receiver's work after the last byte
// (pinning page tables, connecting devices) is Config.StateTime's, not a
// per-byte cost.
type Receiver struct {
	// CPUCap is the share of one CPU the receiver may use, in (0, 1].
	// Zero means 1.
	CPUCap float64
	// CPURate is the stream rate (bytes/s) one fully available receiving
	// CPU sustains at MTU 1500. Required (> 0): no default fits every host.
	CPURate float64
	// PacketCPUShare is the per-packet share of the receiver's CPU cost at
	// MTU 1500, as Config.PacketCPUShare (zero means 0.5, negative 0).
	PacketCPUShare float64
}

// Rate is the stream rate (bytes/s) the receiver sustains at IP MTU mtu
// (zero means 1500).
func (r Receiver) Rate(mtu int) (float64, error) {
	capShare := r.CPUCap
	if capShare == 0 {
		capShare = 1
	}
	if !(capShare > 0 && capShare <= 1) {
		return 0, fmt.Errorf("%w: receiver CPU cap %g: want (0, 1]", ErrConfig, r.CPUCap)
	}
	if !(r.CPURate > 0) || math.IsInf(r.CPURate, 0) {
		return 0, fmt.Errorf("%w: receiver CPU rate %g B/s: want > 0 and finite", ErrConfig, r.CPURate)
	}
	s := r.PacketCPUShare
	switch {
	case s == 0:
		s = 0.5
	case s < 0:
		s = 0
	case s > 1:
		return 0, fmt.Errorf("%w: receiver packet CPU share %g: want [0, 1]", ErrConfig, s)
	}
	if mtu == 0 {
		mtu = 1500
	}
	if mtu <= ipTCPHeader || mtu > 1<<16 {
		return 0, fmt.Errorf("%w: MTU %d B: want 41..65536", ErrConfig, mtu)
	}
	return cpuLimitedRate(capShare, r.CPURate, s, mtu), nil
}

// WithReceiver returns cfg with the receiver added as a stage of the
// stream: cfg.MaxBandwidth becomes the smaller of the limit cfg already
// had (its policy's default when zero, none when negative) and the
// receiver's rate at cfg's MTU. The engine and the analytic path then take
// min(link, sender CPU, limit) as always; Result.RateBound reads "limit"
// when the receiver is the bottleneck.
func WithReceiver(cfg Config, r Receiver) (Config, error) {
	p, err := resolve(cfg)
	if err != nil {
		return cfg, err
	}
	rr, err := r.Rate(p.mtu)
	if err != nil {
		return cfg, err
	}
	cfg.MaxBandwidth = math.Min(p.maxBW, rr)
	return cfg, nil
}
