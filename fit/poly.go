package fit

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// maxDegree bounds FitPoly: beyond it a power basis is too ill-conditioned
// to be worth reporting, and parameters run out of letters (the fits table
// holds a … j).
const maxDegree = 9

// poly2 … poly9 (poly1 is linear, registered by linear.go with poly1 as an
// alias); poly2 and poly3 are Auto's last candidates.
func init() {
	for k := 2; k <= maxDegree; k++ {
		cand := 0
		if k <= 3 {
			cand = 4 + k // after linear, log, power, power-nls, exp
		}
		var f strings.Builder
		f.WriteString("y = a")
		for j := 1; j <= k; j++ {
			f.WriteString(" + " + ParamName(j) + "·x")
			if j > 1 {
				f.WriteString("^" + strconv.Itoa(j))
			}
		}
		Register(ModelSpec{
			Name:      Model("poly" + strconv.Itoa(k)),
			Help:      "polynomial of degree " + strconv.Itoa(k) + ", least squares on y (QR, as numpy.polyfit)",
			Formula:   f.String(),
			Params:    k + 1,
			Space:     SpaceY,
			Candidate: cand,
			Fit:       func(x, y, w []float64) (*Result, error) { return FitPoly(x, y, w, k) },
			Curve:     polyCurve,
			KFold:     kfoldPoly,
		})
	}
}

// polyCurve is Σ βⱼ·xʲ with gradient xʲ: by Horner's rule for a value
// alone, summed term by term beside the gradient.
func polyCurve(beta []float64, x float64, grad []float64) float64 {
	if grad == nil {
		return horner(beta, x)
	}
	t, v := 0.0, 1.0
	for j := range grad {
		grad[j] = v
		t += beta[j] * v
		v *= x
	}
	return t
}

// FitPoly fits y = a + b·x + c·x² + … of degree k (1 ≤ k ≤ 9) by weighted
// least squares on y. As numpy.polyfit does, each column xʲ of the design
// X (rows scaled by √wᵢ) is divided by its norm before a Householder QR
// X̃ = QR (LAPACK dgeqrf via gonum), and
//
//	β = R⁻¹Qᵀ(√w·y) (unscaled), cov = s²·(XᵀWX)⁻¹ = s²·D⁻¹R⁻¹R⁻ᵀD⁻¹,
//	hᵢᵢ = ‖x̃ᵢR⁻¹‖² (leverage, for the closed-form leave-one-out).
//
// Note numpy returns the coefficients highest power first; Params are
// lowest first (a is the intercept). Errors: as FitLinear, ErrModel for a
// degree outside 1…9, ErrSingular when fewer than k+1 distinct x make X
// rank deficient (|Rⱼⱼ| ≤ n·ε·max|Rᵢᵢ|).
func FitPoly(x, y, w []float64, k int) (*Result, error) {
	if k < 1 || k > maxDegree {
		return nil, fmt.Errorf("fit: polynomial degree %d outside 1…%d: %w", k, maxDegree, ErrModel)
	}
	m := Model(fmt.Sprintf("poly%d", k))
	if k == 1 {
		m = Linear
	}
	p := k + 1
	if err := check(m, x, y, w, p, false, false); err != nil {
		return nil, err
	}
	n := len(x)
	qr := polyQR
	if n > refitMaxN {
		qr = polyQRBlocked
	}
	rr, c, norm, err := qr(m, x, y, w, p)
	if err != nil {
		return nil, err
	}
	rinv, err := polyRinv(m, rr, p, n)
	if err != nil {
		return nil, err
	}
	beta := make([]float64, p)
	for i := range p {
		for l := i; l < p; l++ {
			beta[i] += rinv[i*p+l] * c[l]
		}
	}
	for j := range beta {
		beta[j] /= norm[j]
	}
	// Residuals, leverage and metrics from the original data.
	yMean := 0.0
	tw, twy := 0.0, 0.0
	for i := range n {
		yMean += y[i]
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		tw += wi
		twy += wi * y[i]
	}
	yMean /= float64(n)
	ywMean := twy / tw
	pm := polyMetrics{x: x, y: y, w: w, beta: beta, rinv: rinv, norm: norm, yMean: yMean, ywMean: ywMean}
	var t polySums
	if n > refitMaxN { // in blocks, merged in block order
		parts := make([]polySums, numBlocks(n))
		forBlocks(n, func(b, lo, hi int) { parts[b] = pm.sums(lo, hi) })
		t = polySums{lev1: -1}
		for _, s := range parts {
			t.sse += s.sse
			t.sst += s.sst
			t.press += s.press
			t.fit.merge(s.fit)
			t.loo.merge(s.loo)
			if t.lev1 < 0 {
				t.lev1 = s.lev1
			}
		}
	} else {
		t = pm.sums(0, n)
	}
	r := &Result{Model: m, Space: SpaceY, N: n, P: p, Weighted: w != nil, SSE: t.sse, SST: t.sst, beta: beta}
	t.fit.apply(r)
	s2 := t.sse / float64(n-p)
	r.cov = make([]float64, p*p)
	for i := range p {
		for j := range p {
			v := 0.0
			for l := max(i, j); l < p; l++ {
				v += rinv[i*p+l] * rinv[j*p+l]
			}
			r.cov[i*p+j] = s2 * v / (norm[i] * norm[j])
		}
	}
	r.finish()
	r.setLOO(t.lev1, t.loo, t.press)
	return r, nil
}

