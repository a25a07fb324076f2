package replay

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// WriteText prints a replay for people: the inputs that mattered, the
// outcome and the rounds (at most maxRounds of them, first and last).
func WriteText(w io.Writer, rv Resolved, res Result, maxRounds int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	pol := rv.Policy
	if rv.PolicyOptions != "" {
		pol += " " + rv.PolicyOptions
	}
	fmt.Fprintf(tw, "policy\t%s\tdirty model\t%s\n", pol, rv.DirtyModel)
	fmt.Fprintf(tw, "memory\t%s (%d pages of %d B)\tzero share\t%.3g\n", FormatBytes(float64(rv.Memory)), rv.Pages, rv.PageSize, rv.ZeroShare)
	fmt.Fprintf(tw, "link\t%s at MTU %d\tstream rate\t%s (%s-bound)\n", formatLink(rv.Bandwidth), rv.MTU, FormatBitRate(rv.Rate), rv.RateBound)
	conv := "yes"
	if !res.Converged {
		conv = "NO (" + res.StopReason + ")"
	}
	fmt.Fprintf(tw, "total time\t%.3f s\tconverged\t%s\n", res.TotalTime, conv)
	fmt.Fprintf(tw, "downtime\t%.1f ms\tstop rule\t%s\n", res.Downtime*1e3, res.StopReason)
	final := " + final" // the stop-and-copy (or switch-over) round
	if !res.Converged {
		final = ""
	}
	fmt.Fprintf(tw, "sent\t%s (%d pages, %d zero markers)\trounds\t%d live%s, %d syncs (dirty-sync-count)\n",
		FormatBytes(float64(res.Bytes)), res.PagesSent, res.ZeroPages, res.Rounds, final, res.Syncs)
	if res.MaxThrottle > 0 {
		fmt.Fprintf(tw, "throttle\tup to %.0f %%\t\t\n", res.MaxThrottle*100)
	}
	if res.Postcopy {
		fmt.Fprintf(tw, "post-copy\t%.3f s degraded\tremote faults\t%d (%.3f s stalled)\n", res.PostcopyTime, res.RemoteFaults, res.StallTime)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Log) == 0 || maxRounds == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tphase\tstart s\tdur s\tpending\tsent\tzero\tskipped\tdirtied\tMiB\tthrottle\t")
	for i, r := range res.Log {
		if len(res.Log) > maxRounds && i == maxRounds/2 {
			fmt.Fprintf(tw, "…\t%d rounds\t\t\t\t\t\t\t\t\t\t\n", len(res.Log)-maxRounds)
		}
		if len(res.Log) > maxRounds && i >= maxRounds/2 && i < len(res.Log)-maxRounds/2 {
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.4f\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.0f%%\t\n", r.Index, r.Phase, r.Start, r.Duration,
			r.Pending, r.PagesSent, r.ZeroPages, r.PagesSkipped, r.PagesDirtied, float64(r.Bytes)/(1<<20), r.Throttle*100)
	}
	return tw.Flush()
}

// WriteSweepText prints one line per sweep configuration.
func WriteSweepText(w io.Writer, rs []SweepResult) error {
	bw := bufio.NewWriterSize(w, 64<<10) // tabwriter writes cell by cell
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tpolicy\tmemory\tbandwidth\tMTU\tCPU cap\tdirty model\ttime s\tdowntime ms\trounds\tGiB sent\tconverged\t")
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(tw, "%d\terror: %v\t\t\t\t\t\t\t\t\t\t\t\n", r.Index, r.Err)
			continue
		}
		rv, _ := Resolve(r.Config)
		pol := rv.Policy
		if rv.PolicyOptions != "" {
			pol += " " + rv.PolicyOptions
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%.2f\t%s\t%.3f\t%.1f\t%d\t%.3f\t%v\t\n", r.Index, pol,
			FormatBytes(float64(rv.Memory)), formatLink(rv.Bandwidth), rv.MTU, rv.CPUCap, rv.DirtyModel,
			r.Result.TotalTime, r.Result.Downtime*1e3, r.Result.Rounds, float64(r.Result.Bytes)/(1<<30), r.Result.Converged)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteSweepJSON prints a sweep's replay_run rows, one JSON object per
// line, in enumeration order.
func WriteSweepJSON(w io.Writer, blocks []Block) error {
	bw := bufio.NewWriterSize(w, 64<<10)
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

// FormatBitRate renders bytes/s as bits/s with a decimal prefix.
func FormatBitRate(bps float64) string {
	b := bps * 8
	switch {
	case math.IsInf(b, 0):
		return "unlimited"
	case b >= 1e9:
		return fmt.Sprintf("%.3g Gbit/s", b/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.3g Mbit/s", b/1e6)
	}
	return fmt.Sprintf("%.3g kbit/s", b/1e3)
}

// jsonReplay is WriteJSON's document.
type jsonReplay struct {
	Inputs map[string]any `json:"inputs"`
	Result Result         `json:"result"`
}

// WriteJSON prints a replay as one JSON object {inputs, result}, keys in
// snake_case as replay_run's columns; Inf rates (no limit) are null.
func WriteJSON(w io.Writer, rv Resolved, res Result) error {
	// keys: replay_run's column names (rates in bytes/s, times in s), and
	// the same style for the inputs that have no column
	in := map[string]any{
		"memory_bytes": rv.Memory, "page_size_bytes": rv.PageSize, "pages": rv.Pages,
		"bandwidth": finite(rv.Bandwidth), "mtu_bytes": rv.MTU, "max_bandwidth": finite(rv.MaxBandwidth),
		"cpu_cap": rv.CPUCap, "cpu_rate": finite(rv.CPURate), "packet_cpu_share": rv.PacketCPUShare,
		"link_rate": finite(rv.LinkRate), "cpu_limited_rate": finite(rv.CPULimitedRate),
		"stream_rate": rv.Rate, "rate_bound": rv.RateBound, "policy": rv.Policy, "policy_options": rv.PolicyOptions, "dirty_model": rv.DirtyModel,
		"zero_share": rv.ZeroShare, "downtime_limit_s": rv.DowntimeLimit, "auto_converge": rv.AutoConverge,
		"postcopy": rv.Postcopy, "postcopy_after": rv.PostcopyAfter, "state_bytes": rv.StateBytes, "state_time_s": rv.StateTime,
		"setup_time_s": rv.SetupTime, "fault_latency_s": rv.FaultLatency, "timeout_s": rv.Timeout, "seed": rv.Seed,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReplay{Inputs: in, Result: res})
}

// formatLink is a link's line rate, "none" when it never limits.
func formatLink(bw float64) string {
	if math.IsInf(bw, 1) {
		return "none"
	}
	return FormatBitRate(bw)
}
