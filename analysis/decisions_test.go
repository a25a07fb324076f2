package analysis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/analysis/decide"
	"github.com/migreplay/migreplay/fit"
)

// Two generated xentop hosts (migreplay generate --format xentop, seeds 3
// and 4: Domain-0 with 16 vCPUs and seven guests using about 22 CPUs, frames
// at the same instants) in one lake. Their domains use up to 25.7 CPUs,
// more than Domain-0's 16 vCPUs: the default is refused with what to do.
// Given 28 CPUs for x-a (about 80 % busy) and 40 for x-b (about 55 %),
// seed 002 (65 %) acts on x-a once (its load never falls back under 65 %)
// and never on x-b; the plain 85 % threshold (sandpiper, idc) acts on
// x-a's peaks; every destination named is x-b, the only other host.
func TestDecideTwoHosts(t *testing.T) {
	files := generateXentop(t, t.TempDir(), 400_000, "x-a", "x-b")
	lake := ingestLake(t, files...)
	if _, err := Decide(lake, DecideConfig{}); err == nil || !strings.Contains(err.Error(), "give the host's CPU count with --host-cpus x-a=N") {
		t.Fatalf("Domain-0's 16 vCPUs for 25 busy CPUs: %v", err)
	}
	cfg := DecideConfig{HostCPUs: map[string]float64{"x-a": 28, "x-b": 40}}
	res, err := Decide(lake, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Points["x-a"] != 90 || res.Points["x-b"] != 90 {
		t.Fatalf("decision points %v, want 90 frames of each host after its first", res.Points)
	}
	by := map[string]int{}
	for _, d := range res.Decisions {
		by[d.Policy]++
		thr := map[string]float64{"seed002": 65}[d.Policy]
		if thr == 0 {
			thr = 85
		}
		if d.Host != "x-a" || d.HostCPUPct <= thr || d.HostCPUs != 28 || d.HostCPUsFrom != "--host-cpus" || d.IDC != "unknown (taken as 0)" {
			t.Errorf("%+v", d)
		}
		if d.Dest == nil || *d.Dest != "x-b" || d.PredTotalS == nil || d.Candidates != 7 {
			t.Errorf("%s on %s: dest %v, pred %v, %d candidates", d.Policy, d.Host, d.Dest, d.PredTotalS, d.Candidates)
		}
	}
	if by["seed002"] != 1 || by["sandpiper"] == 0 || by["idc"] == 0 {
		t.Errorf("decisions per policy %v", by)
	}
	// the same lake gives the same decisions
	again, err := Decide(lake, cfg)
	if err != nil || !reflect.DeepEqual(again, res) {
		t.Error("a second run differs")
	}
	// the AR(1) detector acts on fewer points than the plain threshold: with
	// 2 of 5 over 80 % (flags the user set) it acts, at most as often
	cpu, k := 0.80, 2
	cfg.Override = decide.Override{CPU: &cpu, K: &k}
	cfg.Policies = []string{"idc", "hotspot-ar1"}
	// a host not in the lake named as a destination is idle: Sandpiper's
	// least loaded host
	cfg.DestHosts = []string{"spare"}
	res, err = Decide(lake, cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, d := range res.Decisions {
		n[d.Policy]++
	}
	if n["hotspot-ar1"] == 0 || n["hotspot-ar1"] > n["idc"] {
		t.Errorf("at 80 %%, 2 of 5: %v", n)
	}
	cfg.Policies = []string{"sandpiper"}
	res, _ = Decide(lake, cfg)
	for _, d := range res.Decisions {
		if d.Dest == nil || *d.Dest != "spare" || !strings.Contains(d.DestNote, "taken as idle") {
			t.Errorf("sandpiper: %v %s", d.Dest, d.DestNote)
		}
	}
	if len(res.Decisions) == 0 {
		t.Error("sandpiper never acted at 80 %")
	}
}

// The IDC matrix: a CSV src,dst,mbit_s read in bytes/s, both directions
// together; malformed input names file:line.
func TestReadTraffic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "idc.csv")
	os.WriteFile(p, []byte("src,dst,mbit_s\n# web tier\nweb01,db-primary,80\ndb-primary,web01,20\n"), 0o644)
	tr, err := ReadTraffic(p)
	if err != nil || tr.Between("web01", "db-primary") != 100e6/8 || tr.Between("db-primary", "web01") != 100e6/8 {
		t.Fatalf("%v %v", tr, err)
	}
	os.WriteFile(p, []byte("src,dst,mbit_s\na,b,x\n"), 0o644)
	if _, err := ReadTraffic(p); err == nil || !strings.Contains(err.Error(), "idc.csv:2: mbit_s \"x\"") {
		t.Errorf("bad value: %v", err)
	}
	var _ decide.Traffic = tr
}

