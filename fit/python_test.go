package fit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
)

// Cross-checks against numpy and scipy, run at test time by Debian's
// /usr/bin/python3 on testdata/crosscheck.py (the script says how each
// reference number is computed). Without numpy/scipy the test is skipped,
// unless MIGREPLAY_REQUIRE_PYTHON=1 (set in CI), which makes it fail.
//
// Tolerances: np.polyfit coefficients 1e-9 relative; curve_fit 1e-6
// relative (its own xtol is 1.5e-8); statsmodels-convention standard
// errors, intervals and R² 1e-9 relative; R² also equal at 4 printed digits.

const python = "/usr/bin/python3"

type pyCase struct {
	Name  string    `json:"name"`
	Model Model     `json:"model"`
	X     []float64 `json:"x"`
	Y     []float64 `json:"y"`
	W     []float64 `json:"w"`
	X0    []float64 `json:"x0"`
}

type pyResult struct {
	Polyfit    []float64            `json:"polyfit"`
	CurveFit   []float64            `json:"curve_fit"`
	CurveFitSE []float64            `json:"curve_fit_se"`
	Beta       []float64            `json:"beta"`
	SE         []float64            `json:"se"`
	Cov        []float64            `json:"cov"`
	CILo       []float64            `json:"ci_lo"`
	CIHi       []float64            `json:"ci_hi"`
	TQ         float64              `json:"tq"`
	SSE        float64              `json:"sse"`
	SST        float64              `json:"sst"`
	R2Fit      float64              `json:"r2fit"`
	AdjR2Fit   float64              `json:"adjr2fit"`
	Sigma      float64              `json:"sigma"`
	PressFit   float64              `json:"press_fit"`
	Q2Fit      float64              `json:"q2_fit"`
	PressY     float64              `json:"press_y"`
	R2Y        float64              `json:"r2y"`
	AdjR2Y     float64              `json:"adjr2y"`
	Corr2      float64              `json:"corr2"`
	RMSE       float64              `json:"rmse"`
	RMSEDf     float64              `json:"rmsedf"`
	MAE        float64              `json:"mae"`
	MAPE       float64              `json:"mape"`
	PredRaw    map[string][]float64 `json:"pred"`
}

// requirePython skips (or, with MIGREPLAY_REQUIRE_PYTHON=1, fails) when
// /usr/bin/python3 lacks numpy or scipy.
func requirePython(t testing.TB) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import numpy, scipy").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("cross-check needs %s with numpy and scipy (apt-get install python3-numpy python3-scipy): %v %s", python, err, out)
	if os.Getenv("MIGREPLAY_REQUIRE_PYTHON") == "1" {
		t.Fatal(msg + " (MIGREPLAY_REQUIRE_PYTHON=1)")
	}
	t.Skip(msg)
}

// runPython runs crosscheck.py on cases.
func runPython(t testing.TB, cases []pyCase) (map[string]pyResult, string) {
	t.Helper()
	requirePython(t)
	in, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/crosscheck.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("crosscheck.py: %v\n%s", err, stderr.String())
	}
	var res struct {
		Numpy, Scipy string
		Cases        map[string]pyResult
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res.Cases, "numpy " + res.Numpy + ", scipy " + res.Scipy
}

