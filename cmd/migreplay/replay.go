package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/migreplay/migreplay/internal/shard"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

func init() {
	register("replay", "replay a live migration round by round under Xen, QEMU or SimGrid rules", runReplay)
}

// replayConfigHelp documents --config; printed under the flags.
const replayConfigHelp = `
--config FILE reads a JSON object whose keys are the flag names above and
whose values are what the flag takes: strings with units ("8GiB",
"10Gbit/s", "300ms"), numbers, or true/false. "sweep" takes an object of
parameter -> values (a "v1,v2" or "lo:hi:step" string, or a list) or a list
of "name=values" strings, as --sweep does. Flags given on the command line
override the file's values; a --sweep on the command line replaces the
file's values for its parameter only. For example:

  {
    "memory": "8GiB", "bandwidth": "10Gbit/s", "policy": "qemu",
    "dirty-model": "hotcold", "dirty-rate": 20000, "auto-converge": true,
    "sweep": {"memory": ["4GiB", "8GiB", "16GiB"], "dirty-rate": "5000:50000:5000",
              "policy": ["qemu", "xen-legacy"], "cpu-cap": [0.25, 0.5, 1]},
    "analytic": true
  }

--dirty-trace LAKE takes a dirty-rate series from an ingested lake, from
--dirty-trace-source (default: qmp if the lake has qmp_migrate, else sar,
else xentop):
  qmp     QEMU's ram.dirty-pages-rate of one migration (--dirty-trace-run N
          when the lake has several, --dirty-trace-host to narrow them);
  sar     fault/s + pgpgin/s (KiB/s, in pages) of sar -B run inside the
          guest (--dirty-trace-host names the guest): a lower bound, since
          writes to pages already mapped writable fault nothing;
  xentop  the domain's CPU(%) × --dirty-rate/100 (--dirty-rate is then the
          page writes/s of one fully busy CPU, required;
          --dirty-trace-domain and --dirty-trace-host select the domain):
          assumes the guest writes memory in proportion to its CPU work.
Each value covers the interval ending at its time stamp; the replayed
migration starts at the series' first sample. A replay of a qmp migration
takes the migration's own memory (ram.total), page size, zero share
(ram.duplicate) and stream rate (median ram.mbps, with no rate or CPU
limit) unless --memory, --page-size, --zero-share, --bandwidth,
--max-bandwidth, --cpu-rate or --cpu-cap say otherwise; xentop gives the
domain's memory (MEM(k)). The text output says what it took.

--calibrate LAKE reads every migration in the lake's qmp_migrate table
(polls grouped by host and split where a migration completes, fails or is
cancelled, where a setup poll follows, or where total_time_ms restarts),
fits the free parameters (--fit) to the completed ones and reports the
leave-one-out median absolute percentage error of total time, downtime,
iterations and bytes. QMP does not log the migration's parameters:
--downtime-limit, --downtime-ramp and --mtu say what they were.
`

