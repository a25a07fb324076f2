package reproduce

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/migreplay/migreplay/datasets"
	"github.com/migreplay/migreplay/replay"
)

// Fixed inputs of seed 004's set-up and the assumptions the text leaves
// open. README.md justifies each one.
const (
	// MemoryBytes is the guest's RAM: "The migrated VM has 1GB of Memory"
	// (seed 004, line 69), read as 2^30 bytes.
	MemoryBytes = 1 << 30
	// LineRate is the link's line rate, 1 Gbit/s: not stated; the 17 s
	// plateau needs at least 505 Mbit/s of stream, and Gigabit Ethernet is
	// what two 2010 Opteron servers had.
	LineRate = 125e6
	// CapStepPct is the Dom0 cap step: caps 10, 20, …, 100 % (not stated;
	// the text names 10, 50, 60 and 100 %, and ten caps fit every statement).
	CapStepPct = 10

	// BenchWorkingSetPages is what the CPU benchmark (and the memory-read
	// benchmark's own loop state) writes: 16 pages (64 KiB), under Xen's
	// 50-page stop rule, so the guest's CPU intensity cannot change the
	// migration ("almost identical", line 79).
	BenchWorkingSetPages = 16
	// BenchWriteRate is that benchmark's page writes per second at 100 % of
	// a CPU; any rate above a few hundred saturates 16 pages every round.
	BenchWriteRate = 1e5
	// MemWriteWorkingSet is the share of RAM the memory-write benchmark
	// writes: half (512 MiB), leaving the rest to the kernel and caches.
	MemWriteWorkingSet = 0.5
	// PageCacheShare is the share of RAM the disk benchmark's reads cycle
	// through: an 8 GB file "cannot be cached in the DomU's 1GB memory"
	// (line 149), so the page cache (3/4 of RAM) is refilled continuously.
	PageCacheShare = 0.75
	// NetBufferPages is the network benchmark's socket-buffer working set
	// (4 MiB): TTCP sends or receives through kernel buffers, not a file.
	NetBufferPages = 1024

	// noiseDraws and noiseCalSeed drive the Monte Carlo that turns the
	// spread of the three replicate R² values into a noise sigma.
	noiseDraws   = 2000
	noiseCalSeed = 2011
)

// Calibration is the one set of global parameters every experiment uses.
// Two are fitted to the three published migration times; the others come
// from statements of the text; none is chosen per experiment.
type Calibration struct {
	// Fitted (replay.Calibrate on the anchors, mean squared log error).
	SourceCPURate  float64 `json:"source_cpu_rate_bps"` // stream B/s one full source Dom0 CPU sustains
	LinkEfficiency float64 `json:"link_efficiency"`     // share of the 1 Gbit/s line rate the path delivers
	AnchorLoss     float64 `json:"anchor_loss"`         // mean squared log error left on the anchors

	// Derived.
	LinkBandwidth   float64 `json:"link_bandwidth_bps"`   // LineRate × LinkEfficiency
	PlateauRate     float64 `json:"plateau_rate_bps"`     // stream rate with Dom0 uncapped (link-bound)
	MigrationDemand float64 `json:"migration_cpu_demand"` // share of a CPU the migration uses uncapped: PlateauRate / SourceCPURate
	DestDemand      float64 `json:"dest_cpu_demand"`      // share of a CPU the destination uses uncapped: MigrationDemand × line 81 ÷ line 79
	DestCPURate     float64 `json:"dest_cpu_rate_bps"`    // stream B/s one full destination Dom0 CPU sustains: PlateauRate / DestDemand
	NetDom0Share    float64 `json:"net_dom0_share"`       // Dom0 CPU the network workload's I/O needs (line 173 − line 79)
	DiskDom0Share   float64 `json:"disk_dom0_share"`      // the same for disk I/O (assumed equal: line 153 gives no total)
	IORate          float64 `json:"io_rate_bps"`          // guest I/O bytes/s at full service: NetDom0Share × SourceCPURate
	MemWriteRate    float64 `json:"mem_write_rate_pps"`   // memory-write benchmark's page writes/s per guest CPU
	MemWriteKneePct float64 `json:"mem_write_knee_pct"`   // DomU cap from which Xen stops early (line 115)
	NoiseSigma      float64 `json:"noise_sigma"`          // sd of ln(measured/model), per point
	PublishedR2SD   float64 `json:"published_r2_sd"`      // sample sd of the three CPU-intensive R² (the noise target)

	Anchors []Anchor `json:"anchors"`
	// Checks against statements not used for fitting.
	MemReadUncapped  float64 `json:"mem_read_uncapped_s"`  // ours, noiseless
	MemReadPublished float64 `json:"mem_read_published_s"` // "about 20 seconds" (line 103)
	SourceCPUStated  float64 `json:"source_cpu_stated"`    // "At most 50%" (line 79)
	DestCPUStated    float64 `json:"dest_cpu_stated"`      // "does not need more than 50%" (line 81)
}

