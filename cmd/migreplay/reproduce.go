package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/migreplay/migreplay/analysis/reproduce"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

func init() {
	register("reproduce", "regenerate seed 004's R² and seed 001's packet-size fits from one calibration; published against ours", runReproduce)
}

func runReproduce(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("reproduce", "reproduce [--json] [--out DIR] [--seed N] [--engine analytic|page]", stdout)
	var cfg reproduce.Config
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the measurement noise (and of the page-level engine)")
	engine := fs.String("engine", "analytic", "replay engine: analytic (fast path) or page (page by page, about 1 s)")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of tables")
	out := fs.String("out", "", "write the reproduce and reproduce_point tables under this lake folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *engine {
	case "analytic":
	case "page":
		cfg.PageLevel = true
	default:
		return usageErr("--engine %q: want analytic or page", *engine)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep, err := reproduce.Run(cfg)
	if err != nil {
		return err
	}
	if *out != "" {
		res, pts := rep.Rows()
		meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine(), schema.MetaSource: "datasets/seeds (embedded)"}
		if _, err := lake.Write(*out, meta, lake.RowsOf(res), lake.RowsOf(pts)); err != nil {
			return fmt.Errorf("writing the reproduce and reproduce_point tables to %s: %w", *out, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}
