package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
	"github.com/migreplay/migreplay/schema/table"
)

func init() {
	register("fit", "fit regression models per workload class: labelled R², intervals, cross-validation, predictions", runFit)
}

func runFit(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("fit", "fit --in PATH --x COL --y COL [--by COL] [--model M] [flags]", stdout)
	in := fs.String("in", "", "Parquet file, lake folder of one table (e.g. out/table=replay_run) or CSV file with a header")
	xcol := fs.String("x", "", "predictor column, e.g. cpu_cap")
	ycol := fs.String("y", "", "response column, e.g. total_time_s")
	by := fs.String("by", "", "workload class column: one fit per distinct value (optional)")
	model := fs.String("model", "power", "linear|poly2|poly3|power|power-nls|exp|log|auto (auto: smallest k-fold RMSE on y)")
	predict := fs.Float64Slice("predict", nil, "x values to predict, comma-separated")
	var cfg fit.Config
	fs.IntVar(&cfg.Folds, "folds", 10, "k of k-fold cross-validation (k ≥ n: leave-one-out)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the k-fold assignment")
	fs.IntVar(&cfg.Train, "train", 5, "training points of seed 004's hold-out protocol (spread evenly over x)")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("out", "", "write the fits and predictions tables under this lake folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *xcol == "" || *ycol == "" {
		return usageErr("--in, --x and --y are required (migreplay help fit)")
	}
	models := fit.Models()
	if *model != "auto" {
		m, err := fit.ParseModel(*model)
		if err != nil {
			return usageErr("--model: %v", err)
		}
		models = []fit.Model{m}
	}
	if cfg.Folds < 2 {
		return usageErr("--folds %d: need at least 2", cfg.Folds)
	}
	cols := []string{*xcol, *ycol}
	if *by != "" {
		cols = append(cols, *by)
	}
	tbl, err := table.Read(*in, cols)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	groups, dropped, err := fitGroups(tbl, *xcol, *ycol, *by)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	res := fitOutput{Fits: []schema.FitResult{}, Predictions: []schema.FitPrediction{}, Errors: []fitError{}, DroppedRows: dropped}
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.fitClass(g, models, *model == "auto", cfg, *predict, fitNames{*xcol, *ycol, *in})
	}
	if *out != "" {
		meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine(), schema.MetaSource: *in}
		if _, err := lake.Write(*out, meta, lake.RowsOf(res.Fits), lake.RowsOf(res.Predictions)); err != nil {
			return fmt.Errorf("writing fits and predictions to %s: %w", *out, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		res.print(stdout, *xcol, *ycol, *in)
	}
	if n := len(res.Errors); n > 0 {
		return fmt.Errorf("%d of %d classes could not be fitted (see the errors above)", n, len(groups))
	}
	return nil
}

// fitGroup is one workload class's points.
type fitGroup struct {
	class string
	x, y  []float64
}

type fitNames struct{ x, y, source string }

// fitGroups splits the rows by class (sorted), dropping rows where x, y or
// the class is null.
func fitGroups(tbl *table.Table, xcol, ycol, by string) ([]fitGroup, int, error) {
	x, xv, err := tbl.Floats(xcol)
	if err != nil {
		return nil, 0, fmt.Errorf("--x: %w", err)
	}
	y, yv, err := tbl.Floats(ycol)
	if err != nil {
		return nil, 0, fmt.Errorf("--y: %w", err)
	}
	cls, cv := make([]string, tbl.Rows), make([]bool, tbl.Rows)
	for i := range cv {
		cv[i] = true
	}
	if by != "" {
		if cls, cv, err = tbl.Strings(by); err != nil {
			return nil, 0, fmt.Errorf("--by: %w", err)
		}
	}
	idx := map[string]*fitGroup{}
	dropped := 0
	for i := range tbl.Rows {
		if !xv[i] || !yv[i] || !cv[i] {
			dropped++
			continue
		}
		g := idx[cls[i]]
		if g == nil {
			g = &fitGroup{class: cls[i]}
			idx[cls[i]] = g
		}
		g.x = append(g.x, x[i])
		g.y = append(g.y, y[i])
	}
	out := make([]fitGroup, 0, len(idx))
	for _, g := range idx {
		out = append(out, *g)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].class < out[b].class })
	if len(out) == 0 {
		return nil, dropped, fmt.Errorf("%s: no rows with %s and %s both set", tbl.Source, xcol, ycol)
	}
	return out, dropped, nil
}

