package ping_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/ping"
)

// TestMain removes the generated benchmark input.
func TestMain(m *testing.M) {
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

// benchInput is a ≥100 MB `ping -D -O` session (1,300,000 replies, seed 1),
// generated once per process.
func benchInput(b *testing.B) string {
	return parsetest.BenchFile(b, "ping.txt", func(w io.Writer) error { return ping.Generate(w, 1_300_000, 1) })
}

// BenchmarkParse parses the generated session from its file: MB/s, lines/s
// and MB per CPU-second (see parsetest.BenchParse for comparing runs).
func BenchmarkParse(b *testing.B) {
	parsetest.BenchParse(b, benchInput(b), func(r io.Reader, o parse.Options) parse.Parser { return ping.NewParser(r, o) })
}

// BenchmarkLinesFloor only splits the same file into lines with
// parse.Lines, which every parser uses: the floor BenchmarkParse is measured
// against on a machine whose speed varies.
func BenchmarkLinesFloor(b *testing.B) {
	path := benchInput(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	cpu0 := parsetest.CPUTime()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		l := parse.NewLines(f)
		for l.Next() {
		}
		f.Close()
	}
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(parsetest.CPUTime()-cpu0).Seconds(), "MB/cpu-s")
}

// BenchmarkDetect measures Detect on a 64 KiB head of the session.
func BenchmarkDetect(b *testing.B) {
	var buf bytes.Buffer
	if err := ping.Generate(&buf, 2000, 1); err != nil {
		b.Fatal(err)
	}
	head := buf.Bytes()[:64<<10]
	for b.Loop() {
		if !ping.Detect(head) {
			b.Fatal("not detected")
		}
	}
}
