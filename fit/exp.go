package fit

var expModel = simple{m: Exp, logY: true}

func init() {
	registerSimple(ModelSpec{Name: Exp, Candidate: 5,
		Help: "exponential, least squares on ln y = ln a + b·x (y > 0)", Formula: "y = a·e^(b·x)"}, expModel)
}

// FitExp fits y = a·e^(b·x) by least squares on ln y = ln a + b·x (the
// spreadsheet exponential trend line); R2Fit is log-space, R2Y on y, and
// ŷ is a median curve as for FitPower. y must be positive (ErrNonPositive).
func FitExp(x, y, w []float64) (*Result, error) { return fitSimple(expModel, x, y, w) }
