package fit

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Model names a regression model. The names are the --model values of
// `migreplay fit` and the model column of the fits table; each is
// registered by its own file (see ModelSpec).
type Model string

// The models. Parameters are named a, b, c, … in the order of the formula.
const (
	Linear   Model = "linear"    // y = a + b·x, least squares on y (linear.go)
	Poly2    Model = "poly2"     // y = a + b·x + c·x², least squares on y (poly.go, as poly3 … poly9)
	Poly3    Model = "poly3"     // y = a + b·x + c·x² + d·x³, least squares on y
	Power    Model = "power"     // y = a·x^b, least squares on ln y = ln a + b·ln x (power.go)
	PowerNLS Model = "power-nls" // y = a·x^b, nonlinear least squares on y (nls.go)
	Exp      Model = "exp"       // y = a·e^(b·x), least squares on ln y = ln a + b·x (exp.go)
	Log      Model = "log"       // y = a + b·ln x, least squares on y (log.go)
)

func paramName(j int) string { return ParamName(j) }

// Space names the scale on which residuals are minimised.
type Space string

const (
	// SpaceY: residuals y − ŷ.
	SpaceY Space = "y"
	// SpaceLog: residuals ln y − ln ŷ (power and exp, as spreadsheet trend
	// lines do). exp of the fitted line estimates the conditional median
	// of y, not its mean.
	SpaceLog Space = "log"
)

// Param is one fitted parameter with its standard error and 95 % interval.
type Param struct {
	Name  string
	Value float64
	// SE is the standard error of Value, s·sqrt((XᵀWX)⁻¹ⱼⱼ) for least
	// squares in the fit space, s·sqrt((JᵀWJ)⁻¹ⱼⱼ) for the nonlinear fit.
	// When LogScale is set it is the standard error of ln Value instead.
	SE float64
	// Lo and Hi bound the 95 % confidence interval Value ± t·SE, with t the
	// 0.975 quantile of Student's t on n − p degrees of freedom (statsmodels'
	// conf_int). When LogScale is set they are exp(ln Value ± t·SE): the
	// interval of a log-space fit's a is asymmetric.
	Lo, Hi float64
	// LogScale marks a parameter estimated as its logarithm (a of the
	// log-space power and exp fits).
	LogScale bool
}

// Result is a fitted model with its in-sample metrics.
//
// Metrics come in two families, never mixed:
//   - "Fit" metrics are computed in the space where least squares was done
//     (Space: ln y for power and exp, y otherwise) and with the weights:
//     SSE = Σ wᵢ(tᵢ − t̂ᵢ)², SST = Σ wᵢ(tᵢ − t̄)², t̄ = Σ wᵢtᵢ/Σ wᵢ
//     (statsmodels WLS's centred TSS). R2Fit = 1 − SSE/SST is what a
//     spreadsheet's power trend line reports.
//   - "Y" metrics judge ŷ against y itself, unweighted: SSEY = Σ(yᵢ − ŷᵢ)²,
//     SSTY = Σ(yᵢ − ȳ)², R2Y = 1 − SSEY/SSTY, which is what MATLAB's
//     fit or Origin report. For a log-space fit ŷ = exp(t̂) is the median
//     curve.
//
// With unweighted data and Space == SpaceY the two families agree.
type Result struct {
	Model    Model
	Space    Space
	N        int  // points
	P        int  // parameters; the residual degrees of freedom are N − P
	Weighted bool // weights were given
	Params   []Param

	SSE      float64 // Σ w·(t − t̂)² in the fit space
	SST      float64 // Σ w·(t − t̄)² in the fit space
	R2Fit    float64 // 1 − SSE/SST
	AdjR2Fit float64 // 1 − (n−1)/(n−p)·(1 − R2Fit), statsmodels' rsquared_adj
	Sigma    float64 // residual standard error sqrt(SSE/(n−p)), fit space

	SSEY   float64 // Σ (y − ŷ)²
	SSTY   float64 // Σ (y − ȳ)²
	R2Y    float64 // 1 − SSEY/SSTY; can be negative for a log-space fit
	AdjR2Y float64 // 1 − (n−1)/(n−p)·(1 − R2Y)
	Corr2  float64 // corr(y, ŷ)², Pearson (0 when ŷ is constant); what newer Excel charts reportedly show
	RMSE   float64 // sqrt(SSEY/n): denominator n
	RMSEDf float64 // sqrt(SSEY/(n−p)): denominator n − p
	MAE    float64 // Σ|y − ŷ|/n
	MAPE   float64 // 100·Σ|(y − ŷ)/y|/m over the m points with y ≠ 0, percent

	// TQuantile is t₀.₉₇₅ on n − p degrees of freedom, the multiplier of
	// every 95 % interval.
	TQuantile float64

	// LOO is the leave-one-out cross-validation of this fit. Least-squares
	// fits fill it in closed form (PRESS from the hat matrix); PowerNLS
	// leaves it nil: see LeaveOneOut. LOOErr says why it is nil when a
	// point has leverage 1 (ErrSingular).
	LOO    *CV
	LOOErr error

	beta   []float64  // parameters as fitted (ln a for log-space fits)
	center [2]float64 // straight-line fits: the weighted means of u and t
	cov    []float64  // p×p covariance of beta, row-major
	s2     float64    // SSE/(n−p)
}