func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("replay", "replay [flags]", stdout)
	configFile := fs.String("config", "", "JSON file of flag values and sweep ranges (see below); command-line flags override it")
	mem := fs.String("memory", "8GiB", "guest RAM (B, KiB, MiB, GiB, kB, MB, GB)")
	page := fs.String("page-size", "4KiB", "page size")
	bw := fs.String("bandwidth", "1Gbit/s", "link line rate, bits (Gbit/s, Mbps) or bytes (MiB/s, MB/s)")
	mtu := fs.Int("mtu", 1500, "IP MTU in bytes (40 B of IPv4+TCP headers per packet)")
	maxBW := fs.String("max-bandwidth", "", "hypervisor rate limit (default: policy's; QEMU 128MiB/s); 'none' for no limit")
	cpuCap := fs.Float64("cpu-cap", 1, "share of one CPU the sender may use (Dom0 cap), (0,1]")
	cpuRate := fs.String("cpu-rate", "", "stream rate of one full CPU at MTU 1500 (default 1.25GB/s; 'none': CPU never limits)")
	rate := fs.Float64("dirty-rate", 0, "guest page writes per second (cpu model and xentop traces: at 100% of one CPU; other traces: rescale to this mean)")
	trace := fs.String("dirty-trace", "", "dirty-rate series: CSV file (time s, rate pages/s) or a lake directory (see below)")
	var lt replay.LakeTrace
	fs.StringVar(&lt.Source, "dirty-trace-source", "", "--dirty-trace lake: qmp|sar|xentop (default: qmp if the lake has qmp_migrate, else sar, else xentop)")
	fs.IntVar(&lt.Run, "dirty-trace-run", 0, "--dirty-trace lake holding several migrations: use the N-th (1-based, as the error lists them)")
	fs.StringVar(&lt.Host, "dirty-trace-host", "", "--dirty-trace lake: the host (sar: the guest; qmp, xentop: the hypervisor host)")
	fs.StringVar(&lt.Domain, "dirty-trace-domain", "", "--dirty-trace lake, xentop: the domain (base name, without --incoming/--migratedaway)")
	model := fs.String("dirty-model", "uniform", "uniform|hotcold|zipf|trace|cpu")
	var mo replay.ModelOptions
	fs.Float64Var(&mo.HotShare, "hot-share", 0.1, "hotcold: share of pages in the hot set")
	fs.Float64Var(&mo.HotWrites, "hot-writes", 0.9, "hotcold: share of writes to the hot set")
	fs.Float64Var(&mo.ZipfS, "zipf-s", 1, "zipf: exponent")
	fs.Float64Var(&mo.Span, "working-set", 0, "zipf/cpu/trace: share of RAM written (default: zipf, trace 1; cpu 0.9)")
	fs.Float64Var(&mo.GuestCPU, "guest-cpu", 1, "cpu: guest CPU utilisation, in CPUs (DomU cap)")
	zero := fs.Float64("zero-share", 0, "share of pages zero at the start (sent as markers)")
	policy := fs.String("policy", "qemu", "xen-legacy|xen-v2|qemu|simgrid")
	downLimit := fs.Duration("downtime-limit", 0, "downtime limit (default: QEMU 300ms, SimGrid 30ms; with --downtime-ramp its start, default 150ms)")
	ramp := fs.Bool("downtime-ramp", false, "qemu: raise the downtime limit step by step as KubeVirt does (VEP 291)")
	var rp replay.DowntimeRamp
	fs.DurationVar(&rp.Max, "ramp-max", 0, "--downtime-ramp: ceiling (default 1050ms)")
	fs.IntVar(&rp.Steps, "ramp-steps", 0, "--downtime-ramp: equal increments from start to ceiling (default 7)")
	fs.IntVar(&rp.StartAfter, "ramp-after", 0, "--downtime-ramp: dirty-sync-count that starts the cooldown (default 3)")
	fs.DurationVar(&rp.Cooldown, "ramp-cooldown", 0, "--downtime-ramp: time between increases (default 10s)")
	auto := fs.Bool("auto-converge", false, "QEMU auto-converge throttling")
	post := fs.Int("postcopy-after", -1, "switch to post-copy after N live rounds (0: pure post-copy)")
	adapt := fs.Bool("xen-rate-adapt", false, "xen-legacy: Clark et al.'s rate adaptation (100→500 Mbit/s)")
	noSkip := fs.Bool("xen-no-skip", false, "xen-legacy: send pages re-dirtied during the round anyway")
	state := fs.Duration("state-time", 0, "stop-and-copy cost beyond RAM (default 10ms)")
	timeout := fs.Duration("timeout", 0, "give up on a migration that has not converged (default 1h)")
	seed := fs.Uint64("seed", 1, "PCG seed")
	sweep := fs.StringArray("sweep", nil, "name=v1,v2 or name=lo:hi:step for memory, bandwidth, mtu, cpu-cap, dirty-rate, policy (repeatable)")
	shardFlag := fs.String("shard", "", "--sweep: this process's share as INDEX/COUNT (0-based): the blocks of 64 points b with b mod COUNT = INDEX; default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX + MIGREPLAY_SHARDS, else all")
	analytic := fs.Bool("analytic", false, "use the analytic fast path (Liu et al. 2011) instead of the page-level engine")
	calibrate := fs.String("calibrate", "", "lake directory: calibrate on its measured migrations (qmp_migrate) and report leave-one-out errors")
	fitList := fs.StringSlice("fit", nil, "--calibrate: free parameters, of efficiency, state-time, working-set, hot-share, cpu-rate (default efficiency,state-time,working-set)")
	jsonOut := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("out", "", "write replay_run and replay_round Parquet tables under this lake directory")
	showRounds := fs.Int("show-rounds", 40, "rounds to print (first and last half)")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: migreplay replay [flags]\n\nflags:\n%s%s", fs.FlagUsages(), replayConfigHelp)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *configFile != "" {
		if err := applyConfigFile(fs, *configFile); err != nil {
			return usageErr("--config: %v", err)
		}
	}
	var cfg replay.Config
	var err error
	if cfg.Memory, err = replay.ParseSize(*mem); err != nil {
		return usageErr("--memory: %v", err)
	}
	if cfg.PageSize, err = replay.ParseSize(*page); err != nil {
		return usageErr("--page-size: %v", err)
	}
	if cfg.Bandwidth, err = replay.ParseRate(*bw); err != nil {
		return usageErr("--bandwidth: %v", err)
	}
	if cfg.MaxBandwidth, err = optRate(*maxBW); err != nil {
		return usageErr("--max-bandwidth: %v", err)
	}
	if cfg.CPURate, err = optRate(*cpuRate); err != nil {
		return usageErr("--cpu-rate: %v", err)
	}
	// policy options apply to the policy and to every policy swept
	withOptions := func(p replay.Policy) replay.Policy {
		switch v := p.(type) {
		case replay.XenLegacy:
			v.RateAdapt, v.NoSkip = *adapt, *noSkip
			return v
		case replay.QEMU:
			if *ramp {
				r := rp
				r.Initial = *downLimit
				v.Ramp = &r
			}
			return v
		}
		return p
	}
	if cfg.Policy, err = replay.ParsePolicy(*policy); err != nil {
		return usageErr("--policy: %v", err)
	}
	cfg.Policy = withOptions(cfg.Policy)
	if *ramp && cfg.Policy.Name() != "qemu" && len(*sweep) == 0 {
		return usageErr("--downtime-ramp: applies to --policy qemu, not %s", cfg.Policy.Name())
	}
	cfg.MTU, cfg.CPUCap, cfg.ZeroShare, cfg.DowntimeLimit, cfg.AutoConverge = *mtu, *cpuCap, *zero, *downLimit, *auto
	if fs.Changed("shard") && (len(*sweep) == 0 || *calibrate != "") {
		return usageErr("--shard splits a --sweep; a single replay or --calibrate runs whole")
	}
	if *calibrate != "" {
		qo := replay.QMPOptions{Policy: cfg.Policy, DowntimeLimit: cfg.DowntimeLimit}
		if fs.Changed("mtu") {
			qo.MTU = *mtu
		}
		return replayCalibrate(*calibrate, qo, *fitList, *jsonOut, stdout)
	}
	var note []string
	if *trace != "" {
		if fs.Changed("dirty-rate") {
			lt.RatePerCPU = *rate
		}
		lt.PageSize = cfg.PageSize
		series, err := loadTrace(*trace, lt)
		if err != nil {
			return usageErr("--dirty-trace: %v", err)
		}
		mo.Trace = series.Trace
		if !fs.Changed("dirty-model") {
			*model = "trace"
		}
		// a xentop series is already in page writes/s: --dirty-rate was
		// its rate per CPU, not a mean to rescale to
		mo.TraceScale = fs.Changed("dirty-rate") && series.Source != replay.SourceXentop
		if series.From != "" {
			note = append(note, "dirty-rate trace: "+series.From)
			note = append(note, lakeDefaults(fs, &cfg, series)...)
		}
	}
	if cfg.DirtyModel, err = replay.NewModel(*model, *rate, mo); err != nil {
		return usageErr("--dirty-model: %v", err)
	}
	cfg.Postcopy, cfg.PostcopyAfter = *post >= 0, max(*post, 0)
	cfg.StateTime, cfg.Timeout, cfg.Seed = *state, *timeout, *seed
	// provenance without --shard: the shards of a sweep write the files one
	// process would, byte for byte
	meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLineWithout(os.Args[1:], []string{"--shard"}, nil)}
	if len(note) > 0 && !*jsonOut {
		fmt.Fprintf(stdout, "%s\n\n", strings.Join(note, "\n"))
	}
	if len(*sweep) > 0 {
		sw, err := replay.ParseSweep(cfg, *sweep)
		if err != nil {
			return usageErr("--sweep: %v", err)
		}
		for i, p := range sw.Policy {
			sw.Policy[i] = withOptions(p)
		}
		sw.Analytic = *analytic
		if sw.Shard, err = shard.Parse(*shardFlag, os.Getenv); err != nil {
			return usageErr("%v", err)
		}
		return replaySweep(ctx, sw, *jsonOut, *out, meta, stdout)
	}
	return replayOne(ctx, cfg, *analytic, *jsonOut, *out, *showRounds, meta, stdout)
}

