package replay

import (
	"context"
	"testing"
)

// Compare two runs with benchstat:
//
//	go test -run '^$' -bench . -cpu 1 -count 10 ./replay > old.txt   (then new.txt)
//	benchstat old.txt new.txt
//
// On a shared machine compare the cpu-ns/… metrics (process CPU time per
// operation, from getrusage), not ns/op: wall time grows with the load.

// cpuMeter measures process CPU time across a benchmark's loop.
type cpuMeter float64

func startCPU() cpuMeter { return cpuMeter(cpuSeconds()) }

// report adds cpu-ns/<unit> and <unit>s/cpu-s metrics for n operations.
func (m cpuMeter) report(b *testing.B, n int, unit string) {
	used := cpuSeconds() - float64(m)
	if used <= 0 || n == 0 {
		return
	}
	b.ReportMetric(used*1e9/float64(n), "cpu-ns/"+unit)
	b.ReportMetric(float64(n)/used, unit+"s/cpu-s")
}

// Page-level replay of a 64 GiB guest (16.7 M pages) under Xen legacy with
// hot/cold dirtying (10 % of pages take 90 % of 100,000 page writes/s, i.e.
// 410 MB/s) over a 10 Gbit/s link. Target: ≤ 0.25 s per migration on one
// core. pages/s counts pages moved (sent in full or as markers) per second
// of wall time; cpu-ns/migration is what the target is about.
func BenchmarkRun64GiBHotColdXenLegacy(b *testing.B) {
	cfg := Config{Memory: 64 << 30, Bandwidth: 10e9 / 8, Policy: XenLegacy{},
		DirtyModel: HotCold{Rate: 100000}, Seed: 1}
	var pages int64
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		res, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		pages += res.PagesSent + res.ZeroPages
		n++
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	cpu.report(b, n, "migration")
}

// analyticBenchConfigs are 32 configurations: policies × dirty rates ×
// bandwidths, 5.25 live rounds on average (1 to 27).
func analyticBenchConfigs() []Config {
	var cfgs []Config
	for _, p := range []Policy{XenLegacy{}, XenV2{}, QEMU{}, SimGrid{}} {
		for _, d := range []float64{0, 1000, 5000, 20000} {
			for _, bw := range []float64{125e6, 1.25e9} {
				cfgs = append(cfgs, Config{Policy: p, DirtyRate: d, Bandwidth: bw})
			}
		}
	}
	return cfgs
}

// The analytic fast path over a sweep of configurations (policies × dirty
// rates × bandwidths), one configuration per call of Analytic. Target:
// ≥ 1 M configurations/s per core, i.e. configs/cpu-s ≥ 1e6 with -cpu 1.
// Instructions per configuration, steadier than time on a shared host:
//
//	go test -c -o r.test ./replay
//	perf stat -e instructions,cycles ./r.test -test.run '^$' -test.bench 'AnalyticSweep$' -test.cpu 1 -test.benchtime 2000000x
//
// minus the same with -test.benchtime 1x, divided by 1,999,999.
func BenchmarkAnalyticSweep(b *testing.B) {
	cfgs := analyticBenchConfigs()
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		if _, err := Analytic(cfgs[n%len(cfgs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "configs/s")
	cpu.report(b, n, "config")
}

// Sweep.Run end to end on one worker: enumerating a 4 policies × 16 dirty
// rates × 4 bandwidths × 4 CPU caps grid (1,024 configurations) and the
// analytic path for each, results collected in order.
func BenchmarkSweepRunAnalytic(b *testing.B) {
	s := Sweep{Base: Config{Memory: 4 << 30}, Analytic: true, Workers: 1,
		Policy:    []Policy{XenLegacy{}, XenV2{}, QEMU{}, SimGrid{}},
		Bandwidth: []float64{125e6 / 4, 125e6, 1.25e9 / 4, 1.25e9},
		CPUCap:    []float64{0.25, 0.5, 0.75, 1},
	}
	for d := 0.0; d < 32000; d += 2000 {
		s.DirtyRate = append(s.DirtyRate, d)
	}
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		rs, err := s.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(rs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "configs/s")
	cpu.report(b, n, "config")
}
