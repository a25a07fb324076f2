package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/migreplay/migreplay/internal/cli"
	"github.com/migreplay/migreplay/internal/shard"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/replay/lakeio"
	"github.com/migreplay/migreplay/schema"
)

func init() {
	register("replay", "replay a live migration round by round under Xen, QEMU or SimGrid rules", runReplay)
}

// replayHelp is printed under the flags.
const replayHelp = `
--config FILE: ` + cli.FileHelp + ` For example:

  {
    "memory": "8GiB", "bandwidth": "10Gbit/s", "policy": "qemu",
    "dirty-model": "hotcold", "dirty-rate": 20000, "auto-converge": true,
    "sweep": {"memory": ["4GiB", "8GiB", "16GiB"], "dirty-rate": "5000:50000:5000",
              "policy": ["qemu", "xen-legacy"], "cpu-cap": [0.25, 0.5, 1]},
    "analytic": true
  }

An option given as 0 where 0 is meaningless (--memory 0, --bandwidth 0,
--cpu-cap 0, --timeout 0, ...) is an error naming its range, never the
default; an option of a policy or dirty model not in use is an error too.

--dirty-trace LAKE takes a dirty-rate series from an ingested lake, from
--dirty-trace-source (default: qmp if the lake has qmp_migrate, else sar,
else xentop; --dirty-trace-run, -host and -domain choose one; for xentop,
--dirty-rate is the dirty rate per CPU). The text output says what it took:
` + lakeio.SourcesHelp + `

` + lakeio.CalibrateHelp + `

A dirty-rate CSV (--dirty-trace FILE): time s, rate pages/s; ` + replay.TraceRule + `
`

// replayFlags are the replay command's flags besides the options
// replay.NewConfig reads.
type replayFlags struct {
	config, trace, shard, calibrate, out, params string
	query                                        lakeio.Query
	sweep, fit                                   []string
	analytic, json, byGroup                      bool
	showRounds                                   int
}

func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("replay", "replay [flags]", stdout)
	var f replayFlags
	fs.StringVar(&f.config, "config", "", "JSON file of flag values and sweep ranges (see below); command-line flags override it")
	// the replay's options, by the names replay.NewConfig reads: Config's
	// settings and the registered policies' and dirty models' options
	var options []string
	for _, o := range replay.Options() {
		cli.TextVar(fs, o.Name, o.Unit, o.Help, o.Check)
		options = append(options, o.Name)
	}
	fs.StringVar(&f.trace, "dirty-trace", "", "dirty-rate series: CSV file (time s, rate pages/s) or a lake directory (see below)")
	fs.StringVar(&f.query.Source, "dirty-trace-source", "", "--dirty-trace lake: qmp|sar|xentop (default: qmp if the lake has qmp_migrate, else sar, else xentop)")
	fs.IntVar(&f.query.Run, "dirty-trace-run", 0, "--dirty-trace lake holding several migrations: use the N-th, ≥ 1 (as the error lists them)")
	fs.StringVar(&f.query.Host, "dirty-trace-host", "", "--dirty-trace lake: the host (sar: the guest; qmp, xentop: the hypervisor host)")
	fs.StringVar(&f.query.Domain, "dirty-trace-domain", "", "--dirty-trace lake, xentop: the domain (base name, without --incoming/--migratedaway)")
	fs.StringArrayVar(&f.sweep, "sweep", nil, "name=v1,v2 or name=lo:hi:step for memory, bandwidth, mtu, cpu-cap, dirty-rate, policy (repeatable)")
	fs.StringVar(&f.shard, "shard", "", "--sweep: this process's share as INDEX/COUNT (0-based): the blocks of 64 points b with b mod COUNT = INDEX; default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX + MIGREPLAY_SHARDS, else all")
	fs.BoolVar(&f.analytic, "analytic", false, "use the analytic fast path (Liu et al. 2011) instead of the page-level engine")
	fs.StringVar(&f.calibrate, "calibrate", "", "lake directory: calibrate on its measured migrations (qmp_migrate) and report leave-one-out errors")
	fs.BoolVar(&f.byGroup, "by-group", false, "--calibrate: fit each group of similar runs (idle, pre-copy, auto-converge, post-copy) on its own")
	fs.StringSliceVar(&f.fit, "fit", nil, "--calibrate: free parameters, of efficiency, state-time, working-set, hot-share, cpu-rate (default efficiency,state-time,working-set)")
	fs.StringVar(&f.params, "params", "", "fitted parameters (the JSON of --calibrate LAKE --json, or its \"fit\") to replay with; a fitted option given as a flag too is an error")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of tables")
	fs.StringVar(&f.out, "out", "", "write replay_run and replay_round Parquet tables under this lake directory")
	fs.IntVar(&f.showRounds, "show-rounds", 40, "rounds to print (first and last half), ≥ 0")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: migreplay replay [flags]\n\nflags:\n%s%s", fs.FlagUsages(), replayHelp)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.config != "" {
		if err := cli.ApplyFile(fs, f.config, "config"); err != nil {
			return usageErr("--config: %v", err)
		}
	}
	switch { // flags whose 0 or negative means nothing
	case f.showRounds < 0:
		return usageErr("--show-rounds %d: want ≥ 0", f.showRounds)
	case fs.Changed("dirty-trace-run") && f.query.Run < 1:
		return usageErr("--dirty-trace-run %d: want ≥ 1 (leave it out when the lake holds one migration)", f.query.Run)
	case fs.Changed("shard") && (len(f.sweep) == 0 || f.calibrate != ""):
		return usageErr("--shard splits a --sweep; a single replay or --calibrate runs whole")
	}
	values := replay.Values(cli.Given(fs, options))
	if f.calibrate != "" {
		return replayCalibrate(fs, f, values, stdout)
	}
	var series lakeio.Series
	if f.trace != "" {
		var err error
		if series, err = readTrace(f, values); err != nil {
			return err
		}
	}
	cfg, err := replay.NewConfig(values, series.Trace)
	if err != nil {
		return optionErr(err)
	}
	note, err := lakeio.Measured(&cfg, series, f.params, values)
	if err != nil {
		return optionErr(err)
	}
	sw := replay.Sweep{Base: cfg, Analytic: f.analytic}
	if len(f.sweep) > 0 {
		if sw, err = replay.ParseSweep(cfg, f.sweep, values); err != nil {
			return usageErr("--sweep: %v", err)
		}
		sw.Analytic = f.analytic
		if sw.Shard, err = shard.Parse(f.shard, os.Getenv); err != nil {
			return usageErr("%v", err)
		}
	}
	if err := replay.UnusedOptions(values, sw.Policies(), []string{cfg.DirtyModel.Name()}); err != nil {
		return optionErr(err)
	}
	if note != "" && !f.json {
		fmt.Fprintf(stdout, "%s\n\n", note)
	}
	return replayRun(ctx, sw, f, stdout)
}

