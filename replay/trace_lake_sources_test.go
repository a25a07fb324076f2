package replay

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// writeTable writes rows as table=<table>/host=<host>/date=2026-11-21/<name>.
func writeTable[T any](t *testing.T, dir, table, host, name string, rows []T) {
	t.Helper()
	writeParquetFile(t, filepath.Join(dir, "table="+table, "host="+host, "date=2026-11-21", name), rows)
}

// writeParquetFile writes rows as the Parquet file p, making its folders.
func writeParquetFile[T any](t *testing.T, p string, rows []T) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := parquet.Write(f, rows); err != nil {
		t.Fatal(err)
	}
}

type sarFileRow struct {
	Host    string    `parquet:"host,dict"`
	Time    time.Time `parquet:"time,timestamp(microsecond)"`
	PgpgIn  *float64  `parquet:"pgpgin_s,optional"`
	PgpgOut *float64  `parquet:"pgpgout_s,optional"`
	Fault   *float64  `parquet:"fault_s,optional"`
}

// sar_paging rows every 2 s (times are interval ends), the same intervals
// twice (as sar -B and sadf of one file give them; the second file's
// differ so that a wrong pick shows) and a second guest. By hand, with
// 4 KiB pages: rate = fault/s + pgpgin/s / 4, so 100 + 8/4 = 102, 300,
// 50 + 400/4 = 150 pages/s from 0, 2 and 4 s (the first interval, 2 s
// long like the second, starts 2 s before its end). pgpgout/s is not used.
func TestReadLakeTraceSar(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 23, 52, 2, 0, time.UTC)
	var rows []sarFileRow
	for i, v := range [][2]float64{{100, 8}, {300, 0}, {50, 400}} {
		rows = append(rows, sarFileRow{Host: "vm", Time: t0.Add(time.Duration(2*i) * time.Second), Fault: f64(v[0]), PgpgIn: f64(v[1]), PgpgOut: f64(1e6)})
	}
	writeTable(t, dir, "sar_paging", "vm", "part-a.parquet", rows)
	dup := append([]sarFileRow(nil), rows...)
	for i := range dup {
		dup[i].Fault = f64(*dup[i].Fault * 10) // part-b comes second in path order: dropped
	}
	writeTable(t, dir, "sar_paging", "vm", "part-b.parquet", dup)
	s, err := ReadLakeTrace(dir, LakeTrace{})
	if err != nil {
		t.Fatal(err)
	}
	wantT, wantR := []float64{0, 2, 4}, []float64{102, 300, 150}
	if s.Source != SourceSar || s.Host != "vm" || len(s.Trace.Times) != 3 {
		t.Fatalf("%+v %v %v", s, s.Trace.Times, s.Trace.Rates)
	}
	for i := range wantT {
		if s.Trace.Times[i] != wantT[i] || s.Trace.Rates[i] != wantR[i] {
			t.Errorf("sample %d: (%g, %g), want (%g, %g)", i, s.Trace.Times[i], s.Trace.Rates[i], wantT[i], wantR[i])
		}
	}
	if !strings.Contains(s.From, "sar_paging of host vm: 3 samples, 2026-11-21T23:52:02Z to 2026-11-21T23:52:06Z") {
		t.Errorf("from %q", s.From)
	}
	// 64 KiB pages: pgpgin/s counts 64 times fewer pages (8/64 = 0.125)
	if s, err := ReadLakeTrace(dir, LakeTrace{Source: SourceSar, PageSize: 64 << 10}); err != nil || s.Trace.Rates[0] != 100.125 {
		t.Errorf("64 KiB pages: %v %v", s.Trace, err)
	}
	other := append([]sarFileRow(nil), rows...)
	for i := range other {
		other[i].Host = "vm2"
	}
	writeTable(t, dir, "sar_paging", "vm2", "part-c.parquet", other)
	if _, err := ReadLakeTrace(dir, LakeTrace{}); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), `sar_paging holds 2 hosts ("vm", "vm2"): pick one`) {
		t.Errorf("two hosts: %v", err)
	}
	if s, err := ReadLakeTrace(dir, LakeTrace{Host: "vm2"}); err != nil || s.Host != "vm2" || len(s.Trace.Rates) != 3 {
		t.Errorf("host vm2: %+v %v", s, err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{Host: "kvm"}); err == nil || !strings.Contains(err.Error(), `no rows of host "kvm" (hosts: "vm", "vm2")`) {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{Source: SourceQMP}); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "no table=qmp_migrate") {
		t.Errorf("qmp from a sar lake: %v", err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{Source: "perf"}); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), `trace source "perf"`) {
		t.Errorf("unknown source: %v", err)
	}
	if _, err := ReadLakeTrace(t.TempDir(), LakeTrace{}); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "no table=qmp_migrate, table=sar_paging or table=xentop_domain") {
		t.Errorf("empty lake: %v", err)
	}
}

