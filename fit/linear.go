package fit

var linearModel = simple{m: Linear}

func init() {
	registerSimple(ModelSpec{Name: Linear, Aliases: []string{"poly1"}, Candidate: 1,
		Help: "straight line, least squares on y", Formula: "y = a + b·x"}, linearModel)
}

// FitLinear fits y = a + b·x by (weighted) least squares:
//
//	b = Sxy/Sxx, a = ȳ − b·x̄, with x̄ = Σwx/Σw, Sxy = Σw(x − x̄)(y − ȳ),
//
// the centred (two-pass) sums. Errors: ErrLength, ErrTooFewPoints (n < 3),
// ErrNotFinite, ErrNonPositive (a weight), ErrConstantX, ErrConstantY.
func FitLinear(x, y, w []float64) (*Result, error) { return fitSimple(linearModel, x, y, w) }
