package schema

// FitResult is one model fitted to one workload class by `migreplay fit`.
// Not partitioned: table=fits/part-<hash>.parquet.
//
// Parameters are named a, b, c, … j in the order of the formula column
// (y = a·x^b, y = a + b·x + c·x², …); those a model does not have are null.
// FitParamCols is how many the table holds: the fit package's registry is
// checked against it (a test), so every parameter of every model is kept. Two R² conventions are kept apart: *_fit columns are computed in
// the space where least squares was done (space = log for the log-space
// power and exp fits, i.e. what a spreadsheet trend line reports), *_y
// columns judge ŷ against y itself.
type FitResult struct {
	Class   string `parquet:"class,dict,zstd" json:"class" doc:"workload class: the value of the --by column (empty when not grouped)"`
	Model   string `parquet:"model,dict,zstd" json:"model" doc:"model name, one of the fit package's registry (migreplay help fit lists each with its formula and where its least squares is done)"`
	Formula string `parquet:"formula,dict,zstd" json:"formula" doc:"the model with its parameter names, e.g. y = a·x^b"`
	Space   string `parquet:"space,dict,zstd" json:"space" doc:"where least squares was done: y, or log (ln y = ln a + …) for power and exp"`
	XCol    string `parquet:"x_col,dict,zstd" json:"x_col" doc:"predictor column of the input"`
	YCol    string `parquet:"y_col,dict,zstd" json:"y_col" doc:"response column of the input"`
	Source  string `parquet:"source,dict,zstd" json:"source" doc:"input file or folder as given to --in"`
	N       int64  `parquet:"n,zstd" json:"n" doc:"points fitted" unit:"points"`
	Params  int64  `parquet:"params,zstd" json:"params" doc:"fitted parameters p; residual degrees of freedom are n − p" unit:"parameters"`
	// Selected marks the model used for predictions: the only row of a class
	// for a fixed --model, the best k-fold RMSE on y for --model auto.
	Selected bool `parquet:"selected,zstd" json:"selected" doc:"the model used for this class's predictions (--model auto: smallest k-fold RMSE on y)"`

	A         float64  `parquet:"a,zstd" json:"a" doc:"parameter a (intercept, or the factor of power and exp)" unit:"per formula"`
	ASE       float64  `parquet:"a_se,zstd" json:"a_se" doc:"standard error of a; of ln a when a_log_scale" unit:"per formula"`
	ALo       float64  `parquet:"a_lo,zstd" json:"a_lo" doc:"95 % confidence interval of a, lower bound: a − t·se, or exp(ln a − t·se) when a_log_scale" unit:"per formula"`
	AHi       float64  `parquet:"a_hi,zstd" json:"a_hi" doc:"95 % confidence interval of a, upper bound" unit:"per formula"`
	ALogScale bool     `parquet:"a_log_scale,zstd" json:"a_log_scale" doc:"a was estimated as ln a (space = log): a_se is the SE of ln a and the interval is asymmetric"`
	B         float64  `parquet:"b,zstd" json:"b" doc:"parameter b (slope, exponent or rate)" unit:"per formula"`
	BSE       float64  `parquet:"b_se,zstd" json:"b_se" doc:"standard error of b" unit:"per formula"`
	BLo       float64  `parquet:"b_lo,zstd" json:"b_lo" doc:"95 % confidence interval of b, lower bound: b − t·se" unit:"per formula"`
	BHi       float64  `parquet:"b_hi,zstd" json:"b_hi" doc:"95 % confidence interval of b, upper bound: b + t·se" unit:"per formula"`
	C         *float64 `parquet:"c,optional,zstd" json:"c" doc:"parameter c, the third of the formula (x^2 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	CSE       *float64 `parquet:"c_se,optional,zstd" json:"c_se" doc:"standard error of c" unit:"per formula"`
	CLo       *float64 `parquet:"c_lo,optional,zstd" json:"c_lo" doc:"95 % confidence interval of c, lower bound" unit:"per formula"`
	CHi       *float64 `parquet:"c_hi,optional,zstd" json:"c_hi" doc:"95 % confidence interval of c, upper bound" unit:"per formula"`
	D         *float64 `parquet:"d,optional,zstd" json:"d" doc:"parameter d, the fourth of the formula (x^3 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	DSE       *float64 `parquet:"d_se,optional,zstd" json:"d_se" doc:"standard error of d" unit:"per formula"`
	DLo       *float64 `parquet:"d_lo,optional,zstd" json:"d_lo" doc:"95 % confidence interval of d, lower bound" unit:"per formula"`
	DHi       *float64 `parquet:"d_hi,optional,zstd" json:"d_hi" doc:"95 % confidence interval of d, upper bound" unit:"per formula"`
	E         *float64 `parquet:"e,optional,zstd" json:"e" doc:"parameter e, the fifth of the formula (x^4 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	ESE       *float64 `parquet:"e_se,optional,zstd" json:"e_se" doc:"standard error of e" unit:"per formula"`
	ELo       *float64 `parquet:"e_lo,optional,zstd" json:"e_lo" doc:"95 % confidence interval of e, lower bound" unit:"per formula"`
	EHi       *float64 `parquet:"e_hi,optional,zstd" json:"e_hi" doc:"95 % confidence interval of e, upper bound" unit:"per formula"`
	F         *float64 `parquet:"f,optional,zstd" json:"f" doc:"parameter f, the sixth of the formula (x^5 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	FSE       *float64 `parquet:"f_se,optional,zstd" json:"f_se" doc:"standard error of f" unit:"per formula"`
	FLo       *float64 `parquet:"f_lo,optional,zstd" json:"f_lo" doc:"95 % confidence interval of f, lower bound" unit:"per formula"`
	FHi       *float64 `parquet:"f_hi,optional,zstd" json:"f_hi" doc:"95 % confidence interval of f, upper bound" unit:"per formula"`
	G         *float64 `parquet:"g,optional,zstd" json:"g" doc:"parameter g, the seventh of the formula (x^6 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	GSE       *float64 `parquet:"g_se,optional,zstd" json:"g_se" doc:"standard error of g" unit:"per formula"`
	GLo       *float64 `parquet:"g_lo,optional,zstd" json:"g_lo" doc:"95 % confidence interval of g, lower bound" unit:"per formula"`
	GHi       *float64 `parquet:"g_hi,optional,zstd" json:"g_hi" doc:"95 % confidence interval of g, upper bound" unit:"per formula"`
	H         *float64 `parquet:"h,optional,zstd" json:"h" doc:"parameter h, the eighth of the formula (x^7 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	HSE       *float64 `parquet:"h_se,optional,zstd" json:"h_se" doc:"standard error of h" unit:"per formula"`
	HLo       *float64 `parquet:"h_lo,optional,zstd" json:"h_lo" doc:"95 % confidence interval of h, lower bound" unit:"per formula"`
	HHi       *float64 `parquet:"h_hi,optional,zstd" json:"h_hi" doc:"95 % confidence interval of h, upper bound" unit:"per formula"`
	I         *float64 `parquet:"i,optional,zstd" json:"i" doc:"parameter i, the ninth of the formula (x^8 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	ISE       *float64 `parquet:"i_se,optional,zstd" json:"i_se" doc:"standard error of i" unit:"per formula"`
	ILo       *float64 `parquet:"i_lo,optional,zstd" json:"i_lo" doc:"95 % confidence interval of i, lower bound" unit:"per formula"`
	IHi       *float64 `parquet:"i_hi,optional,zstd" json:"i_hi" doc:"95 % confidence interval of i, upper bound" unit:"per formula"`
	J         *float64 `parquet:"j,optional,zstd" json:"j" doc:"parameter j, the tenth of the formula (x^9 term of a polynomial); null when the model has fewer parameters" unit:"per formula"`
	JSE       *float64 `parquet:"j_se,optional,zstd" json:"j_se" doc:"standard error of j" unit:"per formula"`
	JLo       *float64 `parquet:"j_lo,optional,zstd" json:"j_lo" doc:"95 % confidence interval of j, lower bound" unit:"per formula"`
	JHi       *float64 `parquet:"j_hi,optional,zstd" json:"j_hi" doc:"95 % confidence interval of j, upper bound" unit:"per formula"`
	TQuantile float64  `parquet:"t_quantile,zstd" json:"t_quantile" doc:"Student t 0.975 quantile on n − p degrees of freedom, the multiplier of every 95 % interval" unit:"1"`

	R2Fit    float64 `parquet:"r2_fit,zstd" json:"r2_fit" doc:"R² = 1 − SSE/SST in the fit space (ln y when space = log: a spreadsheet's power trend line R²)" unit:"1"`
	AdjR2Fit float64 `parquet:"adj_r2_fit,zstd" json:"adj_r2_fit" doc:"adjusted R² in the fit space, 1 − (n−1)/(n−p)·(1 − r2_fit)" unit:"1"`
	SigmaFit float64 `parquet:"sigma_fit,zstd" json:"sigma_fit" doc:"residual standard error sqrt(SSE/(n−p)) in the fit space (units of ln y when space = log)" unit:"y or ln y"`
	R2Y      float64 `parquet:"r2_y,zstd" json:"r2_y" doc:"R² on y itself, 1 − Σ(y−ŷ)²/Σ(y−ȳ)² (MATLAB fit, Origin); can be negative for a log-space fit" unit:"1"`
	AdjR2Y   float64 `parquet:"adj_r2_y,zstd" json:"adj_r2_y" doc:"adjusted R² on y, 1 − (n−1)/(n−p)·(1 − r2_y)" unit:"1"`
	Corr2Y   float64 `parquet:"corr2_y,zstd" json:"corr2_y" doc:"squared Pearson correlation of y and ŷ" unit:"1"`
	RMSE     float64 `parquet:"rmse,zstd" json:"rmse" doc:"root mean square error on y, sqrt(Σ(y−ŷ)²/n): denominator n" unit:"as y"`
	RMSEDf   float64 `parquet:"rmse_df,zstd" json:"rmse_df" doc:"sqrt(Σ(y−ŷ)²/(n−p)): denominator n − p" unit:"as y"`
	MAE      float64 `parquet:"mae,zstd" json:"mae" doc:"mean absolute error on y" unit:"as y"`
	MAPE     float64 `parquet:"mape,zstd" json:"mape" doc:"mean absolute percentage error on y over points with y ≠ 0" unit:"%"`

	LOORMSE  *float64 `parquet:"loo_rmse,optional,zstd" json:"loo_rmse" doc:"leave-one-out RMSE on y, sqrt(PRESS/n); null when leave-one-out could not run" unit:"as y"`
	LOOMAPE  *float64 `parquet:"loo_mape,optional,zstd" json:"loo_mape" doc:"leave-one-out mean absolute percentage error on y" unit:"%"`
	LOOR2Y   *float64 `parquet:"loo_r2_y,optional,zstd" json:"loo_r2_y" doc:"out-of-sample R² on y, 1 − PRESS/SST" unit:"1"`
	LOOR2Fit *float64 `parquet:"loo_r2_fit,optional,zstd" json:"loo_r2_fit" doc:"out-of-sample R² in the fit space (predicted R², Q²), 1 − PRESS_fit/SST_fit" unit:"1"`

	KFoldK    *int64   `parquet:"kfold_k,optional,zstd" json:"kfold_k" doc:"folds of the k-fold cross-validation (n when n ≤ --folds: leave-one-out); null when it could not run" unit:"folds"`
	KFoldSeed uint64   `parquet:"kfold_seed,zstd" json:"kfold_seed" doc:"seed of the fold assignment (splitmix64)"`
	KFoldRMSE *float64 `parquet:"kfold_rmse,optional,zstd" json:"kfold_rmse" doc:"k-fold cross-validated RMSE on y (--model auto picks the smallest)" unit:"as y"`
	KFoldMAPE *float64 `parquet:"kfold_mape,optional,zstd" json:"kfold_mape" doc:"k-fold cross-validated mean absolute percentage error on y" unit:"%"`
	KFoldR2Y  *float64 `parquet:"kfold_r2_y,optional,zstd" json:"kfold_r2_y" doc:"k-fold out-of-sample R² on y, 1 − PRESS/SST" unit:"1"`

	HoldoutTrain        *int64   `parquet:"holdout_train,optional,zstd" json:"holdout_train" doc:"seed 004's protocol: points trained on, spread evenly over the range of x (the rest are predicted; their predictions rows, source holdout, are written for classes of at most 100 points or with --holdout); null when too few points" unit:"points"`
	HoldoutMAE          *float64 `parquet:"holdout_mae,optional,zstd" json:"holdout_mae" doc:"mean absolute error of the held-out predictions" unit:"as y"`
	HoldoutMAPE         *float64 `parquet:"holdout_mape,optional,zstd" json:"holdout_mape" doc:"mean absolute percentage error of the held-out predictions" unit:"%"`
	HoldoutMaxAbsRelErr *float64 `parquet:"holdout_max_abs_rel_err,optional,zstd" json:"holdout_max_abs_rel_err" doc:"largest |predicted − measured|/measured among held-out points (1 minus it is the seed papers' worst accuracy)" unit:"1"`

	Notes string `parquet:"notes,zstd" json:"notes" doc:"why a check's columns are null, as 'loo: reason; kfold: reason; holdout: reason' (e.g. power-nls leave-one-out above 5,000 points, a class too small for the hold-out); empty when every check ran"`
}

func (*FitResult) TableName() string { return "fits" }

// FitParamCols is the number of parameters the fits table holds, a … j.
const FitParamCols = 10

// SetParam stores parameter j (0 for a, …) with its standard error and
// 95 % interval; false when the table has no columns for it.
func (r *FitResult) SetParam(j int, value, se, lo, hi float64) bool {
	switch j {
	case 0:
		r.A, r.ASE, r.ALo, r.AHi = value, se, lo, hi
	case 1:
		r.B, r.BSE, r.BLo, r.BHi = value, se, lo, hi
	default:
		cols := r.optParam(j)
		if cols == nil {
			return false
		}
		*cols[0], *cols[1], *cols[2], *cols[3] = &value, &se, &lo, &hi
	}
	return true
}

// Param returns parameter j (0 for a, …) with its standard error and
// interval; false when it is null or beyond the table's columns.
func (r *FitResult) Param(j int) (value, se, lo, hi float64, ok bool) {
	switch j {
	case 0:
		return r.A, r.ASE, r.ALo, r.AHi, true
	case 1:
		return r.B, r.BSE, r.BLo, r.BHi, true
	}
	cols := r.optParam(j)
	if cols == nil || *cols[0] == nil {
		return 0, 0, 0, 0, false
	}
	return **cols[0], **cols[1], **cols[2], **cols[3], true
}

// optParam is the value, SE, low and high fields of nullable parameter j
// (2 for c … 9 for j), nil outside.
func (r *FitResult) optParam(j int) []**float64 {
	all := [...][]**float64{
		{&r.C, &r.CSE, &r.CLo, &r.CHi}, {&r.D, &r.DSE, &r.DLo, &r.DHi},
		{&r.E, &r.ESE, &r.ELo, &r.EHi}, {&r.F, &r.FSE, &r.FLo, &r.FHi},
		{&r.G, &r.GSE, &r.GLo, &r.GHi}, {&r.H, &r.HSE, &r.HLo, &r.HHi},
		{&r.I, &r.ISE, &r.ILo, &r.IHi}, {&r.J, &r.JSE, &r.JLo, &r.JHi},
	}
	if j < 2 || j-2 >= len(all) {
		return nil
	}
	return all[j-2]
}

var _ = Register[FitResult]("Fitted models per workload class with every metric, each R² labelled by the space it was computed in (migreplay fit).")

// FitPrediction is one predicted y of a fitted model. Not partitioned:
// table=predictions/part-<hash>.parquet.
type FitPrediction struct {
	Class  string  `parquet:"class,dict,zstd" json:"class" doc:"workload class (empty when not grouped)"`
	Model  string  `parquet:"model,dict,zstd" json:"model" doc:"model that predicts (the fits row with selected = true)"`
	XCol   string  `parquet:"x_col,dict,zstd" json:"x_col" doc:"predictor column of the input"`
	YCol   string  `parquet:"y_col,dict,zstd" json:"y_col" doc:"response column of the input"`
	Source string  `parquet:"source,dict,zstd" json:"source" doc:"request (an --predict value, model fitted on all points) or holdout (seed 004's protocol: model fitted on the training points only; written for classes of at most 100 points, or for all with --holdout)"`
	X      float64 `parquet:"x,zstd" json:"x" doc:"predictor value" unit:"as x"`
	YPred  float64 `parquet:"y_pred,zstd" json:"y_pred" doc:"predicted y" unit:"as y"`
	Kind   string  `parquet:"kind,dict,zstd" json:"kind" doc:"what y_pred estimates: mean, or median for log-space fits (exp of the mean of ln y)"`
	ConfLo float64 `parquet:"conf_lo,zstd" json:"conf_lo" doc:"95 % confidence interval of the fitted curve at x, lower bound (statsmodels mean_ci; exp of the log-space bound when space = log)" unit:"as y"`
	ConfHi float64 `parquet:"conf_hi,zstd" json:"conf_hi" doc:"95 % confidence interval of the fitted curve, upper bound" unit:"as y"`
	PredLo float64 `parquet:"pred_lo,zstd" json:"pred_lo" doc:"95 % prediction interval of a new observation at x, lower bound (statsmodels obs_ci)" unit:"as y"`
	PredHi float64 `parquet:"pred_hi,zstd" json:"pred_hi" doc:"95 % prediction interval of a new observation, upper bound" unit:"as y"`

	YObserved *float64 `parquet:"y_observed,optional,zstd" json:"y_observed" doc:"measured y at x (holdout rows); null for requests" unit:"as y"`
	Err       *float64 `parquet:"err,optional,zstd" json:"err" doc:"y_pred − y_observed (holdout rows)" unit:"as y"`
	RelErr    *float64 `parquet:"rel_err,optional,zstd" json:"rel_err" doc:"(y_pred − y_observed)/y_observed (holdout rows); 1 − |rel_err| is the seed papers' accuracy" unit:"1"`
}

func (*FitPrediction) TableName() string { return "predictions" }

var _ = Register[FitPrediction]("Predicted y with 95 % confidence and prediction intervals: requested x values and seed 004's hold-out points (migreplay fit).")
