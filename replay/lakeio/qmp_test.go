package lakeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

func i64(v int64) *int64   { return &v }
func str(s string) *string { return &s }

func writeQMP(t *testing.T, dir, host string, rows []schema.QMPMigrate) {
	t.Helper()
	p := filepath.Join(dir, "table=qmp_migrate", "host="+host, "date=2026-11-21")
	os.MkdirAll(p, 0o755)
	f, err := os.Create(filepath.Join(p, "part-0123456789abcdef.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := parquet.Write(f, rows); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// qmp_migrate rows (schema.QMPMigrate, every column written), polls
// every 500 ms: setup (skipped), two active polls before QEMU's
// first dirty-rate period (0: not a value), then 4000, 9000, 2000 pages/s
// first shown at 1.5, 2 and 2.5 s (times from total_time_ms). Each covers
// the period up to the poll that first shows it: 4000 from 0, 9000 from
// 1.5 s, 2000 from 2 s (TraceFromQMP).
func TestReadLakeTraceQMP(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var rows []schema.QMPMigrate
	for i, c := range []struct {
		status string
		ms     int64
		rate   int64
	}{{"setup", 0, 0}, {"active", 500, 0}, {"active", 1000, 0}, {"active", 1500, 4000}, {"active", 2000, 9000}, {"completed", 2500, 2000}} {
		tm := t0.Add(time.Duration(c.ms) * time.Millisecond)
		rows = append(rows, schema.QMPMigrate{Host: "kvm-a", Time: &tm, Poll: int64(i), Status: str(c.status),
			TotalTimeMs: i64(c.ms), RAMRemaining: i64(1 << 30), RAMDirtyPagesRate: i64(c.rate)})
	}
	writeQMP(t, dir, "kvm-a", rows)
	tr, err := qmpTrace(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantT := []float64{0, 1.5, 2}
	wantR := []float64{4000, 9000, 2000}
	if len(tr.Times) != len(wantT) {
		t.Fatalf("times %v rates %v", tr.Times, tr.Rates)
	}
	for i := range wantT {
		if tr.Times[i] != wantT[i] || tr.Rates[i] != wantR[i] {
			t.Errorf("sample %d: (%g, %g), want (%g, %g)", i, tr.Times[i], tr.Rates[i], wantT[i], wantR[i])
		}
	}
	// a second migration on the same host (total_time_ms restarts)
	more := append(rows, schema.QMPMigrate{Host: "kvm-a", Poll: 6, Status: str("active"), TotalTimeMs: i64(300), RAMDirtyPagesRate: i64(1)})
	dir2 := t.TempDir()
	writeQMP(t, dir2, "kvm-a", more)
	if _, err := qmpTrace(dir2); !errors.Is(err, replay.ErrTrace) || !strings.Contains(err.Error(), "2 migrations") {
		t.Errorf("two migrations: %v", err)
	}
	// two hosts
	other := make([]schema.QMPMigrate, len(rows))
	copy(other, rows)
	for i := range other {
		other[i].Host = "kvm-b"
	}
	writeQMP(t, dir, "kvm-b", other)
	if _, err := qmpTrace(dir); err == nil || !strings.Contains(err.Error(), "2 hosts (kvm-a, kvm-b)") {
		t.Errorf("two hosts: %v", err)
	}
	if tr, err := qmpTrace(filepath.Join(dir, "table=qmp_migrate", "host=kvm-b")); err != nil || len(tr.Times) != 3 {
		t.Errorf("host folder: %v", err)
	}
	if _, err := qmpTrace(t.TempDir()); !errors.Is(err, replay.ErrTrace) {
		t.Errorf("empty lake: %v", err)
	}
}

// qmpTrace is the series of the one QMP migration below dir.
func qmpTrace(dir string) (*replay.Trace, error) {
	s, err := ReadLakeTrace(dir, Query{Source: SourceQMP})
	return s.Trace, err
}

// A qmp_migrate file written with a subset of the columns (an older
// collector's, say) reads the others as null; a column of the wrong type
// is an error naming it.
func TestReadQMPSubsetOfColumns(t *testing.T) {
	type subset struct {
		Host   string  `parquet:"host"`
		Poll   int64   `parquet:"poll"`
		Status *string `parquet:"status,optional"`
		Rate   *int64  `parquet:"ram_dirty_pages_rate,optional"`
	}
	dir := t.TempDir()
	writeParquetFile(t, filepath.Join(dir, "table=qmp_migrate", "host=kvm", "part-a.parquet"),
		[]subset{{"kvm", 0, str("active"), i64(10)}, {"kvm", 1, str("completed"), nil}})
	migs, err := ReadQMP(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) != 1 || len(migs[0].Polls) != 2 {
		t.Fatalf("%+v", migs)
	}
	p := migs[0].Polls
	if p[0].Host != "kvm" || *p[0].RAMDirtyPagesRate != 10 || p[1].RAMDirtyPagesRate != nil || p[1].Poll != 1 || p[0].Time != nil || p[0].RAMTotal != nil {
		t.Errorf("polls %+v", p)
	}
	type wrong struct {
		Host   string `parquet:"host"`
		Status int64  `parquet:"status"`
	}
	bad := t.TempDir()
	writeParquetFile(t, filepath.Join(bad, "table=qmp_migrate", "part-b.parquet"), []wrong{{"kvm", 3}})
	if _, err := ReadQMP(bad); err == nil || !strings.Contains(err.Error(), "qmp_migrate.status") {
		t.Errorf("numeric status: %v", err)
	}
}
