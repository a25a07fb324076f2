package replay

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Record-not-tune tests: each configures the model from what a source
// states, RECORDS how close it comes (t.Logf; run with -v to read them) and
// checks only a generous sanity bound, never a value tuned to pass. Where a
// source leaves a parameter unstated, the assumption is named in the test.

// Clark et al., "Live Migration of Virtual Machines", NSDI 2005 (Xen with
// rate adaptation, gigabit LAN): downtime 210 ms for a SPECweb99 server and
// 60 ms for a Quake 3 server (MODELS.md).
//
// Assumed, not stated in MODELS.md: the VM sizes as we recall them from the
// paper (800 MiB for SPECweb99, 64 MiB for Quake 3), a 1 Gbit/s link, and
// the workloads' writable working sets, for which the model's default
// hot/cold shape (10 % of pages take 90 % of writes) is used at three write
// rates spanning light to heavy. The recorded range is the finding.
func TestRecordClark2005(t *testing.T) {
	for _, c := range []struct {
		name     string
		mem      int64
		measured float64 // ms
	}{{"SPECweb99", 800 << 20, 210}, {"Quake 3", 64 << 20, 60}} {
		var rec []string
		for _, rate := range []float64{2000, 10000, 40000} {
			cfg := Config{Memory: c.mem, Bandwidth: 125e6, Policy: XenLegacy{RateAdapt: true},
				DirtyModel: HotCold{Rate: rate}, Seed: 1}
			res, err := Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			rec = append(rec, fmt.Sprintf("%g pages/s: %.0f ms (%s, %d rounds, %.1f s)", rate, res.Downtime*1e3, res.StopReason, res.Rounds, res.TotalTime))
			if res.Downtime < 0.001 || res.Downtime > 100 || !res.Converged {
				t.Errorf("%s at %g pages/s: downtime %g s outside the sanity bound [1 ms, 100 s]", c.name, rate, res.Downtime)
			}
		}
		t.Logf("Clark 2005 %s: measured %g ms; model %s", c.name, c.measured, strings.Join(rec, "; "))
	}
}

// KubeVirt VEP 291 (kubevirt/enhancements, "Benchmark results"): 8 GiB VM,
// 1 Gbps network, average dirty rate ~650 Mbps, QEMU defaults (downtime
// limit 300 ms), no tuning: 112.4 s total, 69 iterations, 11,862 MiB sent,
// 451 ms downtime (averages of 10 runs). Configured: 8 GiB, 1 Gbit/s, QEMU
// defaults, 650e6/8/4096 = 19,836 page writes/s, no zero pages (unstated),
// uniform and the default hot/cold shape. The iteration count compares
// with Syncs (libvirt's MemIteration is QEMU's dirty-sync-count).
func TestRecordKubeVirt(t *testing.T) {
	rate := 650e6 / 8 / 4096
	for _, m := range []DirtyModel{Uniform{Rate: rate}, HotCold{Rate: rate}} {
		cfg := Config{Memory: 8 << 30, Bandwidth: 125e6, Policy: QEMU{}, DirtyModel: m, Seed: 1}
		res, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		an, _ := Analytic(cfg)
		t.Logf("KubeVirt (measured 112.4 s, 69 iterations, 11862 MiB, 451 ms) vs %s: %.1f s, %d syncs, %.0f MiB, %.0f ms, converged %v (%s); analytic %.1f s, %d syncs",
			describeModel(m), res.TotalTime, res.Syncs, float64(res.Bytes)/(1<<20), res.Downtime*1e3, res.Converged, res.StopReason,
			an.TotalTime, an.Syncs)
		if res.Converged && (res.TotalTime < 10 || res.TotalTime > 3600 || res.Downtime > 5) {
			t.Errorf("%s: %.1f s / %.0f ms outside the sanity bound", m.Name(), res.TotalTime, res.Downtime*1e3)
		}
	}
}

// Seed 004 (Xen 3.2, 1 GB guest, CPU-intensive benchmark that writes little
// memory): migration ~100 s at a 10 % Dom0 CPU cap, ~20 s at 50 %, ~17 s flat
// above. Two of the three statements fix the model's two free numbers:
// CPURate from 100 s at 10 % and the link's goodput from the 17 s plateau;
// the 50 % point is then a prediction, recorded with the whole curve and
// where the plateau begins (the seed: Dom0 never used more than ~50 %).
func TestRecordSeed004Shape(t *testing.T) {
	const mem = 1 << 30
	pb := float64(4096 + PageHeaderBytes)
	bytes := float64(mem/4096)*pb + 256<<10 // pages and the default state bytes
	state := 0.010
	cpuRate := bytes / (0.1 * (100 - state))
	link := bytes / (17 - state) * 1538 / 1460
	var rec []string
	last := math.Inf(1)
	var t50 float64
	for _, cap := range []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1} {
		cfg := Config{Memory: mem, Bandwidth: link, CPUCap: cap, CPURate: cpuRate, Policy: XenLegacy{}, Seed: 1}
		res, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		used, _ := CPUUsed(cfg)
		rec = append(rec, fmt.Sprintf("%.0f%%: %.1f s (CPU used %.0f%%)", cap*100, res.TotalTime, used*100))
		if res.TotalTime > last+1e-9 {
			t.Errorf("cap %g: %.2f s, slower than at a lower cap", cap, res.TotalTime)
		}
		last = res.TotalTime
		if cap == 0.5 {
			t50 = res.TotalTime
		}
	}
	t.Logf("seed 004 (~100 s at 10 %%, ~20 s at 50 %%, ~17 s flat above): %s; plateau from %.0f %%",
		strings.Join(rec, ", "), 100*(bytes/(17-state))/cpuRate)
	if t50 < 10 || t50 > 40 {
		t.Errorf("50 %% cap: %.1f s outside the sanity bound [10, 40] s", t50)
	}
}

