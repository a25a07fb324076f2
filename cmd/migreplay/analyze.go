package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/migreplay/migreplay/analysis"
	"github.com/migreplay/migreplay/analysis/decide"
	"github.com/migreplay/migreplay/fit"
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
	dflags := decideFlags(fs)
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
	m, err := fit.ParseModel(*dflags.modelName)
	if err != nil {
		return usageErr("--class-model: %v", err)
	}
	dflags.model = m
	var res struct {
		Outages    []schema.PingOutage      `json:"ping_outages"`
		Migrations []schema.Migration       `json:"migrations"`
		VMs        []schema.VMCandidate     `json:"vms"`
		QMP        []schema.QMPMigration    `json:"qmp_migrations"`
		Classes    []schema.ClassPrediction `json:"class_predictions"`
		Decisions  []schema.Decision        `json:"decisions"`
		Points     map[string]int           `json:"decision_points"`
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
	vmcfg := analysis.VMConfig{Policy: *policy, Bandwidth: bw, DirtyPerCPU: *perCPU}
	dcfg, qcfg, err := dflags.configs(fs, vmcfg)
	if err != nil {
		return err
	}
	res.Migrations = analysis.PairMigrations(res.Migrations)
	if has(*lakeDir, "qmp_migrate") {
		if res.QMP, err = analysis.QMPMigrations(*lakeDir, qcfg); err != nil {
			return err
		}
	}
	if res.Classes, err = analysis.ClassPredictions(res.Migrations, res.QMP, dflags.model, vmcfg); err != nil {
		return err
	}
	if has(*lakeDir, "xentop_domain") && len(dcfg.Policies) > 0 {
		d, err := analysis.Decide(*lakeDir, dcfg)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		res.Decisions, res.Points = d.Decisions, d.Points
	}
	if *out != "" {
		meta := map[string]string{schema.MetaVersion: Version, schema.MetaCommand: commandLine()}
		if _, err := lake.Write(*out, meta, lake.RowsOf(res.Outages), lake.RowsOf(res.Migrations), lake.RowsOf(res.VMs),
			lake.RowsOf(res.QMP), lake.RowsOf(res.Decisions), lake.RowsOf(res.Classes)); err != nil {
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
	fmt.Fprintf(tw, "\nxentop migrations (%d)\nHOST\tDOMAIN\tSTART\tDURATION s\tROLES\tMEM MiB\tDOM0 CPU base→peak %%\tSETTLE s\tCLASS\n", len(res.Migrations))
	for _, m := range res.Migrations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%s\t%s\t%s→%s\t%s\t%s\n", m.Host, m.Domain, m.Time.Format("2006-01-02 15:04:05"),
			m.DurationS, m.Roles, optf(m.MemMiB, "%.0f"), opt(m.Dom0CPUBase), opt(m.Dom0CPUPeak), opt(m.Dom0SettleS), m.Class)
	}
	printQMP(tw, res.QMP)
	printClasses(tw, res.Classes)
	fmt.Fprintf(tw, "\nwhich VM to migrate (%s over %s, %.0f page writes/s per busy vCPU)\nHOST\tRANK\tDOMAIN\tCLASS\tMEM MiB\tCPU %%\tDISK MB/s\tNET MB/s\tPRED TIME s\tPRED DOWNTIME ms\tCONVERGES\n", *policy, replay.FormatBitRate(bw), *perCPU)
	for _, v := range res.VMs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f\t%.0f\t%v\n", v.Host, v.Rank, v.Domain, v.Class, v.MemK/1024,
			v.CPUPct, v.DiskMBps, v.NetMBps, v.PredTotalS, v.PredDowntimeS*1e3, v.Converges)
	}
	printDecisions(tw, res.Decisions, res.Points, dcfg.Policies)
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

// decisionFlags are analyze's flags for the migration policies and the
// workload classes of QMP migrations.
type decisionFlags struct {
	policies                  *string
	hostCPUs, dests, qmpGuest *[]string
	nic                       *float64
	idc                       *string
	cpu, swap, net            *float64
	k, n, window              *int
	modelName                 *string
	model                     fit.Model
}

