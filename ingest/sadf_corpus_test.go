package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/schema"
)

// rowKeys renders the rows of the given tables (all when none) as sorted
// JSON lines.
func rowKeys(t *testing.T, rows []schema.Row, tables ...string) []string {
	t.Helper()
	var out []string
	for _, r := range rows {
		if len(tables) > 0 && !slices.Contains(tables, r.TableName()) {
			continue
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.TableName()+" "+string(b))
	}
	slices.Sort(out)
	return out
}

func readCorpus(t *testing.T, name string) corpusRun {
	t.Helper()
	loadCorpus(t) // skips without ../shared/corpus
	run := readSource(filepath.Join(sharedCorpus, "sysstat", name), Config{})
	if run.err != nil {
		t.Fatalf("%s: %v", name, run.err)
	}
	if !run.stats.Balanced() {
		t.Fatalf("%s: %+v", name, run.stats)
	}
	return run
}

// sysstat's expected.sadf-dh and expected.sadf-d print the same data (its
// test file of 2019-04-18), -dh for CPU all and 3 only (its CPU groups list
// -1 and 3, its interrupt groups two values: 1027.05 is CPU3's sum in
// expected.sadf-d). Every row read from the -dh form must be a row read
// from the -d form, into the same table with the same values; the -dh
// form holds 5 records of 2 CPUs (10 sar_cpu rows) and 2 restarts.
func TestCorpusSadfDHMatchesD(t *testing.T) {
	d := rowKeys(t, readCorpus(t, "expected.sadf-d").rows)
	dhRun := readCorpus(t, "expected.sadf-dh")
	dh := rowKeys(t, dhRun.rows)
	for _, r := range dh {
		if _, ok := slices.BinarySearch(d, r); !ok {
			t.Errorf("-dh row not in -d: %s", r)
		}
	}
	if n := len(rowKeys(t, dhRun.rows, "sar_cpu")); n != 10 {
		t.Errorf("%d sar_cpu rows from -dh, want 10", n)
	}
	if n := len(rowKeys(t, dhRun.rows, "sar_events")); n != 2 {
		t.Errorf("%d restarts from -dh, want 2", n)
	}
	var cpu3 bool
	for _, r := range dh {
		cpu3 = cpu3 || r == `sar_other {"Host":"SYSSTAT.TEST","Time":"2019-04-18T13:20:19Z","Activity":"interrupts","Device":"sum","Metric":"CPU3","Value":1027.05}`
	}
	if !cpu3 {
		t.Error("-dh: the sum of interrupts on CPU3 at 13:20:19 (1027.05) is missing")
	}
}

// Batteries and USB devices of the same data in sadf -d and sadf -j form
// (sysstat's expected.sadf-d and expected.sadf-j) land in sar_battery and
// sar_usb alike: 6 battery rows (NotCharging read as "NotCharging") and
// 6 USB rows, as both files list them.
func TestCorpusSadfPower(t *testing.T) {
	d := rowKeys(t, readCorpus(t, "expected.sadf-d").rows, "sar_battery", "sar_usb")
	j := rowKeys(t, readCorpus(t, "expected.sadf-j").rows, "sar_battery", "sar_usb")
	if !slices.Equal(d, j) {
		t.Errorf("sadf -d:\n%v\nsadf -j:\n%v", d, j)
	}
	var bat, usb int
	for _, r := range d {
		if r[:8] == "sar_usb " {
			usb++
		} else {
			bat++
		}
	}
	if bat != 6 || usb != 6 || !slices.Contains(d, `sar_battery {"Host":"SYSSTAT.TEST","Time":"2019-04-18T13:20:49Z","Battery":0,"CapPct":77,"CapPerMin":5.36,"Status":"NotCharging"}`) {
		t.Errorf("%d battery, %d USB rows: %v", bat, usb, d)
	}
}

// A monitoring system's export merges several hosts' sadf -d output and
// sorts it by time: within each block, the rows of one record time come
// from one host, then the next. Reading such a merge must give each host
// the rows its own file gives. Each of sysstat's sadf -d outputs is merged
// here with a copy of itself under another host name (every row of a
// record of the first host, then the same rows of the second), and the
// rows read must be those of the two files read apart. (Until 2026-12-05
// the CPU lists that name interrupt rows' CPU* columns were one per file,
// and such a merge of expected.sadf-d was refused.)
func TestCorpusSadfMergedHosts(t *testing.T) {
	for _, name := range []string{"expected.sadf-d", "expected01.sadf-d", "expected.data-11.6.5-sadf-d",
		"expected.data-wghfreq-sadf-d", "expected.sadf-d-qu", "expected.sadf-dh"} {
		t.Run(name, func(t *testing.T) {
			loadCorpus(t)
			text, err := os.ReadFile(filepath.Join(sharedCorpus, "sysstat", name))
			if err != nil {
				t.Fatal(err)
			}
			second, merged := parsetest.MergeHosts(text, ";", "SECOND.HOST")
			dir := t.TempDir()
			write := func(n string, b []byte) string {
				p := filepath.Join(dir, n)
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			var want []string
			for _, p := range []string{filepath.Join(sharedCorpus, "sysstat", name), write("second", second)} {
				run := readSource(p, Config{})
				if run.err != nil {
					t.Fatalf("%s: %v", p, run.err)
				}
				want = append(want, rowKeys(t, run.rows)...)
			}
			slices.Sort(want)
			run := readSource(write("merged", merged), Config{})
			if run.err != nil {
				t.Fatalf("merged: %v", run.err)
			}
			if !run.stats.Balanced() {
				t.Fatalf("merged: %+v", run.stats)
			}
			got := rowKeys(t, run.rows)
			if !slices.Equal(got, want) {
				n := 0
				for _, r := range got {
					if _, ok := slices.BinarySearch(want, r); !ok && n < 5 {
						t.Errorf("merged gives %s", r)
						n++
					}
				}
				for _, r := range want {
					if _, ok := slices.BinarySearch(got, r); !ok && n < 10 {
						t.Errorf("merged lacks %s", r)
						n++
					}
				}
				t.Errorf("merged: %d rows, the two files apart %d", len(got), len(want))
			}
		})
	}
}