// Anchor is one published migration time the calibration is fitted to,
// with our noiseless time for each CPU-intensive guest.
type Anchor struct {
	CapPct    float64   `json:"cap_pct"`
	Published float64   `json:"published_s"`
	Kind      string    `json:"kind"` // point or plateau
	SeedLine  int       `json:"seed_line"`
	Ours      []float64 `json:"ours_s"` // idle, 40 %, 80 % DomU cap
}

// CapsPct lists the Dom0 caps every experiment sweeps: 10, 20, …, 100 %.
func CapsPct() []float64 {
	var out []float64
	for c := CapStepPct; c <= 100; c += CapStepPct {
		out = append(out, float64(c))
	}
	return out
}

// setup is one migration of seed 004's set-up: caps are shares of one CPU
// (Xen's credit-scheduler cap ÷ 100); DomUCap 0 is the idle guest.
type setup struct {
	Workload string
	DomUCap  float64
	SrcCap   float64
	DstCap   float64
}

// Workloads, as the published-R² CSV names them.
const (
	wCPU     = "cpu"
	wMemRead = "memory_read"
	wMemWrt  = "memory_write"
	wDisk    = "disk_io"
	wNetSend = "network_io_sender"
	wNetRecv = "network_io_receiver"
)

// dom0Split shares a Dom0 cap between the migration (demand mig) and the
// guest's I/O backend (demand io), max-min fairly, as a fair scheduler
// shares a CPU between two busy tasks: each gets its demand if the cap
// covers both; otherwise the smaller demand is met if it is under half the
// cap and the other task gets the rest; otherwise each gets half.
func dom0Split(capShare, mig, io float64) (migGot, ioGot float64) {
	switch {
	case io <= 0:
		return capShare, 0
	case capShare >= mig+io:
		return capShare - io, io
	case io <= capShare/2:
		return capShare - io, io
	case mig <= capShare/2:
		return mig, capShare - mig
	}
	return capShare / 2, capShare / 2
}

// config maps a setup to the replay model; README.md ("Workloads") gives
// the reason for each mapping.
func (c *Calibration) config(s setup) (replay.Config, error) {
	pages := float64(MemoryBytes / 4096)
	ioDemand := 0.0
	switch s.Workload {
	case wDisk:
		ioDemand = c.DiskDom0Share
	case wNetSend, wNetRecv:
		ioDemand = c.NetDom0Share
	}
	mig, io := dom0Split(s.SrcCap, c.MigrationDemand, ioDemand)
	var dm replay.DirtyModel
	switch s.Workload {
	case wCPU, wMemRead:
		dm = replay.Uniform{}
		if s.DomUCap > 0 {
			dm = replay.CPU{Rate: BenchWriteRate, Usage: s.DomUCap, WorkingSet: BenchWorkingSetPages / pages}
		}
	case wMemWrt:
		dm = replay.CPU{Rate: c.MemWriteRate, Usage: s.DomUCap, WorkingSet: MemWriteWorkingSet}
	case wDisk:
		dm = replay.CPU{Rate: c.IORate / 4096, Usage: io / ioDemand, WorkingSet: PageCacheShare}
	case wNetSend, wNetRecv:
		dm = replay.CPU{Rate: c.IORate / 4096, Usage: io / ioDemand, WorkingSet: NetBufferPages / pages}
	default:
		return replay.Config{}, fmt.Errorf("reproduce: unknown workload %q", s.Workload)
	}
	cfg := replay.Config{
		Memory: MemoryBytes, Policy: replay.XenLegacy{}, Bandwidth: c.LinkBandwidth,
		CPUCap: mig, CPURate: c.SourceCPURate, DirtyModel: dm,
	}
	return replay.WithReceiver(cfg, replay.Receiver{CPUCap: s.DstCap, CPURate: c.DestCPURate})
}

// simulate replays one setup (analytic path unless page is set).
func (c *Calibration) simulate(s setup, page bool, seed uint64) (replay.Result, error) {
	cfg, err := c.config(s)
	if err != nil {
		return replay.Result{}, err
	}
	if page {
		cfg.Seed = seed
		return replay.Run(cfg)
	}
	return replay.Analytic(cfg)
}

