package replay

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// Same inputs and seed → identical results (lakeio's tests check the
// Parquet files are byte-identical); another seed → a different (yet
// valid) replay.
func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Memory: 256 << 20, DirtyModel: HotCold{Rate: 30000}, ZeroShare: 0.3, Policy: QEMU{}, AutoConverge: true, Seed: 42}
	a, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	cfg2 := cfg
	cfg2.Seed = 43
	c, _ := Run(cfg2)
	if reflect.DeepEqual(a.Log, c.Log) {
		t.Error("seeds 42 and 43 gave identical rounds")
	}
}

// Rows carry the resolved inputs and the result; one round row per round.
func TestRows(t *testing.T) {
	cfg := Config{Memory: 64 << 20, DirtyRate: 2000, Postcopy: true, PostcopyAfter: 1, Seed: 3}
	res, _ := Run(cfg)
	run, rounds, err := Rows(cfg, res, "page", 7)
	if err != nil {
		t.Fatal(err)
	}
	if run.SweepIndex != 7 || run.MemoryBytes != 64<<20 || run.Policy != "qemu" || run.PostcopyAft == nil || *run.PostcopyAft != 1 ||
		run.MaxBandwidth == nil || *run.MaxBandwidth != 128<<20 || run.TotalTime != res.TotalTime || len(rounds) != len(res.Log) {
		t.Errorf("run row %+v", run)
	}
	for i, r := range rounds {
		if r.RunID != run.RunID || r.Round != int64(res.Log[i].Index) {
			t.Fatalf("round %d: %+v", i, r)
		}
	}
	run2, _, _ := Rows(cfg, res, "analytic", 7)
	if run2.RunID == run.RunID {
		t.Error("page and analytic rows share a run id")
	}
}

// A sweep returns its configurations in enumeration order whatever the
// workers, each equal to running it alone.
func TestSweepOrderAndEquality(t *testing.T) {
	s, err := ParseSweep(Config{Memory: 64 << 20, Seed: 9, Timeout: time.Minute},
		[]string{"policy=xen-legacy,qemu", "dirty-rate=1000:5000:2000", "bandwidth=500Mbit/s,1Gbit/s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfgs, _ := s.Configs()
	if len(cfgs) != 2*3*2 {
		t.Fatalf("%d configurations, want 12", len(cfgs))
	}
	// policy-major, dirty rate innermost
	if cfgs[0].Policy.Name() != "xen-legacy" || cfgs[6].Policy.Name() != "qemu" || cfgs[1].DirtyRate != 3000 || cfgs[3].Bandwidth != 125e6 {
		t.Errorf("order: %v %v %v %v", cfgs[0].Policy.Name(), cfgs[6].Policy.Name(), cfgs[1].DirtyRate, cfgs[3].Bandwidth)
	}
	for _, workers := range []int{1, 3} {
		s.Workers = workers
		rs, err := s.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			one, _ := Run(cfgs[i])
			if r.Index != i || r.Err != nil || !reflect.DeepEqual(r.Result, one) {
				t.Fatalf("workers %d: result %d differs from a lone run", workers, i)
			}
		}
	}
	// a 0 where Config would read the default is refused, not swept
	for _, bad := range []string{"colour=red", "memory", "cpu-cap=0.5:0.1:0.1", "policy=vmware",
		"memory=0,1GiB", "bandwidth=0:1Gbit/s:500Mbit/s", "mtu=0", "cpu-cap=0:1:0.5", "dirty-rate=-1"} {
		if _, err := ParseSweep(Config{}, []string{bad}, nil); err == nil {
			t.Errorf("ParseSweep(%q) accepted", bad)
		}
	}
}

// Run ids hash fmt's %+v text of the resolved inputs; the hand-written
// encoder must print exactly that, for every field (a field added to
// Resolved and not to appendCanonical fails here), including the ±Inf of
// "no limit" and the shortest float forms.
func TestResolvedCanonicalText(t *testing.T) {
	cfgs := []Config{
		{},
		{Memory: 3 << 30, PageSize: 2 << 20, Bandwidth: 1e10 / 8, MTU: 9000, MaxBandwidth: -1, CPUCap: 0.3, CPURate: -1,
			PacketCPUShare: 0.25, DirtyModel: HotCold{Rate: 1234.5}, ZeroShare: 0.7, Policy: XenLegacy{RateAdapt: true},
			AutoConverge: true, Postcopy: true, PostcopyAfter: 3, StateBytes: -1, StateTime: 1, SetupTime: 123456789,
			FaultLatency: -1, Timeout: 1e15, Seed: 1<<64 - 1},
		{Memory: 1 << 20, Bandwidth: 1.5e-3, DirtyRate: 1e-7, Policy: SimGrid{}, DowntimeLimit: 1},
	}
	for _, c := range cfgs {
		rv, err := Resolve(c)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s|%+v", "page", rv)
		if got := string(rv.appendCanonical([]byte("page"))); got != want {
			t.Errorf("canonical text\n got %s\nwant %s", got, want)
		}
	}
}
