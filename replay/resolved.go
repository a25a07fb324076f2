package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"

	"github.com/migreplay/migreplay/schema"
)

// Resolved is a Config with every default applied, in plain units: what a
// replay actually used. Rates are bytes/s, times seconds.
type Resolved struct {
	Memory         int64
	PageSize       int64
	Pages          int64
	Bandwidth      float64 // link line rate; +Inf when the link never limits
	MTU            int
	MaxBandwidth   float64 // +Inf when none
	CPUCap         float64
	CPURate        float64 // ≤ 0: the CPU never limits
	PacketCPUShare float64
	LinkRate       float64 // goodput after per-packet overhead
	CPULimitedRate float64 // +Inf when the CPU never limits
	Rate           float64 // min of the three
	RateBound      string  // "link", "cpu" or "limit"
	Policy         string
	PolicyOptions  string // the policy's non-default options, e.g. rate_adapt or ramp(…); "" when none
	DirtyModel     string // name and parameters, e.g. hotcold(rate=5000,hot_share=0.1,hot_writes=0.9)
	ZeroShare      float64
	DowntimeLimit  float64
	AutoConverge   bool
	Postcopy       bool
	PostcopyAfter  int
	PostcopyAt     float64 // s; 0: by rounds (PostcopyAfter)
	ReadRate       float64 // page reads/s
	StateBytes     float64
	StateTime      float64
	SetupTime      float64
	FaultLatency   float64
	Timeout        float64
	Seed           uint64
}

// Resolve applies the documented defaults to c and validates it.
func Resolve(c Config) (Resolved, error) {
	p, err := resolve(c)
	if err != nil {
		return Resolved{}, err
	}
	return p.resolved(), nil
}

func (p *params) resolved() Resolved {
	return Resolved{
		Memory: p.pages * p.pageSize, PageSize: p.pageSize, Pages: p.pages,
		Bandwidth: p.bandwidth, MTU: p.mtu, MaxBandwidth: p.maxBW,
		CPUCap: p.cpuCap, CPURate: p.cpuRate, PacketCPUShare: p.packetCPU,
		LinkRate: p.linkRate, CPULimitedRate: p.cpuLimited, Rate: p.rate, RateBound: p.bound(),
		Policy: p.policy.Name(), PolicyOptions: policyOptions(p.policy), DirtyModel: describeModel(p.dirty()), ZeroShare: p.zeroShare,
		DowntimeLimit: p.limit, AutoConverge: p.autoConv, Postcopy: p.postcopy, PostcopyAfter: p.postAfter,
		PostcopyAt: p.postAt, ReadRate: p.readRate,
		StateBytes: p.stateBytes, StateTime: p.state, SetupTime: p.setup, FaultLatency: p.fault, Timeout: p.timeout, Seed: p.seed,
	}
}

func describeModel(m DirtyModel) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return m.Name()
}

// ID is a stable 16-hex-digit name for a replay of this resolved
// configuration by engine ("page" or "analytic"): the first 8 bytes of the
// SHA-256 of its canonical text, fmt.Sprintf("%s|%+v", engine, r).
func (r Resolved) ID(engine string) string {
	var buf [640]byte
	h := sha256.Sum256(r.appendCanonical(append(buf[:0], engine...)))
	return hex.EncodeToString(h[:8])
}

