package replay

import (
	"testing"
)

// Compare two runs with benchstat:
//
//	go test -run '^$' -bench . -count 10 ./replay > old.txt   (then new.txt)
//	benchstat old.txt new.txt

// Page-level replay of a 64 GiB guest (16.7 M pages) under Xen legacy with
// hot/cold dirtying (10 % of pages take 90 % of 100,000 page writes/s, i.e.
// 410 MB/s) over a 10 Gbit/s link. Target: ≤ 0.25 s per migration on one
// core. pages/s counts pages moved (sent in full or as markers) per second
// of CPU.
func BenchmarkRun64GiBHotColdXenLegacy(b *testing.B) {
	cfg := Config{Memory: 64 << 30, Bandwidth: 10e9 / 8, Policy: XenLegacy{},
		DirtyModel: HotCold{Rate: 100000}, Seed: 1}
	var pages int64
	b.ReportAllocs()
	for b.Loop() {
		res, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		pages += res.PagesSent + res.ZeroPages
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}

// The analytic fast path over a sweep of configurations (policies × dirty
// rates × bandwidths), one core. Target: ≥ 1 M configurations/s.
func BenchmarkAnalyticSweep(b *testing.B) {
	pols := []Policy{XenLegacy{}, XenV2{}, QEMU{}, SimGrid{}}
	var cfgs []Config
	for _, p := range pols {
		for _, d := range []float64{0, 1000, 5000, 20000} {
			for _, bw := range []float64{125e6, 1.25e9} {
				cfgs = append(cfgs, Config{Policy: p, DirtyRate: d, Bandwidth: bw})
			}
		}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := Analytic(cfgs[n%len(cfgs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "configs/s")
}
