package replay

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Measured is one measured migration: the inputs its source states, as a
// Config, and what was observed. Unknown outcomes are NaN and not scored.
type Measured struct {
	Name      string
	Config    Config
	TotalTime float64 // s
	Downtime  float64 // s
	// Syncs is QEMU's dirty-sync-count (libvirt's "iterations"): bitmap
	// syncs, compared with Result.Syncs (not Result.Rounds, the live
	// rounds; see schema/README.md's glossary).
	Syncs float64
	Bytes float64 // stream bytes sent
	// Group names the kind of run, for errors reported per group of
	// similar runs (MeasuredFromQMP: idle, pre-copy, auto-converge or
	// post-copy); "" is a group too.
	Group string
}

// Free parameters Calibrate can fit.
const (
	FitEfficiency = "efficiency" // link goodput factor, [0.2, 1.5]: Bandwidth × factor
	FitStateTime  = "state-time" // stop-and-copy time beyond RAM, [0.1 ms, 2 s]
	FitHotShare   = "hot-share"  // hot/cold dirty model's hot share of pages, [0.001, 1]
	FitCPURate    = "cpu-rate"   // stream rate of one CPU at MTU 1500, [1 MB/s, 100 GB/s]
	// FitWorkingSet is the share of memory the guest writes, [0.001, 1]:
	// the trace and CPU models' working set, Zipf's span.
	FitWorkingSet = "working-set"
)

// Calibration is a set of fitted free parameters; zero fields were not fitted.
type Calibration struct {
	Efficiency float64
	StateTime  float64 // s
	HotShare   float64
	CPURate    float64 // B/s
	WorkingSet float64
	Loss       float64 // mean squared log error over the training runs' known outcomes
}

// Apply returns cfg with the fitted parameters set.
func (c Calibration) Apply(cfg Config) Config {
	if c.Efficiency > 0 {
		bw := cfg.Bandwidth
		if bw == 0 {
			bw = 125e6
		}
		cfg.Bandwidth = bw * c.Efficiency
	}
	if c.StateTime > 0 {
		cfg.StateTime = time.Duration(c.StateTime * 1e9)
	}
	if c.CPURate > 0 {
		cfg.CPURate = c.CPURate
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{FitHotShare, c.HotShare}, {FitWorkingSet, c.WorkingSet}} {
		if p.v > 0 && cfg.DirtyModel != nil {
			// a model without the parameter keeps its own
			if m, err := Tune(cfg.DirtyModel, p.name, p.v); err == nil {
				cfg.DirtyModel = m
			}
		}
	}
	return cfg
}

// ApplyGiven is Apply for a configuration built from options (Options'
// names): a fitted parameter whose option given reports as set is an
// error, never silently replaced (efficiency scales the bandwidth, which
// may be given: it is the line rate the efficiency applies to).
func (c Calibration) ApplyGiven(cfg Config, given func(name string) bool) (Config, error) {
	for _, p := range []struct {
		option string
		v      float64
	}{{"state-time", c.StateTime}, {"cpu-rate", c.CPURate}, {FitWorkingSet, c.WorkingSet}, {FitHotShare, c.HotShare}} {
		if p.v > 0 && given(p.option) {
			return cfg, &OptionError{Name: p.option, Reason: errors.New("given, and fitted in the parameters file: give one")}
		}
	}
	return c.Apply(cfg), nil
}

// CalibrateOptions choose what is fitted and how runs are predicted.
type CalibrateOptions struct {
	Fit []string // free parameters (Fit* constants); empty means efficiency and state-time
	// PageLevel predicts with the page-level engine (seeded by each run's
	// Config); the default is the analytic path, which is fast enough for
	// the hundreds of evaluations a fit needs.
	PageLevel bool
	// ByGroup fits each group of similar runs (Measured.Group) on its own:
	// leave-one-out trains on the held-out run's group (on all the others
	// when its group has no other run).
	ByGroup bool
}

// ErrCalibrate is returned (wrapped) when there is nothing to fit on.
var ErrCalibrate = errors.New("cannot calibrate")

type knob struct {
	name   string
	lo, hi float64 // bounds, searched in log space
	set    func(*Calibration, float64)
	get    func(Calibration) float64
}

