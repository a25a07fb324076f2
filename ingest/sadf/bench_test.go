package sadf_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/ingest/sar"
)

func TestMain(m *testing.M) {
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

var (
	benchCSV  = bench("sadf.csv", func(w io.Writer) error { return sadf.GenerateCSV(w, 100<<20, 1) })
	benchJSON = bench("sadf.json", func(w io.Writer) error { return genJSON(w, 100<<20, 1) })
	benchP    = bench("sadf.p", func(w io.Writer) error { return genP(w, 100<<20, 1) })
)

// genP writes GenerateCSV's samples as sadf -p prints them (one value a
// line: CPU rows as all and cpuN, single-row activities with device '-')
// for about size bytes.
func genP(w io.Writer, size int64, seed int64) error {
	// sadf -p of GenerateCSV's samples is about 4.8 times their sadf -d (126 MB for 100 MiB).
	pr, pw := io.Pipe()
	defer pr.Close() // stops the generator if this returns early
	go func() { pw.CloseWithError(sadf.GenerateCSV(pw, size/4, seed)) }()
	cw := &parsetest.CountWriter{W: w}
	sc := bufio.NewScanner(pr)
	var names [][]byte
	var line []byte
	for sc.Scan() {
		f := bytes.Split(sc.Bytes(), []byte(";"))
		if bytes.HasPrefix(f[0], []byte("# ")) {
			names = names[:0]
			for _, n := range f[3:] {
				names = append(names, bytes.Clone(n))
			}
			continue
		}
		dev, vals, cols := []byte("-"), f[3:], names
		if len(cols) > 0 && sar.IsLabel(string(cols[0])) {
			dev, vals, cols = vals[0], vals[1:], cols[1:]
			if string(names[0]) == "CPU" {
				dev = []byte("all")
				if string(f[3]) != "-1" {
					dev = append([]byte("cpu"), f[3]...)
				}
			}
		}
		for i, v := range vals {
			line = append(append(append(line[:0], f[0]...), '\t'), f[1]...)
			line = append(append(append(line, '\t'), f[2]...), '\t')
			line = append(append(append(line, dev...), '\t'), cols[i]...)
			line = append(append(append(line, '\t'), v...), '\n')
			cw.Write(line)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return cw.Err
}

func TestGenP(t *testing.T) {
	var b bytes.Buffer
	if err := genP(&b, 1<<20, 3); err != nil {
		t.Fatal(err)
	}
	p := sadf.NewPParser(&b, parse.Options{})
	for p.Next() {
	}
	st := p.Stats()
	if p.Err() != nil || !st.Balanced() || st.Reject != 0 || st.Data == 0 || st.Records == 0 {
		t.Fatalf("%v %+v", p.Err(), st)
	}
}

// genJSON writes sadf -j output in sysstat 12.6's layout (tabs, one
// statistics element per sample, "utc": 1) until at least size bytes:
// samples every 10 s with cpu-load (-P ALL, 4 CPUs),
// process-and-context-switch, memory, queue, network.net-dev (3
// interfaces) and disk (2 devices).
func genJSON(w io.Writer, size int64, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	cw := &parsetest.CountWriter{W: w}
	fmt.Fprint(cw, "{\"sysstat\": {\n\t\"hosts\": [\n\t\t{\n\t\t\t\"nodename\": \"vm\",\n\t\t\t\"sysname\": \"Linux\",\n\t\t\t\"release\": \"6.18.44-fc-v445\",\n\t\t\t\"machine\": \"x86_64\",\n\t\t\t\"number-of-cpus\": 4,\n\t\t\t\"file-date\": \"2026-11-21\",\n\t\t\t\"file-utc-time\": \"00:00:00\",\n\t\t\t\"timezone\": \"UTC\",\n\t\t\t\"statistics\": [\n")
	t := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	f := func(m float64) float64 { return rng.Float64() * m }
	for i := 0; cw.N < size; i++ {
		t = t.Add(10 * time.Second)
		if i > 0 {
			fmt.Fprint(cw, ",\n")
		}
		fmt.Fprintf(cw, "\t\t\t\t{\n\t\t\t\t\t\"timestamp\": {\"date\": \"%s\", \"time\": \"%s\", \"utc\": 1, \"interval\": 10},\n", t.Format("2006-01-02"), t.Format("15:04:05"))
		fmt.Fprint(cw, "\t\t\t\t\t\"cpu-load\": [\n")
		for c := -1; c < 4; c++ {
			name := "all"
			if c >= 0 {
				name = fmt.Sprint(c)
			}
			sep := ","
			if c == 3 {
				sep = ""
			}
			fmt.Fprintf(cw, "\t\t\t\t\t\t{\"cpu\": \"%s\", \"usr\": %.2f, \"nice\": 0.00, \"sys\": %.2f, \"iowait\": %.2f, \"steal\": %.2f, \"irq\": 0.00, \"soft\": %.2f, \"guest\": %.2f, \"gnice\": 0.00, \"idle\": %.2f}%s\n",
				name, f(40), f(15), f(5), f(2), f(1), f(20), f(100), sep)
		}
		fmt.Fprint(cw, "\t\t\t\t\t],\n")
		fmt.Fprintf(cw, "\t\t\t\t\t\"process-and-context-switch\": {\"proc\": %.2f, \"cswch\": %.2f},\n", f(10), f(20000))
		fmt.Fprintf(cw, "\t\t\t\t\t\"memory\": {\"memfree\": %d, \"avail\": %d, \"memused\": %d, \"memused-percent\": %.2f, \"buffers\": 65732, \"cached\": %d, \"commit\": %d, \"commit-percent\": %.2f, \"active\": %d, \"inactive\": %d, \"dirty\": %d, \"swpfree\": 0, \"swpused\": 0, \"swpused-percent\": 0.00, \"swpcad\": 0, \"swpcad-percent\": 0.00},\n",
			rng.IntN(1<<24), rng.IntN(1<<24), rng.IntN(1<<24), f(100), rng.IntN(1<<20), rng.IntN(1<<20), f(100), rng.IntN(1<<20), rng.IntN(1<<20), rng.IntN(1<<16))
		fmt.Fprintf(cw, "\t\t\t\t\t\"queue\": {\"runq-sz\": %d, \"plist-sz\": %d, \"ldavg-1\": %.2f, \"ldavg-5\": %.2f, \"ldavg-15\": %.2f, \"blocked\": %d},\n",
			rng.IntN(8), 200+rng.IntN(50), f(4), f(3), f(2), rng.IntN(2))
		fmt.Fprint(cw, "\t\t\t\t\t\"disk\": [\n")
		for j, d := range []string{"vda", "vdb"} {
			sep := ","
			if j == 1 {
				sep = ""
			}
			fmt.Fprintf(cw, "\t\t\t\t\t\t{\"disk-device\": \"%s\", \"tps\": %.2f, \"rkB\": %.2f, \"wkB\": %.2f, \"dkB\": 0.00, \"areq-sz\": %.2f, \"aqu-sz\": %.2f, \"await\": %.2f, \"util-percent\": %.2f}%s\n",
				d, f(500), f(20000), f(20000), f(64), f(2), f(5), f(100), sep)
		}
		fmt.Fprint(cw, "\t\t\t\t\t],\n\t\t\t\t\t\"network\": {\n\t\t\t\t\t\t\"net-dev\": [\n")
		for j, ifc := range []string{"lo", "eth0", "vif1.0"} {
			sep := ","
			if j == 2 {
				sep = ""
			}
			fmt.Fprintf(cw, "\t\t\t\t\t\t\t{\"iface\": \"%s\", \"rxpck\": %.2f, \"txpck\": %.2f, \"rxkB\": %.2f, \"txkB\": %.2f, \"rxcmp\": 0.00, \"txcmp\": 0.00, \"rxmcst\": %.2f, \"ifutil-percent\": %.2f}%s\n",
				ifc, f(5e4), f(5e4), f(7e4), f(7e4), f(1), f(60), sep)
		}
		fmt.Fprint(cw, "\t\t\t\t\t\t]\n\t\t\t\t\t}\n\t\t\t\t}")
	}
	fmt.Fprint(cw, "\n\t\t\t],\n\t\t\t\"restarts\": [\n\t\t\t]\n\t\t}\n\t]\n}}\n")
	return cw.Err
}

func TestGenJSON(t *testing.T) {
	var b bytes.Buffer
	if err := genJSON(&b, 1<<20, 3); err != nil {
		t.Fatal(err)
	}
	p := sadf.NewJSONParser(&b, parse.Options{})
	for p.Next() {
	}
	st := p.Stats()
	if p.Err() != nil || !st.Balanced() || st.Reject != 0 || st.Data == 0 {
		t.Fatalf("%v %+v", p.Err(), st)
	}
}

// bench names a ≥ 100 MB input generated once per process (parsetest.BenchFile).
func bench(name string, gen func(io.Writer) error) func(*testing.B) string {
	return func(b *testing.B) string { return parsetest.BenchFile(b, name, gen) }
}

func benchParser(b *testing.B, file func(*testing.B) string, newp func(io.Reader, parse.Options) parse.Parser) {
	parsetest.BenchParse(b, file(b), newp)
}

// BenchmarkCSV reads GenerateCSV's ≥ 100 MB from disk; BenchmarkJSON a
// ≥ 100 MB genJSON file. Compare two runs with: go test -bench . -count 6
// > a.txt; (change); ... > b.txt; benchstat a.txt b.txt.
func BenchmarkCSV(b *testing.B)  { benchParser(b, benchCSV, newCSV) }
func BenchmarkJSON(b *testing.B) { benchParser(b, benchJSON, newJSON) }

// BenchmarkP reads genP's ≥ 100 MB (GenerateCSV's samples, one value a
// line); compare as above.
func BenchmarkP(b *testing.B) { benchParser(b, benchP, newP) }
