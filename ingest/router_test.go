package ingest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
	"github.com/migreplay/migreplay/schema/table"
)

// genSadf writes sadf.GenerateCSVHosts's output to dir/name and returns
// its path.
func genSadf(t *testing.T, dir, name string, size int64, hosts int, byHost bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := sadf.GenerateCSVHosts(&b, size, 1, hosts, byHost); err != nil {
		t.Fatal(err)
	}
	return write(t, dir, name, b.String())
}

// partitionFiles maps each partition folder of the lake at root to its
// Parquet files' bytes, with the footer's provenance (source path and
// SHA-256, which differ between two inputs) set to the same values by
// schema.RewriteMeta: what is left is every byte the rows made.
func partitionFiles(t *testing.T, root string) map[string][][]byte {
	t.Helper()
	out := map[string][][]byte{}
	for _, rel := range listFiles(t, root) {
		f, err := os.OpenFile(filepath.Join(root, rel), os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := table.Read(f.Name(), nil)
		if err != nil {
			t.Fatal(err)
		}
		name, _, _ := strings.Cut(rel, "/")
		meta := map[string]string{schema.MetaSchemaVersion: schema.Version, schema.MetaTable: strings.TrimPrefix(name, "table="),
			schema.MetaSource: "x", schema.MetaSourceSHA256: "y", schema.MetaRows: fmt.Sprint(tb.Rows),
			schema.MetaParser: "sadf-csv", schema.MetaLocale: "decimal=.", schema.MetaCommand: "", schema.MetaVersion: ""}
		if _, err := schema.RewriteMeta(f, meta); err != nil {
			t.Fatal(err)
		}
		f.Close()
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Dir(rel)] = append(out[filepath.Dir(rel)], b)
	}
	return out
}

// Rows of 16 hosts interleaved by time, as a merged sadf -d export prints
// them, give each partition the file the same rows host after host give,
// byte for byte (provenance aside): one file per partition, the same row
// groups and pages. The input (sadf.GenerateCSVHosts, every activity, 4
// hours) has partitions past a batch (sar_cpu: 5,400 rows, encoded while
// the other hosts' rows come) and partitions that stay in their first
// batch, all within the router's budget.
func TestInterleavedHostsSameFilesAsSorted(t *testing.T) {
	in := t.TempDir()
	size := int64(16 * 4 * 290_000) // about 3 hours of each host
	inter := genSadf(t, in, "merged.csv", size, 16, false)
	sorted := genSadf(t, in, "byhost.csv", size, 16, true)
	var lakes [2]map[string][][]byte
	for i, p := range []string{inter, sorted} {
		out := t.TempDir()
		sum, err := Run(context.Background(), Config{Out: out}, []string{p})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Files[0].Records["sar_cpu"] < 16*schema.BatchRows {
			t.Fatalf("%s: only %d sar_cpu rows: the input is too small to encode batches", p, sum.Files[0].Records["sar_cpu"])
		}
		lakes[i] = partitionFiles(t, out)
	}
	if len(lakes[0]) != 16*7 || len(lakes[0]) != len(lakes[1]) {
		t.Fatalf("%d partitions interleaved, %d sorted, want 16 hosts × 7 tables", len(lakes[0]), len(lakes[1]))
	}
	for dir, files := range lakes[0] {
		want := lakes[1][dir]
		if len(files) != 1 || len(want) != 1 {
			t.Errorf("%s: %d files interleaved, %d sorted, want one each", dir, len(files), len(want))
			continue
		}
		if !bytes.Equal(files[0], want[0]) {
			t.Errorf("%s: interleaved file (%d bytes) differs from the sorted one (%d bytes)", dir, len(files[0]), len(want[0]))
		}
	}
}