// Param returns the parameter called name, or false.
func (r *Result) Param(name string) (Param, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Cov returns the p×p covariance matrix of the parameters as fitted
// (row-major; ln a in place of a for log-space fits), s²·(XᵀWX)⁻¹ or
// s²·(JᵀWJ)⁻¹: statsmodels' cov_params() and scipy curve_fit's pcov.
func (r *Result) Cov() []float64 { return append([]float64(nil), r.cov...) }

// Fit fits model m to (x, y) with optional weights w (nil: unweighted; else
// wᵢ > 0 multiplies the squared residual, as statsmodels WLS; numpy's
// polyfit takes √wᵢ, curve_fit takes sigma = 1/√wᵢ). An unregistered model
// is ErrModel.
func Fit(m Model, x, y, w []float64) (*Result, error) {
	s, ok := Spec(m)
	if !ok {
		_, err := ParseModel(string(m))
		return nil, err
	}
	return s.Fit(x, y, w)
}

// tQuantile is the 0.975 quantile of Student's t with df degrees of freedom.
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// finish fills the derived fields shared by every fitter from SSE, SST,
// SSEY, SSTY and the covariance, and names the parameters.
func (r *Result) finish() {
	n, p := float64(r.N), float64(r.P)
	r.R2Fit = 1 - r.SSE/r.SST
	r.AdjR2Fit = 1 - (n-1)/(n-p)*(1-r.R2Fit)
	r.s2 = r.SSE / (n - p)
	r.Sigma = math.Sqrt(r.s2)
	r.R2Y = 1 - r.SSEY/r.SSTY
	r.AdjR2Y = 1 - (n-1)/(n-p)*(1-r.R2Y)
	r.RMSE = math.Sqrt(r.SSEY / n)
	r.RMSEDf = math.Sqrt(r.SSEY / (n - p))
	r.TQuantile = tQuantile(r.N - r.P)
	r.Params = make([]Param, r.P)
	for j := range r.P {
		se := math.Sqrt(r.cov[j*r.P+j])
		v := r.beta[j]
		pr := Param{Name: paramName(j), Value: v, SE: se, Lo: v - r.TQuantile*se, Hi: v + r.TQuantile*se}
		if j == 0 && r.Space == SpaceLog {
			pr = Param{Name: "a", Value: math.Exp(v), SE: se, Lo: math.Exp(pr.Lo), Hi: math.Exp(pr.Hi), LogScale: true}
		}
		r.Params[j] = pr
	}
}

// String is a one-line summary: model, parameters and both R².
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", r.Model, r.Model.Formula())
	for _, p := range r.Params {
		fmt.Fprintf(&b, " %s=%.6g", p.Name, p.Value)
	}
	fmt.Fprintf(&b, " n=%d R2(%s)=%.4f R2(y)=%.4f", r.N, r.Space, r.R2Fit, r.R2Y)
	return b.String()
}
