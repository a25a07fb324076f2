package domjobinfo_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/domjobinfo"
	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/schema"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return domjobinfo.NewParser(r, o) }

// Golden cases: each testdata/<case>/source.txt says where the input comes
// from (real_*: virsh 9.0.0 output captured here; the others written from
// virsh's format strings). The want files were generated with -update and
// checked against the inputs by hand.
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

func drain(t *testing.T, path string, opt parse.Options) []schema.QMPMigrate {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := domjobinfo.NewParser(bytes.NewReader(in), opt)
	var rows []schema.QMPMigrate
	for p.Next() {
		rows = append(rows, *p.Record().(*schema.QMPMigrate))
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); !st.Balanced() {
		t.Fatalf("%s: %+v", path, st)
	}
	return rows
}

// The same completed jobs printed by virsh twice, in its default form and
// with --rawstats (captured one after the other): every value read from the
// default form lies within half a unit of its last printed decimal of the
// exact --rawstats value (vshPrettyCapacity prints %.3lf of B, KiB, MiB,
// GiB), and the counts and times are equal.
func TestPrettyWithinRawstats(t *testing.T) {
	for _, c := range []string{"real_autoconverge_completed", "real_postcopy_completed"} {
		pretty := drain(t, filepath.Join("testdata", c, "input.txt"), parse.Options{})
		raw := drain(t, filepath.Join("testdata", c+"_rawstats", "input.txt"), parse.Options{})
		if len(pretty) != 1 || len(raw) != 1 {
			t.Fatalf("%s: %d and %d rows", c, len(pretty), len(raw))
		}
		p, r := pretty[0], raw[0]
		sizes := map[string][2]*int64{
			"ram_total": {p.RAMTotal, r.RAMTotal}, "ram_transferred": {p.RAMTransferred, r.RAMTransferred},
			"ram_remaining": {p.RAMRemaining, r.RAMRemaining}, "ram_normal_bytes": {p.RAMNormalBytes, r.RAMNormalBytes},
		}
		for name, v := range sizes {
			if v[0] == nil || v[1] == nil {
				t.Fatalf("%s %s: missing", c, name)
			}
			if d := math.Abs(float64(*v[0] - *v[1])); d > halfUnit(*v[1]) {
				t.Errorf("%s %s: %d printed, %d exact: off by %.0f B", c, name, *v[0], *v[1], d)
			}
		}
		exact := map[string][2]*int64{
			"ram_dirty_sync_count": {p.RAMDirtySyncCount, r.RAMDirtySyncCount}, "ram_normal": {p.RAMNormal, r.RAMNormal},
			"ram_duplicate": {p.RAMDuplicate, r.RAMDuplicate}, "ram_page_size": {p.RAMPageSize, r.RAMPageSize},
			"libvirt_time_elapsed_ms": {p.LibvirtTimeElapsedMs, r.LibvirtTimeElapsedMs},
			"libvirt_downtime_ms":     {p.LibvirtDowntimeMs, r.LibvirtDowntimeMs}, "setup_time_ms": {p.SetupTimeMs, r.SetupTimeMs},
			"ram_postcopy_requests": {p.RAMPostcopyRequests, r.RAMPostcopyRequests},
		}
		for name, v := range exact {
			if v[0] == nil || v[1] == nil || *v[0] != *v[1] {
				t.Errorf("%s %s: %v and %v", c, name, deref(v[0]), deref(v[1]))
			}
		}
		// bandwidth: MiB/s to 3 decimals, so within 0.0005 MiB/s = 0.0041943 Mbit/s
		if d := math.Abs(*p.RAMMbps - *r.RAMMbps); d > 0.0005*(1<<20)*8/1e6 {
			t.Errorf("%s ram_mbps %v and %v", c, *p.RAMMbps, *r.RAMMbps)
		}
		if *p.Status != "completed" || *r.Status != "completed" || p.TotalTimeMs != nil || p.DowntimeMs != nil {
			t.Errorf("%s: status %v/%v, total-time %v, downtime %v", c, *p.Status, *r.Status, p.TotalTimeMs, p.DowntimeMs)
		}
	}
}

// halfUnit is half the last printed decimal of vshPrettyCapacity's unit for x.
func halfUnit(x int64) float64 {
	u := 1.0
	for f := float64(x); f >= 1024; f /= 1024 {
		u *= 1024
	}
	return 0.0005 * u
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// A polled series: the rows' times are the time lines before their blocks
// (date -Ins, read to the nanosecond and truncated to the microsecond of the
// time column), rising;
// libvirt's elapsed time and QEMU's iteration count never fall; the running
// blocks have no status and the None blocks make no rows.
func TestPolledSeries(t *testing.T) {
	rows := drain(t, "testdata/real_polled_date_ins/input.txt", parse.Options{Lenient: true})
	if len(rows) < 40 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Time == nil || r.Poll != int64(i) {
			t.Fatalf("row %d: time %v poll %d", i, r.Time, r.Poll)
		}
		if i > 0 {
			q := rows[i-1]
			if !r.Time.After(*q.Time) || *r.LibvirtTimeElapsedMs < *q.LibvirtTimeElapsedMs {
				t.Errorf("row %d: time %v after %v, elapsed %d after %d", i, r.Time, q.Time, *r.LibvirtTimeElapsedMs, *q.LibvirtTimeElapsedMs)
			}
			if r.RAMDirtySyncCount != nil && q.RAMDirtySyncCount != nil && *r.RAMDirtySyncCount < *q.RAMDirtySyncCount {
				t.Errorf("row %d: iteration fell", i)
			}
		}
		if r.Status != nil {
			t.Errorf("row %d: a running block has status %q", i, *r.Status)
		}
	}
	// the first row's time, from its line "2026-12-04T23:11:12,377521650+00:00"
	if got := rows[0].Time.UnixNano(); got != 1796425872377521000 {
		t.Errorf("first time %d", got)
	}
}