var knobs = map[string]knob{
	FitEfficiency: {FitEfficiency, 0.2, 1.5, func(c *Calibration, v float64) { c.Efficiency = v }, func(c Calibration) float64 { return c.Efficiency }},
	FitStateTime:  {FitStateTime, 1e-4, 2, func(c *Calibration, v float64) { c.StateTime = v }, func(c Calibration) float64 { return c.StateTime }},
	FitHotShare:   {FitHotShare, 1e-3, 1, func(c *Calibration, v float64) { c.HotShare = v }, func(c Calibration) float64 { return c.HotShare }},
	FitCPURate:    {FitCPURate, 1e6, 1e11, func(c *Calibration, v float64) { c.CPURate = v }, func(c Calibration) float64 { return c.CPURate }},
	FitWorkingSet: {FitWorkingSet, 1e-3, 1, func(c *Calibration, v float64) { c.WorkingSet = v }, func(c Calibration) float64 { return c.WorkingSet }},
}

// Predict runs m's configuration with c applied.
func Predict(m Measured, c Calibration, opt CalibrateOptions) (Result, error) {
	cfg := c.Apply(m.Config)
	if opt.PageLevel {
		return Run(cfg)
	}
	return Analytic(cfg)
}

// loss is the mean of squared log ratios predicted/observed over every
// known outcome of every run; a run that does not converge when it did
// scores its expected figures plus a fixed penalty of (ln 10)².
func loss(runs []Measured, c Calibration, opt CalibrateOptions) (float64, error) {
	var s float64
	var n int
	for _, m := range runs {
		r, err := Predict(m, c, opt)
		if err != nil {
			return 0, err
		}
		for _, pr := range pairs(m, r) {
			d := math.Log(math.Max(pr[0], 1e-9) / pr[1])
			s += d * d
			n++
		}
		if !r.Converged {
			s += math.Ln10 * math.Ln10
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: no known outcome in %d runs", ErrCalibrate, len(runs))
	}
	return s / float64(n), nil
}

// pairs lists (predicted, observed) for m's known outcomes.
func pairs(m Measured, r Result) [][2]float64 {
	var out [][2]float64
	down := r.Downtime
	if !r.Converged {
		down = r.ExpectedDowntime
	}
	for _, p := range [][2]float64{{r.TotalTime, m.TotalTime}, {down, m.Downtime}, {float64(r.Syncs), m.Syncs}, {float64(r.Bytes), m.Bytes}} {
		if !math.IsNaN(p[1]) && p[1] > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Calibrate fits the free parameters to the runs by minimising the mean
// squared log error of their known outcomes (so a 10 % miss counts alike
// on 100 s and on 100 ms): coordinate descent, each parameter by
// golden-section search in log space within its bounds, from the default
// value, three sweeps. Deterministic.
func Calibrate(runs []Measured, opt CalibrateOptions) (Calibration, error) {
	names := opt.Fit
	if len(names) == 0 {
		names = []string{FitEfficiency, FitStateTime}
	}
	var ks []knob
	for _, n := range names {
		k, ok := knobs[n]
		if !ok {
			return Calibration{}, fmt.Errorf("%w: unknown parameter %q", ErrCalibrate, n)
		}
		ks = append(ks, k)
	}
	if len(runs) == 0 {
		return Calibration{}, fmt.Errorf("%w: no runs", ErrCalibrate)
	}
	var c Calibration
	for _, k := range ks {
		k.set(&c, math.Sqrt(k.lo*k.hi)) // geometric middle to start
	}
	var err error
	for sweep := 0; sweep < 3; sweep++ {
		for _, k := range ks {
			f := func(lx float64) float64 {
				cc := c
				k.set(&cc, math.Exp(lx))
				l, e := loss(runs, cc, opt)
				if e != nil {
					err = e
					return math.Inf(1)
				}
				return l
			}
			a, b := math.Log(k.lo), math.Log(k.hi)
			// coarse grid first (the loss can be multimodal across stop
			// rules), then golden-section around the best grid point
			const grid = 24
			best, bestX := math.Inf(1), a
			for i := 0; i <= grid; i++ {
				x := a + (b-a)*float64(i)/grid
				if v := f(x); v < best {
					best, bestX = v, x
				}
			}
			step := (b - a) / grid
			x := goldenMin(f, math.Max(a, bestX-step), math.Min(b, bestX+step), 30)
			if f(x) > best {
				x = bestX
			}
			k.set(&c, math.Exp(x))
			if err != nil {
				return Calibration{}, err
			}
		}
	}
	c.Loss, err = loss(runs, c, opt)
	return c, err
}

func goldenMin(f func(float64) float64, a, b float64, iters int) float64 {
	g := (math.Sqrt(5) - 1) / 2
	x1, x2 := b-g*(b-a), a+g*(b-a)
	f1, f2 := f(x1), f(x2)
	for i := 0; i < iters; i++ {
		if f1 <= f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - g*(b-a)
			f1 = f(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + g*(b-a)
			f2 = f(x2)
		}
	}
	return (a + b) / 2
}

// HeldOut is one leave-one-out prediction.
type HeldOut struct {
	Name        string
	Calibration Calibration // fitted without this run
	Predicted   Result
	// APE per outcome: |predicted − observed| / observed; NaN when unknown.
	APETotalTime, APEDowntime, APESyncs, APEBytes float64
}

// LOOReport is a leave-one-out evaluation.
type LOOReport struct {
	Runs []HeldOut
	// Median absolute percentage error per outcome over the held-out runs
	// where it is known (NaN when known nowhere), as fractions.
	MdAPETotalTime, MdAPEDowntime, MdAPESyncs, MdAPEBytes float64
	// Groups are the same medians over each group of similar runs
	// (Measured.Group), in order of first appearance.
	Groups []GroupError
}

// GroupError is a leave-one-out evaluation's medians over one group.
type GroupError struct {
	Group                                                 string
	Runs                                                  int
	MdAPETotalTime, MdAPEDowntime, MdAPESyncs, MdAPEBytes float64
}

// LeaveOneOut fits on all runs but one and predicts that one, for each run.
func LeaveOneOut(runs []Measured, opt CalibrateOptions) (LOOReport, error) {
	if len(runs) < 2 {
		return LOOReport{}, fmt.Errorf("%w: leave-one-out needs ≥ 2 runs, got %d", ErrCalibrate, len(runs))
	}
	var rep LOOReport
	var tt, dd, rr, bb []float64
	for i, m := range runs {
		train := append(append([]Measured(nil), runs[:i]...), runs[i+1:]...)
		if opt.ByGroup {
			if same := sameGroup(train, m.Group); len(same) > 0 {
				train = same
			}
		}
		c, err := Calibrate(train, opt)
		if err != nil {
			return LOOReport{}, fmt.Errorf("without %s: %w", m.Name, err)
		}
		r, err := Predict(m, c, opt)
		if err != nil {
			return LOOReport{}, err
		}
		down := r.Downtime
		if !r.Converged {
			down = r.ExpectedDowntime
		}
		h := HeldOut{Name: m.Name, Calibration: c, Predicted: r,
			APETotalTime: ape(r.TotalTime, m.TotalTime), APEDowntime: ape(down, m.Downtime),
			APESyncs: ape(float64(r.Syncs), m.Syncs), APEBytes: ape(float64(r.Bytes), m.Bytes)}
		rep.Runs = append(rep.Runs, h)
		tt, dd, rr, bb = appendKnown(tt, h.APETotalTime), appendKnown(dd, h.APEDowntime), appendKnown(rr, h.APESyncs), appendKnown(bb, h.APEBytes)
	}
	rep.MdAPETotalTime, rep.MdAPEDowntime, rep.MdAPESyncs, rep.MdAPEBytes = median(tt), median(dd), median(rr), median(bb)
	for _, g := range Groups(runs) {
		var tt, dd, rr, bb []float64
		n := 0
		for i, h := range rep.Runs {
			if runs[i].Group == g {
				n++
				tt, dd, rr, bb = appendKnown(tt, h.APETotalTime), appendKnown(dd, h.APEDowntime), appendKnown(rr, h.APESyncs), appendKnown(bb, h.APEBytes)
			}
		}
		rep.Groups = append(rep.Groups, GroupError{Group: g, Runs: n, MdAPETotalTime: median(tt), MdAPEDowntime: median(dd), MdAPESyncs: median(rr), MdAPEBytes: median(bb)})
	}
	return rep, nil
}

// sameGroup is the runs of group g.
func sameGroup(runs []Measured, g string) []Measured {
	var out []Measured
	for _, r := range runs {
		if r.Group == g {
			out = append(out, r)
		}
	}
	return out
}

// Groups lists the runs' groups in order of first appearance.
func Groups(runs []Measured) []string {
	var names []string
	for _, m := range runs {
		if !slices.Contains(names, m.Group) {
			names = append(names, m.Group)
		}
	}
	return names
}

func ape(pred, obs float64) float64 {
	if math.IsNaN(obs) || obs <= 0 {
		return math.NaN()
	}
	return math.Abs(pred-obs) / obs
}

func appendKnown(s []float64, v float64) []float64 {
	if math.IsNaN(v) {
		return s
	}
	return append(s, v)
}

func median(s []float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	s = append([]float64(nil), s...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
