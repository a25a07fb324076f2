package fit

import (
	"fmt"
	"math"
)

// FitLinear fits y = a + b·x by (weighted) least squares:
//
//	b = Sxy/Sxx, a = ȳ − b·x̄, with x̄ = Σwx/Σw, Sxy = Σw(x − x̄)(y − ȳ),
//
// the centred (two-pass) sums. Errors: ErrLength, ErrTooFewPoints (n < 3),
// ErrNotFinite, ErrNonPositive (a weight), ErrConstantX, ErrConstantY.
func FitLinear(x, y, w []float64) (*Result, error) { return fitSimple(Linear, x, y, w, false, false) }

// FitLog fits y = a + b·ln x by least squares on y (FitLinear on ln x).
// x must be positive (ErrNonPositive); otherwise as FitLinear.
func FitLog(x, y, w []float64) (*Result, error) { return fitSimple(Log, x, y, w, true, false) }

// FitPower fits y = a·x^b by least squares on ln y = ln a + b·ln x, as
// spreadsheet trend lines do. R2Fit is 1 − SSE/SST of that log-space fit,
// i.e. RSQ(LN(y); LN(x)); R2Y judges ŷ = a·x^b on y itself, and
// ŷ estimates the median of y at x (exp of a mean of ln y). a's standard
// error is that of ln a and its interval exp(ln a ± t·SE) is asymmetric.
// x and y must be positive: ErrNonPositive otherwise; else as FitLinear.
func FitPower(x, y, w []float64) (*Result, error) { return fitSimple(Power, x, y, w, true, true) }

// FitExp fits y = a·e^(b·x) by least squares on ln y = ln a + b·x (the
// spreadsheet exponential trend line); R2Fit is log-space, R2Y on y, and
// ŷ is a median curve as for FitPower. y must be positive (ErrNonPositive).
func FitExp(x, y, w []float64) (*Result, error) { return fitSimple(Exp, x, y, w, false, true) }

// line holds a weighted simple regression t = β0 + β1·u from two passes.
type line struct {
	W, uMean, tMean, yMean float64 // Σw, weighted means of u and t, plain mean of y
	Suu, Sut, Stt          float64 // centred weighted sums
	b0, b1                 float64
}

// fitLine computes the sums of a simple regression of t on u.
func fitLine(u, t, y, w []float64) line {
	n := len(u)
	nb := numBlocks(n)
	type sumsA struct{ w, u, t, y float64 }
	pa := make([]sumsA, nb)
	forBlocks(n, func(b, lo, hi int) {
		var s sumsA
		if w == nil {
			s.w = float64(hi - lo)
			for i := lo; i < hi; i++ {
				s.u += u[i]
				s.t += t[i]
				s.y += y[i]
			}
		} else {
			for i := lo; i < hi; i++ {
				wi := w[i]
				s.w += wi
				s.u += wi * u[i]
				s.t += wi * t[i]
				s.y += y[i]
			}
		}
		pa[b] = s
	})
	var a sumsA
	for _, s := range pa {
		a.w += s.w
		a.u += s.u
		a.t += s.t
		a.y += s.y
	}
	l := line{W: a.w, uMean: a.u / a.w, tMean: a.t / a.w, yMean: a.y / float64(n)}
	type sumsB struct{ uu, ut, tt float64 }
	pb := make([]sumsB, nb)
	forBlocks(n, func(b, lo, hi int) {
		var s sumsB
		for i := lo; i < hi; i++ {
			du, dt := u[i]-l.uMean, t[i]-l.tMean
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			s.uu += wi * du * du
			s.ut += wi * du * dt
			s.tt += wi * dt * dt
		}
		pb[b] = s
	})
	for _, s := range pb {
		l.Suu += s.uu
		l.Sut += s.ut
		l.Stt += s.tt
	}
	l.b1 = l.Sut / l.Suu
	l.b0 = l.tMean - l.b1*l.uMean
	return l
}

// ySums accumulates the metrics on y of fitted values ŷ against y, with
// deviations taken from ȳ (so the correlation sums do not cancel).
type ySums struct {
	sse, abs, rel, nrel   float64 // Σ(y−ŷ)², Σ|y−ŷ|, Σ|y−ŷ|/|y| over y ≠ 0 and their count
	sa, sc, syy, scc, syc float64
}

func (s *ySums) add(y, yhat, yMean float64) {
	d := y - yhat
	s.sse += d * d
	s.abs += math.Abs(d)
	if y != 0 {
		s.rel += math.Abs(d / y)
		s.nrel++
	}
	a, c := y-yMean, yhat-yMean
	s.sa += a
	s.sc += c
	s.syy += a * a
	s.scc += c * c
	s.syc += a * c
}

func (s *ySums) merge(o ySums) {
	s.sse += o.sse
	s.abs += o.abs
	s.rel += o.rel
	s.nrel += o.nrel
	s.sa += o.sa
	s.sc += o.sc
	s.syy += o.syy
	s.scc += o.scc
	s.syc += o.syc
}

// apply sets SSEY, SSTY, Corr2, MAE and MAPE of r. A constant ŷ has no
// correlation with y: Corr2 is then 0.
func (s ySums) apply(r *Result) {
	n := float64(r.N)
	r.SSEY = s.sse
	r.SSTY = s.syy - s.sa*s.sa/n
	r.MAE = s.abs / n
	if s.nrel > 0 {
		r.MAPE = 100 * s.rel / s.nrel
	}
	den := (s.syy - s.sa*s.sa/n) * (s.scc - s.sc*s.sc/n)
	if den > 0 {
		num := s.syc - s.sa*s.sc/n
		r.Corr2 = num * num / den
	}
}

