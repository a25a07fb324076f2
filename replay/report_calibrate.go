package replay

import (
	"bufio"
	"bytes"
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
	fmt.Fprintf(bw, "fit on all: %s (mean squared log error %.3g)\n", DescribeFit(c), c.Loss)
	for _, g := range lc.ByGroup {
		fmt.Fprintf(bw, "fit on %s: %s (mean squared log error %.3g)\n", g.Group, DescribeFit(g.Fit), g.Fit.Loss)
	}
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
		if len(r.Groups) > 1 {
			for _, g := range r.Groups {
				fmt.Fprintf(bw, "  %s (%d): total time %s, downtime %s, syncs %s, bytes %s\n", g.Group, g.Runs,
					pct(g.MdAPETotalTime), pct(g.MdAPEDowntime), pct(g.MdAPESyncs), pct(g.MdAPEBytes))
			}
		}
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
			"group":     lc.Runs[i].Group,
			"ape":       mdape(h.APETotalTime, h.APEDowntime, h.APESyncs, h.APEBytes)})
	}
	var groups []map[string]any
	for _, g := range lc.LOO.Groups {
		groups = append(groups, map[string]any{"group": g.Group, "runs": g.Runs,
			"mdape": mdape(g.MdAPETotalTime, g.MdAPEDowntime, g.MdAPESyncs, g.MdAPEBytes)})
	}
	var byGroup []map[string]any
	for _, g := range lc.ByGroup {
		byGroup = append(byGroup, map[string]any{"group": g.Group, "fit": fitDoc(g.Fit)})
	}
	doc := map[string]any{
		"lake": source, "migrations": len(lc.Runs), "skipped": lc.Skipped,
		"fit": fitDoc(lc.All), "fit_by_group": byGroup,
		"leave_one_out": runs,
		"mdape":         mdape(lc.LOO.MdAPETotalTime, lc.LOO.MdAPEDowntime, lc.LOO.MdAPESyncs, lc.LOO.MdAPEBytes),
		"mdape_groups":  groups,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// fitDoc is a calibration for JSON: ReadCalibration's keys.
func fitDoc(c Calibration) map[string]*float64 {
	return map[string]*float64{"efficiency": num(c.Efficiency), "state_time_s": num(c.StateTime), "working_set": num(c.WorkingSet),
		"hot_share": num(c.HotShare), "cpu_rate": num(c.CPURate), "loss": num(c.Loss)}
}

// mdape is four errors for JSON, by outcome.
func mdape(total, down, syncs, bytes float64) map[string]*float64 {
	return map[string]*float64{"total_time": num(total), "downtime": num(down), "syncs": num(syncs), "bytes": num(bytes)}
}

// ReadCalibration reads fitted parameters as WriteCalibrationJSON writes
// them: the whole document (its "fit") or the "fit" object alone, keys
// efficiency, state_time_s, working_set, hot_share and cpu_rate (null or
// absent: not fitted; loss is ignored). Another replay applies them with
// Calibration.Apply ("migreplay replay --params FILE").
func ReadCalibration(r io.Reader) (Calibration, error) {
	var doc map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return Calibration{}, fmt.Errorf("%w: fitted parameters: %v", ErrCalibrate, err)
	}
	raw, err := json.Marshal(doc)
	if fit, ok := doc["fit"]; ok {
		raw = fit
	}
	var f fitJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(&f)
	}
	if err != nil {
		return Calibration{}, fmt.Errorf("%w: fitted parameters: %v", ErrCalibrate, err)
	}
	c := Calibration{}
	for _, p := range []struct {
		name string
		v    *float64
		dst  *float64
	}{{"efficiency", f.Efficiency, &c.Efficiency}, {"state_time_s", f.StateTime, &c.StateTime}, {"working_set", f.WorkingSet, &c.WorkingSet},
		{"hot_share", f.HotShare, &c.HotShare}, {"cpu_rate", f.CPURate, &c.CPURate}} {
		if p.v == nil {
			continue
		}
		k := knobs[strings.ReplaceAll(strings.TrimSuffix(p.name, "_s"), "_", "-")]
		if !(*p.v >= k.lo && *p.v <= k.hi) {
			return Calibration{}, fmt.Errorf("%w: fitted %s %g: outside [%g, %g]", ErrCalibrate, p.name, *p.v, k.lo, k.hi)
		}
		*p.dst = *p.v
	}
	return c, nil
}

// fitJSON is the "fit" object of WriteCalibrationJSON.
type fitJSON struct {
	Efficiency *float64 `json:"efficiency"`
	StateTime  *float64 `json:"state_time_s"`
	WorkingSet *float64 `json:"working_set"`
	HotShare   *float64 `json:"hot_share"`
	CPURate    *float64 `json:"cpu_rate"`
	Loss       *float64 `json:"loss"`
}

// num is v for JSON: nil (null) when NaN or infinite.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// DescribeFit names the fitted parameters and their values, for people.
func DescribeFit(c Calibration) string {
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
