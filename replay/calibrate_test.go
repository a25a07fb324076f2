package replay

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The optimiser recovers parameters it is given: "measurements" made by
// the analytic model itself with efficiency 0.7 and state time 50 ms on
// three configurations are fitted back within 2 %. This checks the fitting
// code only; it validates nothing about the model (see the tests below for
// real figures).
func TestCalibrateRecoversKnownParameters(t *testing.T) {
	truth := Calibration{Efficiency: 0.7, StateTime: 0.05}
	var runs []Measured
	for i, d := range []float64{2000, 8000, 15000} {
		cfg := Config{Memory: 2 << 30, DirtyRate: d, Policy: QEMU{}}
		r, err := Analytic(truth.Apply(cfg))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, Measured{Name: fmt.Sprint(i), Config: cfg, TotalTime: r.TotalTime, Downtime: r.Downtime,
			Syncs: float64(r.Syncs), Bytes: float64(r.Bytes)})
	}
	c, err := Calibrate(runs, CalibrateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Efficiency-0.7) > 0.014 || math.Abs(c.StateTime-0.05) > 0.001 {
		t.Errorf("fitted %+v, want efficiency 0.7, state 0.05", c)
	}
}

// Seed 004's text, read as in FITTING.md: migration time (s) of a 1 GB
// Xen 3.2 guest at source Dom0 CPU caps of 10, 50, 60, 70, 80, 90 and 100 %:
// 100, 20, 17, 17, 17, 17, 17. Configured from the seed: 1 GiB, Xen legacy,
// the cap; assumed: a 1 Gbit/s link, a guest writing no memory (the
// CPU-intensive benchmark). Fitted: link efficiency and CPU rate;
// leave-one-out predicts each point from the other six. Recorded: the
// held-out errors and their median (MdAPE of total time).
func TestCalibrateSeed004LeaveOneOut(t *testing.T) {
	caps := []float64{10, 50, 60, 70, 80, 90, 100}
	times := []float64{100, 20, 17, 17, 17, 17, 17}
	var runs []Measured
	for i, c := range caps {
		runs = append(runs, Measured{Name: fmt.Sprintf("cap %g%%", c),
			Config:    Config{Memory: 1 << 30, Bandwidth: 125e6, CPUCap: c / 100, Policy: XenLegacy{}},
			TotalTime: times[i], Downtime: math.NaN(), Syncs: math.NaN(), Bytes: math.NaN()})
	}
	rep, err := LeaveOneOut(runs, CalibrateOptions{Fit: []string{FitEfficiency, FitCPURate}})
	if err != nil {
		t.Fatal(err)
	}
	var rec []string
	for i, h := range rep.Runs {
		rec = append(rec, fmt.Sprintf("%s: %.1f s vs %g s (%.1f %%)", h.Name, h.Predicted.TotalTime, times[i], 100*h.APETotalTime))
	}
	t.Logf("seed 004 leave-one-out: %s; MdAPE total time %.1f %%", strings.Join(rec, "; "), 100*rep.MdAPETotalTime)
	if !(rep.MdAPETotalTime < 0.5) {
		t.Errorf("MdAPE %.2f outside the sanity bound 50 %%", rep.MdAPETotalTime)
	}
}

// KubeVirt VEP 291's QEMU runs (1 Gbps, QEMU defaults unless noted), as
// published: loaded 8 GiB VM at ~650 Mbps of dirtying without tuning:
// 112.4 s, 69 iterations, 11,862 MiB, 451 ms; idle VM: 244 ms downtime at
// the 300 ms default limit and 129 ms at a 150 ms limit (total time, size
// and iterations of the idle runs unpublished: NaN; assumed 8 GiB, no
// writes). Fitted: link efficiency, state time, hot share (hot/cold model
// for the loaded VM). Leave-one-out over these three runs only: the figures
// are recorded, with a sanity bound; with three runs and three parameters
// this says little, which is itself the finding until more QMP logs exist.
func TestCalibrateKubeVirtLeaveOneOut(t *testing.T) {
	nan := math.NaN()
	runs := []Measured{
		{Name: "loaded, 300 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{Rate: 650e6 / 8 / 4096}},
			TotalTime: 112.4, Downtime: 0.451, Syncs: 69, Bytes: 11862 << 20},
		{Name: "idle, 300 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{}},
			TotalTime: nan, Downtime: 0.244, Syncs: nan, Bytes: nan},
		{Name: "idle, 150 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{}, DowntimeLimit: 150 * time.Millisecond},
			TotalTime: nan, Downtime: 0.129, Syncs: nan, Bytes: nan},
	}
	opt := CalibrateOptions{Fit: []string{FitEfficiency, FitStateTime, FitHotShare}}
	all, err := Calibrate(runs, opt)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := LeaveOneOut(runs, opt)
	if err != nil {
		t.Fatal(err)
	}
	var rec []string
	for _, h := range rep.Runs {
		rec = append(rec, fmt.Sprintf("%s: %.1f s, %.0f ms, %d syncs, %.0f MiB (fit %+.3g/%.3g s/%.3g)", h.Name, h.Predicted.TotalTime,
			h.Predicted.Downtime*1e3, h.Predicted.Syncs, float64(h.Predicted.Bytes)/(1<<20),
			h.Calibration.Efficiency, h.Calibration.StateTime, h.Calibration.HotShare))
	}
	t.Logf("KubeVirt fit on all three: efficiency %.3f, state %.3f s, hot share %.3g, loss %.3g", all.Efficiency, all.StateTime, all.HotShare, all.Loss)
	for _, m := range runs {
		r, _ := Predict(m, all, opt)
		t.Logf("  in-sample %s: %.1f s, %.0f ms, %d syncs, %.0f MiB, converged %v", m.Name, r.TotalTime, r.Downtime*1e3, r.Syncs, float64(r.Bytes)/(1<<20), r.Converged)
	}
	t.Logf("KubeVirt leave-one-out: %s; MdAPE total time %.1f %%, downtime %.1f %%, rounds %.1f %%, bytes %.1f %%",
		strings.Join(rec, "; "), 100*rep.MdAPETotalTime, 100*rep.MdAPEDowntime, 100*rep.MdAPESyncs, 100*rep.MdAPEBytes)
	if !(rep.MdAPEDowntime < 5) {
		t.Errorf("downtime MdAPE %.2f outside the sanity bound", rep.MdAPEDowntime)
	}
}
