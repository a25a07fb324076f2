package replay

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// RNG is the engine's random source: a PCG generator (math/rand/v2), used
// directly for page indices and through rand.Rand for distributions. The
// engine seeds it from Config.Seed, so a run is reproducible.
type RNG struct {
	*rand.Rand
	pcg *rand.PCG
}

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	p := rand.NewPCG(seed, 0x6d69677265706c61) // "migrepla"
	return &RNG{Rand: rand.New(p), pcg: p}
}

// index returns a page index in [0, n) by Lemire's multiply-shift (the bias,
// n/2^64, is far below anything measurable here).
func (r *RNG) index(n uint64) uint64 {
	hi, _ := bits.Mul64(r.pcg.Uint64(), n)
	return hi
}

// markUniform marks the pages hit by w writes, each on a page drawn uniformly
// from [lo, hi), and returns nothing: only distinct pages matter.
//
// Two regimes, chosen by cost:
//   - w ≤ 1.5·S (S = hi − lo): w random indices, one bit each (exact).
//   - otherwise: every page is hit with probability p = 1 − (1 − 1/S)^w,
//     independently. Only the misses (probability 1 − p < 0.23) are drawn, by
//     exponential gaps, and each word is OR-ed once, so the cost is about
//     S/64 + (1 − p)·S instead of w. The number of distinct pages is then
//     Binomial(S, p) rather than the exact occupancy law: the same mean and a
//     slightly larger variance, of no consequence at these sizes.
func markUniform(b *Bitmap, lo, hi, w int64, r *RNG) {
	s := hi - lo
	if s <= 0 || w <= 0 {
		return
	}
	if float64(w) <= 1.5*float64(s) {
		us := uint64(s)
		words := b.w
		if us <= 1<<32 {
			// two 32-bit indices per 64-bit draw, by multiply-shift: each
			// page's probability is within s/2^32 (relative) of uniform
			for ; w >= 2; w -= 2 {
				x := r.pcg.Uint64()
				i := lo + int64((x&0xffffffff)*us>>32)
				j := lo + int64((x>>32)*us>>32)
				words[i>>6] |= 1 << (uint64(i) & 63)
				words[j>>6] |= 1 << (uint64(j) & 63)
			}
		}
		for ; w > 0; w-- {
			i := lo + int64(r.index(us))
			words[i>>6] |= 1 << (uint64(i) & 63)
		}
		return
	}
	// q = probability that a page is never hit.
	q := math.Exp(float64(w) * math.Log1p(-1/float64(s)))
	markAllBut(b, lo, hi, q, r)
}

// markAllBut marks every page of [lo, hi) except a Bernoulli(q) sample of
// them, drawn by geometric gaps (floor(Exp/−ln(1−q))).
func markAllBut(b *Bitmap, lo, hi int64, q float64, r *RNG) {
	if q <= 0 {
		b.SetRange(lo, hi)
		return
	}
	inv := 1 / -math.Log1p(-q)
	gap := func() int64 {
		g := r.ExpFloat64() * inv
		if g > float64(hi-lo) {
			return hi - lo
		}
		return int64(g)
	}
	next := lo + gap() // next page that stays unmarked
	for wi := lo >> 6; wi <= (hi-1)>>6; wi++ {
		base := wi << 6
		m := ^uint64(0)
		if base < lo {
			m &= ^uint64(0) << uint64(lo-base)
		}
		if base+64 > hi {
			m &= ^uint64(0) >> uint64(base+64-hi)
		}
		for next < base+64 && next < hi {
			m &^= 1 << uint64(next-base)
			next += 1 + gap()
		}
		b.w[wi] |= m
	}
}

// markBernoulli marks each page of [lo, hi) independently with probability p.
func markBernoulli(b *Bitmap, lo, hi int64, p float64, r *RNG) {
	switch {
	case p <= 0 || lo >= hi:
		return
	case p >= 0.5:
		markAllBut(b, lo, hi, 1-p, r)
		return
	}
	inv := 1 / -math.Log1p(-p)
	i := lo
	for {
		g := r.ExpFloat64() * inv
		if g >= float64(hi-i) {
			return
		}
		i += int64(g)
		b.w[i>>6] |= 1 << (uint64(i) & 63)
		i++
	}
}

// distinctUniform is the expected number of distinct pages hit by w uniform
// writes on s pages: s·(1 − (1 − 1/s)^w).
func distinctUniform(s float64, w float64) float64 {
	if s <= 0 || w <= 0 {
		return 0
	}
	if s == 1 {
		return 1
	}
	return -s * math.Expm1(w*uniformLog(s))
}

// uniformLog is ln(1 − 1/s), the log of the chance that one uniform write
// on s > 1 pages misses a given page (to O(s⁻³) for s ≥ 10⁴).
func uniformLog(s float64) float64 {
	if s < 1e4 {
		return math.Log1p(-1 / s)
	}
	return -1 / s * (1 + 1/(2*s))
}

// poisson draws a Poisson(mean) variate: inversion for mean < 10, Hörmann's
// PTRS transformed rejection ("The transformed rejection method for
// generating Poisson random variables", 1993) above, the algorithm numpy uses.
func poisson(r *RNG, mean float64) int64 {
	switch {
	case mean <= 0 || math.IsNaN(mean):
		return 0
	case mean < 10:
		x := int64(0)
		p := math.Exp(-mean)
		s := p
		u := r.Float64()
		for u > s {
			x++
			p *= mean / float64(x)
			s += p
			if x > 1000 {
				break
			}
		}
		return x
	case mean > 1e15:
		return int64(mean + math.Sqrt(mean)*r.NormFloat64())
	}
	slam := math.Sqrt(mean)
	loglam := math.Log(mean)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -mean+k*loglam-lg {
			return int64(k)
		}
	}
}