// inputs are the numbers the calibration reads from the datasets CSVs.
type inputs struct {
	anchors       []Anchor
	cpuUse        float64 // source Dom0 use, CPU-intensive, percent (line 79)
	destUse       float64 // destination Dom0 use, percent (line 81)
	netUse        float64 // source Dom0 use with the network workload, percent (line 173)
	knee          float64 // memory-write DomU cap knee, percent (line 115)
	memRead       float64 // memory read, Dom0 uncapped (line 103)
	replicateR2   []float64
	replicateLine int
}

func readInputs() (*inputs, error) {
	in := new(inputs)
	times, err := datasets.LoadMigrationTimes()
	if err != nil {
		return nil, err
	}
	for _, r := range times {
		switch {
		case r.ExperimentID == "cpu-all" && r.Kind == datasets.KindPoint:
			in.anchors = append(in.anchors, Anchor{CapPct: *r.XLowPct, Published: *r.TimeS, Kind: r.Kind, SeedLine: r.SeedLine})
		case r.ExperimentID == "cpu-all" && r.Kind == datasets.KindPlateau:
			// the plateau holds for every cap of the grid above x_low
			// (exclusive) up to x_high
			for _, c := range CapsPct() {
				if c > *r.XLowPct && c <= *r.XHighPct {
					in.anchors = append(in.anchors, Anchor{CapPct: c, Published: *r.TimeS, Kind: r.Kind, SeedLine: r.SeedLine})
				}
			}
		case r.ExperimentID == "mem-write-domu" && r.XLowPct != nil && r.XHighPct == nil:
			in.knee = *r.XLowPct
		case r.ExperimentID == "mem-read-domu" && r.TimeS != nil:
			in.memRead = *r.TimeS
		}
	}
	use, err := datasets.LoadDom0CPUUse()
	if err != nil {
		return nil, err
	}
	for _, u := range use {
		switch u.ExperimentID {
		case "cpu-all":
			in.cpuUse = u.Dom0CPUPct
		case "dest":
			in.destUse = u.Dom0CPUPct
		case "net":
			in.netUse = u.Dom0CPUPct
		}
	}
	pub, err := datasets.LoadPublishedR2()
	if err != nil {
		return nil, err
	}
	for _, p := range pub {
		if p.Workload == wCPU && p.Varied == "source_dom0_cap" && p.R2 != nil {
			in.replicateR2 = append(in.replicateR2, *p.R2)
			in.replicateLine = p.SeedLine
		}
	}
	sort.Slice(in.anchors, func(i, j int) bool { return in.anchors[i].CapPct < in.anchors[j].CapPct })
	switch {
	case len(in.anchors) < 3:
		return nil, fmt.Errorf("reproduce: %s has %d cpu-all anchors, want the 10 %%, 50 %% points and the plateau", datasets.FileMigrationTimes, len(in.anchors))
	case in.cpuUse <= 0 || in.destUse <= 0 || in.netUse <= in.cpuUse:
		return nil, fmt.Errorf("reproduce: %s lacks the cpu-all, dest or net Dom0 use", datasets.FileDom0CPUUse)
	case in.knee <= 0 || in.memRead <= 0:
		return nil, fmt.Errorf("reproduce: %s lacks the memory-write knee or the memory-read time", datasets.FileMigrationTimes)
	case len(in.replicateR2) != 3:
		return nil, fmt.Errorf("reproduce: %s has %d CPU-intensive R² values, want 3", datasets.FilePublishedR2, len(in.replicateR2))
	}
	return in, nil
}

// cpuGuests are the DomU caps of the three CPU-intensive experiments (idle,
// 40 %, 80 %: line 79); the anchors hold for all three.
var cpuGuests = []float64{0, 0.4, 0.8}