// fitSimple fits t = β0 + β1·u with u = ln x if logX else x, t = ln y if
// logY else y, then computes every metric in one more pass, including the
// leave-one-out residuals eᵢ/(1 − hᵢᵢ) with hᵢᵢ = wᵢ·(1/Σw + (uᵢ − ū)²/Suu).
func fitSimple(m Model, x, y, w []float64, logX, logY bool) (*Result, error) {
	if err := check(m, x, y, w, 2, logX, logY); err != nil {
		return nil, err
	}
	n := len(x)
	u, t := x, y
	if logX {
		u = lnSlice(x)
	}
	if logY {
		t = lnSlice(y)
	}
	l := fitLine(u, t, y, w)
	if !(l.Suu > 0) {
		// Distinct x whose logs round to one value.
		return nil, fmt.Errorf("fit %s: the predictor has no spread after transformation: %w", m, ErrConstantX)
	}
	nb := numBlocks(n)
	pc := make([]simpleSums, nb)
	forBlocks(n, func(b, lo, hi int) { pc[b] = simplePass(&l, u[lo:hi], t[lo:hi], y[lo:hi], sub(w, lo, hi), logY, lo) })
	c := simpleSums{lev1: -1}
	for _, s := range pc {
		c.sse += s.sse
		c.press += s.press
		c.fit.merge(s.fit)
		c.loo.merge(s.loo)
		if c.lev1 < 0 {
			c.lev1 = s.lev1
		}
	}
	b0, b1, invW, uMean, invSuu := l.b0, l.b1, 1/l.W, l.uMean, 1/l.Suu
	r := &Result{Model: m, Space: m.Space(), N: n, P: 2, Weighted: w != nil, SSE: c.sse, SST: l.Stt}
	r.beta = []float64{b0, b1}
	c.fit.apply(r)
	s2 := c.sse / float64(n-2)
	r.cov = []float64{
		s2 * (invW + uMean*uMean*invSuu), -s2 * uMean * invSuu,
		-s2 * uMean * invSuu, s2 * invSuu,
	}
	r.finish()
	if c.lev1 >= 0 {
		r.LOOErr = fmt.Errorf("fit %s: point %d has leverage 1, leave-one-out is undefined: %w", m, c.lev1, ErrSingular)
	} else {
		r.LOO = looCV(r, c.loo, c.press)
	}
	return r, nil
}

func sub(w []float64, lo, hi int) []float64 {
	if w == nil {
		return nil
	}
	return w[lo:hi]
}

// simpleSums are the sums of simplePass over one block.
type simpleSums struct {
	sse, press float64 // fit space, weighted: Σw·e², Σw·(e/(1−h))²
	fit, loo   ySums   // ŷ and ŷ₋ᵢ against y
	lev1       int     // first index with leverage 1, or −1
}

// simplePass computes residuals, leverages and metrics of one block of a
// simple regression (index offset off). It keeps every accumulator in a
// local, which the compiler holds in registers: this loop is most of a
// million-point power fit.
func simplePass(l *line, u, t, y, w []float64, logY bool, off int) simpleSums {
	b0, b1, invW, uMean, invSuu, yMean := l.b0, l.b1, 1/l.W, l.uMean, 1/l.Suu, l.yMean
	var sse, press float64
	var fSSE, fAbs, fRel, fC, fCC, fYC, fA, fYY float64 // ŷ sums
	var lSSE, lAbs, lRel float64                        // ŷ₋ᵢ sums
	nrel := 0
	lev1 := -1
	t = t[:len(u)]
	y = y[:len(u)]
	for i := range u {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		du := u[i] - uMean
		fitted := b0 + b1*u[i]
		e := t[i] - fitted
		sse += wi * e * e
		h := wi * (invW + du*du*invSuu)
		if h > 1-1e-12 {
			if lev1 < 0 {
				lev1 = off + i
			}
			h = 0 // keeps the sums finite; LOO is dropped
		}
		eLoo := e / (1 - h)
		press += wi * eLoo * eLoo
		yhat, yloo := fitted, t[i]-eLoo
		if logY {
			// ŷ₋ᵢ = exp(t̂ − e·h/(1−h)) = ŷ·e^z. With n large, h ~ 1/n and
			// |z| < 2⁻¹⁰, where e^z − 1 = z + z²/2 + … + z⁵/120 is exact to
			// 2e-21 and saves an exp per point.
			yhat = fexp(fitted)
			if z := e - eLoo; math.Abs(z) < 0x1p-10 {
				yloo = yhat + yhat*(z*(1+z*(1.0/2+z*(1.0/6+z*(1.0/24+z*(1.0/120))))))
			} else {
				yloo = fexp(yloo)
			}
		}
		yi := y[i]
		d, dl := yi-yhat, yi-yloo
		fSSE += d * d
		lSSE += dl * dl
		ad, adl := math.Abs(d), math.Abs(dl)
		fAbs += ad
		lAbs += adl
		if yi != 0 {
			inv := 1 / math.Abs(yi)
			fRel += ad * inv
			lRel += adl * inv
			nrel++
		}
		a, c := yi-yMean, yhat-yMean
		fA += a
		fC += c
		fYY += a * a
		fCC += c * c
		fYC += a * c
	}
	return simpleSums{
		sse: sse, press: press, lev1: lev1,
		fit: ySums{sse: fSSE, abs: fAbs, rel: fRel, nrel: float64(nrel), sa: fA, sc: fC, syy: fYY, scc: fCC, syc: fYC},
		loo: ySums{sse: lSSE, abs: lAbs, rel: lRel, nrel: float64(nrel)},
	}
}
