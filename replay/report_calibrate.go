package replay

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteCalibrationText prints a calibration of source's measured
// migrations for people: the fit on all of them, each migration against
// its leave-one-out prediction, the MdAPEs and the migrations skipped.
func WriteCalibrationText(w io.Writer, source string, lc LakeCalibration) error {
	bw := bufio.NewWriter(w)
	c := lc.All
	fmt.Fprintf(bw, "calibrated on %d completed migrations of %s (%d skipped)\n", len(lc.Runs), source, len(lc.Skipped))
	fmt.Fprintf(bw, "fit on all: %s (mean squared log error %.3g)\n", describeFit(c), c.Loss)
	if len(lc.LOO.Runs) > 0 {
		fmt.Fprintln(bw, "\nleave-one-out: each migration predicted by a fit on the others")
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "#\tmigration\ttime s\tpredicted\tdowntime ms\tpredicted\tsyncs\tpredicted\tMiB sent\tpredicted\t")
		for i, h := range lc.LOO.Runs {
			m, p := lc.Runs[i], h.Predicted
			fmt.Fprintf(tw, "%d\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%d\t%s\t%.0f\t\n", i+1, h.Name, m.TotalTime, p.TotalTime,
				m.Downtime*1e3, predictedDowntime(p)*1e3, optNum(m.Syncs, 1), p.Syncs, optNum(m.Bytes, 1<<20), float64(p.Bytes)/(1<<20))
		}
		tw.Flush()
		r := lc.LOO
		fmt.Fprintf(bw, "\nmedian absolute percentage error: total time %s, downtime %s, syncs %s, bytes %s\n",
			pct(r.MdAPETotalTime), pct(r.MdAPEDowntime), pct(r.MdAPESyncs), pct(r.MdAPEBytes))
	} else {
		fmt.Fprintln(bw, "one migration: no leave-one-out evaluation (it needs two)")
	}
	for _, s := range lc.Skipped {
		fmt.Fprintf(bw, "skipped: %s\n", s)
	}
	return bw.Flush()
}

// predictedDowntime is what a prediction says the downtime is: the
// expected one when it did not converge.
func predictedDowntime(r Result) float64 {
	if !r.Converged {
		return r.ExpectedDowntime
	}
	return r.Downtime
}

// WriteCalibrationJSON prints a calibration as one JSON object: the fit,
// the held-out predictions and the MdAPEs (fractions; null when unknown).
func WriteCalibrationJSON(w io.Writer, source string, lc LakeCalibration) error {
	var runs []map[string]any
	for i, h := range lc.LOO.Runs {
		m, p := lc.Runs[i], h.Predicted
		runs = append(runs, map[string]any{"name": h.Name,
			"measured":  map[string]*float64{"total_time_s": num(m.TotalTime), "downtime_s": num(m.Downtime), "syncs": num(m.Syncs), "bytes": num(m.Bytes)},
			"predicted": map[string]any{"total_time_s": p.TotalTime, "downtime_s": p.Downtime, "syncs": p.Syncs, "bytes": p.Bytes, "converged": p.Converged},
			"ape":       map[string]*float64{"total_time": num(h.APETotalTime), "downtime": num(h.APEDowntime), "syncs": num(h.APESyncs), "bytes": num(h.APEBytes)}})
	}
	c := lc.All
	doc := map[string]any{
		"lake": source, "migrations": len(lc.Runs), "skipped": lc.Skipped,
		"fit": map[string]*float64{"efficiency": num(c.Efficiency), "state_time_s": num(c.StateTime), "working_set": num(c.WorkingSet),
			"hot_share": num(c.HotShare), "cpu_rate": num(c.CPURate), "loss": num(c.Loss)},
		"leave_one_out": runs,
		"mdape": map[string]*float64{"total_time": num(lc.LOO.MdAPETotalTime), "downtime": num(lc.LOO.MdAPEDowntime),
			"syncs": num(lc.LOO.MdAPESyncs), "bytes": num(lc.LOO.MdAPEBytes)},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// num is v for JSON: nil (null) when NaN or infinite.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func describeFit(c Calibration) string {
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
		s = append(s, fmt.Sprintf("CPU rate %s", FormatBitRate(c.CPURate)))
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
