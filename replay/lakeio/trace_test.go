package lakeio

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
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
	s, err := ReadLakeTrace(dir, Query{})
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
	if s, err := ReadLakeTrace(dir, Query{Source: SourceSar, PageSize: 64 << 10}); err != nil || s.Trace.Rates[0] != 100.125 {
		t.Errorf("64 KiB pages: %v %v", s.Trace, err)
	}
	other := append([]sarFileRow(nil), rows...)
	for i := range other {
		other[i].Host = "vm2"
	}
	writeTable(t, dir, "sar_paging", "vm2", "part-c.parquet", other)
	if _, err := ReadLakeTrace(dir, Query{}); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), `sar_paging holds 2 hosts ("vm", "vm2"): pick one`) {
		t.Errorf("two hosts: %v", err)
	}
	if s, err := ReadLakeTrace(dir, Query{Host: "vm2"}); err != nil || s.Host != "vm2" || len(s.Trace.Rates) != 3 {
		t.Errorf("host vm2: %+v %v", s, err)
	}
	if _, err := ReadLakeTrace(dir, Query{Host: "kvm"}); err == nil || !strings.Contains(err.Error(), `no rows of host "kvm" (hosts: "vm", "vm2")`) {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := ReadLakeTrace(dir, Query{Source: SourceQMP}); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), "no table=qmp_migrate") {
		t.Errorf("qmp from a sar lake: %v", err)
	}
	if _, err := ReadLakeTrace(dir, Query{Source: "perf"}); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), `trace source "perf"`) {
		t.Errorf("unknown source: %v", err)
	}
	if _, err := ReadLakeTrace(t.TempDir(), Query{}); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), "no table=qmp_migrate, table=sar_paging or table=xentop_domain") {
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
	if _, err := ReadLakeTrace(dir, Query{}); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), "one fully busy CPU") {
		t.Errorf("without a rate per CPU: %v", err)
	}
	s, err := ReadLakeTrace(dir, Query{DirtyPerCPU: 1000})
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
	if s, err := ReadLakeTrace(dir, Query{Domain: "Domain-0", DirtyPerCPU: 1000}); err != nil || s.Trace.Rates[0] != 500 {
		t.Errorf("Domain-0: %v %v", s.Trace, err)
	}
	if _, err := ReadLakeTrace(dir, Query{Domain: "db", DirtyPerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `no domain "db" (domains: "Domain-0", "web")`) {
		t.Errorf("unknown domain: %v", err)
	}
	rows = rows[:0]
	add(1, "db", "db", "none", 300, 1<<20)
	writeTable(t, dir, "xentop_domain", "lab1", "part-b.parquet", rows)
	if _, err := ReadLakeTrace(dir, Query{DirtyPerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `runs 2 domains besides Domain-0 ("db", "web"): pick one`) {
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
	s, err := ReadLakeTrace(dir, Query{Host: "lab1", DirtyPerCPU: 1000})
	if err != nil || len(s.Trace.Rates) != 2 || s.Trace.Rates[0] != 1000 {
		t.Fatalf("lab1 beside a broken lab9: %+v %v", s, err)
	}
	if _, err := ReadLakeTrace(dir, Query{DirtyPerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `holds 2 hosts ("lab1", "lab9")`) {
		t.Errorf("two hosts by folder: %v", err)
	}
	if _, err := ReadLakeTrace(dir, Query{Host: "lab9", DirtyPerCPU: 1000}); err == nil || !strings.Contains(err.Error(), "part-x.parquet") {
		t.Errorf("lab9's broken file: %v", err)
	}
	// pointing at the host's own folder still finds the host
	if s, err := ReadLakeTrace(filepath.Join(dir, "table=xentop_domain", "host=lab1"), Query{DirtyPerCPU: 1000}); err != nil || s.Host != "lab1" {
		t.Errorf("host folder: %+v %v", s, err)
	}

	loose := t.TempDir()
	mixed := append([]xentopFileRow(nil), rows...)
	for f := int64(0); f < 3; f++ {
		mixed = append(mixed, xentopFileRow{Host: "lab2", Frame: f, Time: t0.Add(time.Duration(f) * time.Second), Name: "db", Domain: "db", Role: "none", CPUPct: 50, MemK: 1 << 20})
	}
	writeParquetFile(t, filepath.Join(loose, "host=decoy", "table=xentop_domain", "part-m.parquet"), mixed)
	if _, err := ReadLakeTrace(loose, Query{DirtyPerCPU: 1000}); err == nil || !strings.Contains(err.Error(), `holds 2 hosts ("lab1", "lab2")`) {
		t.Errorf("mixed file: %v", err)
	}
	s, err = ReadLakeTrace(loose, Query{Host: "lab2", DirtyPerCPU: 1000})
	if err != nil || s.Domain != "db" || len(s.Trace.Rates) != 2 || s.Trace.Rates[0] != 500 {
		t.Errorf("lab2 of a mixed file: %+v %v", s, err)
	}
}

func f64(v float64) *float64 { return &v }

// A choice the lake leaves open is a ChoiceError naming the Query field
// that makes it (the command line maps each to its flag): two hosts
// (Host), two migrations of one host (Run), two guests (Domain), a xentop
// series without its dirty rate per CPU (DirtyPerCPU).
func TestChoiceErrors(t *testing.T) {
	field := func(err error) string {
		var ce *ChoiceError
		if !errors.As(err, &ce) || !errors.Is(err, replay.ErrTrace) {
			return fmt.Sprintf("not a ChoiceError: %v", err)
		}
		return ce.Field
	}
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	qmp := t.TempDir()
	var polls []schema.QMPMigrate
	for i, st := range []string{"active", "completed", "active", "completed"} {
		tm := t0.Add(time.Duration(i) * time.Second)
		polls = append(polls, schema.QMPMigrate{Host: "kvm-a", Time: &tm, Poll: int64(i), Status: str(st), RAMDirtyPagesRate: i64(100)})
	}
	writeQMP(t, qmp, "kvm-a", polls)
	if _, err := ReadLakeTrace(qmp, Query{}); field(err) != "Run" || !strings.HasSuffix(err.Error(), "pick one") {
		t.Errorf("two migrations: %s %v", field(err), err)
	}
	for i := range polls {
		polls[i].Host = "kvm-b"
	}
	writeQMP(t, qmp, "kvm-b", polls)
	if _, err := ReadLakeTrace(qmp, Query{}); field(err) != "Host" {
		t.Errorf("two hosts: %s", field(err))
	}
	if s, err := ReadLakeTrace(qmp, Query{Host: "kvm-b", Run: 2}); err != nil || s.Host != "kvm-b" || s.Migration.Polls[0].Poll != 2 {
		t.Errorf("host and run given: %+v %v", s, err)
	}
	xen := t.TempDir()
	var rows []xentopFileRow
	for f := int64(0); f < 2; f++ {
		for _, d := range []string{"Domain-0", "web", "db"} {
			rows = append(rows, xentopFileRow{Host: "lab1", Frame: f, Time: t0.Add(time.Duration(f) * time.Second), Name: d, Domain: d, Role: "none", CPUPct: 10, MemK: 1 << 20})
		}
	}
	writeTable(t, xen, "xentop_domain", "lab1", "part-a.parquet", rows)
	if _, err := ReadLakeTrace(xen, Query{}); field(err) != "DirtyPerCPU" || !strings.HasSuffix(err.Error(), "give it") {
		t.Errorf("no rate per CPU: %s %v", field(err), err)
	}
	if _, err := ReadLakeTrace(xen, Query{DirtyPerCPU: 1000}); field(err) != "Domain" {
		t.Errorf("two guests: %s", field(err))
	}
}
