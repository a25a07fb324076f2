package fit

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// This file holds the O(n) machinery behind every fitter: a table-driven
// natural logarithm and exponential (the transcendental calls dominate a
// power fit on a million points), and a deterministic blocked loop that
// spreads passes over the available cores.

// tblBits sets the size of the exp table (2^7 = 128 entries), lnBits that
// of the log table (2^8 = 256).
const (
	lnBits  = 8
	lnN     = 1 << lnBits
	tblBits = 7
	tblN    = 1 << tblBits
	ln2     = 0.693147180559945309417232121458176568
	ln2Hi   = 6.93147180369123816490e-01 // ln 2 with 21 trailing zero bits
	ln2Lo   = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	shift   = 0x1.8p52                   // adding it rounds to an integer
	invLn2N = tblN / ln2
)

var (
	logInvC [lnN]float64 // 1/c_j for c_j the centre of [1 + j/N, 1 + (j+1)/N)
	logLogC [lnN]float64 // −ln(1/c_j), exact to an ulp
	expT    [tblN]uint64 // bits of 2^(j/N)
	// ln 2/N split so that k·expHi is exact for |k| < 2^27.
	expHi, expLo float64
)

func init() {
	for j := 0; j < lnN; j++ {
		inv := 1 / (1 + (float64(j)+0.5)/lnN)
		logInvC[j] = inv
		logLogC[j] = -math.Log(inv)
	}
	for j := 0; j < tblN; j++ {
		expT[j] = math.Float64bits(math.Exp2(float64(j) / tblN))
	}
	expHi = math.Float64frombits(math.Float64bits(ln2Hi/tblN) &^ (1<<28 - 1))
	expLo = (ln2Hi/tblN - expHi) + ln2Lo/tblN
}

// lnTo sets dst[i] = ln src[i]. For a positive normal x it writes
// x = 2^k·m, m ∈ [1, 2), looks up c ≈ m in a 256-entry table and evaluates
// ln x = k·ln 2 + ln c + ln(1 + r), r = m/c − 1, |r| < 2^−9, by a degree-5
// series (in Estrin's order, for instruction-level parallelism); the
// absolute error is below 2.3e-16·max(1, |ln x|) (tested against
// math.Log). Zero, subnormal, negative, Inf and NaN inputs are redone by
// math.Log after the loop, which keeps calls (and register spills) out of it.
func lnTo(dst, src []float64) {
	dst = dst[:len(src)]
	special := false
	for i, x := range src {
		bits := math.Float64bits(x)
		e := bits >> 52
		if e-1 >= 0x7fe { // zero, subnormal, sign bit set, Inf or NaN
			special = true
		}
		j := bits >> (52 - lnBits) & (lnN - 1)
		m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
		r := m*logInvC[j] - 1
		r2 := r * r
		q := (0.5 - r*(1.0/3)) + r2*(0.25-r*0.2)
		k := float64(int64(e) - 1023)
		dst[i] = k*ln2Hi + (logLogC[j] + ((r - r2*q) + k*ln2Lo))
	}
	if special {
		for i, x := range src {
			if e := math.Float64bits(x) >> 52; e-1 >= 0x7fe {
				dst[i] = math.Log(x)
			}
		}
	}
}

// fexp returns e^x as 2^(k/N)·e^r with k = round(x·N/ln 2), |r| ≤ ln 2/(2N),
// 2^(j/N) from a 128-entry table and e^r by a degree-5 series: within
// 4.5e-16 relative of math.Exp (tested). |x| ≥ 700, NaN and Inf go to
// math.Exp.
func fexp(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	z := x*invLn2N + shift
	ki := math.Float64bits(z)
	kd := z - shift
	r := (x - kd*expHi) - kd*expLo
	p := r + r*r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
	t := math.Float64frombits(expT[ki&(tblN-1)] + (ki>>tblBits)<<52)
	return t + t*p
}

// blockLen is the length of one block of a pass. Every reduction sums each
// block's partial results in block order, so the result does not depend on
// how many goroutines ran the blocks (determinism), and the blocking acts as
// a cascade summation (accuracy).
const blockLen = 1 << 13

// parallelMin is the length below which a pass runs on the calling goroutine.
const parallelMin = 1 << 16

func numBlocks(n int) int { return (n + blockLen - 1) / blockLen }

// forBlocks calls f(b, lo, hi) once for every block b = [lo, hi) of [0, n),
// on up to GOMAXPROCS goroutines when n ≥ parallelMin.
func forBlocks(n int, f func(b, lo, hi int)) {
	nb := numBlocks(n)
	workers := min(runtime.GOMAXPROCS(0), nb)
	if n < parallelMin || workers <= 1 {
		for b := 0; b < nb; b++ {
			f(b, b*blockLen, min(n, (b+1)*blockLen))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				f(b, b*blockLen, min(n, (b+1)*blockLen))
			}
		})
	}
	wg.Wait()
}

// expTo sets dst[i] = fexp(src[i]); dst and src must not overlap. The loop body is
// fexp's, written out with Estrin's order, and arguments outside (−700, 700)
// are redone by math.Exp after the loop: a call in a hot loop makes Go
// spill every live register around it.
func expTo(dst, src []float64) { expSignTo(dst, src, 1) }

// expNegTo sets dst[i] = fexp(−src[i]); dst and src must not overlap.
func expNegTo(dst, src []float64) { expSignTo(dst, src, -1) }

func expSignTo(dst, src []float64, sign float64) {
	dst = dst[:len(src)]
	special := false
	for i, x := range src {
		x *= sign
		if !(x > -700 && x < 700) {
			special = true
			x = 0
		}
		z := x*invLn2N + shift
		ki := math.Float64bits(z)
		kd := z - shift
		r := (x - kd*expHi) - kd*expLo
		r2 := r * r
		p := r + r2*((0.5+r*(1.0/6))+r2*(1.0/24+r*(1.0/120)))
		t := math.Float64frombits(expT[ki&(tblN-1)] + (ki>>tblBits)<<52)
		dst[i] = t + t*p
	}
	if special {
		for i, x := range src {
			if x *= sign; !(x > -700 && x < 700) {
				dst[i] = math.Exp(x)
			}
		}
	}
}

// chunk is the length of the stack buffers of the hot loops.
const chunk = 256

// scratch recycles the large per-fit buffers (ln x, ln y, x^b), so that
// repeated fits — cross-validation refits, one fit per class, benchmarks —
// neither zero nor fault in fresh memory each time. Contents are garbage.
var scratch sync.Pool // of *[]float64

func getScratch(n int) []float64 {
	if p, ok := scratch.Get().(*[]float64); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float64, n)
}

func putScratch(b []float64) { scratch.Put(&b) }

// blockLoader gives the u and t of the points [lo, hi) of a pass: slices
// of the data, or transforms written into bu and bt (one block long).
type blockLoader func(lo, hi int, bu, bt []float64) (u, t []float64)

// blocks recycles one-block buffers: a pass that transforms its data block
// by block keeps O(blockLen) per goroutine, not O(n).
var blocks = sync.Pool{New: func() any { return new([blockLen]float64) }}

func getBlock() *[blockLen]float64  { return blocks.Get().(*[blockLen]float64) }
func putBlock(b *[blockLen]float64) { blocks.Put(b) }