// sadfKeys parses a sadf -d file and returns, per table, its rows' keys
// (host, time, CPU/device and every value, as JSON) sorted: what the lake
// must hold, each row once.
func sadfKeys(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := sadf.NewCSVParser(f, parse.Options{File: path})
	out := map[string][]string{}
	for p.Next() {
		r := p.Record()
		out[r.TableName()] = append(out[r.TableName()], rowKey(r))
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range out {
		sort.Strings(k)
	}
	return out
}

// rowKey is a row's values, as the sar_cpu table stores them.
func rowKey(r schema.Row) string {
	c, ok := r.(*schema.SarCPU)
	if !ok {
		return fmt.Sprintf("%v", r)
	}
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("%s %d %d %s %s %s %s %s %s %s %s %s %s", c.Host, c.Time.UnixMicro(), c.CPU, f(c.Usr), f(c.Nice), f(c.Sys),
		f(c.IOWait), f(c.Steal), f(c.IRQ), f(c.Soft), f(c.Guest), f(c.GNice), f(c.Idle))
}

// lakeCPUKeys reads the lake's sar_cpu rows back as rowKey does, sorted.
func lakeCPUKeys(t *testing.T, root string) []string {
	t.Helper()
	tb, err := table.Read(filepath.Join(root, "table=sar_cpu"), nil)
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := tb.Strings("host")
	tm, _, _ := tb.Floats("time")
	cpu, _, _ := tb.Floats("cpu")
	cols := []string{"usr_pct", "nice_pct", "sys_pct", "iowait_pct", "steal_pct", "irq_pct", "soft_pct", "guest_pct", "gnice_pct", "idle_pct"}
	vals := make([][]float64, len(cols))
	oks := make([][]bool, len(cols))
	for i, c := range cols {
		vals[i], oks[i], _ = tb.Floats(c)
	}
	keys := make([]string, tb.Rows)
	for r := range keys {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %d %d", host[r], int64(tm[r]), int64(cpu[r]))
		for i := range cols {
			if oks[i][r] {
				fmt.Fprintf(&b, " %v", vals[i][r])
			} else {
				b.WriteString(" -")
			}
		}
		keys[r] = b.String()
	}
	sort.Strings(keys)
	return keys
}

// cpuOnly keeps the CPU activity of the sadf -d file at path (its
// headers, then its rows, as bench/sadf_duckdb.sh does) in path.cpu.
func cpuOnly(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cpu bytes.Buffer
	keep := false
	for _, l := range strings.SplitAfter(string(src), "\n") {
		if strings.HasPrefix(l, "# ") {
			keep = strings.Contains(l, ";CPU;%usr;")
		}
		if keep {
			cpu.WriteString(l)
		}
	}
	return write(t, filepath.Dir(path), filepath.Base(path)+".cpu", cpu.String())
}

// peakHeap samples the heap in use every 5 ms until stop is called, which
// returns the largest sample.
func peakHeap() (stop func() uint64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// withLimits runs f with the router's budget and descriptor cap set low.
func withLimits(budget int64, open int, f func()) {
	b, o := bufferBudget, maxOpen
	bufferBudget, maxOpen = budget, open
	defer func() { bufferBudget, maxOpen = b, o }()
	f()
}

// 5,000 hosts' CPU rows interleaved, with the budget cut to 4 MiB: the
// files that do not fit spill (their rows go to a scratch file and come
// back at the end), the heap stays within the budget plus what the parser
// and one file's encoder take, every partition is one file, and every row
// of the input is in the lake once.
func TestThousandsOfHostsBoundedEveryRowOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 files, each synced: 10-20 s")
	}
	in := t.TempDir()
	path := cpuOnly(t, genSadf(t, in, "all.csv", 3e6, 5000, false))
	want := sadfKeys(t, path)["sar_cpu"]
	out := t.TempDir()
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // the heap near what is live
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	withLimits(4<<20, 16, func() {
		stop := peakHeap()
		sum, err := Run(context.Background(), Config{Out: out}, []string{path})
		peak = stop()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(sum.Written); n != 5000 {
			t.Errorf("%d files, want one per host (5000)", n)
		}
	})
	// The rows are 5000 × 10 × 144 B = 7 MB, more than the budget; the
	// bound leaves 40 MiB to the parser, the 5,000 files' structs and the
	// test's own input (read whole above); an encoder per host (about
	// 2.5 MB each) would be gigabytes. 34 MiB measured at GOGC 50.
	if grew := int64(peak) - int64(base.HeapAlloc); grew > 44<<20 {
		t.Errorf("heap grew by %d MiB during the run (budget 4 MiB)", grew>>20)
	}
	got := lakeCPUKeys(t, out)
	if len(got) != len(want) || len(want) < 5000*10 {
		t.Fatalf("lake has %d sar_cpu rows, input %d", len(got), len(want))
	}
	if !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("first difference at %d: lake %q, input %q", i, got[i], want[i])
			}
		}
	}
}