// polyRow writes the unscaled design row √wᵢ·(1, xᵢ, …, xᵢᵏ) of point i.
func polyRow(dst []float64, x, w []float64, i int) {
	v := 1.0
	if w != nil {
		v = math.Sqrt(w[i])
	}
	for j := range dst {
		dst[j] = v
		v *= x[i]
	}
}

// polyQR is the QR factorisation of the whole design, each column xʲ
// divided by its norm (numpy.polyfit's scaling): R (p×p, row-major),
// Qᵀ·√w·y (p) and the norms.
func polyQR(m Model, x, y, w []float64, p int) (rr, c, norm []float64, err error) {
	n := len(x)
	data := make([]float64, n*p)
	norm = make([]float64, p)
	for i := range n {
		r := data[i*p : (i+1)*p]
		polyRow(r, x, w, i)
		for j, v := range r {
			norm[j] += v * v
		}
	}
	if err := polyNormCheck(m, norm); err != nil {
		return nil, nil, nil, err
	}
	for i := range n {
		for j := range p {
			data[i*p+j] /= norm[j]
		}
	}
	a := blas64.General{Rows: n, Cols: p, Stride: p, Data: data}
	tau := make([]float64, p)
	work := []float64{0}
	lapack64.Geqrf(a, tau, work, -1)
	cv := blas64.General{Rows: n, Cols: 1, Stride: 1, Data: make([]float64, n)}
	for i := range n {
		sw := 1.0
		if w != nil {
			sw = math.Sqrt(w[i])
		}
		cv.Data[i] = sw * y[i]
	}
	lwork := int(work[0])
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, cv, work, -1)
	lwork = max(lwork, int(work[0]), 1)
	work = make([]float64, lwork)
	lapack64.Geqrf(a, tau, work, lwork)
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, cv, work, lwork)
	// R is the upper triangle of a's first p rows.
	rr = make([]float64, p*p)
	for i := range p {
		copy(rr[i*p+i:(i+1)*p], data[i*p+i:(i+1)*p])
	}
	return rr, cv.Data[:p], norm, nil
}

// polyNormCheck turns the column sums of squares into norms; a zero or
// infinite one is ErrSingular.
func polyNormCheck(m Model, norm []float64) error {
	for j := range norm {
		norm[j] = math.Sqrt(norm[j])
		if !(norm[j] > 0) || math.IsInf(norm[j], 0) {
			return fmt.Errorf("fit %s: column x^%d has norm %v: %w", m, j, norm[j], ErrSingular)
		}
	}
	return nil
}

// polyRinv checks R's rank (|Rⱼⱼ| ≤ n·ε·max|Rᵢᵢ| is rank deficient) and
// returns R⁻¹ (upper triangular) by back substitution, column by column.
func polyRinv(m Model, rr []float64, p, n int) ([]float64, error) {
	rmax := 0.0
	for j := range p {
		rmax = max(rmax, math.Abs(rr[j*p+j]))
	}
	for j := range p {
		if math.Abs(rr[j*p+j]) <= float64(n)*0x1p-52*rmax {
			return nil, fmt.Errorf("fit %s: the design has rank < %d (too few distinct x): %w", m, p, ErrSingular)
		}
	}
	rinv := make([]float64, p*p)
	for col := range p {
		for i := col; i >= 0; i-- {
			v := 0.0
			if i == col {
				v = 1
			}
			for l := i + 1; l <= col; l++ {
				v -= rr[i*p+l] * rinv[l*p+col]
			}
			rinv[i*p+col] = v / rr[i*p+i]
		}
	}
	return rinv, nil
}

