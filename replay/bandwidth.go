package replay

import "math"

// linkGoodput is the migration stream rate a link of line rate bw (bytes/s)
// carries at IP MTU mtu, after per-packet protocol overhead:
//
//	goodput = bw · (MTU − 40) / (MTU + 38)
//
// 40 B of IPv4 and TCP headers ride inside each MTU; Ethernet adds 38 B of
// wire time per frame (14 header, 4 FCS, 8 preamble, 12 inter-frame gap).
// MTU 1500 gives 94.9 % of the line rate, 1000 gives 92.5 %, and 72 (32 B of
// payload, our reading of seed 001's "packet data size 32 B") gives 29.1 %.
// Seed 001 measured total time and downtime at MTU 1500, 1000 and 32 B
// (tables 7, 14, 21, 28, 35).
func linkGoodput(bw float64, mtu int) float64 {
	return bw * float64(mtu-ipTCPHeader) / float64(mtu+ethOverhead)
}

// cpuLimitedRate is the stream rate the sender's CPU sustains:
//
//	rate = cap · cpuRate / ((1 − s) + s · 1460/(MTU − 40))
//
// cap is the share of one CPU available (seed 004's Dom0 cap), cpuRate the
// rate of a whole CPU at MTU 1500 and s the per-packet share of the CPU
// cost at MTU 1500. The migration takes min(this, link goodput, hypervisor
// limit): so below some cap the CPU throttles the migration and above it the
// link does, and the CPU actually used stops growing: seed 004's plateau,
// where Dom0 never used more than about 50 % of a CPU however much it was
// given, and migration time stopped falling.
func cpuLimitedRate(cpuCap, cpuRate, s float64, mtu int) float64 {
	if cpuRate <= 0 {
		return math.Inf(1)
	}
	return cpuCap * cpuRate / ((1 - s) + s*1460/float64(mtu-ipTCPHeader))
}

// Rate returns the migration stream rate (bytes/s) the Config's link, MTU,
// CPU and hypervisor limit allow, before any per-round cap a policy adds
// (Xen's rate adaptation), and which of them binds: "link", "cpu" or "limit".
func Rate(c Config) (rate float64, bound string, err error) {
	p, err := resolve(c)
	if err != nil {
		return 0, "", err
	}
	return p.rate, p.bound(), nil
}

func (p *params) bound() string {
	switch p.rate {
	case p.linkRate:
		return "link"
	case p.cpuLimited:
		return "cpu"
	}
	return "limit"
}

// CPUUsed is the share of one CPU the sender uses at the Config's rate:
// rate ÷ (cpuRate / cost factor), at most the cap. It is where seed 004's
// "Dom0 never used more than ~50 %" comes from in this model.
func CPUUsed(c Config) (float64, error) {
	p, err := resolve(c)
	if err != nil {
		return 0, err
	}
	if p.cpuRate <= 0 {
		return 0, nil
	}
	full := cpuLimitedRate(1, p.cpuRate, p.packetCPU, p.mtu)
	return min(p.rate/full, p.cpuCap), nil
}

// LineRate is the link line rate (bytes/s) whose goodput at the IP MTU is
// rate: rate·(MTU + 38)/(MTU − 40), the inverse of the per-packet framing
// in Config.MTU. A measured migration throughput becomes a Bandwidth this
// way.
func LineRate(rate float64, mtu int) float64 {
	return rate * float64(mtu+ethOverhead) / float64(mtu-ipTCPHeader)
}
