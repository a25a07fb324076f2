package replay

import (
	"fmt"
	"math"
)

// Zipf writes Rate pages per second on pages ranked by popularity: the page
// of rank k (k = 1 at the bottom of memory) receives a share of the writes
// proportional to k^−S, over the lowest Span·N pages. Zero fields mean
// S = 1 and Span = 1.
//
// Draws use Hörmann and Derflinger's rejection-inversion (ACM TOMACS 1996;
// the sampler of Apache Commons RNG), valid for any S > 0 at O(1) per write.
// Once the writes outnumber twice the span, pages are instead marked
// independently with probability 1 − exp(−w·q_k) over rank buckets within
// which q_k varies by under 2 %, so a round costs O(span) at most.
type Zipf struct {
	Rate float64 // page writes per second
	S    float64 // exponent, > 0
	Span float64 // share of memory the writes fall on, (0, 1]
}

var _ = RegisterModel(ModelSpec{
	Name: "zipf",
	Help: "writes on pages ranked by popularity, page k taking a share ∝ k^−s",
	Params: []Param{
		{Name: "zipf-s", Kind: FloatParam, Help: "exponent s, (0, 10] (default 1)"},
		{Name: "working-set", Kind: FloatParam, Help: "share of RAM the writes fall on, (0, 1] (default 1)"},
	},
	New: func(a ModelArgs) (DirtyModel, error) {
		z := Zipf{Rate: a.Rate}
		var err error
		if z.S, _, err = a.Values.Positive("zipf-s", 10); err != nil {
			return nil, err
		}
		z.Span, _, err = a.Values.Share("working-set")
		return z, err
	},
})

// Tune sets "rate", "zipf-s" or "working-set" (the span).
func (z Zipf) Tune(name string, v float64) (DirtyModel, error) {
	switch name {
	case "rate":
		z.Rate = v
	case "zipf-s":
		z.S = v
	case "working-set":
		z.Span = v
	default:
		return nil, noParam(z, name)
	}
	return z, nil
}

func (Zipf) Name() string { return "zipf" }

func (z Zipf) params() (s, span float64) {
	s, span = z.S, z.Span
	if s == 0 {
		s = 1
	}
	if span == 0 {
		span = 1
	}
	return
}

func (z Zipf) Validate() error {
	if err := validRate("zipf", z.Rate); err != nil {
		return err
	}
	s, span := z.params()
	if !(s > 0 && s <= 10) {
		return fmt.Errorf("zipf dirty model: exponent %g must be in (0, 10]", s)
	}
	return validShare("zipf", "span", span, false)
}

func (z Zipf) Writes(t0, t1 float64) float64 { return z.Rate * (t1 - t0) }

func (z Zipf) span(n int64) int64 {
	_, sp := z.params()
	return min(max(int64(math.Round(sp*float64(n))), 1), n)
}

func (z Zipf) Mark(b *Bitmap, w int64, r *RNG) {
	if w <= 0 {
		return
	}
	s, _ := z.params()
	n := z.span(b.Len())
	if float64(w) <= 2*float64(n) {
		zs := newZipfSampler(n, s)
		words := b.w
		for ; w > 0; w-- {
			i := zs.sample(r) - 1
			words[i>>6] |= 1 << (uint64(i) & 63)
		}
		return
	}
	forZipfBuckets(n, s, func(lo, hi int64, q float64) {
		markBernoulli(b, lo, hi, -math.Expm1(-float64(w)*q), r)
	})
}

func (z Zipf) Distinct(n int64, w float64) float64 {
	s, _ := z.params()
	var d float64
	forZipfBuckets(z.span(n), s, func(lo, hi int64, q float64) {
		d += float64(hi-lo) * -math.Expm1(-w*q)
	})
	return d
}

func (z Zipf) distinctTerms(n int64) ([2]distinctTerm, int, []distinctTerm) {
	s, _ := z.params()
	var more []distinctTerm
	forZipfBuckets(z.span(n), s, func(lo, hi int64, q float64) {
		more = append(more, distinctTerm{S: float64(hi - lo), A: 1, L: -q})
	})
	return [2]distinctTerm{}, 0, more
}

// forZipfBuckets calls f for consecutive page ranges [lo, hi) (0-based;
// page i has rank i+1) with the mean write probability q of a page in the
// range, normalised over n ranks.
func forZipfBuckets(n int64, s float64, f func(lo, hi int64, q float64)) {
	z := zipfNorm(n, s)
	lo := int64(0)
	for lo < n {
		hi := lo + 1
		if lo >= 16 {
			// q varies by (hi/lo)^s ≤ 1.02 inside the bucket
			hi = min(int64(float64(lo)*math.Pow(1.02, 1/s))+1, n)
		}
		// mean of k^-s over ranks lo+1..hi via the integral of x^-s on [lo+0.5, hi+0.5]
		var mass float64
		if hi-lo == 1 {
			mass = math.Pow(float64(lo+1), -s)
		} else {
			mass = hInt(float64(hi)+0.5, s) - hInt(float64(lo)+0.5, s)
		}
		f(lo, hi, mass/float64(hi-lo)/z)
		lo = hi
	}
}

// zipfNorm is Σ_{k=1..n} k^−s: exact for the first 1024 terms, then the
// midpoint integral (error O(k^−s−2)).
func zipfNorm(n int64, s float64) float64 {
	var z float64
	m := min(n, 1024)
	for k := int64(1); k <= m; k++ {
		z += math.Pow(float64(k), -s)
	}
	if n > m {
		z += hInt(float64(n)+0.5, s) - hInt(float64(m)+0.5, s)
	}
	return z
}

// hInt is ∫_1^x t^−s dt = (x^(1−s) − 1)/(1 − s), ln x at s = 1, computed
// stably for s near 1.
func hInt(x, s float64) float64 {
	lx := math.Log(x)
	return helperExpm1((1-s)*lx) * lx
}

// helperExpm1(x) = (e^x − 1)/x, 1 at 0.
func helperExpm1(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x/2*(1+x/3*(1+x/4))
}

// helperLog1p(x) = ln(1 + x)/x, 1 at 0.
func helperLog1p(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

// zipfSampler draws ranks in [1, n] with P(k) ∝ k^−s by rejection-inversion.
type zipfSampler struct {
	n               int64
	s               float64
	hx1, hn, sParam float64
}

func newZipfSampler(n int64, s float64) zipfSampler {
	z := zipfSampler{n: n, s: s}
	z.hx1 = hInt(1.5, s) - 1
	z.hn = hInt(float64(n)+0.5, s)
	z.sParam = 2 - z.hInv(hInt(2.5, s)-math.Pow(2, -s))
	return z
}

func (z *zipfSampler) hInv(x float64) float64 {
	t := x * (1 - z.s)
	if t < -1 {
		t = -1
	}
	return math.Exp(helperLog1p(t) * x)
}

func (z *zipfSampler) sample(r *RNG) int64 {
	for {
		u := z.hn + r.Float64()*(z.hx1-z.hn)
		x := z.hInv(u)
		k := int64(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > z.n {
			k = z.n
		}
		if float64(k)-x <= z.sParam || u >= hInt(float64(k)+0.5, z.s)-math.Pow(float64(k), -z.s) {
			return k
		}
	}
}

func (z Zipf) String() string {
	s, sp := z.params()
	return fmt.Sprintf("zipf(rate=%g,s=%g,span=%g)", z.Rate, s, sp)
}
