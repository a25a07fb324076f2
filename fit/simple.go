package fit

import (
	"fmt"
	"math"
)

// simple is a model fitted as a straight line t = β0 + β1·u, with
// u = x or a transform of it (ln x) and t = y or ln y: linear, log, power
// and exp, and any model registered with registerSimple.
type simple struct {
	m    Model
	uTo  func(dst, src []float64) // u of each x, block by block; nil when u = x
	u    func(x float64) float64  // u of one x; nil when u = x
	posX bool                     // u needs x > 0 (ln x)
	logY bool                     // t = ln y
}

// registerSimple registers a straight-line model: s's name, aliases, help,
// formula and Auto place, with Params, Space, PosX/PosY, Fit, Curve and
// the k-fold fast path filled in from sm.
func registerSimple(s ModelSpec, sm simple) {
	s.Params, s.PosX, s.PosY = 2, sm.posX, sm.logY
	s.Space = SpaceY
	if sm.logY {
		s.Space = SpaceLog
	}
	s.Fit = func(x, y, w []float64) (*Result, error) { return fitSimple(sm, x, y, w) }
	s.Curve = func(beta []float64, x float64, grad []float64) float64 {
		u := x
		if sm.u != nil {
			u = sm.u(x)
		}
		if grad != nil {
			grad[0], grad[1] = 1, u
		}
		return beta[0] + beta[1]*u
	}
	s.EvalTo = func(beta []float64, yhat, x []float64) {
		var ub, tb [chunk]float64
		for c0 := 0; c0 < len(x); c0 += chunk {
			cx := x[c0:min(c0+chunk, len(x))]
			u, t := cx, yhat[c0:c0+len(cx)]
			if sm.uTo != nil {
				sm.uTo(ub[:len(cx)], cx)
				u = ub[:len(cx)]
			}
			if sm.logY {
				t = tb[:len(cx)]
			}
			for i, v := range u {
				t[i] = beta[0] + beta[1]*v
			}
			if sm.logY {
				expTo(yhat[c0:c0+len(cx)], t)
			}
		}
	}
	s.KFold = func(full *Result, x, y, w []float64, fold []int32, k int) (*CV, error) {
		return kfoldSimple(sm, full, x, y, w, fold, k)
	}
	Register(s)
}

// line holds a weighted simple regression t = β0 + β1·u from two passes.
type line struct {
	W, uMean, tMean, yMean float64 // Σw, weighted means of u and t, plain mean of y
	Suu, Sut, Stt          float64 // centred weighted sums
	ny, Syy                float64 // points, Σ(y − ȳ)² (unweighted)
	b0, b1                 float64
}

// finite reports whether every sum is finite: a NaN or Inf anywhere in u,
// t or y (including the log of a non-positive value) makes one of them not.
func (l *line) finite() bool {
	return finite(l.uMean + l.tMean + l.yMean + l.Suu + l.Sut + l.Stt + l.Syy)
}

// fitLine computes the sums of a simple regression of t on u in one pass
// over memory: each block gets its u and t from load(lo, hi, bu, bt) (x
// and y themselves, or their transforms written into bu and bt, buffers of
// one block), then takes its own weighted means and centred sums with two
// passes over the block while it is in cache; blocks merge in order by
// Chan, Golub and LeVeque's update
//
//	S = Sₐ + S_b + δᵤ·δₜ·WₐW_b/(Wₐ + W_b),  δ = mean_b − meanₐ,
//
// which keeps the accuracy of the two-pass centred sums.
func fitLine(n int, y, w []float64, load blockLoader) line {
	pb := make([]line, numBlocks(n))
	forBlocks(n, func(b, lo, hi int) {
		bu, bt := getBlock(), getBlock()
		u, t := load(lo, hi, bu[:], bt[:])
		pb[b] = blockLine(u, t, y[lo:hi], sub(w, lo, hi))
		putBlock(bu)
		putBlock(bt)
	})
	l := pb[0]
	for _, o := range pb[1:] {
		W := l.W + o.W
		du, dt := o.uMean-l.uMean, o.tMean-l.tMean
		f := l.W * o.W / W
		l.Suu += o.Suu + du*du*f
		l.Sut += o.Sut + du*dt*f
		l.Stt += o.Stt + dt*dt*f
		l.uMean += du * (o.W / W)
		l.tMean += dt * (o.W / W)
		l.W = W
		ny := l.ny + o.ny
		dy := o.yMean - l.yMean
		l.Syy += o.Syy + dy*dy*(l.ny*o.ny/ny)
		l.yMean += dy * (o.ny / ny)
		l.ny = ny
	}
	l.b1 = l.Sut / l.Suu
	l.b0 = l.tMean - l.b1*l.uMean
	return l
}

