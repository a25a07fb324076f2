package parsetest

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
)

var (
	benchMu    sync.Mutex
	benchFiles = map[string]string{}
	benchDir   string
)

// BenchFile returns the path of a benchmark input made once per process by
// gen into a temp dir (removed by CleanupBenchFiles, which a TestMain calls).
// Generators are deterministic, so every run measures the same bytes.
func BenchFile(b *testing.B, name string, gen func(io.Writer) error) string {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if p, ok := benchFiles[name]; ok {
		return p
	}
	if benchDir == "" {
		d, err := os.MkdirTemp("", "migreplay-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	}
	p := filepath.Join(benchDir, name)
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = gen(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	benchFiles[name] = p
	return p
}

// CleanupBenchFiles removes what BenchFile generated.
func CleanupBenchFiles() {
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
}

// BenchParse parses the file at path with newp in each iteration and
// reports MB/s (SetBytes), allocations, lines/s, records/s and MB per CPU-second (user
// + system time of the whole process, steadier than wall time on a shared
// machine). Compare two runs with
//
//	go test -run '^$' -bench Parse -benchtime=3x -count 6 ./ingest/<format> > new.txt
//	benchstat old.txt new.txt
func BenchParse(b *testing.B, path string, newp New) {
	b.Helper()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var lines, recs int64
	cpu0 := CPUTime()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		p := newp(f, parse.Options{File: path, Host: "bench"})
		for p.Next() {
			_ = p.Record()
		}
		if err := p.Err(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		lines += p.Stats().Lines
		recs += p.Stats().Records
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(recs)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(CPUTime()-cpu0).Seconds(), "MB/cpu-s")
}

// CPUTime is the process's user+system CPU time (every thread, GC included).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CountWriter counts what generators write and keeps the first error, so a
// generator can loop `for cw.N < size` with fmt.Fprint and check Err once.
type CountWriter struct {
	W   io.Writer
	N   int64
	Err error
}

func (c *CountWriter) Write(p []byte) (int, error) {
	if c.Err != nil {
		return 0, c.Err
	}
	n, err := c.W.Write(p)
	c.N += int64(n)
	c.Err = err
	return n, err
}
