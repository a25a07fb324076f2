package main

import (
	"context"
	"fmt"
	"io"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/fit/fitrun"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

func init() {
	register("fit", "fit regression models per workload class: labelled R², intervals, cross-validation, predictions", runFit)
}

func runFit(ctx context.Context, args []string, stdout io.Writer) error {
	const synopsis = "fit --in PATH --x COL --y COL [--by COL] [--model M] [flags]"
	fs := newFlags("fit", synopsis, stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: migreplay %s\n\nflags:\n%s\nmodels:\n%s", synopsis, fs.FlagUsages(), fitrun.ModelsHelp())
	}
	var cfg fitrun.Config
	fs.StringVar(&cfg.In, "in", "", "Parquet file, lake folder of one table (e.g. out/table=replay_run) or CSV file with a header")
	fs.StringVar(&cfg.X, "x", "", "predictor column, e.g. cpu_cap")
	fs.StringVar(&cfg.Y, "y", "", "response column, e.g. total_time_s")
	fs.StringVar(&cfg.By, "by", "", "workload class column: one fit per distinct value (optional)")
	fs.StringVar(&cfg.Model, "model", "power", fitrun.ModelNames()+" (see models below)")
	fs.Float64SliceVar(&cfg.Predict, "predict", nil, "x values to predict, comma-separated")
	fs.IntVar(&cfg.Fit.Folds, "folds", 10, "k of k-fold cross-validation (k ≥ n: leave-one-out)")
	fs.Uint64Var(&cfg.Fit.Seed, "seed", 1, "seed of the k-fold assignment")
	fs.IntVar(&cfg.Fit.Train, "train", 5, "training points of seed 004's hold-out protocol (spread evenly over x)")
	holdout := fs.Bool("holdout", false, fmt.Sprintf("write a predictions row per held-out point (default: for classes of at most %d points; --holdout=false: never)", fit.MaxAutoPoints))
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("out", "", "write the fits and predictions tables under this lake folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cfg.Fit.Folds < 2 {
		return usageErr("--folds %d: need at least 2", cfg.Fit.Folds)
	}
	if cfg.Fit.Train < 1 {
		return usageErr("--train %d: need at least 1", cfg.Fit.Train)
	}
	if fs.Changed("holdout") {
		cfg.Fit.HoldoutPoints = fit.PointsNever
		if *holdout {
			cfg.Fit.HoldoutPoints = fit.PointsAlways
		}
	}
	res, err := fitrun.Run(ctx, cfg)
	if err != nil {
		return callerFault(err)
	}
	if *out != "" {
		if err := writeFitTables(*out, res, cfg.In); err != nil {
			return err
		}
	}
	if *asJSON {
		err = res.WriteJSON(stdout)
	} else {
		err = res.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	return res.Err()
}

// writeFitTables writes the fits and predictions tables under dir, as one
// run of the lake: both visible together or not at all.
func writeFitTables(dir string, res *fitrun.Output, source string) error {
	meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine(), schema.MetaSource: source}
	if _, err := lake.Write(dir, meta, lake.RowsOf(res.Fits), lake.RowsOf(res.Predictions)); err != nil {
		return fmt.Errorf("writing fits and predictions to %s: %w", dir, err)
	}
	return nil
}
