package ping_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/ping"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

// TestMain removes the generated benchmark input.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchInput generates, once per process, a ≥100 MB `ping -D -O` session
// (1,300,000 replies, seed 1) into a temp dir.
func benchInput(b *testing.B) string {
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "ping-bench-"); benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "ping.txt")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		w := bufio.NewWriter(f)
		if benchErr = ping.Generate(w, 1_300_000, 1); benchErr == nil {
			benchErr = w.Flush()
		}
		if err := f.Close(); benchErr == nil {
			benchErr = err
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// BenchmarkParse parses the generated session from its file: MB/s and
// lines/s. Compare two runs with
//
//	go test -run '^$' -bench Parse -benchtime=3x -count 6 ./ingest/ping > new.txt
//	benchstat old.txt new.txt
func BenchmarkParse(b *testing.B) {
	path := benchInput(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var lines int64
	cpu0 := cpuTime()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		p := ping.NewParser(f, parse.Options{File: path, Host: "bench"})
		for p.Next() {
			_ = p.Record()
		}
		if err := p.Err(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		lines += p.Stats().Lines
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(cpuTime()-cpu0).Seconds(), "MB/cpu-s")
}

// cpuTime is the process's user+system CPU time (every thread, GC included).
// On a shared machine MB per CPU-second is steadier than MB/s of wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	cpu0 := cpuTime()
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
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(cpuTime()-cpu0).Seconds(), "MB/cpu-s")
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
