package replay

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Config describes one migration to replay. The zero value is a valid
// configuration: every zero field means the default documented on it. Sizes
// are bytes, rates bytes per second (1 Gbit/s = 125e6), durations
// time.Duration, shares fractions in [0, 1].
type Config struct {
	// Memory is the guest's RAM in bytes. Zero means 8 GiB.
	Memory int64
	// PageSize is the page size in bytes, a power of two in [512, 1 GiB].
	// Zero means 4096.
	PageSize int64

	// Bandwidth is the link's line rate in bytes/s (1 Gbit/s = 125e6).
	// Zero means 125e6; negative means the link never limits (a local
	// socket: the CPU, CPURate, must then). See Rate for how MTU, CPU and
	// rate limits reduce it.
	Bandwidth float64
	// MTU is the IP MTU in bytes: each packet carries MTU − 40 bytes of
	// migration stream (IPv4 and TCP headers, no options) and occupies
	// MTU + 38 bytes of wire time (Ethernet header 14, FCS 4, preamble 8,
	// inter-frame gap 12). Must exceed 40 (Linux itself refuses IPv4 MTUs
	// below 68). Zero means 1500.
	MTU int
	// MaxBandwidth is the hypervisor's own limit on the migration stream in
	// bytes/s (QEMU's max-bandwidth). Zero means the policy's default (QEMU
	// 128 MiB/s; Xen and SimGrid none); negative means no limit.
	MaxBandwidth float64
	// CPUCap is the share of one CPU the sending side may use, in (0, 1]:
	// seed 004's Dom0 CPU cap (Xen's credit-scheduler cap ÷ 100), or the
	// share left to QEMU's migration thread. Zero means 1.
	CPUCap float64
	// CPURate is the stream rate (bytes/s) one fully available CPU sustains
	// at MTU 1500. Zero means 1.25e9 (a single migration thread is commonly
	// reported to saturate near 10 Gbit/s); negative means the CPU never
	// limits. Seed 004's Xen 3.2 hosts imply about 1.07e8 (1 GiB in 100 s at
	// a 10 % cap).
	CPURate float64
	// PacketCPUShare is the share of the sender's CPU cost that is paid per
	// packet rather than per byte, at MTU 1500; the cost per byte then scales
	// as (1 − s) + s·1460/(MTU − 40). Zero means 0.5; negative means 0 (MTU
	// only changes header overhead). Seed 001's Xen-HVM table 14 (4.10 s at
	// MTU 1500, 4.77 s at 1000) implies about 0.3 if CPU-bound.
	PacketCPUShare float64

	// DirtyRate is the guest's page writes per second, used when DirtyModel
	// is nil (Uniform{Rate: DirtyRate}). Zero means an idle guest.
	DirtyRate float64
	// DirtyModel says how fast and where the guest writes. Nil means
	// Uniform{Rate: DirtyRate}.
	DirtyModel DirtyModel
	// ZeroShare is the share of pages that are entirely zero when migration
	// starts (QMP: duplicate ÷ total pages of the first pass). They sit at
	// the top of memory and are sent as ZeroPageBytes markers until written.
	// Xen's save loops do not detect zero pages: leave it 0 for Xen.
	ZeroShare float64

	// Policy is the hypervisor's pre-copy stop rule. Nil means QEMU{}.
	Policy Policy
	// DowntimeLimit is the largest downtime the policy aims for (QEMU's
	// downtime-limit, SimGrid's max downtime). Zero means the policy's
	// default: QEMU 300 ms, SimGrid 30 ms. Xen policies ignore it.
	DowntimeLimit time.Duration
	// AutoConverge enables QEMU's vCPU throttling (20 % + 10 % per trigger,
	// at most 99 %). Other policies ignore it.
	AutoConverge bool
	// Postcopy switches to post-copy after PostcopyAfter live pre-copy
	// rounds (0 means pure post-copy: only the CPU and device state are sent
	// before the guest resumes on the destination), or, when PostcopyAt > 0,
	// once that much time has passed since the migration started (the
	// operator's migrate-start-postcopy; PostcopyAfter must then be 0).
	// QEMU acts on the request after the iteration in progress: the engine
	// ends the round at the first chunk boundary at or after PostcopyAt
	// (RoundPlan.ChunkBytes; one page for policies without chunks), syncs
	// the dirty bitmap (QEMU's discard bitmap) and switches. A migration
	// that converges earlier completes as pre-copy.
	Postcopy      bool
	PostcopyAfter int
	PostcopyAt    time.Duration
	// ReadRate is the guest's page reads per second, on the pages the dirty
	// model writes (its working set). Only post-copy cares: a read of a
	// page not yet on the destination is a remote fault as a write is.
	// Zero means none: QMP does not measure reads, so replays from a QMP
	// log count the faults of writes only unless it is given.
	ReadRate float64

	// StateBytes is the CPU and device state sent during the stop-and-copy
	// round besides RAM, at the stream rate (so it slows with the MTU and
	// the CPU cap). Zero means 256 KiB, the order of QEMU's non-RAM device
	// state for a small guest; negative means none.
	StateBytes int64
	// StateTime is the rest of the stop-and-copy cost, independent of the
	// link: pausing, resuming on the destination, re-announcing the network.
	// Zero means 10 ms (below the shortest downtime in our sources,
	// Clark et al.'s 60 ms for Quake 3 on a LAN; seed 001 measured 3–11 ms on
	// one host); negative means none. Calibrate reports a fitted value.
	StateTime time.Duration
	// SetupTime precedes the first round (QEMU's setup-time). Zero means 0.
	SetupTime time.Duration
	// FaultLatency is the round trip of one post-copy remote page fault,
	// not counting the page's transfer at the migration rate. Zero means
	// 0.5 ms, a LAN round trip plus fault handling; negative means 0.
	FaultLatency time.Duration
	// Timeout ends a migration that has not converged by setup + Timeout
	// (QEMU and SimGrid have no round cap): a round, a stop-and-copy or a
	// post-copy switch-over that would end later is cut at that instant
	// (see the package documentation). Zero means 1 hour; reported as
	// Converged false, StopReason "timeout".
	Timeout time.Duration
	// MaxRounds bounds the live rounds of any policy as a safety net. Zero
	// means 100000.
	MaxRounds int

	// Seed seeds the PCG generator; the same Config gives identical results.
	Seed uint64
}

