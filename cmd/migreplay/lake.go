package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/migreplay/migreplay/schema/lake"
)

func init() {
	register("lake", "check a lake (which sources and runs made each file; missing, duplicated, partial, unreadable) or recover interrupted commits", runLake)
}

func runLake(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("lake", "lake check|recover [--json] LAKE", stdout)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "check" && fs.Arg(0) != "recover" {
		return usageErr("want 'lake check LAKE' or 'lake recover LAKE'")
	}
	var rep interface{ WriteText(io.Writer) error }
	var problems int
	if fs.Arg(0) == "recover" {
		r, err := lake.Recover(fs.Arg(1))
		if err != nil {
			return err
		}
		rep = r
	} else {
		r, err := lake.Check(fs.Arg(1))
		if err != nil {
			return err
		}
		rep, problems = r, len(r.Problems)
	}
	var err error
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err == nil && problems > 0 {
		err = &exitError{code: 1, err: fmt.Errorf("%s: %d problems (listed above)", fs.Arg(1), problems)}
	}
	return err
}
