package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

func init() {
	register("replay", "replay a live migration round by round under Xen, QEMU or SimGrid rules", runReplay)
}

func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("replay", "replay [flags]", stdout)
	mem := fs.String("memory", "8GiB", "guest RAM (B, KiB, MiB, GiB, kB, MB, GB)")
	page := fs.String("page-size", "4KiB", "page size")
	bw := fs.String("bandwidth", "1Gbit/s", "link line rate, bits (Gbit/s, Mbps) or bytes (MiB/s, MB/s)")
	mtu := fs.Int("mtu", 1500, "IP MTU in bytes (40 B of IPv4+TCP headers per packet)")
	maxBW := fs.String("max-bandwidth", "", "hypervisor rate limit (default: policy's; QEMU 128MiB/s); 'none' for no limit")
	cpuCap := fs.Float64("cpu-cap", 1, "share of one CPU the sender may use (Dom0 cap), (0,1]")
	cpuRate := fs.String("cpu-rate", "", "stream rate of one full CPU at MTU 1500 (default 1.25GB/s; 'none': CPU never limits)")
	rate := fs.Float64("dirty-rate", 0, "guest page writes per second (cpu model: at 100% of one CPU)")
	trace := fs.String("dirty-trace", "", "dirty-rate series: CSV file (time s, rate pages/s) or a lake directory (qmp_migrate)")
	model := fs.String("dirty-model", "uniform", "uniform|hotcold|zipf|trace|cpu")
	var mo replay.ModelOptions
	fs.Float64Var(&mo.HotShare, "hot-share", 0.1, "hotcold: share of pages in the hot set")
	fs.Float64Var(&mo.HotWrites, "hot-writes", 0.9, "hotcold: share of writes to the hot set")
	fs.Float64Var(&mo.ZipfS, "zipf-s", 1, "zipf: exponent")
	fs.Float64Var(&mo.Span, "working-set", 0, "zipf/cpu/trace: share of RAM written (default: zipf, trace 1; cpu 0.9)")
	fs.Float64Var(&mo.GuestCPU, "guest-cpu", 1, "cpu: guest CPU utilisation, in CPUs (DomU cap)")
	zero := fs.Float64("zero-share", 0, "share of pages zero at the start (sent as markers)")
	policy := fs.String("policy", "qemu", "xen-legacy|xen-v2|qemu|simgrid")
	downLimit := fs.Duration("downtime-limit", 0, "downtime limit (default: QEMU 300ms, SimGrid 30ms)")
	auto := fs.Bool("auto-converge", false, "QEMU auto-converge throttling")
	post := fs.Int("postcopy-after", -1, "switch to post-copy after N live rounds (0: pure post-copy)")
	adapt := fs.Bool("xen-rate-adapt", false, "xen-legacy: Clark et al.'s rate adaptation (100→500 Mbit/s)")
	noSkip := fs.Bool("xen-no-skip", false, "xen-legacy: send pages re-dirtied during the round anyway")
	state := fs.Duration("state-time", 0, "stop-and-copy cost beyond RAM (default 10ms)")
	timeout := fs.Duration("timeout", 0, "give up on a migration that has not converged (default 1h)")
	seed := fs.Uint64("seed", 1, "PCG seed")
	sweep := fs.StringArray("sweep", nil, "name=v1,v2 or name=lo:hi:step for memory, bandwidth, mtu, cpu-cap, dirty-rate, policy (repeatable)")
	analytic := fs.Bool("analytic", false, "use the analytic fast path (Liu et al. 2011) instead of the page-level engine")
	jsonOut := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("out", "", "write replay_run and replay_round Parquet tables under this lake directory")
	showRounds := fs.Int("show-rounds", 40, "rounds to print (first and last half)")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	if cfg.Policy, err = replay.ParsePolicy(*policy); err != nil {
		return usageErr("--policy: %v", err)
	}
	if xl, ok := cfg.Policy.(replay.XenLegacy); ok {
		xl.RateAdapt, xl.NoSkip = *adapt, *noSkip
		cfg.Policy = xl
	}
	if *trace != "" {
		if mo.Trace, err = replay.LoadTrace(*trace); err != nil {
			return usageErr("--dirty-trace: %v", err)
		}
		if !fs.Changed("dirty-model") {
			*model = "trace"
		}
		mo.TraceScale = fs.Changed("dirty-rate")
	}
	if cfg.DirtyModel, err = replay.NewModel(*model, *rate, mo); err != nil {
		return usageErr("--dirty-model: %v", err)
	}
	cfg.MTU, cfg.CPUCap, cfg.ZeroShare, cfg.DowntimeLimit, cfg.AutoConverge = *mtu, *cpuCap, *zero, *downLimit, *auto
	cfg.Postcopy, cfg.PostcopyAfter = *post >= 0, max(*post, 0)
	cfg.StateTime, cfg.Timeout, cfg.Seed = *state, *timeout, *seed
	meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine()}
	if len(*sweep) > 0 {
		return replaySweep(ctx, cfg, *sweep, *analytic, *jsonOut, *out, meta, stdout)
	}
	return replayOne(ctx, cfg, *analytic, *jsonOut, *out, *showRounds, meta, stdout)
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

func replaySweep(ctx context.Context, base replay.Config, specs []string, analytic, jsonOut bool, out string, meta map[string]string, stdout io.Writer) error {
	sw, err := replay.ParseSweep(base, specs)
	if err != nil {
		return usageErr("--sweep: %v", err)
	}
	sw.Analytic = analytic
	rs, err := sw.Run(ctx)
	if err != nil {
		return err
	}
	engine := map[bool]string{false: "page", true: "analytic"}[analytic]
	var runs []schema.ReplayRun
	var rounds []schema.ReplayRound
	for _, r := range rs {
		if r.Err != nil {
			return usageErr("sweep configuration %d: %v", r.Index, r.Err)
		}
		run, rd, err := replay.Rows(r.Config, r.Result, engine, r.Index)
		if err != nil {
			return err
		}
		runs, rounds = append(runs, run), append(rounds, rd...)
	}
	if out != "" {
		if _, err := replay.WriteLake(out, runs, rounds, meta); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		for _, r := range runs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	return replay.WriteSweepText(stdout, rs)
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