// Data sets, all seeded. seven is FITTING.md's seven points built from seed
// 004's text; the others are synthetic draws of each model with noise.
func crossCases() []pyCase {
	rng := rand.New(rand.NewPCG(4, 2011))
	var cases []pyCase
	add := func(name string, x, y []float64, x0 []float64, models ...Model) {
		w := make([]float64, len(x))
		for i := range w {
			w[i] = 0.5 + 1.5*rng.Float64()
		}
		for _, m := range models {
			cases = append(cases,
				pyCase{Name: name + "/" + string(m), Model: m, X: x, Y: y, X0: x0},
				pyCase{Name: name + "/" + string(m) + "/weighted", Model: m, X: x, Y: y, W: w, X0: x0})
		}
	}
	all := []Model{Linear, Log, Power, PowerNLS, Exp, Poly2, Poly3}
	add("seven", []float64{10, 50, 60, 70, 80, 90, 100}, []float64{100, 20, 17, 17, 17, 17, 17}, []float64{15, 55, 120}, all...)

	var x, y []float64
	for rep := 0; rep < 4; rep++ {
		for c := 10.0; c <= 100; c += 10 {
			x = append(x, c)
			y = append(y, 650*math.Pow(c, -0.8)*math.Exp(0.08*rng.NormFloat64()))
		}
	}
	add("dom0cap", x, y, []float64{5, 25, 100, 150}, all...)

	x, y = nil, nil
	for range 30 {
		v := 50 * rng.Float64()
		x = append(x, v)
		y = append(y, 3+1.5*v-0.04*v*v+rng.NormFloat64())
	}
	add("quad", x, y, []float64{0, 10, 60}, Linear, Poly2, Poly3)

	x, y = nil, nil
	for range 30 {
		v := 1 + 9*rng.Float64()
		x = append(x, v)
		y = append(y, 2-v+0.5*v*v-0.03*v*v*v+0.2*rng.NormFloat64())
	}
	add("cubic", x, y, []float64{1, 5, 12}, Poly2, Poly3)

	x, y = nil, nil
	for range 25 {
		v := 10 * rng.Float64()
		x = append(x, v)
		y = append(y, 5*math.Exp(0.3*v+0.05*rng.NormFloat64()))
	}
	add("growth", x, y, []float64{0.5, 5, 12}, Exp, Power, Linear)

	x, y = nil, nil
	for range 25 {
		v := math.Exp(math.Log(1000) * rng.Float64())
		x = append(x, v)
		y = append(y, 10+3*math.Log(v)+0.5*rng.NormFloat64())
	}
	add("logx", x, y, []float64{1, 100, 5000}, Log, Power, PowerNLS)
	return cases
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

func TestCrossCheckPython(t *testing.T) {
	cases := crossCases()
	ref, versions := runPython(t, cases)
	t.Logf("reference: %s", versions)
	var worstPoly, worstCF, worstSM, worstNLS float64
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			want, ok := ref[c.Name]
			if !ok {
				t.Fatal("no reference")
			}
			r, err := Fit(c.Model, c.X, c.Y, c.W)
			if err != nil {
				t.Fatal(err)
			}
			// scale is the size of the terms a value is made of (an
			// interval bound β ± t·se is compared relative to |β| + t·se).
			checkScaled := func(what string, got, want, scale, tol float64, worst *float64) {
				t.Helper()
				e := math.Abs(got-want) / scale
				if worst != nil {
					*worst = max(*worst, e)
				}
				if !(e <= tol) {
					t.Errorf("%s = %.17g, python %.17g (diff/scale %.2g > %g)", what, got, want, e, tol)
				}
			}
			check := func(what string, got, want, tol float64, worst *float64) {
				t.Helper()
				e := relErr(got, want)
				if worst != nil {
					*worst = max(*worst, e)
				}
				if !(e <= tol) {
					t.Errorf("%s = %.17g, python %.17g (rel %.2g > %g)", what, got, want, e, tol)
				}
			}
			// Parameters as fitted: ln a for log-space fits.
			got := append([]float64(nil), r.beta...)
			if c.Model == PowerNLS {
				for j := range got {
					check("curve_fit "+paramName(j), got[j], want.CurveFit[j], 1e-6, &worstCF)
					// curve_fit's pcov comes from a finite-difference Jacobian.
					check("curve_fit se "+paramName(j), r.Params[j].SE, want.CurveFitSE[j], 1e-4, nil)
				}
			} else {
				for j := range got {
					check("polyfit "+paramName(j), got[j], want.Polyfit[j], 1e-9, &worstPoly)
				}
			}
			// For the nonlinear fit the reference intervals and metrics are
			// evaluated at curve_fit's optimum, itself within 1e-6.
			tol, worst := 1e-9, &worstSM
			if c.Model == PowerNLS {
				tol, worst = 1e-6, &worstNLS
			}
			for j, p := range r.Params {
				check("se "+p.Name, p.SE, want.SE[j], tol, worst)
				lo, hi := p.Lo, p.Hi
				if p.LogScale {
					lo, hi = math.Log(lo), math.Log(hi)
				}
				half := want.TQ * want.SE[j]
				checkScaled("ci lo "+p.Name, lo, want.CILo[j], math.Abs(want.CILo[j])+half, tol, worst)
				checkScaled("ci hi "+p.Name, hi, want.CIHi[j], math.Abs(want.CIHi[j])+half, tol, worst)
			}
			for i, v := range r.Cov() {
				checkScaled(fmt.Sprintf("cov[%d]", i), v, want.Cov[i], math.Sqrt(want.Cov[i/r.P*(r.P+1)]*want.Cov[i%r.P*(r.P+1)]), tol, worst)
			}
			// scipy 1.10's t.ppf (cdflib) is good to about 4e-10; gonum's
			// quantile is checked to 1e-14 against closed forms in
			// TestTQuantileClosedForm.
			check("t quantile", r.TQuantile, want.TQ, 1e-9, nil)
			for _, m := range []struct {
				name      string
				got, want float64
			}{
				{"SSE", r.SSE, want.SSE}, {"SST", r.SST, want.SST}, {"R2Fit", r.R2Fit, want.R2Fit},
				{"R2Y", r.R2Y, want.R2Y}, {"AdjR2Y", r.AdjR2Y, want.AdjR2Y}, {"Corr2", r.Corr2, want.Corr2},
				{"RMSE", r.RMSE, want.RMSE}, {"RMSEDf", r.RMSEDf, want.RMSEDf}, {"MAE", r.MAE, want.MAE},
				{"MAPE", r.MAPE, want.MAPE},
			} {
				check(m.name, m.got, m.want, tol, worst)
				if g, w := fmt.Sprintf("%.4f", m.got), fmt.Sprintf("%.4f", m.want); g != w && (m.name[0] == 'R' && m.name[1] == '2' || m.name == "Corr2") {
					t.Errorf("%s prints %s, python %s", m.name, g, w)
				}
			}
			if c.Model == PowerNLS {
				// Ours is at least as good a minimum as curve_fit's.
				if r.SSE > want.SSE*(1+1e-12) {
					t.Errorf("SSE %.17g above curve_fit's %.17g", r.SSE, want.SSE)
				}
				return
			}
			check("AdjR2Fit", r.AdjR2Fit, want.AdjR2Fit, 1e-9, &worstSM)
			check("Sigma", r.Sigma, want.Sigma, 1e-9, &worstSM)
			if r.LOO == nil {
				t.Fatalf("no LOO: %v", r.LOOErr)
			}
			check("PRESS fit", r.LOO.PRESSFit, want.PressFit, 1e-9, &worstSM)
			check("Q2 fit", r.LOO.R2Fit, want.Q2Fit, 1e-9, &worstSM)
			check("PRESS y", r.LOO.PRESS, want.PressY, 1e-9, &worstSM)
			for i, x0 := range c.X0 {
				p, err := r.Predict(x0)
				if err != nil {
					t.Fatal(err)
				}
				at := fmt.Sprintf(" at %g", x0)
				check("pred y"+at, p.Y, want.PredRaw["y"][i], 1e-9, &worstSM)
				check("pred se"+at, p.SE, want.PredRaw["se"][i], 1e-9, &worstSM)
				// Bounds relative to |ŷ| + the half-width (in the fit space).
				for _, b := range []struct {
					name      string
					got       float64
					key       string
					predictiv bool
				}{{"conf lo", p.ConfLo, "conf_lo", false}, {"conf hi", p.ConfHi, "conf_hi", false},
					{"pred lo", p.PredLo, "pred_lo", true}, {"pred hi", p.PredHi, "pred_hi", true}} {
					got, wantB, center := b.got, want.PredRaw[b.key][i], want.PredRaw["y"][i]
					if r.Space == SpaceLog {
						got, wantB, center = math.Log(got), math.Log(wantB), math.Log(center)
					}
					half := want.TQ * want.PredRaw["se"][i]
					if b.predictiv {
						half = want.TQ * math.Hypot(want.Sigma, want.PredRaw["se"][i])
					}
					checkScaled(b.name+at, got, wantB, math.Abs(center)+half, 1e-9, &worstSM)
				}
			}
		})
	}
	t.Logf("worst relative difference: polyfit %.2g (tol 1e-9), curve_fit %.2g (tol 1e-6), statsmodels formulas %.2g (tol 1e-9), NLS covariance and metrics at curve_fit's optimum %.2g (tol 1e-6)", worstPoly, worstCF, worstSM, worstNLS)
}

