package sar_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sar"
)

func TestMain(m *testing.M) {
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

// benchInput is a generated sar -f report of at least 100 MB (see genText),
// made once per process.
func benchInput(b *testing.B) string {
	return parsetest.BenchFile(b, "sar.txt", func(w io.Writer) error { return genText(w, 100<<20, 1) })
}

// genText writes sar -f text in sysstat 12.6's layout until at least size
// bytes: sections of one hour at 10 s (a LINUX RESTART between sections),
// each with the blocks -u ALL -P ALL (4 CPUs), -w, -r, -q, -n DEV (3
// interfaces) and -d (2 disks), with Average rows and blank lines.
func genText(w io.Writer, size int64, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x5a5a))
	cw := &parsetest.CountWriter{W: w}
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(cw, "Linux 6.18.44-fc-v445 (vm) \t11/21/26 \t_x86_64_\t(4 CPU)\n\n")
	const n = 360
	for sec := 0; cw.N < size; sec++ {
		start := t0.Add(time.Duration(sec%20) * time.Hour)
		if sec%20 == 0 && sec > 0 {
			fmt.Fprintf(cw, "Linux 6.18.44-fc-v445 (vm) \t11/21/26 \t_x86_64_\t(4 CPU)\n\n")
		}
		fmt.Fprintf(cw, "%s     LINUX RESTART\t(4 CPU)\n\n", start.Format("15:04:05"))
		ts := func(i int) string { return start.Add(time.Duration(i) * 10 * time.Second).Format("15:04:05") }
		f2 := func() float64 { return rng.Float64() * 100 }
		fmt.Fprintf(cw, "%s        CPU      %%usr     %%nice      %%sys   %%iowait    %%steal      %%irq     %%soft    %%guest    %%gnice     %%idle\n", ts(0))
		for i := 1; i <= n; i++ {
			for c := -1; c < 4; c++ {
				name := "all"
				if c >= 0 {
					name = fmt.Sprint(c)
				}
				fmt.Fprintf(cw, "%s %10s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", ts(i), name,
					f2(), 0.0, f2()/4, f2()/10, f2()/50, 0.0, f2()/20, f2()/3, 0.0, f2())
			}
		}
		fmt.Fprintf(cw, "Average:        all      1.00      0.00      1.00      0.00      0.00      0.00      0.00      0.00      0.00     98.00\n\n")
		fmt.Fprintf(cw, "%s       proc/s   cswch/s\n", ts(0))
		for i := 1; i <= n; i++ {
			fmt.Fprintf(cw, "%s %12.2f %9.2f\n", ts(i), f2(), f2()*100)
		}
		fmt.Fprintf(cw, "Average:         3.20   3877.00\n\n")
		fmt.Fprintf(cw, "%s    kbmemfree   kbavail kbmemused  %%memused kbbuffers  kbcached  kbcommit   %%commit  kbactive   kbinact   kbdirty\n", ts(0))
		for i := 1; i <= n; i++ {
			fmt.Fprintf(cw, "%s %12d %9d %9d %9.2f %9d %9d %9d %9.2f %9d %9d %9d\n", ts(i),
				rng.IntN(1<<25), rng.IntN(1<<25), rng.IntN(1<<25), f2(), rng.IntN(1<<20), rng.IntN(1<<24),
				rng.IntN(1<<24), f2(), rng.IntN(1<<24), rng.IntN(1<<24), rng.IntN(1<<20))
		}
		fmt.Fprintf(cw, "Average:     23595892  24306890    103430      0.42     65732    833853     63850      0.26    273670    621189    346653\n\n")
		fmt.Fprintf(cw, "%s      runq-sz  plist-sz   ldavg-1   ldavg-5  ldavg-15   blocked\n", ts(0))
		for i := 1; i <= n; i++ {
			fmt.Fprintf(cw, "%s %12d %9d %9.2f %9.2f %9.2f %9d\n", ts(i), rng.IntN(8), 100+rng.IntN(50), f2()/10, f2()/10, f2()/10, rng.IntN(3))
		}
		fmt.Fprintf(cw, "Average:            0        90      0.19      0.08      0.02         0\n\n")
		fmt.Fprintf(cw, "%s        IFACE   rxpck/s   txpck/s    rxkB/s    txkB/s   rxcmp/s   txcmp/s  rxmcst/s   %%ifutil\n", ts(0))
		for i := 1; i <= n; i++ {
			for _, ifc := range []string{"lo", "eth0", "vif1.0"} {
				fmt.Fprintf(cw, "%s %12s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", ts(i), ifc,
					f2()*10, f2()*10, f2()*100, f2()*100, 0.0, 0.0, f2()/10, f2()/10)
			}
		}
		fmt.Fprintf(cw, "Average:           lo      7.60      7.60      0.62      0.62      0.00      0.00      0.00      0.00\n\n")
		fmt.Fprintf(cw, "%s          DEV       tps     rkB/s     wkB/s     dkB/s   areq-sz    aqu-sz     await     %%util\n", ts(0))
		for i := 1; i <= n; i++ {
			for _, d := range []string{"vda", "vdb"} {
				fmt.Fprintf(cw, "%s %12s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", ts(i), d,
					f2(), f2()*100, f2()*100, 0.0, f2(), f2()/100, f2()/10, f2())
			}
		}
		fmt.Fprintf(cw, "Average:          vda      0.60      0.00      0.80      1.60      4.00      0.00      0.00      0.00\n\n")
	}
	return cw.Err
}

// The generator's output parses strictly, every line accounted for.
func TestGenText(t *testing.T) {
	var b bytes.Buffer
	if err := genText(&b, 1<<20, 7); err != nil {
		t.Fatal(err)
	}
	p := sar.NewParser(&b, parse.Options{})
	for p.Next() {
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	st := p.Stats()
	if !st.Balanced() || st.Reject != 0 || st.Data == 0 {
		t.Fatalf("%+v", st)
	}
}

// BenchmarkParser reads a generated ≥ 100 MB sar -f report from disk
// (see parsetest.BenchParse for comparing runs).
func BenchmarkParser(b *testing.B) {
	parsetest.BenchParse(b, benchInput(b), func(r io.Reader, o parse.Options) parse.Parser { return sar.NewParser(r, o) })
}
