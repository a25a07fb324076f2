package fit

import "math"

var powerModel = simple{m: Power, uTo: lnTo, u: math.Log, posX: true, logY: true}

func init() {
	registerSimple(ModelSpec{Name: Power, Candidate: 3,
		Help: "power law, least squares on ln y = ln a + b·ln x as spreadsheet trend lines (x, y > 0)", Formula: "y = a·x^b"}, powerModel)
}

// FitPower fits y = a·x^b by least squares on ln y = ln a + b·ln x, as
// spreadsheet trend lines do. R2Fit is 1 − SSE/SST of that log-space fit,
// i.e. RSQ(LN(y); LN(x)); R2Y judges ŷ = a·x^b on y itself, and
// ŷ estimates the median of y at x (exp of a mean of ln y). a's standard
// error is that of ln a and its interval exp(ln a ± t·SE) is asymmetric.
// x and y must be positive: ErrNonPositive otherwise; else as FitLinear.
func FitPower(x, y, w []float64) (*Result, error) { return fitSimple(powerModel, x, y, w) }
