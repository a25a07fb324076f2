package replay

import (
	"math"
	"testing"
)

// Distinct pages among w uniform writes on s pages have mean
// s·(1 − (1 − 1/s)^w) (the occupancy problem); both marking regimes must
// hit it. Tolerance: 6 standard errors of the mean over the repetitions,
// using the Binomial(s, p) variance s·p·(1−p) as an upper bound.
func TestMarkUniformMean(t *testing.T) {
	r := NewRNG(7)
	for _, c := range []struct {
		lo, hi, w int64
	}{
		{0, 10000, 100}, {0, 10000, 5000}, {0, 10000, 14000}, // direct
		{100, 10100, 30000}, {3, 70000, 500000}, // bulk (misses drawn)
	} {
		s := float64(c.hi - c.lo)
		want := distinctUniform(s, float64(c.w))
		p := want / s
		const reps = 40
		var sum float64
		for i := 0; i < reps; i++ {
			b := NewBitmap(c.hi + 50)
			markUniform(b, c.lo, c.hi, c.w, r)
			if out := b.CountRange(0, c.lo) + b.CountRange(c.hi, c.hi+50); out != 0 {
				t.Fatalf("%+v: %d pages marked outside [lo, hi)", c, out)
			}
			sum += float64(b.Count())
		}
		mean := sum / reps
		se := math.Sqrt(s*p*(1-p)/reps) + 1e-9
		if math.Abs(mean-want) > 6*se+0.5 {
			t.Errorf("%+v: mean distinct %.1f, want %.1f ± %.1f", c, mean, want, 6*se)
		}
	}
}

func TestMarkBernoulliMean(t *testing.T) {
	r := NewRNG(8)
	for _, p := range []float64{0.001, 0.1, 0.5, 0.9, 0.999} {
		const n = 200000
		b := NewBitmap(n)
		markBernoulli(b, 0, n, p, r)
		got := float64(b.Count())
		sd := math.Sqrt(n * p * (1 - p))
		if math.Abs(got-n*p) > 6*sd+1 {
			t.Errorf("p=%g: %g marked, want %g ± %g", p, got, n*p, 6*sd)
		}
	}
}

// Poisson: sample mean and variance both equal the mean; tolerance 6 SE
// (SE of the variance estimate ≈ sqrt(2·m²/reps + m/reps) for a Poisson).
func TestPoissonMoments(t *testing.T) {
	r := NewRNG(9)
	for _, m := range []float64{0.3, 4, 9.9, 10, 57, 1000, 1e6} {
		const reps = 20000
		var s, s2 float64
		for i := 0; i < reps; i++ {
			x := float64(poisson(r, m))
			s += x
			s2 += x * x
		}
		mean := s / reps
		v := s2/reps - mean*mean
		if math.Abs(mean-m) > 6*math.Sqrt(m/reps) {
			t.Errorf("mean %g: sample mean %g", m, mean)
		}
		if math.Abs(v-m) > 6*math.Sqrt((2*m*m+m)/reps) {
			t.Errorf("mean %g: sample variance %g", m, v)
		}
	}
	if poisson(r, 0) != 0 || poisson(r, -1) != 0 {
		t.Error("poisson of a non-positive mean must be 0")
	}
}

func TestBinomialMean(t *testing.T) {
	r := NewRNG(10)
	for _, c := range []struct {
		n int64
		p float64
	}{{10, 0.3}, {1000, 0.01}, {1000, 0.9}, {1e7, 0.5}} {
		const reps = 4000
		var s float64
		for i := 0; i < reps; i++ {
			x := binomial(r, c.n, c.p)
			if x < 0 || x > c.n {
				t.Fatalf("binomial(%d, %g) = %d out of range", c.n, c.p, x)
			}
			s += float64(x)
		}
		mean := s / reps
		want := float64(c.n) * c.p
		if math.Abs(mean-want) > 6*math.Sqrt(want*(1-c.p)/reps) {
			t.Errorf("binomial(%d, %g): mean %g, want %g", c.n, c.p, mean, want)
		}
	}
}

// The rejection-inversion sampler must reproduce the exact Zipf pmf
// p_k = k^−s / Σ j^−s (computed directly here) on a small support: each
// rank's frequency within 6 binomial standard errors.
func TestZipfSamplerPMF(t *testing.T) {
	r := NewRNG(11)
	for _, s := range []float64{0.5, 1, 1.7} {
		const n, draws = 20, 400000
		zs := newZipfSampler(n, s)
		counts := make([]float64, n+1)
		for i := 0; i < draws; i++ {
			k := zs.sample(r)
			if k < 1 || k > n {
				t.Fatalf("s=%g: rank %d out of [1, %d]", s, k, n)
			}
			counts[k]++
		}
		var z float64
		for k := 1; k <= n; k++ {
			z += math.Pow(float64(k), -s)
		}
		for k := 1; k <= n; k++ {
			p := math.Pow(float64(k), -s) / z
			if d := math.Abs(counts[k]/draws - p); d > 6*math.Sqrt(p*(1-p)/draws) {
				t.Errorf("s=%g rank %d: frequency %.5f, want %.5f", s, k, counts[k]/draws, p)
			}
		}
	}
}

// Zipf.Distinct (bucketed) against the exact sum Σ_k 1 − (1 − p_k)^w.
func TestZipfDistinctAgainstExactSum(t *testing.T) {
	for _, s := range []float64{0.8, 1, 1.3} {
		const n = 50000
		var z float64
		for k := 1; k <= n; k++ {
			z += math.Pow(float64(k), -s)
		}
		for _, w := range []float64{100, 1e4, 1e6} {
			var exact float64
			for k := 1; k <= n; k++ {
				exact += -math.Expm1(w * math.Log1p(-math.Pow(float64(k), -s)/z))
			}
			got := Zipf{S: s}.Distinct(n, w)
			if math.Abs(got-exact) > 0.01*exact {
				t.Errorf("s=%g w=%g: Distinct %g, exact %g", s, w, got, exact)
			}
		}
	}
}

// Marking many Zipf writes (the bucketed Bernoulli regime) must match
// Distinct's mean, and so must the direct regime.
func TestZipfMarkMatchesDistinct(t *testing.T) {
	r := NewRNG(12)
	z := Zipf{S: 1}
	for _, w := range []int64{5000, 300000} { // direct (w ≤ 2n), bucketed
		const n = 100000
		var sum float64
		const reps = 10
		for i := 0; i < reps; i++ {
			b := NewBitmap(n)
			z.Mark(b, w, r)
			sum += float64(b.Count())
		}
		want := z.Distinct(n, float64(w))
		if got := sum / reps; math.Abs(got-want) > 0.01*want+10 {
			t.Errorf("w=%d: mean distinct %g, Distinct %g", w, got, want)
		}
	}
}

func TestHotColdMarkMatchesDistinct(t *testing.T) {
	r := NewRNG(13)
	h := HotCold{HotShare: 0.05, HotWrites: 0.8}
	const n = 200000
	for _, w := range []int64{1000, 50000, 2000000} {
		var sum float64
		const reps = 10
		for i := 0; i < reps; i++ {
			b := NewBitmap(n)
			h.Mark(b, w, r)
			sum += float64(b.Count())
		}
		want := h.Distinct(n, float64(w))
		if got := sum / reps; math.Abs(got-want) > 0.01*want+10 {
			t.Errorf("w=%d: mean distinct %g, Distinct %g", w, got, want)
		}
	}
}
