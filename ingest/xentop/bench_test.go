package xentop_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/xentop"
)

// benchSize is the generated input: at least 100 MB, as issue 2 asks.
const benchSize = 100 << 20

// benchInput returns Generate(benchSize, seed 1), cached in os.TempDir so
// repeated runs skip the generation.
func benchInput(b *testing.B) []byte {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("migreplay-xentop-bench-%d-1.txt", benchSize))
	if data, err := os.ReadFile(path); err == nil && len(data) >= benchSize {
		return data
	}
	var buf bytes.Buffer
	if err := xentop.Generate(&buf, benchSize, 1); err != nil {
		b.Fatal(err)
	}
	tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err == nil {
		_ = os.Rename(tmp, path)
	}
	return buf.Bytes()
}

// BenchmarkParse parses a generated ≥100 MB `xentop -b -f -v -x | ts '%.s'`
// capture (strict mode) and reports MB/s (SetBytes) and lines/s.
// Compare two runs with benchstat:
//
//	go test -run '^$' -bench Parse -benchtime=3x -count 6 ./ingest/xentop/ > old.txt
//	(change) ... > new.txt; benchstat old.txt new.txt
func BenchmarkParse(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var lines int64
	for b.Loop() {
		p := xentop.NewParser(bytes.NewReader(data), parse.Options{File: "bench", Host: "bench"})
		for p.Next() {
			_ = p.Record()
		}
		if err := p.Err(); err != nil {
			b.Fatal(err)
		}
		lines += p.Stats().Lines
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}