// Lenient and strict agree: strict stops at the line of lenient's first
// fault (a bad block's other lines point at that line).
func TestStrictStopsAtFirstFault(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/input.txt")
	for _, f := range dirs {
		in, _ := os.ReadFile(f)
		lax := parsetest.Drain(newParser, in, parse.Options{File: "f", Lenient: true})
		str := parsetest.Drain(newParser, in, parse.Options{File: "f"})
		if (lax.Stats.Reject == 0) != (str.Err == nil) {
			t.Errorf("%s: %d rejects lenient, strict error %v", f, lax.Stats.Reject, str.Err)
			continue
		}
		if str.Err == nil {
			continue
		}
		var pe *parse.ParseError
		if !errors.As(str.Err, &pe) {
			t.Errorf("%s: strict error %v is no ParseError", f, str.Err)
			continue
		}
		for _, r := range lax.Rejects {
			if !strings.Contains(r.Error(), "in the domjobinfo block of lines") {
				if r.Line != pe.Line || r.Col != pe.Col || r.Err.Error() != pe.Err.Error() {
					t.Errorf("%s: strict %v, lenient's first fault %v", f, pe, r)
				}
				break
			}
		}
	}
}

func TestDetect(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/real_*/input.txt")
	for _, f := range dirs {
		in, _ := os.ReadFile(f)
		if !domjobinfo.Detect(in) {
			t.Errorf("%s: not detected", f)
		}
	}
	no := map[string]string{
		"empty":     "",
		"time only": "1796425400\n",
		"sar":       "Linux 6.1.0-13-amd64 (bookworm) \t11/21/2026 \t_x86_64_\t(2 CPU)\n",
		"xentop":    "      NAME  STATE   CPU(sec) CPU(%)\n",
		"ping":      "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n",
		"qmp":       `{"timestamp": 1795305600.25, "return": {"status": "setup", "ram": {"total": 1}}}` + "\n",
		"job yaml":  "Job type: build\n",
		"german":    "Job-Typ:         Unbegrenzt\n",
	}
	for name, s := range no {
		if domjobinfo.Detect([]byte(s)) {
			t.Errorf("%s: detected as domjobinfo", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	parsetest.AddSeeds(f, "testdata/*/input.txt", func(b []byte) bool { return len(b) < 64<<10 })
	f.Fuzz(func(t *testing.T, data []byte) { parsetest.Fuzz(t, newParser, data) })
}

func TestMain(m *testing.M) {
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

// writeBlocks writes n polled blocks in virsh's default form, each after a
// date -Ins line, with values that advance (the shape of real_polled_date_ins).
func writeBlocks(w io.Writer, n int) error {
	cw := &parsetest.CountWriter{W: w}
	for i := 0; i < n; i++ {
		fmt.Fprintf(cw, "2026-12-04T23:%02d:%02d,%09d+00:00\n", 11+i/120%48, i/2%60, 377521650+i%2*500000000%1000000000)
		fmt.Fprintf(cw, "%-17s %-12s\n%-17s %-12s\n%-17s %-12d ms\n", "Job type:", "Unbounded", "Operation:", "Outgoing migration", "Time elapsed:", 500*i)
		for _, l := range []string{"Data processed:", "Data remaining:", "Data total:", "Memory processed:", "Memory remaining:", "Memory total:"} {
			fmt.Fprintf(cw, "%-17s %-.3f MiB\n", l, float64(i%1000)*12.043)
		}
		fmt.Fprintf(cw, "%-17s %-.3f MiB/s\n%-17s %-12d pages/s\n%-17s %-12d bytes\n", "Memory bandwidth:", 29.342, "Dirty rate:", 6000+i%7, "Page size:", 4096)
		fmt.Fprintf(cw, "%-17s %-12d\n%-17s %-12d\n%-17s %-12d\n%-17s %-12d\n", "Iteration:", 1+i/10, "Postcopy requests:", 0, "Constant pages:", 2245+i, "Normal pages:", 3072*i)
		fmt.Fprintf(cw, "%-17s %-.3f MiB\n%-17s %-12d ms\n%-17s %-12d ms\n\n", "Normal data:", float64(i)*12, "Expected downtime:", 300, "Setup time:", 2)
	}
	return cw.Err
}

// BenchmarkParse parses ~100 MB of polled blocks (120,000 blocks of 20 lines and
// a blank) from a file: MB/s, lines/s, records/s and MB per CPU-second (see
// parsetest.BenchParse for comparing two runs with benchstat).
func BenchmarkParse(b *testing.B) {
	path := parsetest.BenchFile(b, "domjobinfo.txt", func(w io.Writer) error { return writeBlocks(w, 120_000) })
	parsetest.BenchParse(b, path, newParser)
}

// writeBlocks' output parses strictly: one row per block, every line data
// but the blank ones.
func TestWriteBlocks(t *testing.T) {
	var buf bytes.Buffer
	if err := writeBlocks(&buf, 100); err != nil {
		t.Fatal(err)
	}
	res := parsetest.Drain(newParser, buf.Bytes(), parse.Options{})
	if res.Err != nil || len(res.Rows) != 100 || res.Stats.Data != 100*20 || res.Stats.Structure != 100 || !res.Stats.Balanced() {
		t.Fatalf("%v: %d rows, %+v", res.Err, len(res.Rows), res.Stats)
	}
}