// loadTrace reads --dirty-trace: a CSV file, or a series from a lake
// directory (see replay.ReadLakeTrace). A CSV file's series has no From.
func loadTrace(path string, lt replay.LakeTrace) (replay.LakeSeries, error) {
	st, err := os.Stat(path)
	if err != nil {
		return replay.LakeSeries{}, err
	}
	if !st.IsDir() {
		if lt.Source != "" || lt.Run != 0 || lt.Host != "" || lt.Domain != "" {
			return replay.LakeSeries{}, fmt.Errorf("%s is a file: --dirty-trace-source, -run, -host and -domain apply to a lake directory", path)
		}
		t, err := replay.LoadTrace(path)
		return replay.LakeSeries{Trace: t}, err
	}
	s, err := replay.ReadLakeTrace(path, lt)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "migrations (") && lt.Run == 0:
			err = fmt.Errorf("%v; pick one with --dirty-trace-run N", err)
		case strings.Contains(msg, "hosts (") && lt.Host == "":
			err = hint(err, "--dirty-trace-host")
		case strings.Contains(msg, "domains besides Domain-0"):
			err = hint(err, "--dirty-trace-domain")
		case strings.Contains(msg, "one fully busy CPU"):
			err = fmt.Errorf("%v; give it with --dirty-rate (page writes/s at 100%% of one CPU)", err)
		}
	}
	return s, err
}

