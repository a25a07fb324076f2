package schema

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkWriteInterleaved writes 16 sar_cpu files whose rows alternate
// row by row (16 hosts' sadf -d CPU rows merged by time, as ingest's
// router hands them over, Interleave called), 20,000 rows each, to
// io.Discard. The rows point
// their percentages at one scratch array, as a parser with
// parse.Options.Reuse does; the values are draws from sar's 10,001
// percentages (0.00 to 100.00), seeded. Compare two runs with
//
//	go test -run '^$' -bench WriteInterleaved -count 6 ./schema > new.txt
//	benchstat old.txt new.txt
func BenchmarkWriteInterleaved(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]float64, 1<<16)
	for i := range vals {
		vals[i] = float64(r.IntN(10_001)) / 100
	}
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	tbl := TableOf(&SarCPU{})
	const files, rows = 16, 20_000
	b.ReportAllocs()
	for b.Loop() {
		ws := make([]FileWriter, files)
		for i := range ws {
			ws[i] = tbl.NewFileWriter(io.Discard, map[string]string{})
			ws[i].Interleave() // as the router says of such files
		}
		var scratch [12]float64
		k := 0
		for n := range rows {
			for _, w := range ws {
				for j := range scratch {
					scratch[j] = vals[k%len(vals)]
					k++
				}
				row := SarCPU{Host: "h", Time: t0.Add(time.Duration(n) * time.Second), CPU: int32(n % 4),
					User: &scratch[0], Nice: &scratch[1], System: &scratch[2], IOWait: &scratch[3], Steal: &scratch[4], Idle: &scratch[5],
					Usr: &scratch[6], Sys: &scratch[7], IRQ: &scratch[8], Soft: &scratch[9], Guest: &scratch[10], GNice: &scratch[11]}
				if err := w.Write(&row); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, w := range ws {
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(files*rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
