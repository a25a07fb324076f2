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
	sw := func(i int) float64 {
		if w == nil {
			return 1
		}
		return math.Sqrt(w[i])
	}
	// row writes the unscaled design row √wᵢ·(1, xᵢ, …, xᵢᵏ).
	row := func(dst []float64, i int) {
		v := sw(i)
		for j := range dst {
			dst[j] = v
			v *= x[i]
		}
	}
	data := make([]float64, n*p)
	norm := make([]float64, p)
	for i := range n {
		r := data[i*p : (i+1)*p]
		row(r, i)
		for j, v := range r {
			norm[j] += v * v
		}
	}
	for j := range norm {
		norm[j] = math.Sqrt(norm[j])
		if !(norm[j] > 0) || math.IsInf(norm[j], 0) {
			return nil, fmt.Errorf("fit %s: column x^%d has norm %v: %w", m, j, norm[j], ErrSingular)
		}
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
	c := blas64.General{Rows: n, Cols: 1, Stride: 1, Data: make([]float64, n)}
	for i := range n {
		c.Data[i] = sw(i) * y[i]
	}
	lwork := int(work[0])
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, c, work, -1)
	lwork = max(lwork, int(work[0]), 1)
	work = make([]float64, lwork)
	lapack64.Geqrf(a, tau, work, lwork)
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, c, work, lwork)
	// R is the upper triangle of a's first p rows.
	rmax := 0.0
	for j := range p {
		rmax = max(rmax, math.Abs(data[j*p+j]))
	}
	for j := range p {
		if math.Abs(data[j*p+j]) <= float64(n)*0x1p-52*rmax {
			return nil, fmt.Errorf("fit %s: the design has rank < %d (too few distinct x): %w", m, p, ErrSingular)
		}
	}
	// Rinv = R⁻¹ (upper triangular) by back substitution, column by column.
	rinv := make([]float64, p*p)
	for col := range p {
		for i := col; i >= 0; i-- {
			v := 0.0
			if i == col {
				v = 1
			}
			for l := i + 1; l <= col; l++ {
				v -= data[i*p+l] * rinv[l*p+col]
			}
			rinv[i*p+col] = v / data[i*p+i]
		}
	}
	beta := make([]float64, p)
	for i := range p {
		for l := i; l < p; l++ {
			beta[i] += rinv[i*p+l] * c.Data[l]
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
	var fitS, looS ySums
	var sse, sst, press float64
	lev1 := -1
	xr := make([]float64, p)
	for i := range n {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		yhat := horner(beta, x[i])
		e := y[i] - yhat
		sse += wi * e * e
		d := y[i] - ywMean
		sst += wi * d * d
		row(xr, i)
		h := 0.0
		for col := range p {
			v := 0.0
			for l := 0; l <= col; l++ {
				v += xr[l] / norm[l] * rinv[l*p+col]
			}
			h += v * v
		}
		if h > 1-1e-12 {
			if lev1 < 0 {
				lev1 = i
			}
			h = 0
		}
		eLoo := e / (1 - h)
		press += wi * eLoo * eLoo
		fitS.add(y[i], yhat, yMean)
		looS.add(y[i], y[i]-eLoo, yMean)
	}
	r := &Result{Model: m, Space: SpaceY, N: n, P: p, Weighted: w != nil, SSE: sse, SST: sst, beta: beta}
	fitS.apply(r)
	s2 := sse / float64(n-p)
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
	if lev1 >= 0 {
		r.LOOErr = fmt.Errorf("fit %s: point %d has leverage 1, leave-one-out is undefined: %w", m, lev1, ErrSingular)
	} else {
		r.LOO = looCV(r, looS, press)
	}
	return r, nil
}

// horner evaluates Σ βⱼ·xʲ.
func horner(beta []float64, x float64) float64 {
	v := 0.0
	for j := len(beta) - 1; j >= 0; j-- {
		v = v*x + beta[j]
	}
	return v
}
