package fit

import (
	"fmt"
	"math"
)

// Kind says what a prediction estimates.
type Kind string

const (
	// Mean: the conditional mean of y (least squares on y).
	Mean Kind = "mean"
	// Median: exp of the conditional mean of ln y, the median of y when
	// ln y is symmetric about its mean (log-space power and exp fits).
	Median Kind = "median"
)

// Kind is what the model's ŷ estimates: Median for log-space fits.
func (r *Result) Kind() Kind {
	if r.Space == SpaceLog {
		return Median
	}
	return Mean
}

// Prediction is the fitted curve at one x with its 95 % intervals, following
// statsmodels' get_prediction: with g the gradient of the fitted value in
// the fit space (the design row for least squares) and
// se = sqrt(gᵀ·Cov·g),
//
//	confidence interval  t̂ ± t·se            (where the curve is)
//	prediction interval  t̂ ± t·sqrt(s² + se²) (a new observation of weight 1)
//
// with t = t₀.₉₇₅(n − p). For log-space fits t̂ is ln ŷ and all three are
// exponentiated, so the intervals are asymmetric around Y.
type Prediction struct {
	X, Y           float64
	Kind           Kind
	SE             float64 // se above, in the fit space
	ConfLo, ConfHi float64
	PredLo, PredHi float64
}

// Eval returns ŷ at x (NaN where the model is undefined, e.g. x ≤ 0 for
// power and log; Predict says why instead).
func (r *Result) Eval(x float64) float64 {
	t := r.Model.spec().Curve(r.beta, x, nil)
	if r.Space == SpaceLog {
		return math.Exp(t)
	}
	return t
}

// Predict returns ŷ at x with its intervals. Errors: ErrNotFinite for a NaN
// or Inf x, ErrNonPositive for x ≤ 0 in a model that takes ln x.
func (r *Result) Predict(x float64) (Prediction, error) {
	if x-x != 0 {
		return Prediction{}, fmt.Errorf("predict %s at x = %v: %w", r.Model, x, ErrNotFinite)
	}
	s := r.Model.spec()
	if s.PosX && !(x > 0) {
		return Prediction{}, fmt.Errorf("predict %s at x = %v, the model takes ln x: %w", r.Model, x, ErrNonPositive)
	}
	p := r.P
	g := make([]float64, p)
	t := s.Curve(r.beta, x, g) // fitted value in the fit space
	vm := 0.0
	for i := range p {
		for j := range p {
			vm += g[i] * r.cov[i*p+j] * g[j]
		}
	}
	se := math.Sqrt(max(vm, 0))
	sp := math.Sqrt(r.s2 + se*se)
	q := r.TQuantile
	out := Prediction{X: x, Y: t, Kind: r.Kind(), SE: se,
		ConfLo: t - q*se, ConfHi: t + q*se, PredLo: t - q*sp, PredHi: t + q*sp}
	if r.Space == SpaceLog {
		out.Y, out.ConfLo, out.ConfHi = math.Exp(out.Y), math.Exp(out.ConfLo), math.Exp(out.ConfHi)
		out.PredLo, out.PredHi = math.Exp(out.PredLo), math.Exp(out.PredHi)
	}
	return out, nil
}
