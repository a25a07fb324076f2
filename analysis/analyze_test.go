package analysis

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/ingest/xentop"
	"github.com/migreplay/migreplay/schema/table"
)

func ingestLake(t *testing.T, files ...string) string {
	t.Helper()
	out := t.TempDir()
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: out}, files); err != nil {
		t.Fatal(err)
	}
	return out
}

// The bundled iputils capture (ping -D -O -i 0.01 -c 200, iputils 20221126)
// has replies 1-59 and 91-200 and "no answer yet" for 60-90. By hand from
// the file: seq 59 at 1795305513.555951, seq 91 at 1795305514.067951, so the
// downtime is 512.000 ms and 31 probes were lost.
func TestPingOutageOfTheBundledCapture(t *testing.T) {
	lake := ingestLake(t, "../datasets/traces/vm.iputils_D_O_i0.01_c200_outage_seq60-90.ping.txt")
	out, err := PingOutages(lake)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("outages = %d, want 1: %+v", len(out), out)
	}
	o := out[0]
	if o.Lost != 31 || o.FirstSeq != 60 || o.LastSeq != 90 || math.Abs(o.DowntimeMs-512.000) > 1e-6 {
		t.Errorf("outage %+v, want seq 60-90, 31 lost, 512.000 ms", o)
	}
	if o.RTTBeforeMs == nil || o.RTTAfterMs == nil {
		t.Error("RTT around the outage missing")
	}
}

// The bundled xentop capture (migreplay generate --seed 7; see
// datasets/traces.md) migrates app07 within the host: both suffixed names
// appear, for about 40 frames of 3 s.
func TestMigrationsAndRanking(t *testing.T) {
	lake := ingestLake(t, "../datasets/traces/lab1.xentop.txt.gz")
	migs, err := Migrations(lake)
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) != 1 || migs[0].Domain != "app07" || migs[0].Roles != "both" {
		t.Fatalf("migrations %+v", migs)
	}
	m := migs[0]
	if m.DurationS < 100 || m.DurationS > 130 || m.MemK == 0 {
		t.Errorf("migration %+v: want ~40 frames of 3 s and the guest's memory", m)
	}
	if m.Dom0CPUBase == nil || m.Dom0CPUPeak == nil || *m.Dom0CPUPeak < *m.Dom0CPUBase {
		t.Errorf("Domain-0 effect: %+v", m)
	}
	// its class: app07 runs at about 2.4 CPUs with 68 MB/s of disk (1.4
	// disks of 50 MB/s) in the minute before: CPU-dominant, not ambiguous
	// (1.4 < 0.67 × 2.4), and xentop shows no dirty rate
	if m.Class != "cpu" || !strings.Contains(m.ClassBasis, "no dirty rate") || m.CPUBefore == nil || *m.CPUBefore < 200 ||
		m.MemMiB == nil || *m.MemMiB != float64(m.MemK)/1024 {
		t.Errorf("class %s (%s), cpu before %v, mem %v MiB", m.Class, m.ClassBasis, m.CPUBefore, m.MemMiB)
	}
	vms, err := VMs(lake, VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(vms) == 0 {
		t.Fatal("no VMs")
	}
	for i, v := range vms {
		if v.Rank != int64(i+1) {
			t.Errorf("rank %d at %d", v.Rank, i)
		}
		if i > 0 && vms[i-1].Converges == v.Converges && vms[i-1].PredTotalS > v.PredTotalS {
			t.Errorf("not ordered by predicted time: %s %.1f before %s %.1f", vms[i-1].Domain, vms[i-1].PredTotalS, v.Domain, v.PredTotalS)
		}
		if v.Domain == "Domain-0" {
			t.Error("Domain-0 ranked")
		}
	}
	// More memory and more CPU never make a guest cheaper to move: the
	// replay engine's own monotonicity, seen through the ranking.
	for _, a := range vms {
		for _, b := range vms {
			if a.MemK >= b.MemK && a.CPUPct >= b.CPUPct && a.Converges && b.Converges && a.PredTotalS < b.PredTotalS-1e-9 {
				t.Errorf("%s (bigger, busier) predicted faster than %s", a.Domain, b.Domain)
			}
		}
	}
}

// Reading one host= partition at a time, its rows streaming through, gives
// what reading the whole table at once and sorting it gives: a lake of
// three generated xentop captures (three hosts, with migrations) and two
// ping captures, analysed per host and in one table.
func TestPerHostEqualsWholeTable(t *testing.T) {
	dir := t.TempDir()
	files := generateXentop(t, dir, 3_000_000, "h-b", "h-a", "h-c")
	ping, err := os.ReadFile("../datasets/traces/vm.iputils_D_O_i0.01_c200_outage_seq60-90.ping.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"p2", "p1"} {
		p := filepath.Join(dir, host+".ping")
		if err := os.WriteFile(p, ping, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	lake := ingestLake(t, files...)

	xdir := filepath.Join(lake, "table=xentop_domain")
	all, err := table.ListFiles(xdir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sortedXentop(xdir, all) // the whole table, read at once and sorted
	if err != nil {
		t.Fatal(err)
	}
	x := b.xentop()
	wantM := x.Migrations()
	wantV, err := x.VMs(VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	gotM, err := Migrations(lake)
	if err != nil {
		t.Fatal(err)
	}
	gotV, err := VMs(lake, VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]bool{}
	for _, m := range gotM {
		hosts[m.Host] = true
	}
	if len(hosts) != 3 || !reflect.DeepEqual(gotM, wantM) || !reflect.DeepEqual(gotV, wantV) {
		t.Errorf("per host: %d migrations on %d hosts, %d VMs; whole table: %d migrations, %d VMs (or they differ)",
			len(gotM), len(hosts), len(gotV), len(wantM), len(wantV))
	}

	pw, err := table.Read(filepath.Join(lake, "table=ping_reply"), []string{"host", "target", "seq", "time", "status", "rtt_ms"})
	if err != nil {
		t.Fatal(err)
	}
	wantP, err := pingOutages(pw)
	if err != nil {
		t.Fatal(err)
	}
	gotP, err := PingOutages(lake)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotP) != 2 || gotP[0].Host != "p1" || !reflect.DeepEqual(gotP, wantP) {
		t.Errorf("ping outages per host %+v, whole table %+v", gotP, wantP)
	}
}

// generateXentop writes a generated xentop capture of size bytes per host
// into dir (migreplay generate --format xentop, seeds 3, 4, ... in the
// order given) and returns the paths.
func generateXentop(t *testing.T, dir string, size int64, hosts ...string) []string {
	t.Helper()
	var files []string
	for k, host := range hosts {
		p := filepath.Join(dir, host+".xentop")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := xentop.Generate(f, size, int64(k+3)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files = append(files, p)
	}
	return files
}
