package fit

import (
	"fmt"
	"math"
)

func init() {
	Register(ModelSpec{
		Name: PowerNLS, Candidate: 4, Params: 2, Space: SpaceY, PosX: true, PosY: true,
		Help:    "power law, nonlinear least squares on y as MATLAB's power1 or curve_fit (x, y > 0)",
		Formula: "y = a·x^b",
		Fit:     FitPowerNLS,
		Curve: func(beta []float64, x float64, grad []float64) float64 {
			xb := math.Pow(x, beta[1])
			if grad != nil {
				grad[0], grad[1] = xb, beta[0]*xb*math.Log(x)
			}
			return beta[0] * xb
		},
		EvalTo: func(beta []float64, yhat, x []float64) {
			var l [chunk]float64
			for c0 := 0; c0 < len(x); c0 += chunk {
				cx := x[c0:min(c0+chunk, len(x))]
				lnTo(l[:len(cx)], cx)
				for i := range cx {
					l[i] *= beta[1]
				}
				out := yhat[c0 : c0+len(cx)]
				expTo(out, l[:len(cx)])
				for i := range out {
					out[i] *= beta[0]
				}
			}
		},
		RefitLOO: true,
		KFold:    kfoldNLS,
	})
}

// FitPowerNLS fits y = a·x^b by nonlinear least squares on y itself,
// minimising SSE(a, b) = Σ wᵢ(yᵢ − a·xᵢ^b)² (MATLAB's 'power1', Origin,
// scipy's curve_fit). No Levenberg–Marquardt is needed: for fixed b the best
// a is closed-form,
//
//	a(b) = Σ wᵢyᵢxᵢ^b / Σ wᵢxᵢ^(2b),
//
// so the fit is the one-dimensional minimisation of the profile SSE(b),
// started from the log-space b of FitPower. Each evaluation is a pass over
// the data, so the minimiser takes Newton steps on SSE′(b) = −2a·Σ wᵢrᵢxᵢ^b·ln xᵢ
// (rᵢ = yᵢ − a·xᵢ^b) with the exact SSE″, inside a bracket where SSE′ changes
// sign from − to +; a step that is not downhill-convex or leaves the bracket
// is replaced by bisection of the bracket (or, before a bracket exists, by a
// doubling step downhill). It stops when the step is below 1e-11·(1 + |b|).
//
// The covariance is s²·(JᵀWJ)⁻¹ with J = [x^b, a·x^b·ln x] and
// s² = SSE/(n − 2): scipy curve_fit's pcov with absolute_sigma=False. Both
// parameters get symmetric intervals value ± t·SE; predictions are means.
//
// x and y must be positive (ErrNonPositive: x^b and the log-space start need
// it); ErrNoConvergence after 200 passes. Result.LOO is nil: leave-one-out
// needs a refit per point (LeaveOneOut does it).
func FitPowerNLS(x, y, w []float64) (*Result, error) {
	const m = PowerNLS
	if err := checkShape(m, x, y, w, 2); err != nil {
		return nil, err
	}
	n := len(x)
	lx := getScratch(n)
	defer putScratch(lx)
	l := fitLine(n, y, w, func(lo, hi int, _, bt []float64) ([]float64, []float64) {
		lnTo(lx[lo:hi], x[lo:hi])
		lnTo(bt[:hi-lo], y[lo:hi])
		return lx[lo:hi], bt[:hi-lo]
	})
	if !l.finite() {
		if err := checkValues(m, x, y, true, true); err != nil {
			return nil, err
		}
		return nil, errOverflow(m)
	}
	if !(l.Suu > 0) {
		return nil, fmt.Errorf("fit %s: ln x has no spread: %w", m, ErrConstantX)
	}
	b, s, err := nlsSolve(func(b float64) nlsSums { return nlsPass(lx, y, w, b, nil, 0) }, l.b1, nil)
	if err != nil {
		return nil, err
	}
	a := s.ye / s.ee
	type sums struct {
		sse, wd, wd2, ww float64
		ys               ySums
	}
	nb := numBlocks(n)
	ps := make([]sums, nb)
	yMean := l.yMean
	forBlocks(n, func(bl, lo, hi int) {
		var q sums
		var arg, e [chunk]float64 // x^b again, as the passes computed it
		for c0 := lo; c0 < hi; c0 += chunk {
			cl, cy := lx[c0:min(c0+chunk, hi)], y[c0:min(c0+chunk, hi)]
			for j, l := range cl {
				arg[j] = b * l
			}
			expTo(e[:len(cl)], arg[:len(cl)])
			for j, yi := range cy {
				wi := 1.0
				if w != nil {
					wi = w[c0+j]
				}
				yhat := a * e[j]
				r := yi - yhat
				q.sse += wi * r * r
				d := yi - yMean
				q.ww += wi
				q.wd += wi * d
				q.wd2 += wi * d * d
				q.ys.add(yi, yhat, yMean)
			}
		}
		ps[bl] = q
	})
	var q sums
	for _, p := range ps {
		q.sse += p.sse
		q.wd += p.wd
		q.wd2 += p.wd2
		q.ww += p.ww
		q.ys.merge(p.ys)
	}
	r := &Result{Model: m, Space: SpaceY, N: n, P: 2, Weighted: w != nil, SSE: q.sse, SST: q.wd2 - q.wd*q.wd/q.ww}
	r.beta = []float64{a, b}
	q.ys.apply(r)
	// JᵀWJ = [[Σw e², a·Σw e² ln x], [a·Σw e² ln x, a²·Σw e² ln² x]].
	m00, m01, m11 := s.ee, a*s.eel, a*a*s.eell
	det := m00*m11 - m01*m01
	if !(det > 0) {
		return nil, fmt.Errorf("fit %s: JᵀJ is singular at b = %g: %w", m, b, ErrSingular)
	}
	s2 := q.sse / float64(n-2)
	r.cov = []float64{s2 * m11 / det, -s2 * m01 / det, -s2 * m01 / det, s2 * m00 / det}
	r.finish()
	return r, nil
}

