package analysis

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/ingest/xentop"
)

// BenchmarkMigrations finds the migrations in the lake of a generated
// 200 MB xentop capture (seed 1: about 370 k domain rows, migrations every
// few hundred frames). Each window's Domain-0 effect is a binary search in
// the Domain-0 series, so the time grows with the rows, not with rows ×
// migrations (the 2 GB capture's lake: 21 s before, 5 s after, mostly
// reading).
func BenchmarkMigrations(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "h.xentop.txt")
	f, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	if err := xentop.Generate(f, 200<<20, 1); err != nil {
		b.Fatal(err)
	}
	f.Close()
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
