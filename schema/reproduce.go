package schema

// ReproduceResult is one published figure set against ours by `migreplay
// reproduce`: a seed 004 power model (our R² from replayed, noisy migration
// times against the paper's printed R²) or a seed 001 power fit of the
// paper's own times against packet size. Not partitioned:
// table=reproduce/part-<hash>.parquet.
//
// R² conventions are kept apart: r2_log is 1 − SSE/SST of ln y (a
// spreadsheet's power trend line, the paper's likely convention), r2_y
// judges the same curve on y.
type ReproduceResult struct {
	Study       string `parquet:"study,dict,zstd" json:"study" doc:"seed004 (migration time against a Dom0 CPU cap, replayed) or seed001 (the paper's times against packet size)"`
	Experiment  string `parquet:"experiment,dict,zstd" json:"experiment" doc:"seed 004: experiment_id of datasets/seeds/seed004_published_r2.csv; seed 001: <hypervisor>/<metric>"`
	Description string `parquet:"description,dict,zstd" json:"description" doc:"what was migrated and what was varied"`
	Source      string `parquet:"source,dict,zstd" json:"source" doc:"replay (points replayed by the calibrated model, with seeded noise) or published (the paper's own numbers)"`
	XCol        string `parquet:"x_col,dict,zstd" json:"x_col" doc:"predictor: source_dom0_cap_pct, destination_dom0_cap_pct or packet_size_bytes"`
	YCol        string `parquet:"y_col,dict,zstd" json:"y_col" doc:"response: migration_time_s, total_migration_time_s or downtime_s"`
	N           int64  `parquet:"n,zstd" json:"n" doc:"points fitted" unit:"points"`
	Excluded    int64  `parquet:"excluded,zstd" json:"excluded" doc:"printed points left out because they have no value (KVM-FV at 32 B never finished)" unit:"points"`

	A              *float64 `parquet:"a,optional,zstd" json:"a" doc:"power model y = a·x^b fitted on ln y (fit.FitPower): a; null when the fit failed (see note)" unit:"as y"`
	B              *float64 `parquet:"b,optional,zstd" json:"b" doc:"power model exponent b" unit:"1"`
	R2Log          *float64 `parquet:"r2_log,optional,zstd" json:"r2_log" doc:"R² of the log-space fit, 1 − SSE/SST of ln y (spreadsheet trend line)" unit:"1"`
	R2Y            *float64 `parquet:"r2_y,optional,zstd" json:"r2_y" doc:"R² of the same curve judged on y, 1 − Σ(y−ŷ)²/Σ(y−ȳ)²" unit:"1"`
	R2LogNoiseless *float64 `parquet:"r2_log_noiseless,optional,zstd" json:"r2_log_noiseless" doc:"replay only: r2_log of the noiseless replayed times (the model's shape without the measurement noise)" unit:"1"`

	PublishedR2        *float64 `parquet:"published_r2,optional,zstd" json:"published_r2" doc:"the paper's R² as a fraction; null when it prints none" unit:"1"`
	PublishedAsPrinted string   `parquet:"published_as_printed,dict,zstd" json:"published_as_printed" doc:"the paper's R² exactly as printed (94.1%); empty when none"`
	DiffLogPP          *float64 `parquet:"diff_log_pp,optional,zstd" json:"diff_log_pp" doc:"r2_log − published_r2" unit:"percentage points"`
	DiffYPP            *float64 `parquet:"diff_y_pp,optional,zstd" json:"diff_y_pp" doc:"r2_y − published_r2" unit:"percentage points"`
	AutoModel          *string  `parquet:"auto_model,optional,dict,zstd" json:"auto_model" doc:"seed 001: the model fit.Auto prefers (smallest cross-validated RMSE on y); null when none could be cross-validated (see note)"`

	HoldoutTrain        string   `parquet:"holdout_train,dict,zstd" json:"holdout_train" doc:"seed 004's protocol (line 179): the training x values, comma-separated, spread evenly over the range; empty when not run"`
	HoldoutMAE          *float64 `parquet:"holdout_mae,optional,zstd" json:"holdout_mae" doc:"mean |predicted − measured| over the held-out points" unit:"s"`
	HoldoutMAPE         *float64 `parquet:"holdout_mape,optional,zstd" json:"holdout_mape" doc:"mean |predicted − measured|/measured over the held-out points" unit:"%"`
	HoldoutMaxAbsRelErr *float64 `parquet:"holdout_max_abs_rel_err,optional,zstd" json:"holdout_max_abs_rel_err" doc:"largest |predicted − measured|/measured over the held-out points" unit:"1"`

	NoiseSigma float64 `parquet:"noise_sigma,zstd" json:"noise_sigma" doc:"replay: sd of ln(measured/replayed) per point (0 for published)" unit:"1"`
	Seed       uint64  `parquet:"seed,zstd" json:"seed" doc:"noise seed of the run; the same seed gives identical rows"`
	Engine     string  `parquet:"engine,dict,zstd" json:"engine" doc:"replay engine: analytic or page; empty for published"`
	SeedFile   string  `parquet:"seed_file,dict,zstd" json:"seed_file" doc:"seed paper file of the published value"`
	SeedLine   int64   `parquet:"seed_line,zstd" json:"seed_line" doc:"1-based line of the published value in seed_file (0 when none)" unit:"line"`
	Note       string  `parquet:"note,dict,zstd" json:"note" doc:"why a value is missing (fit or auto errors), empty otherwise"`
}

