package fit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lnTo and fexp against the standard library over many magnitudes, plus
// the special inputs they hand to it. Bounds: |lnTo − math.Log| ≤
// 2.3e-16·max(1, |ln x|); |fexp − math.Exp| ≤ 4.5e-16·e^x (math.Exp is
// itself within 1 ulp).
func TestLnExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const n = 200000
	xs := make([]float64, 0, n)
	for range n {
		xs = append(xs, math.Exp(1400*rng.Float64()-700))
	}
	xs = append(xs, 1, 2, 0.5, math.SmallestNonzeroFloat64, math.MaxFloat64, 1+1e-16, 1-1e-16)
	got := make([]float64, len(xs))
	lnTo(got, xs)
	for i, x := range xs {
		want := math.Log(x)
		if e := math.Abs(got[i]-want) / math.Max(1, math.Abs(want)); e > 2.3e-16 {
			t.Fatalf("ln %g = %.17g, math.Log %.17g (%.2g)", x, got[i], want, e)
		}
	}
	for range n {
		x := 1400*rng.Float64() - 700
		if e := math.Abs(fexp(x)-math.Exp(x)) / math.Exp(x); e > 4.5e-16 {
			t.Fatalf("exp %g = %.17g, math.Exp %.17g (%.2g)", x, fexp(x), math.Exp(x), e)
		}
	}
	special := []float64{0, -1, math.Inf(1), math.NaN(), 5e-324}
	out := make([]float64, len(special))
	lnTo(out, special)
	for i, x := range special {
		if w := math.Log(x); !(out[i] == w || (math.IsNaN(w) && math.IsNaN(out[i]))) {
			t.Errorf("ln %v = %v, want %v", x, out[i], w)
		}
	}
	in := []float64{-800, 800, math.Inf(-1), math.Inf(1), 0, math.NaN(), -0.5, 3, 699.9, -699.9}
	out = make([]float64, len(in))
	expTo(out, in)
	for i, x := range in {
		if w := math.Exp(x); !(math.Abs(fexp(x)-w) <= 4.5e-16*w || math.IsNaN(w) || fexp(x) == w) {
			t.Errorf("exp %v = %v, want %v", x, fexp(x), w)
		}
		if out[i] != fexp(x) && !math.IsNaN(x) {
			t.Errorf("expTo %v = %v, fexp %v", x, out[i], fexp(x))
		}
	}
}