// Calibrate computes the calibration from the datasets, in four steps:
//
//  1. Source CPU rate and link efficiency: replay.Calibrate (mean squared
//     log error, golden-section coordinate descent) on the anchors of
//     seed004_migration_times.csv — about 100 s at a 10 % Dom0 cap, about
//     20 s at 50 %, about 17 s above 50 % (line 77) — replayed for the
//     idle, 40 % and 80 % CPU-intensive guests alike.
//  2. From seed004_dom0_cpu_use.csv: the destination Dom0 "does not need
//     more than 50%" (line 81), measured as the source's "At most 50%"
//     (line 79) was. The anchors put the source's use at MigrationDemand
//     (58.8 %), not 50 %, so the model reads the paper's Dom0 figures on
//     that scale: DestDemand = MigrationDemand × 50/50 and DestCPURate =
//     PlateauRate / DestDemand, the source's rate: both Dom0s spend the
//     same CPU per byte of stream. The network workload's Dom0 uses "about
//     60%" (line 173) against 50 % (line 79), so its I/O needs 10 % of a
//     CPU.
//  3. The memory-write benchmark's write rate: the rate at which Xen's
//     loop, Dom0s uncapped, first ends by a forced stop (iterations or the
//     3× cap) rather than by converging, at the DomU cap where the text
//     says that starts (30 %, lines 115 and 128). Bisection in log rate.
//  4. The noise: the three CPU-intensive experiments are replicates of one
//     curve ("almost identical", line 79), so the spread of their
//     published R² (94.1, 93.99, 95.81 %: sample sd 0.0102) is the spread
//     the measurement noise put there. Sigma is set so that, on our
//     noiseless curves, the expected sample sd of three log-space R² under
//     lognormal noise equals it (Monte Carlo, fixed seed, bisection).
func Calibrate() (*Calibration, error) {
	in, err := readInputs()
	if err != nil {
		return nil, err
	}
	c := &Calibration{MemReadPublished: in.memRead, SourceCPUStated: in.cpuUse / 100, DestCPUStated: in.destUse / 100, MemWriteKneePct: in.knee}

	// 1. anchors
	var runs []replay.Measured
	for _, a := range in.anchors {
		for _, d := range cpuGuests {
			dm := replay.DirtyModel(replay.Uniform{})
			if d > 0 {
				dm = replay.CPU{Rate: BenchWriteRate, Usage: d, WorkingSet: BenchWorkingSetPages / float64(MemoryBytes/4096)}
			}
			runs = append(runs, replay.Measured{
				Name: fmt.Sprintf("cpu domU %g%% dom0 %g%%", 100*d, a.CapPct),
				Config: replay.Config{Memory: MemoryBytes, Policy: replay.XenLegacy{}, Bandwidth: LineRate,
					CPUCap: a.CapPct / 100, DirtyModel: dm},
				TotalTime: a.Published, Downtime: math.NaN(), Syncs: math.NaN(), Bytes: math.NaN(),
			})
		}
	}
	fitted, err := replay.Calibrate(runs, replay.CalibrateOptions{Fit: []string{replay.FitCPURate, replay.FitEfficiency}})
	if err != nil {
		return nil, fmt.Errorf("reproduce: calibrating to the seed 004 anchors: %w", err)
	}
	c.SourceCPURate, c.LinkEfficiency, c.AnchorLoss = fitted.CPURate, fitted.Efficiency, fitted.Loss
	c.LinkBandwidth = LineRate * c.LinkEfficiency

	// 2. derived rates and shares
	c.PlateauRate, _, err = replay.Rate(replay.Config{Bandwidth: c.LinkBandwidth, CPURate: c.SourceCPURate, Policy: replay.XenLegacy{}})
	if err != nil {
		return nil, err
	}
	c.MigrationDemand = c.PlateauRate / c.SourceCPURate
	// the paper's two Dom0 figures on one scale (step 2 above)
	c.DestDemand = c.MigrationDemand * in.destUse / in.cpuUse
	if c.DestDemand > 1 {
		return nil, fmt.Errorf("reproduce: the destination Dom0 would need %.0f %% of a CPU (%s: %g %% against the source's %g %%)", 100*c.DestDemand, datasets.FileDom0CPUUse, in.destUse, in.cpuUse)
	}
	c.DestCPURate = c.PlateauRate / c.DestDemand
	c.NetDom0Share = (in.netUse - in.cpuUse) / 100
	c.DiskDom0Share = c.NetDom0Share
	c.IORate = c.NetDom0Share * c.SourceCPURate
	for i := range in.anchors {
		a := in.anchors[i]
		for _, d := range cpuGuests {
			r, err := c.simulate(setup{Workload: wCPU, DomUCap: d, SrcCap: a.CapPct / 100, DstCap: 1}, false, 0)
			if err != nil {
				return nil, err
			}
			a.Ours = append(a.Ours, r.TotalTime)
		}
		c.Anchors = append(c.Anchors, a)
	}
	mr, err := c.simulate(setup{Workload: wMemRead, DomUCap: 1, SrcCap: 1, DstCap: 1}, false, 0)
	if err != nil {
		return nil, err
	}
	c.MemReadUncapped = mr.TotalTime

	// 3. memory-write rate from the knee
	if c.MemWriteRate, err = c.kneeRate(in.knee / 100); err != nil {
		return nil, err
	}

	// 4. noise
	c.PublishedR2SD = sampleSD(in.replicateR2)
	if c.NoiseSigma, err = c.noiseSigma(c.PublishedR2SD); err != nil {
		return nil, err
	}
	return c, nil
}