// fitOutput is what `migreplay fit` prints (--json) and writes (--out).
type fitOutput struct {
	Fits        []schema.FitResult     `json:"fits"`
	Predictions []schema.FitPrediction `json:"predictions"`
	Errors      []fitError             `json:"errors"`
	DroppedRows int                    `json:"dropped_rows"` // null x, y or class
}

type fitError struct {
	Class string `json:"class"`
	Model string `json:"model,omitempty"`
	Error string `json:"error"`
}

// fitClass fits one class: every candidate with --model auto (the best
// k-fold RMSE selected), else the one model; then predictions of the
// selected model at the requested x and at seed 004's held-out points.
func (o *fitOutput) fitClass(g fitGroup, models []fit.Model, auto bool, cfg fit.Config, xs []float64, nm fitNames) {
	best := models[0]
	if auto {
		var err error
		if best, _, err = fit.Auto(models, g.x, g.y, nil, cfg); err != nil {
			o.Errors = append(o.Errors, fitError{Class: g.class, Model: "auto", Error: err.Error()})
			return
		}
	}
	var sel *fit.Report
	for _, m := range models {
		rep, err := fit.Evaluate(m, g.x, g.y, nil, cfg)
		if err != nil {
			if !auto {
				o.Errors = append(o.Errors, fitError{Class: g.class, Model: string(m), Error: err.Error()})
			}
			continue
		}
		o.Fits = append(o.Fits, fitRow(g, rep, m == best, cfg, nm))
		if m == best {
			sel = rep
		}
	}
	if sel == nil {
		return
	}
	base := schema.FitPrediction{Class: g.class, Model: string(best), XCol: nm.x, YCol: nm.y}
	for _, x := range xs {
		p, err := sel.Fit.Predict(x)
		if err != nil {
			o.Errors = append(o.Errors, fitError{Class: g.class, Model: string(best), Error: err.Error()})
			continue
		}
		o.Predictions = append(o.Predictions, predRow(base, "request", p))
	}
	if h := sel.Holdout; h != nil {
		for _, pt := range h.Points {
			r := predRow(base, "holdout", pt.Pred)
			r.YObserved, r.Err, r.RelErr = ptrTo(pt.Y), ptrTo(pt.Err), ptrTo(pt.RelErr)
			o.Predictions = append(o.Predictions, r)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func predRow(r schema.FitPrediction, source string, p fit.Prediction) schema.FitPrediction {
	r.Source, r.X, r.YPred, r.Kind = source, p.X, p.Y, string(p.Kind)
	r.ConfLo, r.ConfHi, r.PredLo, r.PredHi = p.ConfLo, p.ConfHi, p.PredLo, p.PredHi
	return r
}

func fitRow(g fitGroup, rep *fit.Report, selected bool, cfg fit.Config, nm fitNames) schema.FitResult {
	r := rep.Fit
	row := schema.FitResult{
		Class: g.class, Model: string(r.Model), Formula: r.Model.Formula(), Space: string(r.Space),
		XCol: nm.x, YCol: nm.y, Source: nm.source, N: int64(r.N), Params: int64(r.P), Selected: selected,
		TQuantile: r.TQuantile, R2Fit: r.R2Fit, AdjR2Fit: r.AdjR2Fit, SigmaFit: r.Sigma,
		R2Y: r.R2Y, AdjR2Y: r.AdjR2Y, Corr2Y: r.Corr2, RMSE: r.RMSE, RMSEDf: r.RMSEDf, MAE: r.MAE, MAPE: r.MAPE,
		KFoldSeed: cfg.Seed,
	}
	p := r.Params
	row.A, row.ASE, row.ALo, row.AHi, row.ALogScale = p[0].Value, p[0].SE, p[0].Lo, p[0].Hi, p[0].LogScale
	row.B, row.BSE, row.BLo, row.BHi = p[1].Value, p[1].SE, p[1].Lo, p[1].Hi
	if len(p) > 2 {
		row.C, row.CSE, row.CLo, row.CHi = &p[2].Value, &p[2].SE, &p[2].Lo, &p[2].Hi
	}
	if len(p) > 3 {
		row.D, row.DSE, row.DLo, row.DHi = &p[3].Value, &p[3].SE, &p[3].Lo, &p[3].Hi
	}
	if cv := rep.LOO; cv != nil {
		row.LOORMSE, row.LOOMAPE, row.LOOR2Y, row.LOOR2Fit = &cv.RMSE, &cv.MAPE, &cv.R2Y, &cv.R2Fit
	}
	if cv := rep.KFold; cv != nil {
		row.KFoldK, row.KFoldRMSE, row.KFoldMAPE, row.KFoldR2Y = ptrTo(int64(cv.K)), &cv.RMSE, &cv.MAPE, &cv.R2Y
	}
	if h := rep.Holdout; h != nil {
		row.HoldoutTrain, row.HoldoutMAE, row.HoldoutMAPE = ptrTo(int64(len(h.Train))), &h.MAE, &h.MAPE
		row.HoldoutMaxAbsRelErr = &h.MaxAbsRelErr
	}
	return row
}

// print writes the fits, the predictions and the errors as tables.
func (o *fitOutput) print(w io.Writer, xcol, ycol, in string) {
	fmt.Fprintf(w, "fits of %s against %s (%s)", ycol, xcol, in)
	if o.DroppedRows > 0 {
		fmt.Fprintf(w, "; skipped %d row(s) with a null x, y or class", o.DroppedRows)
	}
	fmt.Fprintln(w, "\nR2_FIT is computed where least squares was done (log: ln y, as spreadsheets do); R2_Y on y itself.")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tMODEL\tN\tPARAMETERS [95% CI]\tR2_FIT\tR2_Y\tCORR2\tRMSE\tLOO_RMSE\tKFOLD_RMSE\tHOLDOUT_MAPE%")
	for _, f := range o.Fits {
		mark := ""
		if f.Selected {
			mark = "*"
		}
		params := fmt.Sprintf("a=%.4g [%.4g, %.4g] b=%.4g [%.4g, %.4g]", f.A, f.ALo, f.AHi, f.B, f.BLo, f.BHi)
		if f.C != nil {
			params += fmt.Sprintf(" c=%.4g [%.4g, %.4g]", *f.C, *f.CLo, *f.CHi)
		}
		if f.D != nil {
			params += fmt.Sprintf(" d=%.4g [%.4g, %.4g]", *f.D, *f.DLo, *f.DHi)
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%d\t%s: %s\t%.4f %s\t%.4f\t%.4f\t%.4g\t%s\t%s\t%s\n", classLabel(f.Class), f.Model, mark, f.N,
			f.Formula, params, f.R2Fit, f.Space, f.R2Y, f.Corr2Y, f.RMSE, optG(f.LOORMSE), optG(f.KFoldRMSE), optG(f.HoldoutMAPE))
	}
	tw.Flush()
	if len(o.Predictions) > 0 {
		fmt.Fprintln(w, "\npredictions (holdout: fitted on the training points only, seed 004's protocol)")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CLASS\tMODEL\tSOURCE\tX\tY_PRED\tKIND\t95% PREDICTION INTERVAL\tOBSERVED\tERROR%")
		for _, p := range o.Predictions {
			obs, rel := "", ""
			if p.YObserved != nil {
				obs, rel = fmt.Sprintf("%.4g", *p.YObserved), fmt.Sprintf("%+.1f", 100**p.RelErr)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%g\t%.4g\t%s\t[%.4g, %.4g]\t%s\t%s\n", classLabel(p.Class), p.Model, p.Source,
				p.X, p.YPred, p.Kind, p.PredLo, p.PredHi, obs, rel)
		}
		tw.Flush()
	}
	for _, e := range o.Errors {
		fmt.Fprintf(w, "error: class %s, %s: %s\n", classLabel(e.Class), e.Model, e.Error)
	}
}

func classLabel(c string) string {
	if c == "" {
		return "(all)"
	}
	if strings.ContainsAny(c, " \t") {
		return fmt.Sprintf("%q", c)
	}
	return c
}

func optG(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.4g", *v)
}