func (*ReproduceResult) TableName() string { return "reproduce" }

var _ = Register[ReproduceResult]("Published figures against ours (migreplay reproduce): seed 004's power-model R² against replayed migrations, seed 001's fits against packet size.")

// ReproducePoint is one point behind a reproduce row: a replayed migration
// (noiseless and with noise) or a published time, with the power curve and
// the hold-out prediction at it. Not partitioned:
// table=reproduce_point/part-<hash>.parquet.
type ReproducePoint struct {
	Study       string   `parquet:"study,dict,zstd" json:"study" doc:"seed004 or seed001"`
	Experiment  string   `parquet:"experiment,dict,zstd" json:"experiment" doc:"as in the reproduce table; also mem-read-domu and mem-write-domu (Figure 5 set-up, not fitted) and mtu-link/<metric>, mtu-cpu/<metric> (seed 001's MTU effect replayed)"`
	Source      string   `parquet:"source,dict,zstd" json:"source" doc:"replay or published"`
	XCol        string   `parquet:"x_col,dict,zstd" json:"x_col" doc:"source_dom0_cap_pct, destination_dom0_cap_pct, domu_cap_pct, packet_size_bytes or mtu_bytes"`
	X           float64  `parquet:"x,zstd" json:"x" doc:"the predictor's value" unit:"per x_col"`
	Y           float64  `parquet:"y,zstd" json:"y" doc:"the fitted value: measured (replayed × noise) or published" unit:"s"`
	YModel      *float64 `parquet:"y_model,optional,zstd" json:"y_model" doc:"replay: the noiseless replayed time; null for published" unit:"s"`
	YFit        *float64 `parquet:"y_fit,optional,zstd" json:"y_fit" doc:"the power curve fitted to all points, at x; null when not fitted" unit:"s"`
	Role        string   `parquet:"holdout_role,dict,zstd" json:"holdout_role" doc:"train or test in seed 004's hold-out protocol; empty when not run"`
	HoldoutPred *float64 `parquet:"holdout_pred,optional,zstd" json:"holdout_pred" doc:"test points: the prediction of the model fitted on the training points" unit:"s"`
	Rounds      *int64   `parquet:"rounds,optional,zstd" json:"rounds" doc:"replay: live pre-copy rounds" unit:"rounds"`
	StopReason  string   `parquet:"stop_reason,dict,zstd" json:"stop_reason" doc:"replay: Xen's rule that ended pre-copy (under 50 pages, iterations, 3x memory); empty for published"`
	RateBound   string   `parquet:"rate_bound,dict,zstd" json:"rate_bound" doc:"replay: what bound the stream: cpu (source Dom0), limit (destination Dom0) or link"`
	BytesSent   *int64   `parquet:"bytes_sent,optional,zstd" json:"bytes_sent" doc:"replay: migration stream bytes sent" unit:"B"`
	Seed        uint64   `parquet:"seed,zstd" json:"seed" doc:"noise seed of the run"`
}

func (*ReproducePoint) TableName() string { return "reproduce_point" }

var _ = Register[ReproducePoint]("The points behind the reproduce table: replayed migrations (noiseless and measured) and published times, with the fitted curve and hold-out predictions.")
