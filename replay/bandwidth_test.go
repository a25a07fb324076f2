package replay

import (
	"math"
	"testing"
)

// goodput = bw·(MTU−40)/(MTU+38), hand-calculated: 1460/1538, 960/1038,
// 32/110.
func TestLinkGoodput(t *testing.T) {
	for _, c := range []struct {
		mtu  int
		want float64
	}{{1500, 1460.0 / 1538}, {1000, 960.0 / 1038}, {72, 32.0 / 110}, {9000, 8960.0 / 9038}} {
		if got := linkGoodput(1, c.mtu); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("MTU %d: %g, want %g", c.mtu, got, c.want)
		}
	}
}

// CPU-limited rate: cap·cpuRate/((1−s) + s·1460/(MTU−40)); at MTU 1500 the
// factor is 1, at MTU 1000 with s = 0.5 it is 0.5 + 0.5·1460/960.
func TestCPULimitedRate(t *testing.T) {
	if got := cpuLimitedRate(0.5, 100e6, 0.5, 1500); got != 50e6 {
		t.Errorf("MTU 1500: %g, want 5e7", got)
	}
	want := 100e6 / (0.5 + 0.5*1460.0/960)
	if got := cpuLimitedRate(1, 100e6, 0.5, 1000); math.Abs(got-want) > 1e-6 {
		t.Errorf("MTU 1000: %g, want %g", got, want)
	}
	r, bound, err := Rate(Config{CPUCap: 0.05, CPURate: 1e9})
	if err != nil || bound != "cpu" || r != 0.05e9 {
		t.Errorf("cap 5%%: rate %g bound %q err %v; want 5e7 cpu", r, bound, err)
	}
	r, bound, _ = Rate(Config{})
	if bound != "link" || math.Abs(r-125e6*1460/1538) > 1e-6 {
		t.Errorf("defaults: %g %q", r, bound)
	}
	r, bound, _ = Rate(Config{Bandwidth: 10e9 / 8})
	if bound != "limit" || r != 128<<20 {
		t.Errorf("10 Gbit/s under QEMU's 128 MiB/s: %g %q", r, bound)
	}
	r, bound, _ = Rate(Config{Bandwidth: 10e9 / 8, MaxBandwidth: -1, CPURate: -1})
	if bound != "link" || math.Abs(r-1.25e9*1460/1538) > 1e-3 {
		t.Errorf("no limits: %g %q", r, bound)
	}
}

// CPUUsed saturates where the link takes over: seed 004's "Dom0 uses at
// most ~50 %" emerges as rate/cpuRate once the cap exceeds it.
func TestCPUUsedPlateau(t *testing.T) {
	base := Config{CPURate: 200e6, PacketCPUShare: -1} // link goodput 118.7 MB/s needs 59 % of a CPU
	var last float64
	for _, c := range []float64{0.1, 0.3, 0.5, 0.7, 1} {
		cfg := base
		cfg.CPUCap = c
		u, err := CPUUsed(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := math.Min(c, 125e6*1460/1538/200e6)
		if math.Abs(u-want) > 1e-12 || u < last {
			t.Errorf("cap %g: used %g, want %g", c, u, want)
		}
		last = u
	}
}