// The end of a source finishes its files a few at a time: 1,000 hosts'
// files, each holding its few rows in memory (none spills, none has an
// encoder yet), take no more heap at the end than while the rows came.
// Handing every file's rows to its encoder at once made 5,000 hosts' files
// (82 MB) take 367 MB RSS against 237 MB.
func TestManyFilesFinishedAFewAtATime(t *testing.T) {
	in := t.TempDir()
	path := cpuOnly(t, genSadf(t, in, "all.csv", 1e6, 1000, false))
	out := t.TempDir()
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // the heap near what is live
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := peakHeap()
	sum, err := Run(context.Background(), Config{Out: out}, []string{path})
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sum.Written); n != 1000 {
		t.Fatalf("%d files, want one per host (1000)", n)
	}
	// 14.4 MiB measured (2026-12-05, two procs) finishing GOMAXPROCS
	// files ahead; 258-262 MiB with every file's encoder at once.
	if grew := int64(peak) - int64(base.HeapAlloc); grew > 48<<20 {
		t.Errorf("heap grew by %d MiB during the run", grew>>20)
	}
}

// With a budget for three open encoders and a cap of one, the files of 4
// hosts' CPU rows are flushed (short row groups) and suspended (their
// footers completed at the end, schema.RewriteMeta), or they spill: a
// partition then has several part files, each readable with the source's
// metadata, and every row is there once.
func TestFlushedAndSuspendedFilesKeepEveryRow(t *testing.T) {
	in := t.TempDir()
	path := cpuOnly(t, genSadf(t, in, "merged.csv", 8e6, 4, false))
	want := sadfKeys(t, path)["sar_cpu"]
	out := t.TempDir()
	var sum Summary
	withLimits(16<<20, 1, func() {
		var err error
		if sum, err = Run(context.Background(), Config{Out: out}, []string{path}); err != nil {
			t.Fatal(err)
		}
	})
	parts := map[string]int{}
	for _, w := range sum.Written {
		parts[filepath.Dir(w.Path)]++
		tb, err := table.Read(filepath.Join(out, w.Path), []string{"host"})
		if err != nil {
			t.Fatal(err)
		}
		md, err := fileMeta(filepath.Join(out, w.Path))
		if err != nil {
			t.Fatal(err)
		}
		if md[schema.MetaSourceSHA256] != sum.Files[0].SHA256 || md[schema.MetaRows] != fmt.Sprint(tb.Rows) || md[schema.MetaLocale] != sum.Files[0].Locale {
			t.Errorf("%s: metadata %v, want the source's SHA-256, %d rows and locale %q", w.Path, md, tb.Rows, sum.Files[0].Locale)
		}
	}
	split := 0
	for _, n := range parts {
		if n > 1 {
			split++
		}
	}
	if split == 0 {
		t.Errorf("no partition has more than one file: the cap never suspended a file (%d files)", len(sum.Written))
	}
	if got := lakeCPUKeys(t, out); !slices.Equal(got, want) {
		t.Fatalf("lake has %d sar_cpu rows, input %d, or other rows", len(got), len(want))
	}
}