// policy is c.Policy, QEMU{} when nil.
func (c *Config) policy() Policy {
	if c.Policy == nil {
		return QEMU{}
	}
	return c.Policy
}

// Stream framing, per page (QEMU: a be64 offset|flags header; Xen legacy: an
// 8-byte pfn_type entry per page of a batch).
const (
	// PageHeaderBytes precede every page in the stream.
	PageHeaderBytes = 8
	// ZeroPageBytes is a zero page's marker: QEMU's 8-byte header plus the
	// one fill byte of RAM_SAVE_FLAG_ZERO.
	ZeroPageBytes = 9
	// ipTCPHeader and ethOverhead frame each packet (see Config.MTU).
	ipTCPHeader = 40
	ethOverhead = 38
)

// ErrConfig is returned (wrapped) for an invalid configuration.
var ErrConfig = errors.New("invalid replay configuration")

// params is a Config with defaults applied and derived quantities.
type params struct {
	seed       uint64
	zeroShare  float64
	pages      int64
	pageSize   int64
	pageBytes  float64 // stream bytes per normal page
	zeroPages  int64   // pages initially zero (top of memory)
	rate       float64 // stream rate before any policy cap, bytes/s
	finalRate  float64 // the stop-and-copy's rate before a policy cap (PolicyDefaults.LiftLimitAtStop), bytes/s
	maxBW      float64 // hypervisor limit, bytes/s; +Inf none
	limit      float64 // downtime limit, s
	state      float64 // s
	stateBytes float64 // B
	setup      float64 // s
	fault      float64 // s
	timeout    float64 // s
	maxRounds  int
	model      DirtyModel // nil: the default, uniform (see dirty)
	uniform    Uniform    // the default model, when model is nil
	policy     Policy
	autoConv   bool
	postcopy   bool
	postAfter  int
	postAt     float64 // s since the start; 0: by rounds (postAfter)
	readRate   float64 // page reads/s (post-copy faults)
	mtu        int
	cpuCap     float64
	cpuRate    float64
	packetCPU  float64
	bandwidth  float64
	linkRate   float64 // goodput of the wire alone
	cpuLimited float64 // CPU-limited rate; +Inf when the CPU never limits
}