type xentopFileRow struct {
	Host   string    `parquet:"host,dict"`
	Frame  int64     `parquet:"frame"`
	Time   time.Time `parquet:"time,timestamp(microsecond)"`
	Name   string    `parquet:"name,dict"`
	Domain string    `parquet:"domain,dict"`
	Role   string    `parquet:"role,dict"`
	CPUPct float64   `parquet:"cpu_pct"`
	MemK   uint64    `parquet:"mem_k"`
}

// xentop frames every 3 s with Domain-0 and one guest, "web", that is
// migrating to the same host in frame 2 (listed as web--migratedaway
// with 150 % and web--incoming with 10 %). By hand, at 1,000 page writes/s
// per busy CPU: frame 0 is skipped (CPU(%) 0.0 by construction); frames 1,
// 2 and 3 give 120 %, 160 %, 90 % → 1200, 1600, 900 pages/s from 0, 3 and
// 6 s. Memory: the largest MEM(k), 2 GiB.
func TestReadLakeTraceXentop(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 23, 53, 21, 0, time.UTC)
	var rows []xentopFileRow
	add := func(frame int64, name, dom, role string, cpu float64, memK uint64) {
		rows = append(rows, xentopFileRow{Host: "lab1", Frame: frame, Time: t0.Add(time.Duration(3*frame) * time.Second),
			Name: name, Domain: dom, Role: role, CPUPct: cpu, MemK: memK})
	}
	for f := int64(0); f < 4; f++ {
		add(f, "Domain-0", "Domain-0", "none", 50, 4<<20)
		switch f {
		case 0:
			add(f, "web", "web", "none", 0, 2<<20)
		case 2:
			add(f, "web--migratedaway", "web", "migratedaway", 150, 2<<20)
			add(f, "web--incoming", "web", "incoming", 10, 1<<20)
		default:
			add(f, "web", "web", "none", map[int64]float64{1: 120, 3: 90}[f], 2<<20)
		}
	}
	writeTable(t, dir, "xentop_domain", "lab1", "part-a.parquet", rows)
	if _, err := ReadLakeTrace(dir, LakeTrace{}); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "one fully busy CPU") {
		t.Errorf("without a rate per CPU: %v", err)
	}
	s, err := ReadLakeTrace(dir, LakeTrace{RatePerCPU: 1000})
	if err != nil {
		t.Fatal(err)
	}
	wantT, wantR := []float64{0, 3, 6}, []float64{1200, 1600, 900}
	if s.Source != SourceXentop || s.Domain != "web" || s.Memory != 2<<30 || len(s.Trace.Times) != 3 {
		t.Fatalf("%+v %v %v", s, s.Trace.Times, s.Trace.Rates)
	}
	for i := range wantT {
		if s.Trace.Times[i] != wantT[i] || math.Abs(s.Trace.Rates[i]-wantR[i]) > 1e-9 {
			t.Errorf("sample %d: (%g, %g), want (%g, %g)", i, s.Trace.Times[i], s.Trace.Rates[i], wantT[i], wantR[i])
		}
	}
	if s, err := ReadLakeTrace(dir, LakeTrace{Domain: "Domain-0", RatePerCPU: 1000}); err != nil || s.Trace.Rates[0] != 500 {
		t.Errorf("Domain-0: %v %v", s.Trace, err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{Domain: "db", RatePerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `no domain "db" (domains: "Domain-0", "web")`) {
		t.Errorf("unknown domain: %v", err)
	}
	rows = rows[:0]
	add(1, "db", "db", "none", 300, 1<<20)
	writeTable(t, dir, "xentop_domain", "lab1", "part-b.parquet", rows)
	if _, err := ReadLakeTrace(dir, LakeTrace{RatePerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `runs 2 domains besides Domain-0 ("db", "web"): pick one`) {
		t.Errorf("two guests: %v", err)
	}
}

// Only the chosen host's partition files are opened: a second host whose
// file is not Parquet at all does not stop a read of lab1 (it would if
// every file were read), while asking for that host reports the file. A
// file outside any host= folder (copied out of a lake, say) is read for its
// host column: here it holds lab1's and lab2's rows, and each host gets
// its own; a host= folder above the table= folder is not the lake's.
func TestReadLakeTraceHostPruning(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 23, 53, 21, 0, time.UTC)
	var rows []xentopFileRow
	for f := int64(0); f < 3; f++ {
		rows = append(rows, xentopFileRow{Host: "lab1", Frame: f, Time: t0.Add(time.Duration(f) * time.Second), Name: "web", Domain: "web", Role: "none", CPUPct: 100, MemK: 1 << 20})
	}
	writeTable(t, dir, "xentop_domain", "lab1", "part-a.parquet", rows)
	bad := filepath.Join(dir, "table=xentop_domain", "host=lab9", "date=2026-11-21")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "part-x.parquet"), []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ReadLakeTrace(dir, LakeTrace{Host: "lab1", RatePerCPU: 1000})
	if err != nil || len(s.Trace.Rates) != 2 || s.Trace.Rates[0] != 1000 {
		t.Fatalf("lab1 beside a broken lab9: %+v %v", s, err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{RatePerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `holds 2 hosts ("lab1", "lab9")`) {
		t.Errorf("two hosts by folder: %v", err)
	}
	if _, err := ReadLakeTrace(dir, LakeTrace{Host: "lab9", RatePerCPU: 1000}); err == nil || !strings.Contains(err.Error(), "part-x.parquet") {
		t.Errorf("lab9's broken file: %v", err)
	}
	// pointing at the host's own folder still finds the host
	if s, err := ReadLakeTrace(filepath.Join(dir, "table=xentop_domain", "host=lab1"), LakeTrace{RatePerCPU: 1000}); err != nil || s.Host != "lab1" {
		t.Errorf("host folder: %+v %v", s, err)
	}

	loose := t.TempDir()
	mixed := append([]xentopFileRow(nil), rows...)
	for f := int64(0); f < 3; f++ {
		mixed = append(mixed, xentopFileRow{Host: "lab2", Frame: f, Time: t0.Add(time.Duration(f) * time.Second), Name: "db", Domain: "db", Role: "none", CPUPct: 50, MemK: 1 << 20})
	}
	writeParquetFile(t, filepath.Join(loose, "host=decoy", "table=xentop_domain", "part-m.parquet"), mixed)
	if _, err := ReadLakeTrace(loose, LakeTrace{RatePerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `holds 2 hosts ("lab1", "lab2")`) {
		t.Errorf("mixed file: %v", err)
	}
	s, err = ReadLakeTrace(loose, LakeTrace{Host: "lab2", RatePerCPU: 1000})
	if err != nil || s.Domain != "db" || len(s.Trace.Rates) != 2 || s.Trace.Rates[0] != 500 {
		t.Errorf("lab2 of a mixed file: %+v %v", s, err)
	}
}

// A 1 GiB guest's polls: setup, three active polls at 800, 900 and 700
// Mbit/s (median 800 Mbit/s = 1e8 B/s), the first pass ending at the
// third (dirty-sync-count 2, 131,072 of 262,144 pages duplicate: zero share
// 0.5), then completion. Without ram.mbps the rate is ram.transferred ÷
// (total-time − setup-time) = 5e8 B ÷ 5 s; while the first pass runs, the
// zero share is not measured.
func TestFiguresFromQMP(t *testing.T) {
	st := func(s string) *string { return &s }
	mk := func(status string, mbps float64, sync, dup, transferred, totalMs int64) QMPPoll {
		p := QMPPoll{Host: "kvm", Status: st(status), RAMTotal: i64(1 << 30), PageSize: i64(4096), SetupTimeMs: i64(1000),
			DirtySyncCount: i64(sync), RAMDuplicate: i64(dup), RAMTransferred: i64(transferred), TotalTimeMs: i64(totalMs)}
		if mbps > 0 {
			p.RAMMbps = f64(mbps)
		}
		return p
	}
	polls := []QMPPoll{mk("setup", 0, 1, 0, 0, 0), mk("active", 800, 1, 40000, 1e8, 2000), mk("active", 900, 1, 90000, 2e8, 3000),
		mk("active", 700, 2, 131072, 3e8, 4000), mk("completed", 0, 3, 131072, 5e8, 6000)}
	f := FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls})
	if f.Memory != 1<<30 || f.PageSize != 4096 || f.Rate != 1e8 || !f.HasZeroShare || f.ZeroShare != 0.5 {
		t.Errorf("%+v", f)
	}
	for i := range polls {
		polls[i].RAMMbps = nil
	}
	f = FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls[:3]})
	if f.Rate != 2e8/2 || f.HasZeroShare {
		t.Errorf("first pass, no mbps: %+v", f)
	}
	f = FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls})
	if f.Rate != 5e8/5 || f.ZeroShare != 0.5 {
		t.Errorf("no mbps: %+v", f)
	}
	// LineRate inverts the framing: its goodput at MTU 1500 is the rate
	if r := LineRate(1e8, 1500); math.Abs(linkGoodput(r, 1500)-1e8) > 1e-6 {
		t.Errorf("LineRate %g: goodput %g", r, linkGoodput(r, 1500))
	}
}