func decideFlags(fs *pflag.FlagSet) *decisionFlags {
	var help []string
	for _, s := range decide.Specs() {
		help = append(help, fmt.Sprintf("%s (%s)", s.Name, s.Help))
	}
	return &decisionFlags{
		policies:  fs.String("decide", "all", "migration policies to run side by side, comma-separated, all or none: "+strings.Join(help, "; ")),
		hostCPUs:  fs.StringSlice("host-cpus", nil, "CPUs of the hosts, HOST=N or N for every host (default: Domain-0's VCPUS)"),
		nic:       fs.Float64("nic-mbit", 1000, "every host's NIC for the network thresholds, Mbit/s"),
		idc:       fs.String("idc", "", "inter-domain traffic, CSV src,dst,mbit_s (default: unknown, taken as 0)"),
		dests:     fs.StringSlice("dest-hosts", nil, "hosts that can take guests besides the lake's (one not in the lake is taken as idle)"),
		cpu:       fs.Float64("threshold-cpu", 0, "CPU overload threshold, % of the host's CPUs (default: each policy's, 65 or 85)"),
		swap:      fs.Float64("threshold-swap", 0, "memory overload threshold, swap-page writes/s (default 150)"),
		net:       fs.Float64("threshold-net", 0, "network overload threshold, % of the NIC (default 80)"),
		k:         fs.Int("ar-k", 0, "hotspot-ar1: samples over the threshold needed among the last --ar-n (default 3)"),
		n:         fs.Int("ar-n", 0, "hotspot-ar1: samples looked back at (default 5)"),
		window:    fs.Int("ar-window", 0, "hotspot-ar1: samples the AR(1) predictor is fitted on (default 10)"),
		qmpGuest:  fs.StringSlice("qmp-guest", nil, "QMPHOST=SARHOST: the sar host inside the guest a QMP host migrated (default: the same name)"),
		modelName: fs.String("class-model", "linear", "model of measured migration time against memory, fitted per workload class (fit's names)"),
	}
}

// configs builds the library configs from the flags; a flag the user set
// overrides every policy's default, one left alone keeps them.
func (f *decisionFlags) configs(fs *pflag.FlagSet, vm analysis.VMConfig) (analysis.DecideConfig, analysis.QMPConfig, error) {
	c := analysis.DecideConfig{NICMbit: *f.nic, DestHosts: *f.dests, VM: vm, HostCPUs: map[string]float64{}}
	q := analysis.QMPConfig{Guest: map[string]string{}}
	if *f.policies == "none" {
		c.Policies = []string{}
	} else if *f.policies != "all" {
		for _, n := range strings.Split(*f.policies, ",") {
			if _, err := decide.Lookup(strings.TrimSpace(n)); err != nil {
				return c, q, usageErr("--decide: %v", err)
			}
			c.Policies = append(c.Policies, strings.TrimSpace(n))
		}
	}
	for _, v := range *f.hostCPUs {
		h, n, found := strings.Cut(v, "=")
		if !found {
			h, n = "", v
		}
		x, err := strconv.ParseFloat(n, 64)
		if err != nil || x <= 0 {
			return c, q, usageErr("--host-cpus %q: want HOST=N or N with N > 0", v)
		}
		c.HostCPUs[h] = x
	}
	for _, v := range *f.qmpGuest {
		a, b, found := strings.Cut(v, "=")
		if !found || a == "" || b == "" {
			return c, q, usageErr("--qmp-guest %q: want QMPHOST=SARHOST", v)
		}
		q.Guest[a] = b
	}
	if *f.idc != "" {
		tr, err := analysis.ReadTraffic(*f.idc)
		if err != nil {
			return c, q, usageErr("--idc: %v", err)
		}
		c.Traffic, c.TrafficName = tr, filepath.Base(*f.idc)
	}
	pctFlag := func(name string, v *float64) *float64 {
		if !fs.Changed(name) {
			return nil
		}
		x := *v / 100
		return &x
	}
	c.Override.CPU, c.Override.Net = pctFlag("threshold-cpu", f.cpu), pctFlag("threshold-net", f.net)
	if fs.Changed("threshold-swap") {
		c.Override.Swap = f.swap
	}
	for _, x := range []struct {
		name string
		v    *int
		dst  **int
	}{{"ar-k", f.k, &c.Override.K}, {"ar-n", f.n, &c.Override.N}, {"ar-window", f.window, &c.Override.Window}} {
		if fs.Changed(x.name) {
			*x.dst = x.v
		}
	}
	if c.Policies == nil {
		c.Policies = decide.Names()
	}
	return c, q, nil
}