// forcedStop reports whether Xen's loop ends by a forced rule (not by
// converging under 50 pages) for the memory-write guest at DomU cap domU
// with both Dom0s uncapped.
func (c *Calibration) forcedStop(domU float64) (bool, error) {
	r, err := c.simulate(setup{Workload: wMemWrt, DomUCap: domU, SrcCap: 1, DstCap: 1}, false, 0)
	if err != nil {
		return false, err
	}
	return r.StopReason != "under 50 pages", nil
}

// kneeRate finds the memory-write rate (page writes/s per guest CPU) at
// which the forced stop begins at DomU cap knee.
func (c *Calibration) kneeRate(knee float64) (float64, error) {
	lo, hi := math.Log(1e2), math.Log(1e7)
	cc := *c
	check := func(lr float64) (bool, error) {
		cc.MemWriteRate = math.Exp(lr)
		return cc.forcedStop(knee)
	}
	if f, err := check(lo); err != nil || f {
		return 0, errors.Join(err, errors.New("reproduce: the memory-write guest stops early even at 100 page writes/s"))
	}
	if f, err := check(hi); err != nil || !f {
		return 0, errors.Join(err, errors.New("reproduce: the memory-write guest converges even at 1e7 page writes/s"))
	}
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		f, err := check(mid)
		if err != nil {
			return 0, err
		}
		if f {
			hi = mid
		} else {
			lo = mid
		}
	}
	return math.Exp(hi), nil
}

// noiseSigma finds sigma such that the mean sample sd of the log-space R²
// of the three CPU-intensive curves, each with independent lognormal noise
// exp(sigma·Z) per point, equals target (common random numbers over sigma,
// so the mean is smooth and increasing; bisection in log sigma).
func (c *Calibration) noiseSigma(target float64) (float64, error) {
	caps := CapsPct()
	x := make([]float64, len(caps))
	for i, cp := range caps {
		x[i] = math.Log(cp)
	}
	curves := make([][]float64, len(cpuGuests))
	for k, d := range cpuGuests {
		for _, cp := range caps {
			r, err := c.simulate(setup{Workload: wCPU, DomUCap: d, SrcCap: cp / 100, DstCap: 1}, false, 0)
			if err != nil {
				return 0, err
			}
			curves[k] = append(curves[k], math.Log(r.TotalTime))
		}
	}
	rng := replay.NewRNG(noiseCalSeed)
	z := make([]float64, noiseDraws*len(cpuGuests)*len(caps))
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	ly := make([]float64, len(caps))
	meanSD := func(sigma float64) float64 {
		var s float64
		r2 := make([]float64, len(cpuGuests))
		zi := 0
		for range noiseDraws {
			for k := range cpuGuests {
				for i := range caps {
					ly[i] = curves[k][i] + sigma*z[zi]
					zi++
				}
				r2[k] = rsqLog(x, ly)
			}
			s += sampleSD(r2)
		}
		return s / noiseDraws
	}
	lo, hi := math.Log(1e-4), math.Log(1.0)
	if meanSD(math.Exp(lo)) > target || meanSD(math.Exp(hi)) < target {
		return 0, fmt.Errorf("reproduce: no noise sigma in [1e-4, 1] gives an R² spread of %.4g", target)
	}
	for i := 0; i < 40; i++ {
		mid := (lo + hi) / 2
		if meanSD(math.Exp(mid)) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2), nil
}

// rsqLog is R² of the least-squares line through (u, t): the squared
// Pearson correlation, RSQ(LN(y); LN(x)) when u = ln x and t = ln y. Used
// only inside the noise Monte Carlo, where fit.FitPower's intervals and
// cross-validation would cost 100× more; a test checks it equals
// fit.FitPower's R2Fit.
func rsqLog(u, t []float64) float64 {
	n := float64(len(u))
	var su, st float64
	for i := range u {
		su += u[i]
		st += t[i]
	}
	mu, mt := su/n, st/n
	var suu, stt, sut float64
	for i := range u {
		du, dt := u[i]-mu, t[i]-mt
		suu += du * du
		stt += dt * dt
		sut += du * dt
	}
	return sut * sut / (suu * stt)
}

// sampleSD is the sample standard deviation (denominator n − 1).
func sampleSD(v []float64) float64 {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}
