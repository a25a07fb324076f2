package fit

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error a fitter returns wraps exactly one of them
// (test with errors.Is) and says which point or argument is at fault.
var (
	// ErrTooFewPoints: a model with p parameters needs at least p+1 points,
	// so that the residual variance s² = SSE/(n−p) is defined; the seed 004
	// hold-out protocol needs more points than it trains on.
	ErrTooFewPoints = errors.New("too few points")
	// ErrConstantX: every x is the same, so no slope can be estimated.
	ErrConstantX = errors.New("x is constant")
	// ErrConstantY: every y is the same, so SST = 0 and R² is 0/0.
	ErrConstantY = errors.New("y is constant")
	// ErrNonPositive: a value that is logged (x of power/log models, y of
	// power/exp models) or a weight is zero or negative.
	ErrNonPositive = errors.New("non-positive value")
	// ErrNotFinite: NaN or ±Inf in x, y or the weights.
	ErrNotFinite = errors.New("NaN or Inf")
	// ErrLength: x, y and weights differ in length.
	ErrLength = errors.New("slices differ in length")
	// ErrSingular: the design matrix is rank deficient (for example a
	// degree-k polynomial through fewer than k+1 distinct x), or a point has
	// leverage 1 so its leave-one-out residual is undefined.
	ErrSingular = errors.New("singular design")
	// ErrNoConvergence: the nonlinear fit did not converge.
	ErrNoConvergence = errors.New("no convergence")
	// ErrModel: an unknown model name or an unsupported degree.
	ErrModel = errors.New("unknown model")
)

// check validates one data set for model m with p parameters; posX and posY
// ask for strictly positive x or y (they are logged).
func check(m Model, x, y, w []float64, p int, posX, posY bool) error {
	if err := checkShape(m, x, y, w, p); err != nil {
		return err
	}
	return checkValues(m, x, y, posX, posY)
}

// checkShape checks lengths, the number of points, the weights and
// constant x or y: everything but the per-point value check, which the
// fast fitters fold into their first pass (a NaN, an Inf or the log of a
// non-positive value makes the pass's sums non-finite; checkValues then
// says which point).
func checkShape(m Model, x, y, w []float64, p int) error {
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return fmt.Errorf("fit %s: len(x) = %d, len(y) = %d, len(w) = %d: %w", m, len(x), len(y), len(w), ErrLength)
	}
	n := len(x)
	if n < p+1 {
		return fmt.Errorf("fit %s: %d point(s), need at least %d for %d parameters: %w", m, n, p+1, p, ErrTooFewPoints)
	}
	for i, v := range w {
		if v-v != 0 {
			return fmt.Errorf("fit %s: w[%d] = %v: %w", m, i, v, ErrNotFinite)
		}
		if !(v > 0) {
			return fmt.Errorf("fit %s: weight w[%d] = %v must be positive: %w", m, i, v, ErrNonPositive)
		}
	}
	constX, constY := true, true
	for i := 1; i < n && (constX || constY); i++ {
		constX = constX && x[i] == x[0]
		constY = constY && y[i] == y[0]
	}
	if constX && x[0]-x[0] == 0 {
		return fmt.Errorf("fit %s: all %d x equal %v: %w", m, n, x[0], ErrConstantX)
	}
	if constY && y[0]-y[0] == 0 {
		return fmt.Errorf("fit %s: all %d y equal %v: %w", m, n, y[0], ErrConstantY)
	}
	return nil
}

// checkValues finds the first NaN, Inf or (when logged) non-positive value.
func checkValues(m Model, x, y []float64, posX, posY bool) error {
	for i := range x {
		xi, yi := x[i], y[i]
		switch {
		case xi-xi != 0:
			return fmt.Errorf("fit %s: x[%d] = %v: %w", m, i, xi, ErrNotFinite)
		case yi-yi != 0:
			return fmt.Errorf("fit %s: y[%d] = %v: %w", m, i, yi, ErrNotFinite)
		case posX && !(xi > 0):
			return fmt.Errorf("fit %s: x[%d] = %v, the model takes ln x: %w", m, i, xi, ErrNonPositive)
		case posY && !(yi > 0):
			return fmt.Errorf("fit %s: y[%d] = %v, the model takes ln y: %w", m, i, yi, ErrNonPositive)
		}
	}
	return nil
}

// errOverflow is returned when every value is finite but sums of them are
// not (values near the float64 limit).
func errOverflow(m Model) error {
	return fmt.Errorf("fit %s: sums of the data overflow float64; rescale x or y: %w", m, ErrNotFinite)
}

func finite(v float64) bool { return v-v == 0 }