// Seed 001, tables 14 (Xen-HVM), 21 (OpenVZ), 28 (KVM-FV), 35 (KVM-PV):
// total migration time and downtime at packet sizes 1500, 1000 and 32 B,
// on one host (no physical network; the paper blames per-packet CPU
// overhead). Shape required: both grow as packets shrink. Configured: a
// 1 GiB guest dirtying 20,000 uniform page writes/s (the seed's online game;
// rate assumed), a 10 Gbit/s virtual bridge, the default CPU model
// (1.25 GB/s per CPU at MTU 1500, half the cost per packet), "32 B" read as
// 32 B of TCP payload (MTU 72), policies xen-legacy for Xen-HVM, qemu for
// KVM with max-bandwidth lifted (its cap would hide the MTU); OpenVZ
// (container pre-copy) is run under xen-v2's bounded rounds. A migration
// that does not converge (the seed's KVM-FV "No limit" at 32 B) counts as
// infinitely long; KVM runs with QEMU 1.x's 30 ms downtime limit (the
// seed is from 2011). Ratios to the MTU 1500 figure are recorded against
// the tables'.
//
// Asserted: total time grows for every table, and so does downtime where
// the final round is the state term sent at the stream rate (Xen, OpenVZ
// here: the dirty set is drained below 50 pages first). Not asserted, and
// recorded as a model limit: under QEMU's rule the RAM part of the downtime
// is whatever the last pass left below threshold = rate × limit, i.e.
// anywhere up to the limit whatever the rate, so the model's KVM downtime
// does not follow the MTU (17–30 ms here) while the seed's grew by a third.
func TestRecordSeed001MTU(t *testing.T) {
	tables := []struct {
		name   string
		policy Policy
		time   [3]float64 // s at 1500, 1000, 32 B
		down   [3]float64 // ms
	}{
		{"table 14 Xen-HVM", XenLegacy{}, [3]float64{4.10, 4.77, 8.52}, [3]float64{8, 10, 27}},
		{"table 21 OpenVZ", XenV2{}, [3]float64{2.06, 2.42, 11.2}, [3]float64{3, 4, 56}},
		{"table 28 KVM-FV", QEMU{}, [3]float64{4.82, 5.6, math.NaN()}, [3]float64{11, 14, math.NaN()}},
		{"table 35 KVM-PV", QEMU{}, [3]float64{4.04, 5.1, 25.42}, [3]float64{9, 12, 81}},
	}
	for _, tb := range tables {
		var tt, dd [3]float64
		for i, mtu := range []int{1500, 1000, 72} {
			res, err := Run(Config{Memory: 1 << 30, Bandwidth: 1.25e9, MTU: mtu, Policy: tb.policy,
				MaxBandwidth: -1, DowntimeLimit: 30e6, DirtyRate: 20000, Seed: 1, Timeout: 600e9})
			if err != nil {
				t.Fatal(err)
			}
			tt[i], dd[i] = res.TotalTime, res.Downtime
			if !res.Converged {
				tt[i], dd[i] = math.Inf(1), math.Inf(1)
			}
		}
		t.Logf("seed 001 %s: time ratio 1000/1500 model %.2f measured %.2f, 32/1500 model %.2f measured %.2f; "+
			"downtime ratio 1000/1500 model %.2f measured %.2f, 32/1500 model %.2f measured %.2f (model %.2f, %.2f, %.2f s; %.1f, %.1f, %.1f ms)",
			tb.name, tt[1]/tt[0], tb.time[1]/tb.time[0], tt[2]/tt[0], tb.time[2]/tb.time[0],
			dd[1]/dd[0], tb.down[1]/tb.down[0], dd[2]/dd[0], tb.down[2]/tb.down[0], tt[0], tt[1], tt[2], dd[0]*1e3, dd[1]*1e3, dd[2]*1e3)
		if !(tt[0] < tt[1] && tt[1] < tt[2]) {
			t.Errorf("%s: total time does not grow as packets shrink: %v", tb.name, tt)
		}
		if _, qemu := tb.policy.(QEMU); !qemu && !(dd[0] < dd[1] && dd[1] < dd[2]) {
			t.Errorf("%s: downtime does not grow as packets shrink: %v", tb.name, dd)
		}
	}
}

