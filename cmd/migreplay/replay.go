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
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

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
	// the replay's options, by the names replay.NewConfig reads: Config's
	// settings and the registered policies' and dirty models' options
	var options []string
	for _, o := range replay.Options() {
		cli.TextVar(fs, o.Name, o.Unit, o.Help, o.Check)
		options = append(options, o.Name)
	}
	trace := fs.String("dirty-trace", "", "dirty-rate series: CSV file (time s, rate pages/s) or a lake directory (see below)")
	var lt lakeio.Query
	fs.StringVar(&lt.Source, "dirty-trace-source", "", "--dirty-trace lake: qmp|sar|xentop (default: qmp if the lake has qmp_migrate, else sar, else xentop)")
	fs.IntVar(&lt.Run, "dirty-trace-run", 0, "--dirty-trace lake holding several migrations: use the N-th, ≥ 1 (as the error lists them)")
	fs.StringVar(&lt.Host, "dirty-trace-host", "", "--dirty-trace lake: the host (sar: the guest; qmp, xentop: the hypervisor host)")
	fs.StringVar(&lt.Domain, "dirty-trace-domain", "", "--dirty-trace lake, xentop: the domain (base name, without --incoming/--migratedaway)")
	sweep := fs.StringArray("sweep", nil, "name=v1,v2 or name=lo:hi:step for memory, bandwidth, mtu, cpu-cap, dirty-rate, policy (repeatable)")
	shardFlag := fs.String("shard", "", "--sweep: this process's share as INDEX/COUNT (0-based): the blocks of 64 points b with b mod COUNT = INDEX; default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX + MIGREPLAY_SHARDS, else all")
	analytic := fs.Bool("analytic", false, "use the analytic fast path (Liu et al. 2011) instead of the page-level engine")
	calibrate := fs.String("calibrate", "", "lake directory: calibrate on its measured migrations (qmp_migrate) and report leave-one-out errors")
	fitList := fs.StringSlice("fit", nil, "--calibrate: free parameters, of efficiency, state-time, working-set, hot-share, cpu-rate (default efficiency,state-time,working-set)")
	jsonOut := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("out", "", "write replay_run and replay_round Parquet tables under this lake directory")
	showRounds := fs.Int("show-rounds", 40, "rounds to print (first and last half), ≥ 0")
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
	if *showRounds < 0 {
		return usageErr("--show-rounds %d: want ≥ 0", *showRounds)
	}
	if fs.Changed("dirty-trace-run") && lt.Run < 1 {
		return usageErr("--dirty-trace-run %d: want ≥ 1 (leave it out when the lake holds one migration)", lt.Run)
	}
	values := replay.Values(cli.Given(fs, options))
	if fs.Changed("shard") && (len(*sweep) == 0 || *calibrate != "") {
		return usageErr("--shard splits a --sweep; a single replay or --calibrate runs whole")
	}
	if *calibrate != "" {
		return replayCalibrate(fs, *calibrate, values, *fitList, *jsonOut, stdout)
	}
	var note []string
	var series lakeio.Series
	if *trace != "" {
		var err error
		if lt.DirtyPerCPU, _, err = values.Float(replay.OptDirtyRate); err != nil {
			return optionErr(err)
		}
		if v, ok := values["page-size"]; ok {
			lt.PageSize, _ = replay.ParseSize(v) // the flag checked it
		}
		if series, err = lakeio.ReadTrace(*trace, lt); err != nil {
			var ce *lakeio.ChoiceError
			if errors.As(err, &ce) {
				return usageErr("--dirty-trace: %v with %s", err, traceChoiceFlags[ce.Field])
			}
			return usageErr("--dirty-trace: %v", err)
		}
		if m := values[replay.OptDirtyModel]; series.Source == lakeio.SourceXentop && (m == "" || m == "trace") {
			// a xentop series is already in page writes/s: --dirty-rate
			// was its rate per CPU, not a mean to rescale to
			delete(values, replay.OptDirtyRate)
		}
	}
	cfg, err := replay.NewConfig(values, series.Trace)
	if err != nil {
		return optionErr(err)
	}
	if series.From != "" {
		note = append(note, "dirty-rate trace: "+series.From)
		took, err := series.Apply(&cfg, values)
		if err != nil {
			return optionErr(err)
		}
		if took != "" {
			note = append(note, took)
		}
	}
	// provenance without --shard: the shards of a sweep write the files one
	// process would, byte for byte
	meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLineWithout(os.Args[1:], []string{"--shard"}, nil)}
	if len(*sweep) > 0 {
		sw, err := replay.ParseSweep(cfg, *sweep, values)
		if err != nil {
			return usageErr("--sweep: %v", err)
		}
		if err := replay.UnusedOptions(values, policyNames(cfg, sw), []string{cfg.DirtyModel.Name()}); err != nil {
			return optionErr(err)
		}
		sw.Analytic = *analytic
		if sw.Shard, err = shard.Parse(*shardFlag, os.Getenv); err != nil {
			return usageErr("%v", err)
		}
		if len(note) > 0 && !*jsonOut {
			fmt.Fprintf(stdout, "%s\n\n", strings.Join(note, "\n"))
		}
		return replaySweep(ctx, sw, *jsonOut, *out, meta, stdout)
	}
	if err := replay.UnusedOptions(values, []string{cfg.Policy.Name()}, []string{cfg.DirtyModel.Name()}); err != nil {
		return optionErr(err)
	}
	if len(note) > 0 && !*jsonOut {
		fmt.Fprintf(stdout, "%s\n\n", strings.Join(note, "\n"))
	}
	return replayOne(ctx, cfg, *analytic, *jsonOut, *out, *showRounds, meta, stdout)
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

