package replay

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// qmpFileRow mirrors columns of the lake's qmp_migrate table (names from
// schema/README.md), with one column the reader does not ask for.
type qmpFileRow struct {
	Host           string     `parquet:"host,dict"`
	Time           *time.Time `parquet:"time,optional,timestamp(microsecond)"`
	Poll           int64      `parquet:"poll"`
	Status         *string    `parquet:"status,optional,dict"`
	TotalTimeMs    *int64     `parquet:"total_time_ms,optional"`
	RAMRemaining   *int64     `parquet:"ram_remaining,optional"`
	DirtyPagesRate *int64     `parquet:"ram_dirty_pages_rate,optional"`
}

func i64(v int64) *int64   { return &v }
func str(s string) *string { return &s }

func writeQMP(t *testing.T, dir, host string, rows []qmpFileRow) {
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

// Polls every 500 ms: setup (skipped), two active polls before QEMU's
// first dirty-rate period (0: they take the first measured rate, 4000),
// then 4000, 9000, 2000 pages/s; times from total_time_ms.
func TestTraceFromLake(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var rows []qmpFileRow
	for i, c := range []struct {
		status string
		ms     int64
		rate   int64
	}{{"setup", 0, 0}, {"active", 500, 0}, {"active", 1000, 0}, {"active", 1500, 4000}, {"active", 2000, 9000}, {"completed", 2500, 2000}} {
		tm := t0.Add(time.Duration(c.ms) * time.Millisecond)
		rows = append(rows, qmpFileRow{Host: "kvm-a", Time: &tm, Poll: int64(i), Status: str(c.status),
			TotalTimeMs: i64(c.ms), RAMRemaining: i64(1 << 30), DirtyPagesRate: i64(c.rate)})
	}
	writeQMP(t, dir, "kvm-a", rows)
	tr, err := TraceFromLake(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantT := []float64{0.5, 1, 1.5, 2, 2.5}
	wantR := []float64{4000, 4000, 4000, 9000, 2000}
	if len(tr.Times) != len(wantT) {
		t.Fatalf("times %v rates %v", tr.Times, tr.Rates)
	}
	for i := range wantT {
		if tr.Times[i] != wantT[i] || tr.Rates[i] != wantR[i] {
			t.Errorf("sample %d: (%g, %g), want (%g, %g)", i, tr.Times[i], tr.Rates[i], wantT[i], wantR[i])
		}
	}
	// a second migration on the same host (total_time_ms restarts)
	more := append(rows, qmpFileRow{Host: "kvm-a", Poll: 6, Status: str("active"), TotalTimeMs: i64(300), DirtyPagesRate: i64(1)})
	dir2 := t.TempDir()
	writeQMP(t, dir2, "kvm-a", more)
	if _, err := TraceFromLake(dir2); !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "2 migrations") {
		t.Errorf("two migrations: %v", err)
	}
	// two hosts
	other := make([]qmpFileRow, len(rows))
	copy(other, rows)
	for i := range other {
		other[i].Host = "kvm-b"
	}
	writeQMP(t, dir, "kvm-b", other)
	if _, err := TraceFromLake(dir); err == nil || !strings.Contains(err.Error(), "2 hosts (kvm-a, kvm-b)") {
		t.Errorf("two hosts: %v", err)
	}
	if tr, err := TraceFromLake(filepath.Join(dir, "table=qmp_migrate", "host=kvm-b")); err != nil || len(tr.Times) != 5 {
		t.Errorf("host folder: %v", err)
	}
	if _, err := TraceFromLake(t.TempDir()); !errors.Is(err, ErrTrace) {
		t.Errorf("empty lake: %v", err)
	}
}
