package fit

import (
	"fmt"
	"math"
)

// The k-fold fast paths of ModelSpec.KFold, used above refitMaxN points:
// each fold's model is fitted on the other folds' points, as by refitting,
// but from per-fold sums (straight lines) or by masked passes over the
// whole data (power-nls), without copying a training set.

// foldStat is what the training-set checks need of one fold.
type foldStat struct {
	n                  int
	xlo, xhi, ylo, yhi float64
}

// trainChecker says whether a fold's training set (every other fold) can
// be fitted with p parameters: as Fit's checks on it would (ErrTooFewPoints,
// ErrConstantX, ErrConstantY; values were checked on the full data).
type trainChecker struct {
	m    Model
	p, n int
	st   []foldStat
	pre  []foldStat // pre[f]: folds 0 … f−1 combined
	suf  []foldStat // suf[f]: folds f … k−1 combined
}

func newTrainChecker(m Model, p int, x, y []float64, fold []int32, k int) *trainChecker {
	empty := foldStat{xlo: math.Inf(1), xhi: math.Inf(-1), ylo: math.Inf(1), yhi: math.Inf(-1)}
	c := &trainChecker{m: m, p: p, n: len(x), st: make([]foldStat, k), pre: make([]foldStat, k+1), suf: make([]foldStat, k+1)}
	for f := range c.st {
		c.st[f] = empty
	}
	for i, f := range fold {
		s := &c.st[f]
		s.n++
		s.xlo, s.xhi = min(s.xlo, x[i]), max(s.xhi, x[i])
		s.ylo, s.yhi = min(s.ylo, y[i]), max(s.yhi, y[i])
	}
	join := func(a, b foldStat) foldStat {
		return foldStat{a.n + b.n, min(a.xlo, b.xlo), max(a.xhi, b.xhi), min(a.ylo, b.ylo), max(a.yhi, b.yhi)}
	}
	c.pre[0], c.suf[k] = empty, empty
	for f := range k {
		c.pre[f+1] = join(c.pre[f], c.st[f])
	}
	for f := k - 1; f >= 0; f-- {
		c.suf[f] = join(c.suf[f+1], c.st[f])
	}
	for f := range k {
		c.st[f] = join(c.pre[f], c.suf[f+1]) // now: the training set of f
	}
	return c
}

// check returns the error a refit on fold f's training set would give.
func (c *trainChecker) check(f, k int) error {
	t := c.st[f]
	var err error
	switch {
	case t.n < c.p+1:
		err = fmt.Errorf("fit %s: %d point(s), need at least %d for %d parameters: %w", c.m, t.n, c.p+1, c.p, ErrTooFewPoints)
	case t.xlo == t.xhi:
		err = fmt.Errorf("fit %s: all %d x equal %v: %w", c.m, t.n, t.xlo, ErrConstantX)
	case t.ylo == t.yhi:
		err = fmt.Errorf("fit %s: all %d y equal %v: %w", c.m, t.n, t.ylo, ErrConstantY)
	default:
		return nil
	}
	return foldErr("kfold", f, k, t.n, c.n, err)
}

// cvSums are the out-of-sample sums of one block.
type cvSums struct {
	pressFit            float64 // Σw·(t − t̂₋ᵢ)², fit space
	sse, abs, rel, nrel float64 // on y: Σ(y − ŷ₋ᵢ)², Σ|y − ŷ₋ᵢ|, Σ|y − ŷ₋ᵢ|/|y| over y ≠ 0
}

func (s *cvSums) merge(o cvSums) {
	s.pressFit += o.pressFit
	s.sse += o.sse
	s.abs += o.abs
	s.rel += o.rel
	s.nrel += o.nrel
}

func (s cvSums) toCV(k int, full *Result) *CV {
	return ySums{sse: s.sse, abs: s.abs, rel: s.rel, nrel: s.nrel}.toCV("kfold", k, 0, s.pressFit, full)
}

// addY adds the sums on y of one chunk of out-of-sample predictions.
func (s *cvSums) addY(y, yhat []float64) {
	var sse, abs, rel, nrel float64
	for i, yi := range y {
		d := yi - yhat[i]
		sse += d * d
		ad := math.Abs(d)
		abs += ad
		if yi != 0 {
			rel += ad / math.Abs(yi)
			nrel++
		}
	}
	s.sse += sse
	s.abs += abs
	s.rel += rel
	s.nrel += nrel
}

