package fit_test

import (
	"fmt"
	"math"

	"github.com/migreplay/migreplay/fit"
)

// FITTING.md's seven points: one power law, four R², each labelled. The
// interval and prediction match statsmodels' formulas evaluated with numpy
// and scipy.stats.t (see python_test.go).
func ExampleFitPower() {
	x := []float64{10, 50, 60, 70, 80, 90, 100} // Dom0 CPU cap, %
	y := []float64{100, 20, 17, 17, 17, 17, 17} // migration time, s
	r, err := fit.FitPower(x, y, nil)
	if err != nil {
		panic(err)
	}
	a, b := r.Params[0], r.Params[1]
	fmt.Printf("y = %.1f·x^%.4f\n", a.Value, b.Value)
	fmt.Printf("a 95%% CI [%.0f, %.0f] (asymmetric: exp of ln a's)\n", a.Lo, a.Hi)
	fmt.Printf("R² log space %.3f, on y %.3f, corr² %.3f\n", r.R2Fit, r.R2Y, r.Corr2)
	p, _ := r.Predict(75)
	fmt.Printf("at 75 %%: %.1f s (%s), 95%% PI [%.1f, %.1f]\n", p.Y, p.Kind, p.PredLo, p.PredHi)
	// Output:
	// y = 587.8·x^-0.8154
	// a 95% CI [224, 1540] (asymmetric: exp of ln a's)
	// R² log space 0.940, on y 0.974, corr² 0.989
	// at 75 %: 17.4 s (median), 95% PI [10.6, 28.5]
}

// The same points fitted on y itself, as MATLAB's power1 or curve_fit do.
func ExampleFitPowerNLS() {
	x := []float64{10, 50, 60, 70, 80, 90, 100}
	y := []float64{100, 20, 17, 17, 17, 17, 17}
	r, err := fit.FitPowerNLS(x, y, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("y = %.2f·x^%.5f, R² on y %.3f\n", r.Params[0].Value, r.Params[1].Value, r.R2Y)
	fmt.Printf("SE a %.2f, b %.5f; RMSE %.3f (÷n), %.3f (÷(n−p))\n", r.Params[0].SE, r.Params[1].SE, r.RMSE, r.RMSEDf)
	// Output:
	// y = 780.48·x^-0.89396, R² on y 0.991
	// SE a 90.44, b 0.04304; RMSE 2.745 (÷n), 3.247 (÷(n−p))
}

// Seed 004's protocol: train on 5 points spread over the range, predict
// the rest and report each error.
func ExampleHoldoutEven() {
	x := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	y := make([]float64, len(x))
	for i, c := range x { // a power law with ±3 % alternating error
		y[i] = 600 * math.Pow(c, -0.8) * (1 + 0.03*float64(1-2*(i%2)))
	}
	h, err := fit.HoldoutEven(fit.Power, x, y, nil, 5)
	if err != nil {
		panic(err)
	}
	for _, i := range h.Train {
		fmt.Printf("train x=%g\n", x[i])
	}
	for _, p := range h.Points {
		fmt.Printf("x=%3g measured %5.2f predicted %5.2f error %+5.1f%%\n", p.X, p.Y, p.Pred.Y, 100*p.RelErr)
	}
	// Checked with numpy.polyfit on the logs of the five training points.

	// Output:
	// train x=10
	// train x=30
	// train x=50
	// train x=80
	// train x=100
	// x= 20 measured 52.98 predicted 56.03 error  +5.8%
	// x= 40 measured 30.43 predicted 31.57 error  +3.8%
	// x= 60 measured 22.00 predicted 22.57 error  +2.6%
	// x= 70 measured 20.65 predicted 19.87 error  -3.8%
	// x= 90 measured 16.89 predicted 16.14 error  -4.4%
}

// auto: the model with the smallest cross-validated RMSE on y.
func ExampleAuto() {
	x := []float64{10, 50, 60, 70, 80, 90, 100}
	y := []float64{100, 20, 17, 17, 17, 17, 17}
	best, cands, err := fit.Auto([]fit.Model{fit.Linear, fit.Power, fit.PowerNLS}, x, y, nil, fit.Config{})
	if err != nil {
		panic(err)
	}
	for _, c := range cands {
		fmt.Printf("%-9s %s k=%d RMSE %.2f\n", c.Model, c.CV.Method, c.CV.K, c.CV.RMSE)
	}
	fmt.Println("picked", best)
	// Output:
	// linear    kfold k=7 RMSE 34.97
	// power     kfold k=7 RMSE 28.47
	// power-nls kfold k=7 RMSE 28.18
	// picked power-nls
}