// The bundled QMP log (datasets/traces/kvm1.qmp.jsonl) summarised: the
// expected values are read from the JSON lines themselves: the last poll's
// status, total-time, downtime, setup-time and ram.transferred, the largest
// dirty-sync-count, and the mean dirty-pages-rate over polls after the
// second sync. No sar of a host kvm1: the class rests on the dirty rate.
func TestQMPMigrationsBundled(t *testing.T) {
	lake := ingestLake(t, "../datasets/traces/kvm1.qmp.jsonl")
	got, err := QMPMigrations(lake, QMPConfig{})
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	f, _ := os.Open("../datasets/traces/kvm1.qmp.jsonl")
	defer f.Close()
	type poll struct {
		Return struct {
			Status   string `json:"status"`
			Total    int64  `json:"total-time"`
			Downtime int64  `json:"downtime"`
			Setup    int64  `json:"setup-time"`
			RAM      struct {
				Transferred int64 `json:"transferred"`
				Total       int64 `json:"total"`
				Dirty       int64 `json:"dirty-pages-rate"`
				Sync        int64 `json:"dirty-sync-count"`
			} `json:"ram"`
		} `json:"return"`
	}
	var polls []poll
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p poll
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		polls = append(polls, p)
	}
	last := polls[len(polls)-1].Return
	var sum float64
	n := 0
	var syncs int64
	for _, p := range polls {
		syncs = max(syncs, p.Return.RAM.Sync)
		if p.Return.RAM.Sync >= 2 {
			sum += float64(p.Return.RAM.Dirty)
			n++
		}
	}
	r := got[0]
	if r.Host != "kvm1" || r.Polls != int64(len(polls)) || r.Status != last.Status || *r.TotalTimeS != float64(last.Total)/1e3 ||
		*r.DowntimeMs != float64(last.Downtime) || *r.SetupTimeMs != float64(last.Setup) || *r.RAMTransferred != last.RAM.Transferred ||
		*r.RAMTotal != last.RAM.Total || *r.Syncs != syncs || math.Abs(*r.DirtyRateMean-sum/float64(n)) > 1e-9 {
		t.Errorf("summary %+v", r)
	}
	want := "memory-write"
	if sum/float64(n) < 5000 {
		want = "unknown"
	}
	if r.Class != want || r.Guest != nil || !strings.Contains(r.ClassBasis, "no sar of host kvm1") {
		t.Errorf("class %s (%s), want %s", r.Class, r.ClassBasis, want)
	}
}

// Classify's rules, one case each.
func TestClassify(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		l    Load
		want string
	}{
		{Load{CPUs: f(0.01), DiskMBps: f(0.1), NetMBps: f(0.2)}, "idle"},
		{Load{CPUs: f(2), DiskMBps: f(5), NetMBps: f(1)}, "cpu"},
		{Load{CPUs: f(0.2), DiskMBps: f(80), NetMBps: f(1)}, "disk"},
		{Load{CPUs: f(0.2), DiskMBps: f(1), NetMBps: f(20)}, "network"},
		{Load{CPUs: f(1.2), DiskMBps: f(52.5)}, "unknown"}, // 1.2 against 1.05: ambiguous
		{Load{CPUs: f(0.5), DirtyPages: f(9000)}, "memory-write"},
		{Load{DirtyPages: f(100)}, "unknown"},
		{Load{DiskMBps: f(100)}, "unknown"}, // CPU unknown
		{Load{}, "unknown"},
	} {
		if got, basis := Classify(c.l, ClassConfig{}); got != c.want {
			t.Errorf("%+v: %s (%s), want %s", c.l, got, basis, c.want)
		}
	}
}

// datasets/cluster is what its make.py writes: regenerate it into a
// temporary folder and compare the bytes (skipped without python3).
func TestClusterDatasetReproducible(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("MIGREPLAY_REQUIRE_PYTHON") != "" {
			t.Fatal("python3 not found and MIGREPLAY_REQUIRE_PYTHON is set")
		}
		t.Skip("python3 not found")
	}
	dir := t.TempDir()
	src, err := os.ReadFile("../datasets/cluster/make.py")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "make.py"), src, 0o644)
	if out, err := exec.Command(py, filepath.Join(dir, "make.py")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{"traces/xen-a.xentop.txt.gz", "traces/xen-b.xentop.txt.gz", "traces/xen-c.xentop.txt.gz", "idc.csv"} {
		a, _ := os.ReadFile(filepath.Join("../datasets/cluster", f))
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs from what make.py writes (%d against %d bytes): rerun datasets/cluster/make.py", f, len(a), len(b))
		}
	}
}

// The cluster's migrations: 21, one row each (the receiving side is paired
// with the sender), every class recovered as make.py drew it (its GUESTS
// table), and every class fitted.
func TestClusterMigrations(t *testing.T) {
	lake := ingestLake(t, "../datasets/cluster/traces")
	migs, err := Migrations(lake)
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]string{"batch-a1": "cpu", "render-a2": "cpu", "solver-a3": "cpu", "web-a4": "network", "db-a5": "disk",
		"cache-a6": "network", "spare-a7": "idle", "build-b1": "cpu", "etl-b2": "disk", "proxy-b3": "network", "log-b4": "disk",
		"test-b5": "idle", "ci-b6": "cpu", "files-b7": "disk", "stream-b8": "network", "dev-c1": "idle", "jump-c2": "idle",
		"mq-c3": "network", "backup-c4": "disk", "sim-c5": "cpu", "old-c6": "idle"}
	if len(migs) != 21 {
		t.Fatalf("%d migrations, want 21", len(migs))
	}
	for _, m := range migs {
		if m.PeerHost == nil || *m.PeerHost == m.Host || m.Roles != "migratedaway" || m.Class != drawn[m.Domain] {
			t.Errorf("%s on %s → %v: %s, class %s (%s), want %s", m.Domain, m.Host, m.PeerHost, m.Roles, m.Class, m.ClassBasis, drawn[m.Domain])
		}
	}
	rows, err := ClassPredictions(migs, nil, fit.Linear, VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.FitS == nil || r.ReplayS == nil || r.N < 5 {
			t.Errorf("%+v", r)
		}
	}
}