func optf(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func printQMP(tw io.Writer, rows []schema.QMPMigration) {
	fmt.Fprintf(tw, "\nQMP migrations (%d)\nHOST\tSTART\tSTATUS\tTOTAL s\tDOWNTIME ms\tRAM MiB\tSENT MiB\tSYNCS\tDIRTY pages/s\tTHROTTLE %%\tCLASS\tBASIS\n", len(rows))
	for _, r := range rows {
		mib := func(v *int64) string {
			if v == nil {
				return "-"
			}
			return fmt.Sprintf("%.0f", float64(*v)/(1<<20))
		}
		syncs := "-"
		if r.Syncs != nil {
			syncs = strconv.FormatInt(*r.Syncs, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Host, r.Time.Format("2006-01-02 15:04:05"), r.Status,
			optf(r.TotalTimeS, "%.1f"), optf(r.DowntimeMs, "%.0f"), mib(r.RAMTotal), mib(r.RAMTransferred), syncs,
			optf(r.DirtyRateMean, "%.0f"), optf(r.ThrottleMaxPct, "%.0f"), r.Class, r.ClassBasis)
	}
}

// printDecisions shows the policies side by side: per host and policy, the
// decision points, how many decisions, the first one and what was chosen.
func printDecisions(tw io.Writer, rows []schema.Decision, points map[string]int, policies []string) {
	var hosts []string
	for h := range points {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	fmt.Fprintf(tw, "\nmigration decisions per policy (%d; analysis_decision has each with its alternatives)\nHOST\tPOLICY\tPOINTS\tDECISIONS\tFIRST\tFIRST TRIGGER\tCHOSEN (guest→destination ×times)\n", len(rows))
	for _, h := range hosts {
		for _, p := range policies {
			var first *schema.Decision
			n := 0
			count := map[string]int{}
			var keys []string
			for i := range rows {
				r := &rows[i]
				if r.Host != h || r.Policy != p {
					continue
				}
				if first == nil {
					first = r
				}
				n++
				k := r.Domain + "→?"
				if r.Action == "grant-memory" {
					k = r.Domain + " +memory"
				} else if r.Dest != nil {
					k = r.Domain + "→" + *r.Dest
				}
				if count[k] == 0 {
					keys = append(keys, k)
				}
				count[k]++
			}
			if first == nil {
				fmt.Fprintf(tw, "%s\t%s\t%d\t0\t-\tno overload detected\t-\n", h, p, points[h])
				continue
			}
			sort.SliceStable(keys, func(a, b int) bool { return count[keys[a]] > count[keys[b]] })
			var ch []string
			for _, k := range keys {
				ch = append(ch, fmt.Sprintf("%s ×%d", k, count[k]))
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", h, p, points[h], n, first.Time.Format("15:04:05"), first.Trigger, strings.Join(ch, ", "))
		}
	}
}

// printClasses puts each measured migration's time beside the fit of its
// class and the replay's prediction.
func printClasses(tw io.Writer, rows []schema.ClassPrediction) {
	fmt.Fprintf(tw, "\nmeasured migration time per workload class: the class fit (time against memory) beside replay's prediction for the same guests (%d)\nCLASS\tN\tMODEL\tR²(y)\tSOURCE\tHOST\tGUEST\tMEM MiB\tMEASURED s\tFIT s [95 %% PI]\tREPLAY s\n", len(rows))
	sorted := append([]schema.ClassPrediction(nil), rows...)
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].Class != sorted[b].Class {
			return sorted[a].Class < sorted[b].Class
		}
		return sorted[a].MemMiB < sorted[b].MemMiB
	})
	for _, r := range sorted {
		fitS := r.FitError
		if r.FitS != nil {
			fitS = fmt.Sprintf("%.1f [%.1f, %.1f]", *r.FitS, *r.FitLoS, *r.FitHiS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.1f\t%s\t%s\n", r.Class, r.N, r.Model, optf(r.FitR2Y, "%.3f"), r.Source, r.Host, r.Domain,
			r.MemMiB, r.MeasuredS, fitS, optf(r.ReplayS, "%.1f"))
	}
}