// polyMetrics computes a polynomial fit's residuals, leverages and
// metrics over a range of points.
type polyMetrics struct {
	x, y, w, beta, rinv, norm []float64
	yMean, ywMean             float64
}

type polySums struct {
	sse, sst, press float64
	fit, loo        ySums
	lev1            int
}

func (pm *polyMetrics) sums(lo, hi int) polySums {
	p := len(pm.beta)
	s := polySums{lev1: -1}
	xr := make([]float64, p)
	for i := lo; i < hi; i++ {
		wi := 1.0
		if pm.w != nil {
			wi = pm.w[i]
		}
		yi := pm.y[i]
		yhat := horner(pm.beta, pm.x[i])
		e := yi - yhat
		s.sse += wi * e * e
		d := yi - pm.ywMean
		s.sst += wi * d * d
		polyRow(xr, pm.x, pm.w, i)
		h := 0.0
		for col := range p {
			v := 0.0
			for l := 0; l <= col; l++ {
				v += xr[l] / pm.norm[l] * pm.rinv[l*p+col]
			}
			h += v * v
		}
		if h > 1-1e-12 {
			if s.lev1 < 0 {
				s.lev1 = i
			}
			h = 0
		}
		eLoo := e / (1 - h)
		s.press += wi * eLoo * eLoo
		s.fit.add(yi, yhat, pm.yMean)
		s.loo.add(yi, yi-eLoo, pm.yMean)
	}
	return s
}

// horner evaluates Σ βⱼ·xʲ.
func horner(beta []float64, x float64) float64 {
	v := 0.0
	for j := len(beta) - 1; j >= 0; j-- {
		v = v*x + beta[j]
	}
	return v
}

// polyNorms is the column norms of the design over all points, from
// per-block sums merged in block order.
func polyNorms(m Model, x, w []float64, p int) ([]float64, error) {
	parts := make([][]float64, numBlocks(len(x)))
	forBlocks(len(x), func(b, lo, hi int) {
		s, r := make([]float64, p), make([]float64, p)
		for i := lo; i < hi; i++ {
			polyRow(r, x, w, i)
			for j, v := range r {
				s[j] += v * v
			}
		}
		parts[b] = s
	})
	norm := make([]float64, p)
	for _, s := range parts {
		for j, v := range s {
			norm[j] += v
		}
	}
	return norm, polyNormCheck(m, norm)
}

// polyQRBlocked is polyQR without the n×p design (O(blockLen·p) memory):
// each block's scaled rows [X̃ | √w·y] are reduced to their (p+1)×(p+1) R
// by a Householder QR, and the blocks' R, stacked in block order, are
// reduced again (TSQR): the same least-squares problem, so the same R up
// to the signs of its rows and rounding. R's last column holds Qᵀ·√w·y.
func polyQRBlocked(m Model, x, y, w []float64, p int) (rr, c, norm []float64, err error) {
	n := len(x)
	if norm, err = polyNorms(m, x, w, p); err != nil {
		return nil, nil, nil, err
	}
	q := p + 1
	nb := numBlocks(n)
	rs := make([]float64, nb*q*q)
	forBlocks(n, func(b, lo, hi int) {
		a := make([]float64, (hi-lo)*q)
		for i := lo; i < hi; i++ {
			polyScaledRow(a[(i-lo)*q:(i-lo+1)*q], x, y, w, norm, i)
		}
		qrUpper(a, hi-lo, q, rs[b*q*q:(b+1)*q*q])
	})
	final := make([]float64, q*q)
	qrUpper(rs, nb*q, q, final)
	rr, c = make([]float64, p*p), make([]float64, p)
	for i := range p {
		copy(rr[i*p:(i+1)*p], final[i*q:i*q+p])
		c[i] = final[i*q+p]
	}
	return rr, c, norm, nil
}

// polyScaledRow writes [√wᵢ·xᵢʲ/normⱼ …, √wᵢ·yᵢ] into dst (p+1 long).
func polyScaledRow(dst []float64, x, y, w, norm []float64, i int) {
	p := len(norm)
	polyRow(dst[:p], x, w, i)
	for j := range p {
		dst[j] /= norm[j]
	}
	sw := 1.0
	if w != nil {
		sw = math.Sqrt(w[i])
	}
	dst[p] = sw * y[i]
}