// hint names the flag that makes the choice an error asks for.
func hint(err error, flag string) error {
	if strings.HasSuffix(err.Error(), "pick one") {
		return fmt.Errorf("%v with %s", err, flag)
	}
	return fmt.Errorf("%v; choose with %s", err, flag)
}

// lakeDefaults applies what the lake measured of the replayed migration to
// cfg where the user (flags or --config) said nothing, and describes what
// it took:
//
//   - qmp: memory = ram.total, page size = ram.page-size, zero share =
//     ram.duplicate ÷ pages after the first pass, and the stream rate =
//     median ram.mbps as the bandwidth (the line rate whose goodput at the
//     MTU is that rate) with no rate limit and no CPU limit unless
//     --max-bandwidth, --cpu-rate or --cpu-cap are given (the measured
//     throughput already includes them);
//   - xentop: memory = the domain's largest MEM(k);
//   - sar: nothing (sar -B does not say how big the guest is).
func lakeDefaults(fs *pflag.FlagSet, cfg *replay.Config, s replay.LakeSeries) []string {
	var took []string
	set := func(flag string) bool { return !fs.Changed(flag) }
	switch {
	case s.Migration != nil:
		f := replay.FiguresFromQMP(*s.Migration)
		if set("memory") && f.Memory > 0 {
			cfg.Memory = f.Memory
			took = append(took, "memory "+replay.FormatBytes(float64(f.Memory))+" (ram.total)")
		}
		if set("page-size") && f.PageSize > 0 {
			cfg.PageSize = f.PageSize
			took = append(took, fmt.Sprintf("page size %d B (ram.page-size)", f.PageSize))
		}
		if set("zero-share") && f.HasZeroShare {
			cfg.ZeroShare = f.ZeroShare
			took = append(took, fmt.Sprintf("zero share %.3g (ram.duplicate)", f.ZeroShare))
		}
		if set("bandwidth") && f.Rate > 0 {
			cfg.Bandwidth = replay.LineRate(f.Rate, cfg.MTU)
			if set("max-bandwidth") {
				cfg.MaxBandwidth = -1
			}
			if set("cpu-rate") && set("cpu-cap") {
				cfg.CPURate = -1
			}
			took = append(took, "stream rate "+replay.FormatBitRate(f.Rate)+" (median ram.mbps)")
		}
	case s.Memory > 0 && set("memory"):
		cfg.Memory = s.Memory
		took = append(took, "memory "+replay.FormatBytes(float64(s.Memory))+" (xentop MEM(k))")
	}
	if len(took) == 0 {
		return nil
	}
	return []string{"from the lake: " + strings.Join(took, ", ") + "; flags override them"}
}

