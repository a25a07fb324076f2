// Package fit fits regression models to plain float64 slices and reports
// every metric with the convention it was computed under. It knows nothing
// about Parquet or flags; gonum supplies the QR factorisation and Student's
// t distribution.
//
// Models are registered, each by its own file, with Register(ModelSpec{…}):
// name, help, formula, parameters, domain, fitter and curve; Fit, Predict,
// the cross-validations, Auto's candidates (Models), ParseModel, `migreplay
// fit --help` and the fits table's parameter columns read the registry.
//
// Models (Model, Fit): linear, polynomial of degree k (FitPoly), power
// y = a·x^b fitted two ways — least squares on ln y = ln a + b·ln x as
// spreadsheet trend lines do (FitPower) and nonlinear least squares on y
// (FitPowerNLS) — exponential y = a·e^(b·x) on ln y (FitExp) and
// logarithmic y = a + b·ln x (FitLog). Weights are optional everywhere:
// wᵢ multiplies the squared residual (statsmodels WLS); numpy.polyfit takes
// √wᵢ and curve_fit sigma = 1/√wᵢ for the same fit.
//
// Conventions (the reasons are in shared/FITTING.md):
//   - R² is never bare. Result.R2Fit is 1 − SSE/SST where least squares was
//     done (Result.Space: "log" for power and exp), Result.R2Y the same ratio
//     on y itself, Result.Corr2 is corr(y, ŷ)². On FITTING.md's seven points
//     they are 0.940, 0.974 and 0.989 for the log-space power fit, and the
//     nonlinear fit reaches 0.991 on y.
//   - RMSE divides by n, RMSEDf by n − p; Sigma is sqrt(SSE/(n − p)) in the
//     fit space, the s of every interval.
//   - Intervals follow statsmodels: β̂ ± t₀.₉₇₅(n−p)·SE with
//     SE² = diag(s²·(XᵀWX)⁻¹) (or (JᵀWJ)⁻¹ for the nonlinear fit, as
//     curve_fit's pcov); a log-space a's interval is exp of ln a's, so it is
//     asymmetric; prediction intervals add s² for a new observation.
//   - A log-space prediction exp(ln â + b̂·ln x) estimates the conditional
//     median, not the mean: Prediction.Kind says which.
//   - Cross-validation scores are on y (CV.R2Y = 1 − PRESS/SST, out of
//     sample) and in the fit space (CV.R2Fit, often called Q²): LeaveOneOut
//     (closed form from the hat matrix for least squares, refits for the
//     nonlinear fit), KFold (deterministic folds from a seed), HoldoutEven
//     (seed 004's protocol: train on 5 points spread over the range of x,
//     report each other point's error), Auto (the smallest k-fold RMSE on y)
//     and Evaluate (all of them).
//
// Degenerate input never yields a silent NaN: every fitter returns an error
// wrapping ErrTooFewPoints, ErrConstantX, ErrConstantY, ErrNonPositive,
// ErrNotFinite, ErrLength, ErrSingular, ErrNoConvergence or ErrModel.
//
// Large inputs are processed in blocks of 8192 points on GOMAXPROCS
// goroutines; partial sums are merged in block order, so results do not
// depend on the number of cores. Nothing costs more than O(n) time and
// O(n) memory beyond the input except leave-one-out of power-nls (n
// refits, up to Config.MaxRefitLOO points) and k-fold of polynomials
// (refits): straight-line fits transform x and y block by block; k-fold
// above 65,536 points uses per-fold sums or moments (ModelSpec.KFold);
// Folds and EvenIndices sort nothing of size n; the hold-out keeps its
// per-point predictions only when Config.HoldoutPoints says so.
package fit
