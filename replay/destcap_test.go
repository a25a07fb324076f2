package replay

import (
	"errors"
	"math"
	"testing"
)

// Receiver rate by hand: cap·cpuRate/((1−s) + s·1460/(MTU−40)); at MTU 1500
// the factor is 1, at MTU 1000 with s = 0.3 it is 0.7 + 0.3·1460/960.
func TestReceiverRate(t *testing.T) {
	got, err := Receiver{CPUCap: 0.2, CPURate: 100e6}.Rate(0)
	if err != nil || got != 20e6 {
		t.Errorf("cap 20 %%, MTU 1500: %g %v; want 2e7", got, err)
	}
	want := 100e6 / (0.7 + 0.3*1460.0/960)
	got, err = Receiver{CPURate: 100e6, PacketCPUShare: 0.3}.Rate(1000)
	if err != nil || math.Abs(got-want) > 1e-6 {
		t.Errorf("uncapped, MTU 1000, s 0.3: %g %v; want %g", got, err, want)
	}
	for _, r := range []Receiver{{CPURate: 0}, {CPURate: 1e8, CPUCap: 1.5}, {CPURate: 1e8, CPUCap: -0.1},
		{CPURate: math.Inf(1)}, {CPURate: 1e8, PacketCPUShare: 2}} {
		if _, err := r.Rate(1500); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err %v, want ErrConfig", r, err)
		}
	}
	if _, err := (Receiver{CPURate: 1e8}).Rate(40); !errors.Is(err, ErrConfig) {
		t.Errorf("MTU 40: err %v, want ErrConfig", err)
	}
}

// The receiver is one more pipeline stage: it binds only when it is the
// slowest, and the whole migration then runs at its rate.
func TestWithReceiver(t *testing.T) {
	// Xen legacy has no default limit; sender CPU 1e8·0.5 = 5e7 B/s, link
	// 125e6·1460/1538 ≈ 1.19e8 B/s.
	base := Config{Memory: 64 << 20, Policy: XenLegacy{}, CPUCap: 0.5, CPURate: 1e8}
	// receiver at 10 % of 1e8 = 1e7 B/s: it binds
	slow, err := WithReceiver(base, Receiver{CPUCap: 0.1, CPURate: 1e8})
	if err != nil {
		t.Fatal(err)
	}
	r, bound, err := Rate(slow)
	if err != nil || r != 1e7 || bound != "limit" {
		t.Errorf("slow receiver: rate %g bound %q err %v; want 1e7 limit", r, bound, err)
	}
	// an idle 64 MiB guest: one full pass plus the state, at the receiver's
	// rate: (16384 pages · 4104 B + 256 KiB)/1e7 B/s + 10 ms
	res, err := Analytic(slow)
	if err != nil {
		t.Fatal(err)
	}
	wantT := (16384*4104.0+256*1024)/1e7 + 0.01
	if math.Abs(res.TotalTime-wantT) > 1e-9 {
		t.Errorf("slow receiver: total %g s, want %g s", res.TotalTime, wantT)
	}
	page, err := Run(slow)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(page.TotalTime-wantT) > 1e-9 {
		t.Errorf("slow receiver, page-level: total %g s, want %g s", page.TotalTime, wantT)
	}
	// receiver at 100 % of 1e9 B/s: the sender's CPU still binds
	fast, err := WithReceiver(base, Receiver{CPURate: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	r, bound, _ = Rate(fast)
	if r != 5e7 || bound != "cpu" {
		t.Errorf("fast receiver: rate %g bound %q; want 5e7 cpu", r, bound)
	}
	// QEMU's own 128 MiB/s default limit survives a faster receiver
	q, err := WithReceiver(Config{Bandwidth: 10e9 / 8, CPURate: -1}, Receiver{CPURate: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if q.MaxBandwidth != 128<<20 {
		t.Errorf("QEMU default limit: %g, want %d", q.MaxBandwidth, 128<<20)
	}
	// and an explicit "no limit" (negative) becomes the receiver's rate
	n, _ := WithReceiver(Config{MaxBandwidth: -1}, Receiver{CPURate: 1e8, CPUCap: 0.5})
	if n.MaxBandwidth != 5e7 {
		t.Errorf("no limit: %g, want 5e7", n.MaxBandwidth)
	}
	if _, err := WithReceiver(Config{MTU: 30}, Receiver{CPURate: 1e8}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad config: err %v, want ErrConfig", err)
	}
}

// Every byte of the stream passes the receiver: the first pass, the pages
// re-sent because the guest dirtied them again, the last round and the
// device state. With the receiver binding, a dirtying guest's migration
// therefore takes exactly its bytes at the receiver's rate plus the fixed
// stop-and-copy time (StateTime, 10 ms), on both engines.
func TestReceiverCarriesResentPages(t *testing.T) {
	// 64 MiB guest writing 2000 pages/s uniformly; the receiver at 10 % of
	// 1e8 B/s = 1e7 B/s binds (sender CPU 5e7 B/s, link ≈ 1.19e8 B/s)
	base := Config{Memory: 64 << 20, Policy: XenLegacy{}, CPUCap: 0.5, CPURate: 1e8, DirtyRate: 2000}
	cfg, err := WithReceiver(base, Receiver{CPUCap: 0.1, CPURate: 1e8})
	if err != nil {
		t.Fatal(err)
	}
	an, err := Analytic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Result{"analytic": an, "page": page} {
		// one full pass is 16384·4104 B plus the 256 KiB of state; more
		// than that means pages were sent again
		if once := int64(16384*4104 + 256<<10); r.Bytes <= once || r.Rounds < 2 {
			t.Fatalf("%s: %d B in %d rounds: the guest's writes should force re-sent pages", name, r.Bytes, r.Rounds)
		}
		if want := float64(r.Bytes)/1e7 + 0.01; math.Abs(r.TotalTime-want) > 1e-6*want {
			t.Errorf("%s: total %.6f s, want %d B / 1e7 B/s + 10 ms = %.6f s", name, r.TotalTime, r.Bytes, want)
		}
		if r.RateBound != "limit" {
			t.Errorf("%s: rate bound %q, want limit (the receiver)", name, r.RateBound)
		}
	}
	// uncapped, the receiver (1e8 B/s) no longer binds: the sender's 5e7
	// B/s does, 5× the capped receiver's rate, and fewer pages are dirtied
	// meanwhile, so the run takes under a fifth of the time
	fast, err := WithReceiver(base, Receiver{CPURate: 1e8})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Analytic(fast)
	if err != nil {
		t.Fatal(err)
	}
	if f.RateBound != "cpu" || !(f.TotalTime < an.TotalTime/5) {
		t.Errorf("receiver at 100 %%: %.3f s bound by %q, at 10 %%: %.3f s; want the sender's CPU to bind and under a fifth of the time", f.TotalTime, f.RateBound, an.TotalTime)
	}
}
