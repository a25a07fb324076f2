package fitrun

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/schema"
)

// Output is what `migreplay fit` prints (--json: these keys) and writes
// (--out: the fits and predictions tables).
type Output struct {
	Fits        []schema.FitResult     `json:"fits"`
	Predictions []schema.FitPrediction `json:"predictions"`
	Errors      []ClassError           `json:"errors"`
	DroppedRows int                    `json:"dropped_rows"` // null x, y or class
	Classes     int                    `json:"-"`            // classes fitted

	names names
}

type names struct{ x, y, source string }

// ClassError is one class (or one of its predictions) that failed.
type ClassError struct {
	Class string `json:"class"`
	Model string `json:"model,omitempty"`
	Error string `json:"error"`
}

// Err is a *ClassesError when some class failed, else nil.
func (o *Output) Err() error {
	if n := len(o.Errors); n > 0 {
		return &ClassesError{Failed: n, Classes: o.Classes}
	}
	return nil
}

// WriteJSON writes o as indented JSON (snake_case keys).
func (o *Output) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// WriteText writes the fits, the predictions and the errors as tables.
func (o *Output) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "fits of %s against %s (%s)", o.names.y, o.names.x, o.names.source)
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
		var params []string
		for j := range schema.FitParamCols {
			if v, _, lo, hi, ok := f.Param(j); ok {
				params = append(params, fmt.Sprintf("%s=%.4g [%.4g, %.4g]", fit.ParamName(j), v, lo, hi))
			}
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%d\t%s: %s\t%.4f %s\t%.4f\t%.4f\t%.4g\t%s\t%s\t%s\n", classLabel(f.Class), f.Model, mark, f.N,
			f.Formula, strings.Join(params, " "), f.R2Fit, f.Space, f.R2Y, f.Corr2Y, f.RMSE, optG(f.LOORMSE), optG(f.KFoldRMSE), optG(f.HoldoutMAPE))
	}
	tw.Flush()
	for _, f := range o.Fits {
		if f.Notes != "" {
			fmt.Fprintf(w, "note: class %s, %s: %s\n", classLabel(f.Class), f.Model, f.Notes)
		}
	}
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
	return nil
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

// ModelNames is the --model choices: every registered model, then auto.
func ModelNames() string {
	var n []string
	for _, s := range fit.Specs() {
		n = append(n, string(s.Name))
	}
	return strings.Join(append(n, "auto"), "|")
}

// ModelsHelp lists the registered models, one line each: name, formula,
// help, and whether auto tries it.
func ModelsHelp() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, s := range fit.Specs() {
		auto := ""
		if s.Candidate != 0 {
			auto = " [auto]"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", s.Name, s.Formula, s.Help, auto)
	}
	fmt.Fprintf(tw, "  auto\t\tfit every [auto] model, select the smallest k-fold RMSE on y\n")
	tw.Flush()
	return b.String()
}