// nlsSums are the weighted sums of one pass at b, with e = x^b:
// ye = Σwye, ee = Σwe², yel = Σwye·ln x, eel = Σwe²·ln x,
// yell = Σwye·ln²x, eell = Σwe²·ln²x.
type nlsSums struct{ ye, ee, yel, eel, yell, eell float64 }

func (s nlsSums) finite() bool {
	v := s.ye + s.ee + s.yel + s.eel + s.yell + s.eell
	return v-v == 0 && s.ee > 0
}

func (s *nlsSums) add(o nlsSums) {
	s.ye += o.ye
	s.ee += o.ee
	s.yel += o.yel
	s.eel += o.eel
	s.yell += o.yell
	s.eell += o.eell
}

// nlsPass computes the sums at b, with eᵢ = exp(b·ln xᵢ). With fold not
// nil, the points of fold skip are left out of the sums (k-fold's training
// sets).
func nlsPass(lx, y, w []float64, b float64, fold []int32, skip int32) nlsSums {
	n := len(lx)
	ps := make([]nlsSums, numBlocks(n))
	forBlocks(n, func(bl, lo, hi int) {
		var cf []int32
		if fold != nil {
			cf = fold[lo:hi]
		}
		ps[bl] = nlsBlock(lx[lo:hi], y[lo:hi], sub(w, lo, hi), b, cf, skip)
	})
	var s nlsSums
	for _, p := range ps {
		s.add(p)
	}
	return s
}

// nlsBlock is nlsPass on one block: b·ln x into e, expTo in chunks (no
// call inside the summing loop), then the sums.
func nlsBlock(lx, y, w []float64, b float64, fold []int32, skip int32) nlsSums {
	var ye, ee, yel, eel, yell, eell float64
	var arg, eb [chunk]float64
	for c0 := 0; c0 < len(lx); c0 += chunk {
		cl := lx[c0:min(c0+chunk, len(lx))]
		ce, cy := eb[:len(cl)], y[c0:c0+len(cl)]
		for i, l := range cl {
			arg[i] = b * l
		}
		expTo(ce, arg[:len(cl)])
		if fold != nil { // k-fold: the skipped fold's x^b weigh nothing
			cf := fold[c0 : c0+len(cl)]
			for i := range cl {
				if cf[i] == skip {
					ce[i] = 0
				}
			}
		}
		for i, l := range cl {
			ei := ce[i]
			wy, we := cy[i]*ei, ei*ei
			if w != nil {
				wy *= w[c0+i]
				we *= w[c0+i]
			}
			ye += wy
			ee += we
			yel += wy * l
			eel += we * l
			yell += wy * l * l
			eell += we * l * l
		}
	}
	return nlsSums{ye, ee, yel, eel, yell, eell}
}

// nlsSolve minimises the profile SSE(b) from b0 (see FitPowerNLS). With
// a = ye/ee and g = yel − a·eel = Σwrx^b·ln x:
//
//	SSE′ = −2a·g,  a′ = (yel − 2a·eel)/ee,  g′ = yell − a′·eel − 2a·eell,
//	SSE″ = −2(a′·g + a·g′).
//
// pass(b) computes the sums at b (filling e = x^b). It returns b and the
// sums at b.
//
// first, when not nil, holds the sums at b0 (the first pass is skipped).
func nlsSolve(pass func(b float64) nlsSums, b0 float64, first *nlsSums) (float64, nlsSums, error) {
	const maxIter = 200
	lo, hi := math.Inf(-1), math.Inf(1)
	b, good := b0, math.NaN()
	step := 0.25 * (1 + math.Abs(b0))
	for it := range maxIter {
		var s nlsSums
		if it == 0 && first != nil {
			s = *first
		} else {
			s = pass(b)
		}
		if !s.finite() {
			// x^b overflowed or underflowed: b went too far from the last
			// good point; that side bounds the search.
			if math.IsNaN(good) {
				return 0, s, fmt.Errorf("fit %s: x^b not finite at the start b = %g: %w", PowerNLS, b, ErrNoConvergence)
			}
			if b > good {
				hi = b
			} else {
				lo = b
			}
			b = good + (b-good)/4
			continue
		}
		good = b
		a := s.ye / s.ee
		g := s.yel - a*s.eel
		if g == 0 {
			return b, s, nil
		}
		ap := (s.yel - 2*a*s.eel) / s.ee
		gp := s.yell - ap*s.eel - 2*a*s.eell
		d1 := -2 * a * g
		d2 := -2 * (ap*g + a*gp)
		if d1 < 0 {
			lo = b
		} else {
			hi = b
		}
		next := math.NaN()
		if d2 > 0 {
			next = b - d1/d2
		}
		if !(next > lo && next < hi) {
			switch {
			case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
				next = lo + (hi-lo)/2
			case d1 < 0:
				next = b + step
				step *= 2
			default:
				next = b - step
				step *= 2
			}
		}
		if math.Abs(next-b) <= 1e-11*(1+math.Abs(b)) {
			return b, s, nil
		}
		b = next
	}
	return 0, nlsSums{}, fmt.Errorf("fit %s: %d passes from b = %g without convergence: %w", PowerNLS, maxIter, b0, ErrNoConvergence)
}
