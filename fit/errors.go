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
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return fmt.Errorf("fit %s: len(x) = %d, len(y) = %d, len(w) = %d: %w", m, len(x), len(y), len(w), ErrLength)
	}
	n := len(x)
	if n < p+1 {
		return fmt.Errorf("fit %s: %d points, need at least %d for %d parameters: %w", m, n, p+1, p, ErrTooFewPoints)
	}
	bad := -1
	for i := range n {
		xi, yi := x[i], y[i]
		// One predictable branch per point; the cause is found below.
		if xi-xi != 0 || yi-yi != 0 || (posX && !(xi > 0)) || (posY && !(yi > 0)) || (w != nil && !(w[i] > 0 && w[i]-w[i] == 0)) {
			bad = i
			break
		}
	}
	if bad >= 0 {
		i := bad
		switch {
		case x[i]-x[i] != 0:
			return fmt.Errorf("fit %s: x[%d] = %v: %w", m, i, x[i], ErrNotFinite)
		case y[i]-y[i] != 0:
			return fmt.Errorf("fit %s: y[%d] = %v: %w", m, i, y[i], ErrNotFinite)
		case posX && !(x[i] > 0):
			return fmt.Errorf("fit %s: x[%d] = %v, the model takes ln x: %w", m, i, x[i], ErrNonPositive)
		case posY && !(y[i] > 0):
			return fmt.Errorf("fit %s: y[%d] = %v, the model takes ln y: %w", m, i, y[i], ErrNonPositive)
		case w[i]-w[i] != 0:
			return fmt.Errorf("fit %s: w[%d] = %v: %w", m, i, w[i], ErrNotFinite)
		default:
			return fmt.Errorf("fit %s: weight w[%d] = %v must be positive: %w", m, i, w[i], ErrNonPositive)
		}
	}
	constX, constY := true, true
	for i := 1; i < n && (constX || constY); i++ {
		constX = constX && x[i] == x[0]
		constY = constY && y[i] == y[0]
	}
	if constX {
		return fmt.Errorf("fit %s: all %d x equal %v: %w", m, n, x[0], ErrConstantX)
	}
	if constY {
		return fmt.Errorf("fit %s: all %d y equal %v: %w", m, n, y[0], ErrConstantY)
	}
	return nil
}
