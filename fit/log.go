package fit

import "math"

var logModel = simple{m: Log, uTo: lnTo, u: math.Log, posX: true}

func init() {
	registerSimple(ModelSpec{Name: Log, Candidate: 2,
		Help: "logarithmic, least squares on y (x > 0)", Formula: "y = a + b·ln x"}, logModel)
}

// FitLog fits y = a + b·ln x by least squares on y (FitLinear on ln x).
// x must be positive (ErrNonPositive); otherwise as FitLinear.
func FitLog(x, y, w []float64) (*Result, error) { return fitSimple(logModel, x, y, w) }