// KubeVirt VEP 291's benchmark (kubevirt/enhancements, "Benchmark
// results"; 10 runs each, averages): 8 GiB VM, 1 Gbps, ~650 Mbps of
// dirtying. Without tuning (QEMU's 300 ms limit): 112.4 s, 69 iterations,
// 11,862 MiB, 451 ms. With downtime tuning (150 ms, then 7 steps to
// 1050 ms every 10 s after iteration 3): 92.2 s, 28 iterations, 9,694 MiB,
// 611 ms; i.e. the ramp saved 20.2 s and 41 iterations for 160 ms more
// downtime.
//
// Replayed twice, recorded, not tuned: (1) configured from the VEP alone
// (QEMU defaults, 650e6/8/4096 page writes/s, uniform and the default
// hot/cold shape), with and without QEMU{Ramp: &DowntimeRamp{}}; (2)
// calibrated on the three untuned runs the VEP reports (loaded 300 ms; idle
// at 300 and 150 ms with downtimes 244 and 129 ms) for link efficiency,
// state time and hot share, then asked to predict the tuned run it never
// saw. Sanity bounds only: every replay converges within [10 s, 1 h].
func TestRecordKubeVirtRamp(t *testing.T) {
	const (
		mTime, mIter, mMiB, mDown     = 92.2, 28.0, 9694.0, 611.0
		mTime0, mIter0, mMiB0, mDown0 = 112.4, 69.0, 11862.0, 451.0
	)
	rate := 650e6 / 8 / 4096
	rec := func(r Result) string {
		return fmt.Sprintf("%.1f s, %d syncs, %.0f MiB, %.0f ms", r.TotalTime, r.Syncs, float64(r.Bytes)/(1<<20), r.Downtime*1e3)
	}
	check := func(name string, r Result) {
		if !r.Converged || r.TotalTime < 10 || r.TotalTime > 3600 {
			t.Errorf("%s: %s, converged %v: outside the sanity bound", name, rec(r), r.Converged)
		}
	}
	for _, m := range []DirtyModel{Uniform{Rate: rate}, HotCold{Rate: rate}} {
		base := Config{Memory: 8 << 30, Bandwidth: 125e6, Policy: QEMU{}, DirtyModel: m, Seed: 1}
		ramp := base
		ramp.Policy = QEMU{Ramp: &DowntimeRamp{}}
		r0, err := Run(base)
		if err != nil {
			t.Fatal(err)
		}
		r1, err := Run(ramp)
		if err != nil {
			t.Fatal(err)
		}
		check("untuned", r0)
		check("tuned", r1)
		t.Logf("KubeVirt ramp, configured from the VEP, %s: untuned %s (measured %g s, %g, %g MiB, %g ms); tuned %s (measured %g s, %g, %g MiB, %g ms); ramp effect %+.1f s, %+d syncs, %+.0f ms (measured %+.1f s, %+g, %+g ms)",
			describeModel(m), rec(r0), mTime0, mIter0, mMiB0, mDown0, rec(r1), mTime, mIter, mMiB, mDown,
			r1.TotalTime-r0.TotalTime, r1.Syncs-r0.Syncs, (r1.Downtime-r0.Downtime)*1e3, mTime-mTime0, mIter-mIter0, mDown-mDown0)
	}

	nan := math.NaN()
	train := []Measured{
		{Name: "loaded, 300 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{Rate: rate}},
			TotalTime: mTime0, Downtime: mDown0 / 1e3, Syncs: mIter0, Bytes: mMiB0 * (1 << 20)},
		{Name: "idle, 300 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{}},
			TotalTime: nan, Downtime: 0.244, Syncs: nan, Bytes: nan},
		{Name: "idle, 150 ms", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{}, DowntimeLimit: 150 * time.Millisecond},
			TotalTime: nan, Downtime: 0.129, Syncs: nan, Bytes: nan},
	}
	c, err := Calibrate(train, CalibrateOptions{Fit: []string{FitEfficiency, FitStateTime, FitHotShare}})
	if err != nil {
		t.Fatal(err)
	}
	tuned := Measured{Name: "tuned", Config: Config{Memory: 8 << 30, Bandwidth: 125e6, DirtyModel: HotCold{Rate: rate},
		Policy: QEMU{Ramp: &DowntimeRamp{}}, Seed: 1}, TotalTime: mTime, Downtime: mDown / 1e3, Syncs: mIter, Bytes: mMiB * (1 << 20)}
	for _, pl := range []bool{false, true} {
		r, err := Predict(tuned, c, CalibrateOptions{PageLevel: pl})
		if err != nil {
			t.Fatal(err)
		}
		check("calibrated", r)
		t.Logf("KubeVirt ramp predicted after calibrating on the untuned runs (efficiency %.3f, state %.3f s, hot share %.3g; page-level %v): %s vs measured %g s, %g, %g MiB, %g ms: errors %.0f %%, %.0f %%, %.0f %%, %.0f %%",
			c.Efficiency, c.StateTime, c.HotShare, pl, rec(r), mTime, mIter, mMiB, mDown,
			100*ape(r.TotalTime, mTime), 100*ape(float64(r.Syncs), mIter), 100*ape(float64(r.Bytes), mMiB*(1<<20)), 100*ape(r.Downtime, mDown/1e3))
	}
}
