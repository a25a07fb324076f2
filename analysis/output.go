package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// WriteLake writes the analysis_* tables under dir as one run of the lake
// (all visible together or none), with meta as every file's metadata.
func (r *Result) WriteLake(dir string, meta map[string]string) error {
	_, err := lake.Write(dir, meta, lake.RowsOf(r.Outages), lake.RowsOf(r.Migrations), lake.RowsOf(r.VMs),
		lake.RowsOf(r.QMP), lake.RowsOf(r.Decisions), lake.RowsOf(r.Classes))
	return err
}

// WriteJSON writes r as one indented JSON object whose keys are the
// tables' column names.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r as tables: ping outages, xentop migrations, QMP
// migrations, the class predictions, the which-VM ranking and the
// decisions per policy.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ping outages (%d)\nHOST\tTARGET\tSTART\tDOWNTIME ms\tLOST\tSEQ\tINTERVAL ms\n", len(r.Outages))
	for _, o := range r.Outages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%d\t%d-%d\t%.2f\n", o.Host, o.Target, o.Time.Format("2006-01-02 15:04:05.000"),
			o.DowntimeMs, o.Lost, o.FirstSeq, o.LastSeq, o.IntervalMs)
	}
	fmt.Fprintf(tw, "\nxentop migrations (%d)\nHOST\tDOMAIN\tSTART\tDURATION s\tROLES\tMEM MiB\tDOM0 CPU base→peak %%\tSETTLE s\tCLASS\n", len(r.Migrations))
	for _, m := range r.Migrations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%s\t%s\t%s→%s\t%s\t%s\n", m.Host, m.Domain, m.Time.Format("2006-01-02 15:04:05"),
			m.DurationS, m.Roles, optf(m.MemMiB, "%.0f"), optf(m.Dom0CPUBase, "%.1f"), optf(m.Dom0CPUPeak, "%.1f"),
			optf(m.Dom0SettleS, "%.1f"), m.Class)
	}
	writeQMP(tw, r.QMP)
	writeClasses(tw, r.Classes)
	fmt.Fprintf(tw, "\nwhich VM to migrate (%s over %s, %.0f page writes/s per busy vCPU)\nHOST\tRANK\tDOMAIN\tCLASS\tMEM MiB\tCPU %%\tDISK MB/s\tNET MB/s\tPRED TIME s\tPRED DOWNTIME ms\tCONVERGES\n",
		r.vm.Policy, replay.FormatBitRate(r.vm.Bandwidth), r.vm.DirtyPerCPU)
	for _, v := range r.VMs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f\t%.0f\t%v\n", v.Host, v.Rank, v.Domain, v.Class, v.MemK/1024,
			v.CPUPct, v.DiskMBps, v.NetMBps, v.PredTotalS, v.PredDowntimeS*1e3, v.Converges)
	}
	writeDecisions(tw, r.Decisions, r.Points, r.policies)
	return tw.Flush()
}

// optf formats *v, or "-" when it is null.
func optf(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func writeQMP(tw io.Writer, rows []schema.QMPMigration) {
	fmt.Fprintf(tw, "\nQMP migrations (%d)\nHOST\tSTART\tSTATUS\tTOTAL s\tDOWNTIME ms\tRAM MiB\tSENT MiB\tSYNCS\tDIRTY pages/s\tTHROTTLE %%\tCLASS\tBASIS\n", len(rows))
	mib := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(*v)/(1<<20))
	}
	for _, r := range rows {
		syncs := "-"
		if r.Syncs != nil {
			syncs = strconv.FormatInt(*r.Syncs, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Host, r.Time.Format("2006-01-02 15:04:05"), r.Status,
			optf(r.TotalTimeS, "%.1f"), optf(r.DowntimeMs, "%.0f"), mib(r.RAMTotal), mib(r.RAMTransferred), syncs,
			optf(r.DirtyRateMean, "%.0f"), optf(r.ThrottleMaxPct, "%.0f"), r.Class, r.ClassBasis)
	}
}

// writeDecisions shows the policies side by side: per host and policy, the
// decision points, how many decisions, the first one and what was chosen.
func writeDecisions(tw io.Writer, rows []schema.Decision, points map[string]int, policies []string) {
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

// writeClasses puts each measured migration's time beside the fit of its
// class and the replay's prediction.
func writeClasses(tw io.Writer, rows []schema.ClassPrediction) {
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
