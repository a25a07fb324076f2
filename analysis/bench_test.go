package analysis

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/xentop"
)

// TestMain removes the generated benchmark input. With childLake set, the
// binary only analyses that lake (TestAnalyzeMemoryFollowsRowGroups).
func TestMain(m *testing.M) {
	if lake := os.Getenv(childLake); lake != "" {
		if err := analyzeChild(lake); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// the peak RSS, on Linux
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			os.Stdout.Write(b)
		}
		os.Exit(0)
	}
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

// BenchmarkMigrations finds the migrations in the lake of a generated
// 200 MB xentop capture (seed 1: about 370 k domain rows, migrations every
// few hundred frames). Each window's Domain-0 effect is a binary search in
// the Domain-0 series, so the time grows with the rows, not with rows ×
// migrations (the 2 GB capture's lake: 21 s before, 5 s after, mostly
// reading).
func BenchmarkMigrations(b *testing.B) {
	in := parsetest.BenchFile(b, "xentop-200MB.txt", func(w io.Writer) error { return xentop.Generate(w, 200<<20, 1) })
	dir := b.TempDir()
	lake := filepath.Join(dir, "lake")
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: lake}, []string{in}); err != nil {
		b.Fatal(err)
	}
	var n int
	for b.Loop() {
		migs, err := Migrations(lake)
		if err != nil {
			b.Fatal(err)
		}
		n = len(migs)
	}
	b.ReportMetric(float64(n), "migrations")
}

// BenchmarkDecide runs every registered policy at every frame of the same
// lake (the generated host given 32 CPUs: about 70 % busy, so seed 002
// acts and seed 003's policies weigh peaks), reporting decision points per
// second. Compare two runs with benchstat:
//
//	go test -run '^$' -bench Decide -count 5 ./analysis > new.txt
func BenchmarkDecide(b *testing.B) {
	in := parsetest.BenchFile(b, "xentop-200MB.txt", func(w io.Writer) error { return xentop.Generate(w, 200<<20, 1) })
	lake := filepath.Join(b.TempDir(), "lake")
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: lake}, []string{in}); err != nil {
		b.Fatal(err)
	}
	var points int
	for b.Loop() {
		res, err := Decide(lake, DecideConfig{HostCPUs: map[string]float64{"": 32}})
		if err != nil {
			b.Fatal(err)
		}
		points = 0
		for _, n := range res.Points {
			points += n
		}
	}
	b.ReportMetric(float64(points)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
