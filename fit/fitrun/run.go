// Package fitrun is `migreplay fit` as a library: it reads the x and y
// columns (and a class column) of a table, fits the chosen models per
// class with fit.Evaluate, and maps the results to the fits and
// predictions tables of package schema. The fit package itself stays on
// plain slices; this package is where it meets the tables.
package fitrun

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/internal/fault"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// Config is one run. The zero value of each field means its documented
// default.
type Config struct {
	// In is a Parquet file, a lake folder of one table (out/table=replay_run)
	// or a CSV file with a header.
	In string
	// X and Y name the predictor and response columns (required).
	X, Y string
	// By names the workload class column: one fit per distinct value
	// (sorted); "" fits all rows as one class.
	By string
	// Model is a registered model (fit.ParseModel), or "auto" to fit every
	// Auto candidate and select the smallest k-fold RMSE on y; "" means
	// "power".
	Model string
	// Predict lists x values at which the selected model predicts (rows
	// with source "request").
	Predict []float64
	// Fit sets the cross-validations and the hold-out; Fit.HoldoutPoints
	// decides whether each held-out point gets a predictions row (default:
	// classes of at most fit.MaxAutoPoints points).
	Fit fit.Config
}

// UsageError is a Config that cannot run (a model name, a missing column
// name); InputError an input that cannot be read (a missing file, a
// column that is absent or not numeric, no complete row). `migreplay fit`
// exits 2 on both.
type UsageError = fault.Usage

// InputError: see UsageError.
type InputError = fault.Input

// ClassesError says that some classes (or their predictions) failed; the
// others are in the Output, the failures in Output.Errors.
type ClassesError struct{ Failed, Classes int }

func (e *ClassesError) Error() string {
	return fmt.Sprintf("%d of %d classes could not be fitted (see the errors above)", e.Failed, e.Classes)
}

// Models parses Config.Model into the models to fit and whether it is auto.
func (c Config) models() ([]fit.Model, bool, error) {
	switch c.Model {
	case "auto":
		return fit.Models(), true, nil
	case "":
		return []fit.Model{fit.Power}, false, nil
	}
	m, err := fit.ParseModel(c.Model)
	if err != nil {
		return nil, false, &UsageError{Err: fmt.Errorf("--model: %w", err)}
	}
	return []fit.Model{m}, false, nil
}

// Run reads the input and fits every class. Errors: *UsageError,
// *InputError, or ctx's error; a class that cannot be fitted is not an
// error of Run but an entry of Output.Errors (Output.Err reports it).
func Run(ctx context.Context, cfg Config) (*Output, error) {
	if cfg.In == "" || cfg.X == "" || cfg.Y == "" {
		return nil, &UsageError{Err: errors.New("--in, --x and --y are required (migreplay help fit)")}
	}
	models, auto, err := cfg.models()
	if err != nil {
		return nil, err
	}
	groups, dropped, err := readGroups(cfg)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	out := &Output{Fits: []schema.FitResult{}, Predictions: []schema.FitPrediction{}, Errors: []ClassError{},
		DroppedRows: dropped, Classes: len(groups), names: names{cfg.X, cfg.Y, cfg.In}}
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.fitClass(g, models, auto, cfg)
	}
	return out, nil
}

// group is one class's points.
type group struct {
	class string
	x, y  []float64
}

// readGroups reads x, y and the class column and splits the rows by class
// (sorted by name, input order within a class), dropping rows where any is
// null. Without a class column the columns read are the group's slices.
func readGroups(cfg Config) ([]group, int, error) {
	fr, err := table.ReadFloatRows(cfg.In, []string{cfg.X, cfg.Y}, cfg.By)
	if err != nil {
		return nil, 0, columnFlag(err, cfg)
	}
	x, y := fr.Cols[0], fr.Cols[1]
	if len(x) == 0 {
		return nil, fr.Dropped, fmt.Errorf("%s: no rows with %s and %s both set", cfg.In, cfg.X, cfg.Y)
	}
	if cfg.By == "" {
		return []group{{x: x, y: y}}, fr.Dropped, nil
	}
	// A counting sort by class: one copy of the columns, in class order.
	start := make([]int, len(fr.Keys)+1)
	for _, c := range fr.Codes {
		start[c+1]++
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	gx, gy := make([]float64, len(x)), make([]float64, len(y))
	next := append([]int(nil), start...)
	for i, c := range fr.Codes {
		gx[next[c]], gy[next[c]] = x[i], y[i]
		next[c]++
	}
	groups := make([]group, len(fr.Keys))
	for c, k := range fr.Keys {
		lo, hi := start[c], start[c+1]
		groups[c] = group{class: k, x: gx[lo:hi:hi], y: gy[lo:hi:hi]}
	}
	return groups, fr.Dropped, nil
}

// columnFlag prefixes a column's error with the flag that named it, as
// "--x: …", when the message names the column.
func columnFlag(err error, cfg Config) error {
	msg := err.Error()
	for _, f := range []struct{ flag, col string }{{"--x", cfg.X}, {"--y", cfg.Y}, {"--by", cfg.By}} {
		if f.col != "" && strings.Contains(msg, fmt.Sprintf("column %q", f.col)) {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
	}
	return err
}

// fitClass fits one class: every model (for auto, the candidate with the
// smallest k-fold RMSE on y is selected, as fit.Auto selects), then the
// selected model's predictions at the requested x and, when kept, at the
// held-out points.
func (o *Output) fitClass(g group, models []fit.Model, auto bool, cfg Config) {
	reps := make([]*fit.Report, len(models))
	cands := make([]fit.Candidate, len(models))
	for i, m := range models {
		rep, err := fit.Evaluate(m, g.x, g.y, nil, cfg.Fit)
		reps[i], cands[i] = rep, fit.Candidate{Model: m, Err: err}
		if rep != nil {
			cands[i].CV, cands[i].Err = rep.KFold, rep.KFoldErr
		}
	}
	best := 0
	if auto {
		var err error
		if best, err = fit.Pick(cands); err != nil {
			o.Errors = append(o.Errors, ClassError{Class: g.class, Model: "auto", Error: err.Error()})
			return
		}
	}
	for i, rep := range reps {
		if rep == nil {
			if !auto {
				o.Errors = append(o.Errors, ClassError{Class: g.class, Model: string(models[i]), Error: cands[i].Err.Error()})
			}
			continue
		}
		o.Fits = append(o.Fits, fitRow(g.class, rep, i == best, cfg))
	}
	sel := reps[best]
	if sel == nil {
		return
	}
	base := schema.FitPrediction{Class: g.class, Model: string(sel.Fit.Model), XCol: cfg.X, YCol: cfg.Y}
	for _, x := range cfg.Predict {
		p, err := sel.Fit.Predict(x)
		if err != nil {
			o.Errors = append(o.Errors, ClassError{Class: g.class, Model: string(sel.Fit.Model), Error: err.Error()})
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