// blockLine is one block's weighted means and centred sums, in one pass:
// deviations from the block's first point (d = v − v₀) give
// S = Σw·dᵤ·dₜ − Σw·dᵤ·Σw·dₜ/W, whose cancellation is bounded by the
// block's spread about its own first point, not by the data's offset.
func blockLine(u, t, y, w []float64) line {
	u0, t0, y0 := u[0], t[0], y[0]
	var W, su, st, sy, suu, sut, stt, syy float64
	if w == nil {
		W = float64(len(u))
		for i := range u {
			du, dt, dy := u[i]-u0, t[i]-t0, y[i]-y0
			su += du
			st += dt
			sy += dy
			suu += du * du
			sut += du * dt
			stt += dt * dt
			syy += dy * dy
		}
	} else {
		for i := range u {
			wi := w[i]
			du, dt, dy := u[i]-u0, t[i]-t0, y[i]-y0
			W += wi
			su += wi * du
			st += wi * dt
			sy += dy
			suu += wi * du * du
			sut += wi * du * dt
			stt += wi * dt * dt
			syy += dy * dy
		}
	}
	ny := float64(len(u))
	return line{
		W: W, ny: ny,
		uMean: u0 + su/W, tMean: t0 + st/W, yMean: y0 + sy/ny,
		Suu: max(suu-su*su/W, 0), Sut: sut - su*st/W, Stt: max(stt-st*st/W, 0), Syy: max(syy-sy*sy/ny, 0),
	}
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

// fitSimple fits t = β0 + β1·u (see simple), then computes every metric in
// one more pass, including the leave-one-out residuals eᵢ/(1 − hᵢᵢ) with
// hᵢᵢ = wᵢ·(1/Σw + (uᵢ − ū)²/Suu).
func fitSimple(sm simple, x, y, w []float64) (*Result, error) {
	m, logY := sm.m, sm.logY
	if err := checkShape(m, x, y, w, 2); err != nil {
		return nil, err
	}
	n := len(x)
	load := func(lo, hi int, bu, bt []float64) ([]float64, []float64) {
		return sm.uAndT(x[lo:hi], y[lo:hi], bu[:hi-lo], bt[:hi-lo])
	}
	l := fitLine(n, y, w, load)
	if !l.finite() {
		if err := checkValues(m, x, y, sm.posX, logY); err != nil {
			return nil, err
		}
		return nil, errOverflow(m)
	}
	if !(l.Suu > 0) {
		// Distinct x whose logs round to one value.
		return nil, fmt.Errorf("fit %s: the predictor has no spread after transformation: %w", m, ErrConstantX)
	}
	if !(l.Stt > 0) {
		return nil, fmt.Errorf("fit %s: the response has no spread after transformation: %w", m, ErrConstantY)
	}
	nb := numBlocks(n)
	pc := make([]simpleSums, nb)
	forBlocks(n, func(b, lo, hi int) {
		bu, bt := getBlock(), getBlock()
		u, t := load(lo, hi, bu[:], bt[:])
		pc[b] = simplePass(&l, u, t, y[lo:hi], sub(w, lo, hi), logY, lo)
		putBlock(bu)
		putBlock(bt)
	})
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
	r := &Result{Model: m, Space: SpaceY, N: n, P: 2, Weighted: w != nil, SSE: c.sse, SST: l.Stt}
	if logY {
		r.Space = SpaceLog
	}
	r.beta = []float64{b0, b1}
	r.center = [2]float64{l.uMean, l.tMean}
	c.fit.syy = l.Syy // Σ(y − ȳ)² from fitLine; Σ(y − ȳ) = 0
	c.fit.apply(r)
	s2 := c.sse / float64(n-2)
	r.cov = []float64{
		s2 * (invW + uMean*uMean*invSuu), -s2 * uMean * invSuu,
		-s2 * uMean * invSuu, s2 * invSuu,
	}
	r.finish()
	r.setLOO(c.lev1, c.loo, c.press)
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
// simple regression (index offset off). This loop is most of a
// million-point power fit, so it runs in chunks: one loop computes the
// residuals, one expTo call the exponentials, one loop the sums, with every
// accumulator in a local (no call inside a loop, so nothing is spilled).
func simplePass(l *line, u, t, y, w []float64, logY bool, off int) simpleSums {
	b0, b1, invW, uMean, invSuu, yMean := l.b0, l.b1, 1/l.W, l.uMean, 1/l.Suu, l.yMean
	var sse, press float64
	var fSSE, fAbs, fRel, fC, fCC, fYC float64 // ŷ sums (Σ(y−ȳ)² comes from fitLine)
	var lSSE, lAbs, lRel float64               // ŷ₋ᵢ sums
	nrel := 0
	lev1 := -1
	// e, e/(1−h), e^(−e), e^(−e/(1−h)) (log fits, large h only)
	var eb, lb, qb, qlb [chunk]float64
	for c0 := 0; c0 < len(u); c0 += chunk {
		bigZ := false
		cu := u[c0:min(c0+chunk, len(u))]
		ct, cy := t[c0:c0+len(cu)], y[c0:c0+len(cu)]
		var cw []float64
		if w != nil {
			cw = w[c0 : c0+len(cu)]
		}
		for i := range cu {
			wi := 1.0
			if cw != nil {
				wi = cw[i]
			}
			du := cu[i] - uMean
			e := ct[i] - (b0 + b1*cu[i])
			sse += wi * e * e
			h := wi * (invW + du*du*invSuu)
			if h > 1-1e-12 {
				if lev1 < 0 {
					lev1 = off + c0 + i
				}
				h = 0 // keeps the sums finite; LOO is dropped
			}
			// 1/(1−h) = 1 + h + h² + h³ to 2⁻⁵⁶ when h < 2⁻¹⁴ (n large): a
			// division costs more than the three multiply-adds.
			g := 1 + h*(1+h*(1+h))
			if !(h < 0x1p-14) {
				g = 1 / (1 - h)
			}
			eLoo := e * g
			press += wi * eLoo * eLoo
			eb[i], lb[i] = e, eLoo
			if !(math.Abs(e-eLoo) < 0x1p-14) {
				bigZ = true
			}
		}
		n := len(cu)
		if logY {
			expNegTo(qb[:n], eb[:n])
			if bigZ {
				expNegTo(qlb[:n], lb[:n])
			}
		}
		// The sums on y, in short loops that keep their accumulators in
		// registers. Log space: y > 0, ŷ = y·q with q = e^(−e), so
		// |y − ŷ|/y = |1 − q| needs no division; ŷ₋ᵢ = exp(t̂ − e·h/(1−h))
		// = ŷ·e^z, and with n large h ~ 1/n and |z| < 2⁻¹⁴, where
		// e^z − 1 = z + z²/2 + z³/6 is exact to 2⁻⁶⁰ (else the exp was
		// taken above). On y: y − ŷ = e and y − ŷ₋ᵢ = e/(1−h).
		cy = cy[:n]
		if logY {
			for i, yi := range cy {
				q := qb[i]
				yhat := yi * q
				d := yi - yhat
				fSSE += d * d
				fAbs += math.Abs(d)
				fRel += math.Abs(1 - q)
				c := yhat - yMean
				fC += c
				fCC += c * c
				fYC += (yi - yMean) * c
			}
			for i, yi := range cy {
				q, z := qb[i], eb[i]-lb[i]
				ql := q + q*(z*(1+z*(1.0/2+z*(1.0/6))))
				if bigZ && !(math.Abs(z) < 0x1p-14) {
					ql = qlb[i]
				}
				dl := yi - yi*ql
				lSSE += dl * dl
				lAbs += math.Abs(dl)
				lRel += math.Abs(1 - ql)
			}
			nrel += n
		} else {
			for i, yi := range cy {
				e, eLoo := eb[i], lb[i]
				fSSE += e * e
				lSSE += eLoo * eLoo
				ae, al := math.Abs(e), math.Abs(eLoo)
				fAbs += ae
				lAbs += al
				if yi != 0 {
					inv := 1 / math.Abs(yi)
					fRel += ae * inv
					lRel += al * inv
					nrel++
				}
				c := (yi - e) - yMean
				fC += c
				fCC += c * c
				fYC += (yi - yMean) * c
			}
		}
	}
	return simpleSums{
		sse: sse, press: press, lev1: lev1,
		fit: ySums{sse: fSSE, abs: fAbs, rel: fRel, nrel: float64(nrel), sc: fC, scc: fCC, syc: fYC},
		loo: ySums{sse: lSSE, abs: lAbs, rel: lRel, nrel: float64(nrel)},
	}
}