// appendCanonical appends "|" and r as fmt's %+v prints it, without
// reflection (a sweep names every row; TestResolvedCanonicalText keeps the
// two identical).
func (r Resolved) appendCanonical(b []byte) []byte {
	i := func(name string, v int64) { b = strconv.AppendInt(append(b, name...), v, 10) }
	f := func(name string, v float64) { b = strconv.AppendFloat(append(b, name...), v, 'g', -1, 64) }
	s := func(name, v string) { b = append(append(b, name...), v...) }
	t := func(name string, v bool) { b = strconv.AppendBool(append(b, name...), v) }
	b = append(b, "|{"...)
	i("Memory:", r.Memory)
	i(" PageSize:", r.PageSize)
	i(" Pages:", r.Pages)
	f(" Bandwidth:", r.Bandwidth)
	i(" MTU:", int64(r.MTU))
	f(" MaxBandwidth:", r.MaxBandwidth)
	f(" CPUCap:", r.CPUCap)
	f(" CPURate:", r.CPURate)
	f(" PacketCPUShare:", r.PacketCPUShare)
	f(" LinkRate:", r.LinkRate)
	f(" CPULimitedRate:", r.CPULimitedRate)
	f(" Rate:", r.Rate)
	s(" RateBound:", r.RateBound)
	s(" Policy:", r.Policy)
	s(" PolicyOptions:", r.PolicyOptions)
	s(" DirtyModel:", r.DirtyModel)
	f(" ZeroShare:", r.ZeroShare)
	f(" DowntimeLimit:", r.DowntimeLimit)
	t(" AutoConverge:", r.AutoConverge)
	t(" Postcopy:", r.Postcopy)
	i(" PostcopyAfter:", int64(r.PostcopyAfter))
	f(" PostcopyAt:", r.PostcopyAt)
	f(" ReadRate:", r.ReadRate)
	f(" StateBytes:", r.StateBytes)
	f(" StateTime:", r.StateTime)
	f(" SetupTime:", r.SetupTime)
	f(" FaultLatency:", r.FaultLatency)
	f(" Timeout:", r.Timeout)
	b = strconv.AppendUint(append(b, " Seed:"...), r.Seed, 10)
	return append(b, '}')
}

// finite maps ±Inf to nil, for nullable columns.
func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// Rows renders a replay as table rows: its replay_run row and one
// replay_round row per round. engine is "page" or "analytic"; index is the
// position in a sweep (0 for a single run).
func Rows(cfg Config, res Result, engine string, index int) (schema.ReplayRun, []schema.ReplayRound, error) {
	p, err := resolve(cfg)
	if err != nil {
		return schema.ReplayRun{}, nil, err
	}
	rv := p.resolved()
	id := rv.ID(engine)
	run := schema.ReplayRun{
		RunID: id, SweepIndex: int64(index), Engine: engine, Policy: rv.Policy, PolicyOpts: rv.PolicyOptions, DirtyModel: rv.DirtyModel,
		Seed: rv.Seed, MemoryBytes: rv.Memory, PageSize: rv.PageSize, Bandwidth: finite(rv.Bandwidth), MTU: int64(rv.MTU),
		MaxBandwidth: finite(rv.MaxBandwidth), CPUCap: rv.CPUCap, StreamRate: rv.Rate, RateBound: rv.RateBound,
		ZeroShare: rv.ZeroShare, DowntimeLim: rv.DowntimeLimit, AutoConv: rv.AutoConverge, StateBytes: rv.StateBytes, StateTime: rv.StateTime,
		TotalTime: res.TotalTime, Downtime: res.Downtime, ExpDowntime: res.ExpectedDowntime, BytesSent: res.Bytes,
		PagesSent: res.PagesSent, ZeroPages: res.ZeroPages, Rounds: int64(res.Rounds), Syncs: int64(res.Syncs),
		Converged: res.Converged, StopReason: res.StopReason, MaxThrottle: res.MaxThrottle,
		PostcopyTime: res.PostcopyTime, RemoteFaults: res.RemoteFaults, StallTime: res.StallTime,
	}
	if rv.CPURate > 0 {
		run.CPURate = finite(rv.CPURate)
	}
	switch {
	case rv.Postcopy && rv.PostcopyAt > 0:
		at := rv.PostcopyAt
		run.PostcopyAt = &at
	case rv.Postcopy:
		a := int64(rv.PostcopyAfter)
		run.PostcopyAft = &a
	}
	run.ReadRate = rv.ReadRate
	rounds := make([]schema.ReplayRound, len(res.Log))
	for i, r := range res.Log {
		rounds[i] = schema.ReplayRound{
			RunID: id, Round: int64(r.Index), Phase: r.Phase, Start: r.Start, Duration: r.Duration,
			Pending: r.Pending, PagesSent: r.PagesSent, ZeroPages: r.ZeroPages, PagesSkipped: r.PagesSkipped,
			PagesLeft: r.PagesLeft, PagesDirtied: r.PagesDirtied, Writes: r.Writes, Bytes: r.Bytes, Rate: r.Rate,
			Throttle: r.Throttle, PendingAfter: r.PendingAfter, RemoteFaults: r.RemoteFaults,
		}
	}
	return run, rounds, nil
}