// gonum's Student t quantile against closed forms: ν = 1, t = tan(π(p − ½));
// ν = 2, t = (2p − 1)/sqrt(2p(1 − p)); ν = 5 by bisection on the closed-form
// CDF ½ + (θ + sinθ·cosθ·(1 + ⅔cos²θ))/π, θ = atan(t/√5) (Abramowitz &
// Stegun 26.7.3), solved in Go below.
func TestTQuantileClosedForm(t *testing.T) {
	const p = 0.975
	f5 := func(q float64) float64 {
		th := math.Atan(q / math.Sqrt(5))
		return 0.5 + (th+math.Sin(th)*math.Cos(th)*(1+2.0/3*math.Cos(th)*math.Cos(th)))/math.Pi
	}
	lo, hi := 2.0, 3.0
	for range 200 {
		if mid := (lo + hi) / 2; f5(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	for _, c := range []struct {
		df   int
		want float64
	}{
		{1, math.Tan(math.Pi * (p - 0.5))},
		{2, (2*p - 1) / math.Sqrt(2*p*(1-p))},
		{5, lo},
	} {
		if got := tQuantile(c.df); relErr(got, c.want) > 1e-14 {
			t.Errorf("t quantile df=%d: %.17g, closed form %.17g", c.df, got, c.want)
		}
	}
}