// deadline is when a migration that has not converged gives up, in
// seconds since it started: setup + timeout.
func (p *params) deadline() float64 { return p.setup + p.timeout }

// dirty is the dirty model. The default (Config.DirtyModel nil) is boxed
// here, on demand: the analytic path reads p.uniform instead and so makes
// no allocation.
func (p *params) dirty() DirtyModel {
	if p.model != nil {
		return p.model
	}
	return p.uniform
}

func dur(d, def time.Duration) float64 {
	switch {
	case d == 0:
		return def.Seconds()
	case d < 0:
		return 0
	}
	return d.Seconds()
}

func resolve(c Config) (*params, error) {
	p := new(params)
	if err := p.resolve(&c); err != nil {
		return nil, err
	}
	return p, nil
}

// resolve fills p from c (a method so the analytic path can keep p on the
// stack).
func (p *params) resolve(c *Config) error {
	p.seed, p.zeroShare = c.Seed, c.ZeroShare
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...)
	}
	p.pageSize = c.PageSize
	if p.pageSize == 0 {
		p.pageSize = 4096
	}
	if p.pageSize < 512 || p.pageSize > 1<<30 || p.pageSize&(p.pageSize-1) != 0 {
		return bad("page size %d B: want a power of two between 512 B and 1 GiB", p.pageSize)
	}
	mem := c.Memory
	if mem == 0 {
		mem = 8 << 30
	}
	if mem < p.pageSize || mem > 1<<46 {
		return bad("memory %d B: want between one page and 64 TiB", mem)
	}
	p.pages = mem / p.pageSize
	p.pageBytes = float64(p.pageSize + PageHeaderBytes)
	if !(c.ZeroShare >= 0 && c.ZeroShare < 1) {
		return bad("zero share %g: want [0, 1)", c.ZeroShare)
	}
	p.zeroPages = int64(math.Round(c.ZeroShare * float64(p.pages)))

	p.bandwidth = c.Bandwidth
	switch {
	case p.bandwidth == 0:
		p.bandwidth = 125e6
	case p.bandwidth < 0:
		p.bandwidth = math.Inf(1)
	}
	if !(p.bandwidth > 0) {
		return bad("bandwidth %g B/s: want > 0, or negative for none", p.bandwidth)
	}
	p.mtu = c.MTU
	if p.mtu == 0 {
		p.mtu = 1500
	}
	if p.mtu <= ipTCPHeader || p.mtu > 1<<16 {
		return bad("MTU %d B: want 41..65536 (40 B go to IPv4+TCP headers; Linux needs ≥ 68)", p.mtu)
	}
	p.cpuCap = c.CPUCap
	if p.cpuCap == 0 {
		p.cpuCap = 1
	}
	if !(p.cpuCap > 0 && p.cpuCap <= 1) {
		return bad("CPU cap %g: want (0, 1]", p.cpuCap)
	}
	p.cpuRate = c.CPURate
	if p.cpuRate == 0 {
		p.cpuRate = 1.25e9
	}
	if math.IsNaN(p.cpuRate) {
		return bad("CPU rate is NaN")
	}
	p.packetCPU = c.PacketCPUShare
	switch {
	case p.packetCPU == 0:
		p.packetCPU = 0.5
	case p.packetCPU < 0:
		p.packetCPU = 0
	case p.packetCPU > 1:
		return bad("packet CPU share %g: want [0, 1]", p.packetCPU)
	}

	p.policy = c.policy()
	switch v := p.policy.(type) { // the built-in policies first: cheaper than the assertion
	case QEMU:
		if v.Ramp != nil {
			if err := v.Ramp.Validate(); err != nil {
				return err
			}
		}
	case XenLegacy, XenV2, SimGrid:
	case validator:
		if err := v.Validate(); err != nil {
			return err
		}
	}
	defs := p.policy.Defaults()
	p.maxBW = c.MaxBandwidth
	switch {
	case p.maxBW == 0:
		p.maxBW = defs.MaxBandwidth
	case p.maxBW < 0:
		p.maxBW = math.Inf(1)
	}
	if p.maxBW == 0 {
		p.maxBW = math.Inf(1)
	}
	p.limit = c.DowntimeLimit.Seconds()
	if c.DowntimeLimit == 0 {
		p.limit = defs.DowntimeLimit.Seconds()
	}
	if p.limit < 0 {
		return bad("downtime limit %v: want ≥ 0", c.DowntimeLimit)
	}
	p.linkRate, p.cpuLimited = linkGoodput(p.bandwidth, p.mtu), math.Inf(1)
	if p.cpuRate > 0 {
		p.cpuLimited = cpuLimitedRate(p.cpuCap, p.cpuRate, p.packetCPU, p.mtu)
	}
	p.rate = min(p.linkRate, p.cpuLimited, p.maxBW)
	if math.IsInf(p.rate, 0) {
		return bad("no finite stream rate: the link (bandwidth), the CPU (CPU rate) or the hypervisor (max-bandwidth) must limit it")
	}
	// the stop-and-copy: QEMU lifts its rate limit at switch-over
	p.finalRate = p.rate
	if defs.LiftLimitAtStop {
		p.finalRate = min(p.linkRate, p.cpuLimited)
	}

	p.model, p.uniform = c.DirtyModel, Uniform{Rate: c.DirtyRate}
	var err error
	switch v := p.model.(type) { // the common cases first: cheaper than the assertion
	case nil:
		err = p.uniform.Validate()
	case Uniform:
		err = v.Validate()
	case validator:
		err = v.Validate()
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	p.state = dur(c.StateTime, 10*time.Millisecond)
	switch {
	case c.StateBytes == 0:
		p.stateBytes = 256 << 10
	case c.StateBytes > 0:
		p.stateBytes = float64(c.StateBytes)
	}
	p.setup = dur(c.SetupTime, 0)
	p.fault = dur(c.FaultLatency, 500*time.Microsecond)
	p.timeout = dur(c.Timeout, time.Hour)
	if c.Timeout < 0 {
		return bad("timeout %v: want > 0", c.Timeout)
	}
	p.maxRounds = c.MaxRounds
	if p.maxRounds == 0 {
		p.maxRounds = 100000
	}
	if p.maxRounds < 0 {
		return bad("max rounds %d: want > 0", p.maxRounds)
	}
	p.autoConv = c.AutoConverge
	p.postcopy = c.Postcopy
	p.postAfter = c.PostcopyAfter
	if p.postAfter < 0 {
		return bad("post-copy after %d rounds: want ≥ 0", p.postAfter)
	}
	p.postAt = c.PostcopyAt.Seconds()
	switch {
	case c.PostcopyAt < 0:
		return bad("post-copy at %v: want > 0", c.PostcopyAt)
	case c.PostcopyAt > 0 && !c.Postcopy:
		return bad("post-copy at %v without Postcopy", c.PostcopyAt)
	case c.PostcopyAt > 0 && c.PostcopyAfter > 0:
		return bad("post-copy after %d rounds and at %v: give one", c.PostcopyAfter, c.PostcopyAt)
	}
	p.readRate = c.ReadRate
	if !(p.readRate >= 0) || math.IsInf(p.readRate, 0) {
		return bad("read rate %g pages/s: want ≥ 0", p.readRate)
	}
	return nil
}