// kfoldSimple is the k-fold of a straight-line model t = β0 + β1·u from
// per-fold weighted sums of deviations from the full fit's means (ū, t̄):
// the training set of fold f has the sums of all folds minus f's, so
//
//	Suu = Σw·du² − (Σw·du)²/W, Sut likewise, β1 = Sut/Suu,
//	β0 = t̄ + Σw·dt/W − β1·(ū + Σw·du/W)
//
// over its points (one sequential pass), then one blocked pass predicts
// each point with its fold's line.
func kfoldSimple(sm simple, full *Result, x, y, w []float64, fold []int32, k int) (*CV, error) {
	n := len(x)
	chk := newTrainChecker(sm.m, 2, x, y, fold, k)
	type acc struct{ W, su, st, suu, sut, stt float64 }
	a := make([]acc, k)
	uc, tc := full.center[0], full.center[1]
	var ub, tb [chunk]float64
	for c0 := 0; c0 < n; c0 += chunk {
		cx, cy := x[c0:min(c0+chunk, n)], y[c0:min(c0+chunk, n)]
		cu, ct := sm.uAndT(cx, cy, ub[:len(cx)], tb[:len(cx)])
		cf := fold[c0 : c0+len(cx)]
		for i, f := range cf {
			wi := 1.0
			if w != nil {
				wi = w[c0+i]
			}
			du, dt := cu[i]-uc, ct[i]-tc
			p := &a[f]
			p.W += wi
			p.su += wi * du
			p.st += wi * dt
			p.suu += wi * du * du
			p.sut += wi * du * dt
			p.stt += wi * dt * dt
		}
	}
	var tot acc
	for _, p := range a {
		tot.W += p.W
		tot.su += p.su
		tot.st += p.st
		tot.suu += p.suu
		tot.sut += p.sut
		tot.stt += p.stt
	}
	b0, b1 := make([]float64, k), make([]float64, k)
	for f, p := range a {
		if err := chk.check(f, k); err != nil {
			return nil, err
		}
		W, su, st := tot.W-p.W, tot.su-p.su, tot.st-p.st
		suu := tot.suu - p.suu - su*su/W
		sut := tot.sut - p.sut - su*st/W
		stt := tot.stt - p.stt - st*st/W
		ntr := chk.st[f].n
		if !(suu > 0) {
			return nil, foldErr("kfold", f, k, ntr, n, fmt.Errorf("fit %s: the predictor has no spread after transformation: %w", sm.m, ErrConstantX))
		}
		if !(stt > 0) {
			return nil, foldErr("kfold", f, k, ntr, n, fmt.Errorf("fit %s: the response has no spread after transformation: %w", sm.m, ErrConstantY))
		}
		b1[f] = sut / suu
		b0[f] = (tc + st/W) - b1[f]*(uc+su/W)
	}
	parts := make([]cvSums, numBlocks(n))
	forBlocks(n, func(bl, lo, hi int) {
		var s cvSums
		var ub, tb, hb, yb [chunk]float64
		for c0 := lo; c0 < hi; c0 += chunk {
			cx, cy := x[c0:min(c0+chunk, hi)], y[c0:min(c0+chunk, hi)]
			m := len(cx)
			cu, ct := sm.uAndT(cx, cy, ub[:m], tb[:m])
			cf := fold[c0 : c0+m]
			pf := 0.0
			for i, f := range cf {
				th := b0[f] + b1[f]*cu[i]
				d := ct[i] - th
				if w != nil {
					pf += w[c0+i] * d * d
				} else {
					pf += d * d
				}
				hb[i] = th
			}
			s.pressFit += pf
			yhat := hb[:m]
			if sm.logY {
				expTo(yb[:m], yhat)
				yhat = yb[:m]
			}
			s.addY(cy, yhat)
		}
		parts[bl] = s
	})
	var s cvSums
	for _, p := range parts {
		s.merge(p)
	}
	return s.toCV(k, full), nil
}

// uAndT returns u and t of a chunk of points, transformed into ub and tb
// where the model transforms them (else x and y themselves).
func (sm simple) uAndT(x, y, ub, tb []float64) (u, t []float64) {
	u, t = x, y
	if sm.uTo != nil {
		sm.uTo(ub, x)
		u = ub
	}
	if sm.logY {
		lnTo(tb, y)
		t = tb
	}
	return u, t
}

