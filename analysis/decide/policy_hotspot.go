package decide

// hotspot-ar1 is seed 003's whole system (L458–470): the hotspot detector
// with its AR(1) predictor decides when ("VM migration is triggered only
// when the result of the prediction also shows a system overload", L460),
// and the migration manager then chooses "according to the IDC aware
// migration policy" (L470). The detector (ar1) acts only when the current
// and the predicted value both exceed the threshold and at least K of the
// last N samples do; seed 003 names neither K, N nor the predictor's window:
// the defaults (3 of 5, a window of 10 samples) are our choice.
func init() {
	Register(Spec{
		Name:     "hotspot-ar1",
		Help:     "seed 003's AR(1) hotspot detector (now and predicted over the threshold, k of n) with the IDC-aware choice",
		Source:   "003 L458–470, L500",
		Defaults: seed003Defaults(),
		New: func(p Params) (Policy, error) {
			if p.Window < 2 || p.N < 1 || p.K < 1 {
				return nil, errAR1(p)
			}
			return idcAware{p, ar1}, p.Validate()
		},
	})
}
