package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/migreplay/migreplay/analysis"
	"github.com/migreplay/migreplay/internal/cli"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

func init() {
	register("analyze", "find migrations in the lake: ping downtime, xentop migrations and Dom0 CPU, which VM to migrate", runAnalyze)
}

func runAnalyze(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("analyze", "analyze --lake DIR [flags]", stdout)
	lakeDir := fs.String("lake", "lake", "lake written by migreplay ingest")
	out := fs.String("out", "", "write analysis_ping_outage, analysis_migration and analysis_vm under this lake directory")
	policy := fs.String("policy", "xen-legacy", "stop rule for the which-VM-to-migrate prediction: "+strings.Join(replay.Policies(), ", "))
	bwText := fs.String("bandwidth", "1Gbit/s", "migration link line rate for the prediction, > 0: bits (Gbit/s, Mbps) or bytes (MiB/s, MB/s) per second")
	renamed := cli.Renamed{Old: "bandwidth-mbit", New: "bandwidth", Convert: func(s string) (string, error) { return s + "Mbit/s", nil }}
	renamed.Define(fs)
	perCPU := fs.Float64("dirty-per-cpu", 5000, "dirty rate per CPU, > 0: page writes/s of one fully busy vCPU (the CPU-to-dirty-rate assumption)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if warning, err := renamed.Apply(fs); err != nil {
		return usageErr("%v", err)
	} else if warning != "" {
		warnf("analyze", "%s", warning)
	}
	bw, err := replay.ParseRate(*bwText)
	switch {
	case err != nil:
		return usageErr("--bandwidth: %v", err)
	case !(bw > 0) || math.IsInf(bw, 0):
		return usageErr("--bandwidth %s: want > 0", *bwText)
	case !(*perCPU > 0) || math.IsInf(*perCPU, 0):
		return usageErr("--dirty-per-cpu %g: want > 0 page writes/s", *perCPU)
	}
	if _, err := replay.ParsePolicy(*policy); err != nil {
		return usageErr("--policy: %v", err)
	}
	// a lake that is not there, or holds none of the tables analyze reads,
	// is an error: an empty report would read as "no outages"
	if st, err := os.Stat(*lakeDir); err != nil || !st.IsDir() {
		return usageErr("--lake %s: no such folder (write one with migreplay ingest --out %s)", *lakeDir, *lakeDir)
	}
	if !has(*lakeDir, "ping_reply") && !has(*lakeDir, "xentop_domain") {
		return usageErr("--lake %s: no table=ping_reply or table=xentop_domain folder in it: nothing to analyze (ingest ping or xentop traces first)", *lakeDir)
	}
	var res struct {
		Outages    []schema.PingOutage  `json:"ping_outages"`
		Migrations []schema.Migration   `json:"migrations"`
		VMs        []schema.VMCandidate `json:"vms"`
	}
	if has(*lakeDir, "ping_reply") {
		if res.Outages, err = analysis.PingOutages(*lakeDir); err != nil {
			return err
		}
	}
	if has(*lakeDir, "xentop_domain") {
		cfg := analysis.VMConfig{Policy: *policy, Bandwidth: bw, DirtyPerCPU: *perCPU}
		err := analysis.EachXentop(*lakeDir, func(x *analysis.Xentop) error {
			res.Migrations = append(res.Migrations, x.Migrations()...)
			vms, err := x.VMs(cfg)
			res.VMs = append(res.VMs, vms...)
			return err
		})
		if err != nil {
			return err
		}
	}
	if *out != "" {
		meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine()}
		if _, err := lake.Write(*out, meta, lake.RowsOf(res.Outages), lake.RowsOf(res.Migrations), lake.RowsOf(res.VMs)); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ping outages (%d)\nHOST\tTARGET\tSTART\tDOWNTIME ms\tLOST\tSEQ\tINTERVAL ms\n", len(res.Outages))
	for _, o := range res.Outages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%d\t%d-%d\t%.2f\n", o.Host, o.Target, o.Time.Format("2006-01-02 15:04:05.000"),
			o.DowntimeMs, o.Lost, o.FirstSeq, o.LastSeq, o.IntervalMs)
	}
	fmt.Fprintf(tw, "\nxentop migrations (%d)\nHOST\tDOMAIN\tSTART\tDURATION s\tROLES\tMEM MiB\tDOM0 CPU base→peak %%\tSETTLE s\n", len(res.Migrations))
	for _, m := range res.Migrations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%s\t%d\t%s→%s\t%s\n", m.Host, m.Domain, m.Time.Format("2006-01-02 15:04:05"),
			m.DurationS, m.Roles, m.MemK/1024, opt(m.Dom0CPUBase), opt(m.Dom0CPUPeak), opt(m.Dom0SettleS))
	}
	fmt.Fprintf(tw, "\nwhich VM to migrate (%s over %s, %.0f page writes/s per busy vCPU)\nHOST\tRANK\tDOMAIN\tCLASS\tMEM MiB\tCPU %%\tDISK MB/s\tNET MB/s\tPRED TIME s\tPRED DOWNTIME ms\tCONVERGES\n", *policy, replay.FormatBitRate(bw), *perCPU)
	for _, v := range res.VMs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f\t%.0f\t%v\n", v.Host, v.Rank, v.Domain, v.Class, v.MemK/1024,
			v.CPUPct, v.DiskMBps, v.NetMBps, v.PredTotalS, v.PredDowntimeS*1e3, v.Converges)
	}
	return tw.Flush()
}

func has(lakeDir, table string) bool {
	_, err := os.Stat(filepath.Join(lakeDir, "table="+table))
	return err == nil
}

func opt(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}
