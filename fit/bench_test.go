package fit

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// The benchmarks fit 1 M points drawn like bench/fit.sh's (Dom0 caps
// 10…100 %, y = 700·x^−0.85 with 5 % log-normal noise, seed 1). Compare two
// runs with benchstat:
//
//	go test ./fit -run '^$' -bench 'FitPower' -count 10 > old.txt  # then new.txt
//	benchstat old.txt new.txt
func benchData(n int) (x, y []float64) {
	rng := rand.New(rand.NewPCG(1, 0))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 10 + 90*rng.Float64()
		y[i] = 700 * math.Pow(x[i], -0.85) * math.Exp(0.05*rng.NormFloat64())
	}
	return x, y
}

func benchFit(b *testing.B, f func(x, y, w []float64) (*Result, error)) {
	const n = 1_000_000
	x, y := benchData(n)
	b.SetBytes(16 * n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f(x, y, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkFitPower1M: log-space power fit with every in-sample metric and
// the closed-form leave-one-out.
func BenchmarkFitPower1M(b *testing.B) { benchFit(b, FitPower) }

// BenchmarkFitPowerNLS1M: nonlinear least squares on y.
func BenchmarkFitPowerNLS1M(b *testing.B) { benchFit(b, FitPowerNLS) }

// BenchmarkFitPowerFile is bench/fit.sh's Go side, skipped unless
// MIGREPLAY_FIT_BENCH_IN names a file of n little-endian float64 x followed
// by n y. It times FitPower ("log") and FitPowerNLS ("nls") on them and
// writes their a and b (%.17g) to MIGREPLAY_FIT_BENCH_OUT as JSON.
func BenchmarkFitPowerFile(b *testing.B) {
	in, out := os.Getenv("MIGREPLAY_FIT_BENCH_IN"), os.Getenv("MIGREPLAY_FIT_BENCH_OUT")
	if in == "" || out == "" {
		b.Skip("MIGREPLAY_FIT_BENCH_IN/OUT not set (bench/fit.sh sets them)")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		b.Fatal(err)
	}
	n := len(raw) / 16
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		y[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*(n+i):]))
	}
	coef := map[string][2]float64{}
	for _, c := range []struct {
		name string
		f    func(x, y, w []float64) (*Result, error)
	}{{"log", FitPower}, {"nls", FitPowerNLS}} {
		b.Run(c.name, func(b *testing.B) {
			var r *Result
			for b.Loop() {
				if r, err = c.f(x, y, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
			coef[c.name] = [2]float64{r.Params[0].Value, r.Params[1].Value}
		})
	}
	js, err := json.Marshal(coef)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(out, js, 0o644); err != nil {
		b.Fatal(err)
	}
}