// policyNames are the policies a sweep runs.
func policyNames(cfg replay.Config, sw replay.Sweep) []string {
	if len(sw.Policy) == 0 {
		return []string{cfg.Policy.Name()}
	}
	var out []string
	for _, p := range sw.Policy {
		out = append(out, p.Name())
	}
	return out
}

// traceChoiceFlags are the flags that make the choices lakeio.ChoiceError
// asks for, by Query field.
var traceChoiceFlags = map[string]string{
	"Host": "--dirty-trace-host", "Run": "--dirty-trace-run N", "Domain": "--dirty-trace-domain",
	"DirtyPerCPU": "--dirty-rate (page writes/s at 100 % of one CPU)",
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
		if _, err := lakeio.Write(out, []replay.Block{{Runs: []schema.ReplayRun{run}, Rounds: rounds}}, meta); err != nil {
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
	blocks, err := replay.SweepBlocks(rs, engine)
	if err != nil {
		return err
	}
	if out != "" {
		if _, err := lakeio.Write(out, blocks, meta); err != nil {
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

// calibrateFlags are the flags --calibrate reads; the others describe a
// replay it does not run.
var calibrateFlags = []string{"calibrate", "config", "fit", "json", "policy", "downtime-limit", "mtu",
	"downtime-ramp", "ramp-max", "ramp-steps", "ramp-after", "ramp-cooldown", "xen-rate-adapt", "xen-no-skip"}

// replayCalibrate runs --calibrate: fit on a lake's measured migrations
// and report leave-one-out errors.
func replayCalibrate(fs *pflag.FlagSet, lake string, values replay.Values, fit []string, jsonOut bool, stdout io.Writer) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err == nil && !slices.Contains(calibrateFlags, f.Name) {
			err = usageErr("--%s does not apply to --calibrate (it reads the migrations' own figures from the lake)", f.Name)
		}
	})
	if err != nil {
		return err
	}
	cfg, err := replay.NewConfig(values, nil)
	if err != nil {
		return optionErr(err)
	}
	if err := replay.UnusedOptions(values, []string{cfg.Policy.Name()}, nil); err != nil {
		return optionErr(err)
	}
	qo := replay.QMPOptions{Policy: cfg.Policy, DowntimeLimit: cfg.DowntimeLimit, MTU: cfg.MTU}
	lc, err := lakeio.Calibrate(lake, qo, replay.CalibrateOptions{Fit: fit})
	if err != nil {
		if errors.Is(err, replay.ErrCalibrate) || errors.Is(err, replay.ErrTrace) {
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