// kfoldNLS is the k-fold of power-nls: for each fold, FitPowerNLS's
// minimisation over the other folds' points, started from the full fit's
// b0, where Newton's method converges in a few steps; then one pass
// predicts each point with its fold's a·x^b.
//
// The steps need the sums of nlsPass at each trial b. One pass over the
// data takes, per fold, the moments Aⱼ = Σw·y·x^b0·lʲ and Bⱼ = Σw·x^2b0·lʲ
// (l = ln x, j < nlsMoments); a training set's are the total less its
// fold's, and at b = b0 + δ
//
//	Σw·y·x^b·lʲ = Σₘ δᵐ/m!·A_{j+m},  Σw·x^2b·lʲ = Σₘ (2δ)ᵐ/m!·B_{j+m},
//
// the series of e^(δ·l) to m = nlsMoments − 3, exact to rounding while
// |2δ|·max|l| ≤ 0.02 (the first neglected term is below 1e-18). A trial b
// outside that range gets a real pass over the data with the fold masked.
func kfoldNLS(full *Result, x, y, w []float64, fold []int32, k int) (*CV, error) {
	n := len(x)
	chk := newTrainChecker(PowerNLS, 2, x, y, fold, k)
	lx := getScratch(n)
	defer putScratch(lx)
	forBlocks(n, func(_, lo, hi int) { lnTo(lx[lo:hi], x[lo:hi]) })
	b0 := full.beta[1]
	var mom []nlsMom // per-fold moments: k·numBlocks of them while summing, so for few folds
	maxL := 0.0
	if k <= 64 {
		mom, maxL = foldNLSMoments(lx, y, w, b0, fold, k)
	}
	as, bs := make([]float64, k), make([]float64, k)
	for f := range k {
		if err := chk.check(f, k); err != nil {
			return nil, err
		}
		skip := int32(f)
		var train nlsMom
		if mom != nil {
			train = mom[k].minus(mom[f])
		}
		pass := func(b float64) nlsSums {
			if d := b - b0; mom != nil && math.Abs(2*d)*maxL <= 0.02 {
				return train.at(d)
			}
			return nlsPass(lx, y, w, b, fold, skip)
		}
		b, s, err := nlsSolve(pass, b0, nil)
		if err != nil {
			return nil, foldErr("kfold", f, k, chk.st[f].n, n, err)
		}
		as[f], bs[f] = s.ye/s.ee, b
	}
	parts := make([]cvSums, numBlocks(n))
	forBlocks(n, func(bl, lo, hi int) {
		var s cvSums
		var arg, yb [chunk]float64
		for c0 := lo; c0 < hi; c0 += chunk {
			cl, cy := lx[c0:min(c0+chunk, hi)], y[c0:min(c0+chunk, hi)]
			m := len(cl)
			cf := fold[c0 : c0+m]
			for i, f := range cf {
				arg[i] = bs[f] * cl[i]
			}
			expTo(yb[:m], arg[:m])
			pf := 0.0
			for i, f := range cf {
				yb[i] *= as[f]
				d := cy[i] - yb[i]
				if w != nil {
					pf += w[c0+i] * d * d
				} else {
					pf += d * d
				}
			}
			s.pressFit += pf
			s.addY(cy, yb[:m])
		}
		parts[bl] = s
	})
	var s cvSums
	for _, p := range parts {
		s.merge(p)
	}
	return s.toCV(k, full), nil
}

// nlsMoments is the number of moments Aⱼ, Bⱼ kept per fold (see kfoldNLS).
const nlsMoments = 10

// nlsMom holds a fold's moments Aⱼ = Σw·y·x^b0·lʲ and Bⱼ = Σw·x^2b0·lʲ.
type nlsMom struct{ a, b [nlsMoments]float64 }

func (m nlsMom) minus(o nlsMom) nlsMom {
	for j := range m.a {
		m.a[j] -= o.a[j]
		m.b[j] -= o.b[j]
	}
	return m
}

// at is nlsPass's sums at b0 + d from the moments.
func (m nlsMom) at(d float64) nlsSums {
	var s nlsSums
	ca, cb := 1.0, 1.0 // dᵐ/m!, (2d)ᵐ/m!
	for t := 0; t+2 < nlsMoments; t++ {
		s.ye += ca * m.a[t]
		s.yel += ca * m.a[t+1]
		s.yell += ca * m.a[t+2]
		s.ee += cb * m.b[t]
		s.eel += cb * m.b[t+1]
		s.eell += cb * m.b[t+2]
		ca *= d / float64(t+1)
		cb *= 2 * d / float64(t+1)
	}
	return s
}

// foldNLSMoments is each fold's moments at b0 (0 … k−1) and their total
// (at k), in one pass, with max |ln x|.
func foldNLSMoments(lx, y, w []float64, b0 float64, fold []int32, k int) ([]nlsMom, float64) {
	n := len(lx)
	parts := make([][]nlsMom, numBlocks(n))
	maxL := make([]float64, len(parts))
	forBlocks(n, func(bl, lo, hi int) {
		ps := make([]nlsMom, k)
		var arg, e [chunk]float64
		ml := 0.0
		for c0 := lo; c0 < hi; c0 += chunk {
			cl := lx[c0:min(c0+chunk, hi)]
			for i, l := range cl {
				arg[i] = b0 * l
				ml = max(ml, math.Abs(l))
			}
			expTo(e[:len(cl)], arg[:len(cl)])
			for i, l := range cl {
				ei := e[i]
				wy, we := y[c0+i]*ei, ei*ei
				if w != nil {
					wy *= w[c0+i]
					we *= w[c0+i]
				}
				p := &ps[fold[c0+i]]
				for j := range nlsMoments {
					p.a[j] += wy
					p.b[j] += we
					wy *= l
					we *= l
				}
			}
		}
		parts[bl], maxL[bl] = ps, ml
	})
	out := make([]nlsMom, k+1)
	ml := 0.0
	for bl, ps := range parts {
		for f, p := range ps {
			for j := range nlsMoments {
				out[f].a[j] += p.a[j]
				out[f].b[j] += p.b[j]
			}
		}
		ml = max(ml, maxL[bl])
	}
	for _, p := range out[:k] {
		for j := range nlsMoments {
			out[k].a[j] += p.a[j]
			out[k].b[j] += p.b[j]
		}
	}
	return out, ml
}