// qrUpper writes into dst (q×q, row-major) the R of the Householder QR of
// the m×q row-major matrix a (overwritten); rows of R beyond m are zero.
func qrUpper(a []float64, m, q int, dst []float64) {
	clear(dst)
	if m == 0 {
		return
	}
	g := blas64.General{Rows: m, Cols: q, Stride: q, Data: a[:m*q]}
	tau := make([]float64, min(m, q))
	work := make([]float64, max(1, q))
	lapack64.Geqrf(g, tau, work, len(work))
	for i := range min(m, q) {
		copy(dst[i*q+i:(i+1)*q], a[i*q+i:(i+1)*q])
	}
}

// kfoldPoly is the k-fold of a polynomial without copying a training set:
// one blocked pass reduces each block's rows of each fold to their R
// (TSQR, as polyQRBlocked), each fold's blocks are reduced to one R_f, and
// fold f's model comes from the R of the other folds' R_g stacked: the
// least squares of the training set. A training set the refit would
// refuse (too few points, constant x or y, rank deficient) is refused the
// same way. More than 64 folds: refits (crossValidate).
func kfoldPoly(full *Result, x, y, w []float64, fold []int32, k int) (*CV, error) {
	if k > 64 {
		return crossValidate(full, x, y, w, fold, k, "kfold", 0)
	}
	n, p, m := len(x), full.P, full.Model
	q := p + 1
	chk := newTrainChecker(m, p, x, y, fold, k)
	for f := range k {
		if err := chk.check(f, k); err != nil {
			return nil, err
		}
	}
	norm, err := polyNorms(m, x, w, p)
	if err != nil {
		return nil, err
	}
	nb := numBlocks(n)
	rs := make([]float64, nb*k*q*q) // block b, fold f: R of the block's rows of f
	forBlocks(n, func(b, lo, hi int) {
		start := make([]int, k+1)
		for _, f := range fold[lo:hi] {
			start[f+1]++
		}
		for f := 1; f <= k; f++ {
			start[f] += start[f-1]
		}
		a := make([]float64, (hi-lo)*q)
		next := append([]int(nil), start[:k]...)
		for i := lo; i < hi; i++ {
			f := fold[i]
			polyScaledRow(a[next[f]*q:(next[f]+1)*q], x, y, w, norm, i)
			next[f]++
		}
		for f := range k {
			cnt := start[f+1] - start[f]
			qrUpper(a[start[f]*q:start[f+1]*q], cnt, q, rs[(b*k+f)*q*q:(b*k+f+1)*q*q])
		}
	})
	rf := make([]float64, k*q*q) // fold f: R of all its rows
	stack := make([]float64, max(nb, k)*q*q)
	for f := range k {
		for b := range nb {
			copy(stack[b*q*q:(b+1)*q*q], rs[(b*k+f)*q*q:(b*k+f+1)*q*q])
		}
		qrUpper(stack[:nb*q*q], nb*q, q, rf[f*q*q:(f+1)*q*q])
	}
	betas := make([]float64, k*p)
	final, rr := make([]float64, q*q), make([]float64, p*p)
	for f := range k {
		rows := 0
		for g := range k {
			if g != f {
				copy(stack[rows*q*q:(rows+1)*q*q], rf[g*q*q:(g+1)*q*q])
				rows++
			}
		}
		qrUpper(stack[:rows*q*q], rows*q, q, final)
		for i := range p {
			copy(rr[i*p:(i+1)*p], final[i*q:i*q+p])
		}
		rinv, err := polyRinv(m, rr, p, chk.st[f].n)
		if err != nil {
			return nil, foldErr("kfold", f, k, chk.st[f].n, n, err)
		}
		beta := betas[f*p : (f+1)*p]
		for i := range p {
			for l := i; l < p; l++ {
				beta[i] += rinv[i*p+l] * final[l*q+p]
			}
			beta[i] /= norm[i]
		}
	}
	parts := make([]cvSums, nb)
	forBlocks(n, func(bl, lo, hi int) {
		var s cvSums
		var yb [chunk]float64
		for c0 := lo; c0 < hi; c0 += chunk {
			cy := y[c0:min(c0+chunk, hi)]
			for i := range cy {
				f := fold[c0+i]
				yb[i] = horner(betas[int(f)*p:int(f+1)*p], x[c0+i])
				d := cy[i] - yb[i]
				if w != nil {
					s.pressFit += w[c0+i] * d * d
				} else {
					s.pressFit += d * d
				}
			}
			s.addY(cy, yb[:len(cy)])
		}
		parts[bl] = s
	})
	var s cvSums
	for _, p := range parts {
		s.merge(p)
	}
	return s.toCV(k, full), nil
}