func replayOne(ctx context.Context, cfg replay.Config, analytic, jsonOut bool, out string, show int, meta map[string]string, stdout io.Writer) error {
	rv, err := replay.Resolve(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	engine, res := "page", replay.Result{}
	if analytic {
		engine = "analytic"
		res, err = replay.Analytic(cfg)
	} else {
		res, err = replay.RunContext(ctx, cfg)
	}
	if err != nil {
		return err
	}
	if out != "" {
		run, rounds, err := replay.Rows(cfg, res, engine, 0)
		if err != nil {
			return err
		}
		if _, err := replay.WriteLake(out, []schema.ReplayRun{run}, rounds, meta); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if jsonOut {
		return replay.WriteJSON(stdout, rv, res)
	}
	return replay.WriteText(stdout, rv, res, show)
}

func replaySweep(ctx context.Context, sw replay.Sweep, jsonOut bool, out string, meta map[string]string, stdout io.Writer) error {
	rs, err := sw.Run(ctx)
	if err != nil {
		return err
	}
	engine := map[bool]string{false: "page", true: "analytic"}[sw.Analytic]
	for _, r := range rs {
		if r.Err != nil {
			return usageErr("sweep configuration %d: %v", r.Index, r.Err)
		}
	}
	blocks, err := replay.SweepLakeBlocks(rs, engine)
	if err != nil {
		return err
	}
	if out != "" {
		if _, err := replay.WriteLakeBlocks(out, blocks, meta); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if jsonOut {
		bw := bufio.NewWriterSize(stdout, 64<<10)
		enc := json.NewEncoder(bw)
		for _, b := range blocks {
			for _, r := range b.Runs {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
		}
		return bw.Flush()
	}
	return replay.WriteSweepText(stdout, rs)
}

// replayCalibrate runs --calibrate: fit on a lake's measured migrations
// and report leave-one-out errors.
func replayCalibrate(lake string, qo replay.QMPOptions, fit []string, jsonOut bool, stdout io.Writer) error {
	migs, err := replay.ReadQMPLake(lake)
	if err != nil {
		return usageErr("--calibrate: %v", err)
	}
	lc, err := replay.CalibrateQMP(migs, qo, replay.CalibrateOptions{Fit: fit})
	if err != nil {
		if errors.Is(err, replay.ErrCalibrate) {
			return usageErr("--calibrate %s: %v", lake, err)
		}
		return err
	}
	if jsonOut {
		return writeCalibrationJSON(stdout, lake, lc)
	}
	bw := bufio.NewWriter(stdout)
	c := lc.All
	fmt.Fprintf(bw, "calibrated on %d completed migrations of %s (%d skipped)\n", len(lc.Runs), lake, len(lc.Skipped))
	fmt.Fprintf(bw, "fit on all: %s (mean squared log error %.3g)\n", describeFit(c), c.Loss)
	if len(lc.LOO.Runs) > 0 {
		fmt.Fprintln(bw, "\nleave-one-out: each migration predicted by a fit on the others")
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "#\tmigration\ttime s\tpredicted\tdowntime ms\tpredicted\titerations\tpredicted\tMiB sent\tpredicted\t")
		for i, h := range lc.LOO.Runs {
			m, p := lc.Runs[i], h.Predicted
			down := p.Downtime
			if !p.Converged {
				down = p.ExpectedDowntime
			}
			fmt.Fprintf(tw, "%d\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%d\t%s\t%.0f\t\n", i+1, h.Name, m.TotalTime, p.TotalTime,
				m.Downtime*1e3, down*1e3, optNum(m.Rounds, 1), p.Syncs, optNum(m.Bytes, 1<<20), float64(p.Bytes)/(1<<20))
		}
		tw.Flush()
		r := lc.LOO
		fmt.Fprintf(bw, "\nmedian absolute percentage error: total time %s, downtime %s, iterations %s, bytes %s\n",
			pct(r.MdAPETotalTime), pct(r.MdAPEDowntime), pct(r.MdAPERounds), pct(r.MdAPEBytes))
	} else {
		fmt.Fprintln(bw, "one migration: no leave-one-out evaluation (it needs two)")
	}
	for _, s := range lc.Skipped {
		fmt.Fprintf(bw, "skipped: %s\n", s)
	}
	return bw.Flush()
}

func describeFit(c replay.Calibration) string {
	var s []string
	if c.Efficiency > 0 {
		s = append(s, fmt.Sprintf("efficiency %.3f", c.Efficiency))
	}
	if c.StateTime > 0 {
		s = append(s, fmt.Sprintf("state time %.1f ms", c.StateTime*1e3))
	}
	if c.WorkingSet > 0 {
		s = append(s, fmt.Sprintf("working set %.3f", c.WorkingSet))
	}
	if c.HotShare > 0 {
		s = append(s, fmt.Sprintf("hot share %.3g", c.HotShare))
	}
	if c.CPURate > 0 {
		s = append(s, fmt.Sprintf("CPU rate %s", replay.FormatBitRate(c.CPURate)))
	}
	return strings.Join(s, ", ")
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f %%", 100*v)
}

func optNum(v, scale float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.0f", v/scale)
}

// writeCalibrationJSON prints --calibrate --json: the fit, the held-out
// predictions and the MdAPEs (fractions; null when unknown).
func writeCalibrationJSON(w io.Writer, lake string, lc replay.LakeCalibration) error {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	var runs []map[string]any
	for i, h := range lc.LOO.Runs {
		m, p := lc.Runs[i], h.Predicted
		runs = append(runs, map[string]any{"name": h.Name,
			"measured":  map[string]*float64{"total_time_s": num(m.TotalTime), "downtime_s": num(m.Downtime), "iterations": num(m.Rounds), "bytes": num(m.Bytes)},
			"predicted": map[string]any{"total_time_s": p.TotalTime, "downtime_s": p.Downtime, "iterations": p.Syncs, "bytes": p.Bytes, "converged": p.Converged},
			"ape":       map[string]*float64{"total_time": num(h.APETotalTime), "downtime": num(h.APEDowntime), "iterations": num(h.APERounds), "bytes": num(h.APEBytes)}})
	}
	c := lc.All
	doc := map[string]any{
		"lake": lake, "migrations": len(lc.Runs), "skipped": lc.Skipped,
		"fit": map[string]*float64{"efficiency": num(c.Efficiency), "state_time_s": num(c.StateTime), "working_set": num(c.WorkingSet),
			"hot_share": num(c.HotShare), "cpu_rate_bytes_per_s": num(c.CPURate), "loss": num(c.Loss)},
		"leave_one_out": runs,
		"mdape": map[string]*float64{"total_time": num(lc.LOO.MdAPETotalTime), "downtime": num(lc.LOO.MdAPEDowntime),
			"iterations": num(lc.LOO.MdAPERounds), "bytes": num(lc.LOO.MdAPEBytes)},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// optRate parses an optional rate flag: "" → 0 (default), "none" → −1.
func optRate(s string) (float64, error) {
	switch s {
	case "":
		return 0, nil
	case "none", "unlimited":
		return -1, nil
	}
	return replay.ParseRate(s)
}

// applyConfigFile sets every flag named in the JSON file at path that the
// command line did not set (see replayConfigHelp). Errors say
// file:line:col.
func applyConfigFile(fs *pflag.FlagSet, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	settings, err := readFlagFile(data)
	if err != nil {
		return fileErr(path, data, err)
	}
	// --sweep on the command line replaces the file's sweep of the same
	// parameter only
	cliSweep := map[string]bool{}
	if fs.Changed("sweep") {
		vals, _ := fs.GetStringArray("sweep")
		for _, v := range vals {
			name, _, _ := strings.Cut(v, "=")
			cliSweep[name] = true
		}
	}
	for _, s := range settings {
		f := fs.Lookup(s.key)
		if f == nil || s.key == "config" || s.key == "help" {
			var names []string
			fs.VisitAll(func(f *pflag.Flag) {
				if f.Name != "config" {
					names = append(names, f.Name)
				}
			})
			sort.Strings(names)
			return fileErr(path, data, &offsetError{s.off, fmt.Errorf("unknown key %q (keys are the flag names: %s)", s.key, strings.Join(names, ", "))})
		}
		if s.key == "sweep" {
			for _, v := range s.values {
				name, _, _ := strings.Cut(v, "=")
				if cliSweep[name] {
					continue
				}
				if err := fs.Set("sweep", v); err != nil {
					return fileErr(path, data, &offsetError{s.off, err})
				}
			}
			continue
		}
		if f.Changed {
			continue // the command line wins
		}
		if err := fs.Set(s.key, s.values[0]); err != nil {
			return fileErr(path, data, &offsetError{s.off, fmt.Errorf("%q: %v", s.key, err)})
		}
	}
	return nil
}

// flagSetting is one key of a flag file, with its values as flag text.
type flagSetting struct {
	key    string
	values []string
	off    int64 // byte offset of the key
}

type offsetError struct {
	off int64
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }

// fileErr locates err in data as path:line:col.
func fileErr(path string, data []byte, err error) error {
	var off int64 = -1
	var oe *offsetError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &oe):
		off, err = oe.off, oe.err
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return fmt.Errorf("%s: %v", path, err)
	}
	off = min(off, int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
}

// readFlagFile reads a flag file's top-level object in order.
func readFlagFile(data []byte) ([]flagSetting, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &offsetError{0, errors.New("want a JSON object of flag names and values")}
	}
	var out []flagSetting
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are strings
		off = skipSpace(data, off)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		vals, err := flagValues(key, raw)
		if err != nil {
			return nil, &offsetError{off, fmt.Errorf("%q: %v", key, err)}
		}
		out = append(out, flagSetting{key: key, values: vals, off: off})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &offsetError{dec.InputOffset(), errors.New("text after the object")}
	}
	return out, nil
}

// skipSpace moves off past JSON whitespace and a separating comma.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// flagValues turns a JSON value into flag text: a scalar gives one value;
// for "sweep", an object gives name=v1,v2 per member and a list gives its
// strings.
func flagValues(key string, raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	scalar := func(v any) (string, bool) {
		switch x := v.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			if x {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	if key != "sweep" {
		return nil, errors.New("takes one value, a string, number or true/false (only sweep takes lists and objects)")
	}
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			s, ok := scalar(e)
			if !ok {
				return nil, errors.New(`a sweep list holds "name=values" strings`)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		// members in file order
		var names []string
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.Token()
		for dec.More() {
			t, _ := dec.Token()
			names = append(names, t.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		var out []string
		for _, n := range names {
			var vals []string
			switch e := x[n].(type) {
			case []any:
				for _, el := range e {
					s, ok := scalar(el)
					if !ok {
						return nil, fmt.Errorf("sweep %s: want strings or numbers", n)
					}
					vals = append(vals, s)
				}
			default:
				s, ok := scalar(e)
				if !ok {
					return nil, fmt.Errorf("sweep %s: want a string, a number or a list", n)
				}
				vals = []string{s}
			}
			out = append(out, n+"="+strings.Join(vals, ","))
		}
		return out, nil
	}
	return nil, errors.New("want an object or a list")
}