// A source whose metadata is known early (a file with one host, many
// days, interleaved) closes the files it has to close (finished, or
// suspended until its hash is done): later rows of a closed day start
// another part file, and every row is there once.
func TestEarlyFinishedDaysKeepEveryRow(t *testing.T) {
	in := t.TempDir()
	var b strings.Builder
	const days, perDay = 40, 9000
	for i := range perDay {
		for d := range days {
			fmt.Fprintf(&b, "KV %d %d\n", 1795305600+int64(d)*86400+int64(i), d*perDay+i)
		}
	}
	path := write(t, in, "h.kv", b.String())
	out := t.TempDir()
	var sum Summary
	withLimits(8<<20, 2, func() {
		var err error
		if sum, err = Run(context.Background(), Config{Out: out}, []string{path}); err != nil {
			t.Fatal(err)
		}
	})
	if len(sum.Written) <= days {
		t.Errorf("%d files for %d days: no file was finished early", len(sum.Written), days)
	}
	tb, err := table.Read(filepath.Join(out, "table=ingest_test_kv"), []string{"value"})
	if err != nil {
		t.Fatal(err)
	}
	v, _, _ := tb.Floats("value")
	slices.Sort(v)
	for i := range v {
		if v[i] != float64(i) {
			t.Fatalf("value %d is %v: rows lost or twice (%d rows, want %d)", i, v[i], len(v), days*perDay)
		}
	}
	if len(v) != days*perDay {
		t.Fatalf("%d rows, want %d", len(v), days*perDay)
	}
}

// fileMeta is the key-value metadata of the Parquet file at p.
func fileMeta(p string) (map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		m[kv.Key] = kv.Value
	}
	return m, nil
}

// A partition closed while the source's hash is still being computed is
// suspended, not finished: the parse never waits for the hash (it stood
// 0.25 s on a 400 MB ping capture whose first UTC day was closed 61,440
// rows after its last reply), and the file's bytes are those of the same
// file finished with the hash at hand.
func TestCloseDoesNotWaitForTheHash(t *testing.T) {
	const sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	day0 := time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC)
	lakeOf := func(ready bool) (map[string][]byte, int) {
		out := t.TempDir()
		set, err := lake.NewSet(out)
		if err != nil {
			t.Fatal(err)
		}
		h := &fileHash{done: make(chan struct{})}
		if ready {
			h.sum = sum
			close(h.done)
		}
		r := newRouter(set, Config{Version: "test"}, "kv", "h.kv", 0, h)
		r.early = true
		parsed := make(chan error, 1)
		go func() {
			// 10 rows on day 0, then day 1 until a sweep finds day 0
			// idle: the router closes day 0's file
			for i := range 10 + idleRows + sweepEvery {
				at := day0.Add(time.Duration(i) * time.Second)
				if i >= 10 {
					at = day0.Add(time.Hour + time.Duration(i)*time.Millisecond)
				}
				if err := r.write(&testRow{Host: "h", Time: at, Value: int64(i)}); err != nil {
					parsed <- err
					return
				}
			}
			parsed <- nil
		}()
		select {
		case err := <-parsed:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the router waited for the source's hash")
		}
		suspended := len(r.suspended)
		if !ready {
			h.sum = sum
			close(h.done)
		}
		if err := r.complete(sum, ""); err != nil {
			t.Fatal(err)
		}
		written, err := set.Commit()
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, w := range written {
			b, err := os.ReadFile(filepath.Join(out, w.Path))
			if err != nil {
				t.Fatal(err)
			}
			files[w.Path] = b
		}
		return files, suspended
	}
	finished, n := lakeOf(true)
	if n != 0 {
		t.Errorf("hash ready: %d files suspended, want day 0's finished", n)
	}
	suspended, n := lakeOf(false)
	if n != 1 {
		t.Errorf("hash not ready: %d files suspended, want day 0's", n)
	}
	if len(finished) != 2 {
		t.Errorf("%d files, want one a day: %v", len(finished), slices.Collect(maps.Keys(finished)))
	}
	for p, b := range finished {
		if !bytes.Equal(suspended[p], b) {
			t.Errorf("%s: %d bytes finished at once, %d suspended and completed (or missing): not the same bytes", p, len(b), len(suspended[p]))
		}
	}
}