// readTrace reads --dirty-trace (lakeio.ReadTraceOptions); a choice the
// lake leaves open names the flag that makes it.
func readTrace(f replayFlags, values replay.Values) (lakeio.Series, error) {
	s, err := lakeio.ReadTraceOptions(f.trace, f.query, values)
	var ce *lakeio.ChoiceError
	switch {
	case errors.As(err, &ce):
		return s, usageErr("--dirty-trace: %v with %s", err, traceChoiceFlags[ce.Field])
	case err != nil:
		return s, usageErr("--dirty-trace: %v", err)
	}
	return s, nil
}

// traceChoiceFlags are the flags that make the choices a
// lakeio.ChoiceError asks for, by Query field.
var traceChoiceFlags = map[string]string{
	"Host": "--dirty-trace-host", "Run": "--dirty-trace-run N", "Domain": "--dirty-trace-domain",
	"DirtyPerCPU": "--dirty-rate (page writes/s at 100 % of one CPU)",
}

// optionErr is a usage error; one about an option names its flag.
func optionErr(err error) error {
	var oe *replay.OptionError
	if errors.As(err, &oe) {
		oe.Name = "--" + oe.Name
		return usageErr("%v", oe)
	}
	return usageErr("%v", err)
}

// replayRun runs a sweep (a single replay is one of one point), writes
// its blocks to --out and prints them.
func replayRun(ctx context.Context, sw replay.Sweep, f replayFlags, stdout io.Writer) error {
	rs, err := sw.Run(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Err != nil && len(f.sweep) > 0 {
			return usageErr("sweep configuration %d: %v", r.Index, r.Err)
		} else if r.Err != nil {
			return usageErr("%v", r.Err)
		}
	}
	blocks, err := replay.SweepBlocks(rs, map[bool]string{false: "page", true: "analytic"}[sw.Analytic])
	if err != nil {
		return err
	}
	if f.out != "" {
		// provenance without --shard: the shards of a sweep write the
		// files one process would, byte for byte
		meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: cli.CommandLine(os.Args[1:], []string{"--shard"}, nil)}
		if _, err := lakeio.Write(f.out, blocks, meta); err != nil {
			return fmt.Errorf("write %s: %w", f.out, err)
		}
	}
	switch {
	case len(f.sweep) > 0 && f.json:
		return replay.WriteSweepJSON(stdout, blocks)
	case len(f.sweep) > 0:
		return replay.WriteSweepText(stdout, rs)
	}
	rv, err := replay.Resolve(rs[0].Config)
	if err != nil {
		return err
	}
	if f.json {
		return replay.WriteJSON(stdout, rv, rs[0].Result)
	}
	return replay.WriteText(stdout, rv, rs[0].Result, f.showRounds)
}

// calibrateFlags are the flags --calibrate reads; the others describe a
// replay it does not run.
var calibrateFlags = []string{"calibrate", "config", "fit", "by-group", "json", "policy", "downtime-limit", "mtu", "bandwidth",
	"downtime-ramp", "ramp-max", "ramp-steps", "ramp-after", "ramp-cooldown", "xen-rate-adapt", "xen-no-skip"}

// replayCalibrate runs --calibrate: fit on a lake's measured migrations
// and report leave-one-out errors.
func replayCalibrate(fs *pflag.FlagSet, f replayFlags, values replay.Values, stdout io.Writer) error {
	if name := cli.Outside(fs, calibrateFlags); name != "" {
		return usageErr("--%s does not apply to --calibrate (it reads the migrations' own figures from the lake)", name)
	}
	cfg, err := replay.NewConfig(values, nil)
	if err != nil {
		return optionErr(err)
	}
	if err := replay.UnusedOptions(values, []string{cfg.Policy.Name()}, nil); err != nil {
		return optionErr(err)
	}
	qo := replay.QMPOptions{Policy: cfg.Policy, DowntimeLimit: cfg.DowntimeLimit, Bandwidth: cfg.Bandwidth, MTU: cfg.MTU}
	lc, err := lakeio.Calibrate(f.calibrate, qo, replay.CalibrateOptions{Fit: f.fit, ByGroup: f.byGroup})
	if err != nil {
		if errors.Is(err, replay.ErrCalibrate) || errors.Is(err, replay.ErrTrace) {
			return usageErr("--calibrate %s: %v", f.calibrate, err)
		}
		return err
	}
	if f.json {
		return replay.WriteCalibrationJSON(stdout, f.calibrate, lc)
	}
	return replay.WriteCalibrationText(stdout, f.calibrate, lc)
}
