package main

import (
	"context"
	"io"
	"strings"

	"github.com/migreplay/migreplay/analysis"
	"github.com/migreplay/migreplay/internal/cli"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

func init() {
	register("analyze", "find migrations in the lake: ping downtime, xentop migrations and Dom0 CPU, which VM to migrate", runAnalyze)
}

func runAnalyze(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("analyze", "analyze --lake DIR [flags]", stdout)
	def := analysis.DefaultConfig()
	var cfg analysis.Config
	fs.StringVar(&cfg.Lake, "lake", def.Lake, "lake written by migreplay ingest")
	out := fs.String("out", "", "write analysis_ping_outage, analysis_migration and analysis_vm under this lake directory")
	fs.StringVar(&cfg.Policy, "policy", def.Policy, "stop rule for the which-VM-to-migrate prediction: "+strings.Join(replay.Policies(), ", "))
	fs.StringVar(&cfg.Bandwidth, "bandwidth", def.Bandwidth, "migration link line rate for the prediction, > 0: bits (Gbit/s, Mbps) or bytes (MiB/s, MB/s) per second")
	renamed := cli.Renamed{Old: "bandwidth-mbit", New: "bandwidth", Convert: func(s string) (string, error) { return s + "Mbit/s", nil }}
	renamed.Define(fs)
	fs.Float64Var(&cfg.DirtyPerCPU, "dirty-per-cpu", def.DirtyPerCPU, "dirty rate per CPU, > 0: page writes/s of one fully busy vCPU (the CPU-to-dirty-rate assumption)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.StringVar(&cfg.Decide, "decide", def.Decide, "migration policies to run side by side, comma-separated, all or none: "+analysis.DecideHelp())
	fs.StringSliceVar(&cfg.HostCPUs, "host-cpus", nil, "CPUs of the hosts, HOST=N or N for every host (default: Domain-0's VCPUS)")
	fs.Float64Var(&cfg.NICMbit, "nic-mbit", def.NICMbit, "every host's NIC for the network thresholds, Mbit/s, > 0")
	fs.StringVar(&cfg.IDC, "idc", "", "inter-domain traffic, CSV src,dst,mbit_s (default: unknown, taken as 0)")
	fs.StringSliceVar(&cfg.DestHosts, "dest-hosts", nil, "hosts that can take guests besides the lake's (one not in the lake is taken as idle)")
	cli.OptionalVar(fs, &cfg.ThresholdCPUPct, "threshold-cpu", "CPU overload threshold, % of the host's CPUs (default: each policy's, 65 or 85)")
	cli.OptionalVar(fs, &cfg.ThresholdSwap, "threshold-swap", "memory overload threshold, swap-page writes/s (default 150)")
	cli.OptionalVar(fs, &cfg.ThresholdNetPct, "threshold-net", "network overload threshold, % of the NIC (default 80)")
	cli.OptionalVar(fs, &cfg.ARK, "ar-k", "hotspot-ar1: samples over the threshold needed among the last --ar-n (default 3)")
	cli.OptionalVar(fs, &cfg.ARN, "ar-n", "hotspot-ar1: samples looked back at (default 5)")
	cli.OptionalVar(fs, &cfg.ARWindow, "ar-window", "hotspot-ar1: samples the AR(1) predictor is fitted on (default 10)")
	fs.StringSliceVar(&cfg.QMPGuest, "qmp-guest", nil, "QMPHOST=SARHOST: the sar host inside the guest a QMP host migrated (default: the same name)")
	fs.StringVar(&cfg.ClassModel, "class-model", def.ClassModel, "model of measured migration time against memory, fitted per workload class (fit's names)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if warning, err := renamed.Apply(fs); err != nil {
		return usageErr("%v", err)
	} else if warning != "" {
		warnf("analyze", "%s", warning)
	}
	res, err := analysis.Run(ctx, cfg)
	if err != nil {
		return callerFault(err)
	}
	if *out != "" {
		if err := res.WriteLake(*out, map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine()}); err != nil {
			return err
		}
	}
	if *asJSON {
		return res.WriteJSON(stdout)
	}
	return res.WriteText(stdout)
}
