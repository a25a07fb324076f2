package reproduce

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as tables: seed 004's R² published against
// ours, the hold-out errors, the calibration, Figure 5's shapes, seed 001's
// fits and the MTU replay.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	c := r.Calibration
	fmt.Fprintf(ew, "seed 004: migration time = a·cap^b against the Dom0 CPU cap (%s engine, caps %s %%, noise σ = %.4f, seed %d)\n",
		r.Engine, joinFloats(r.CapsPct), c.NoiseSigma, r.Seed)
	fmt.Fprintln(ew, "R2_LOG: least squares on ln y, as a spreadsheet power trend line (the paper's likely convention); R2_Y: that curve judged on y; DIFF = ours − published, percentage points")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "EXPERIMENT\tPUBLISHED\tOURS_R2_LOG\tOURS_R2_Y\tDIFF_LOG\tDIFF_Y\tNOISELESS_LOG\tNOISE BAND 5–95%\tRANK\ta\tb\tt@10%\tt@100%\t")
	for _, e := range r.Seed004 {
		pub, dl, dy := "—", "—", "—"
		if e.Published != nil {
			pub = e.Published.AsPrinted
			dl, dy = fmt.Sprintf("%+.2f", *e.DiffLogPP), fmt.Sprintf("%+.2f", *e.DiffYPP)
		}
		first, last := e.Points[0].MeasuredS, e.Points[len(e.Points)-1].MeasuredS
		rank := "—"
		if e.Band.PublishedRank != nil {
			rank = fmt.Sprintf("%.2f", *e.Band.PublishedRank)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%.2f%%\t%s\t%s\t%.2f%%\t%.2f–%.2f%%\t%s\t%.4g\t%.3f\t%.1f s\t%.1f s\t\n", e.ID, pub,
			100*e.Fit.R2Log, 100*e.Fit.R2Y, dl, dy, 100*e.R2LogNoiseless, 100*e.Band.P5, 100*e.Band.P95, rank, e.Fit.A, e.Fit.B, first, last)
	}
	tw.Flush()
	s := r.Summary
	fmt.Fprintf(ew, "%d experiments with a published R²: mean |diff| %.2f pp (log), %.2f pp (y); %d within 1 pp, %d within 5 pp (log); largest: %s; %d published values inside our noise band\n",
		s.Compared, s.MeanAbsLogPP, s.MeanAbsYPP, s.WithinOnePP, s.WithinFivePP, s.LargestDiffID, s.InsideBand)
	fmt.Fprintf(ew, "NOISE BAND: our log-space R² over %d redraws of the noise on the same noiseless times; RANK: share of redraws at or below the published R²\n", BandDraws)

	fmt.Fprintln(ew, "\nreplayed migration times (s, noiseless → measured with noise) and Xen's stop rule per cap")
	tw = tabwriter.NewWriter(ew, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "EXPERIMENT\t")
	for _, cp := range r.CapsPct {
		fmt.Fprintf(tw, "%g%%\t", cp)
	}
	fmt.Fprintln(tw, "STOP (10% … 100%)")
	for _, e := range r.Seed004 {
		fmt.Fprintf(tw, "%s\t", e.ID)
		var stops []string
		for _, p := range e.Points {
			fmt.Fprintf(tw, "%.1f→%.1f\t", p.ModelS, p.MeasuredS)
			stops = append(stops, shortStop(p.StopReason))
		}
		fmt.Fprintln(tw, compress(stops))
	}
	tw.Flush()

	fmt.Fprintln(ew, "\nhold-out (section 4.E, line 179): trained on 5 caps spread evenly over 10…100 %, the other 5 predicted; error = predicted − measured")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPERIMENT\tTRAIN CAPS %\tERRORS AT THE HELD-OUT CAPS (s)\tMAE s\tMAPE %\tMAX |REL|")
	for _, e := range r.Seed004 {
		h := e.Holdout
		if h == nil {
			fmt.Fprintf(tw, "%s\t—\t%s\t\t\t\n", e.ID, e.HoldoutErr)
			continue
		}
		var errs []string
		for _, p := range h.Points {
			errs = append(errs, fmt.Sprintf("%g%%:%+.1f", p.CapPct, p.ErrS))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.1f\t%.2f\n", e.ID, joinFloats(h.TrainCapsPct), strings.Join(errs, " "), h.MAE, h.MAPE, h.MaxAbsRelErr)
	}
	tw.Flush()
	fmt.Fprintln(ew, "(the paper's Table 1 of prediction errors is not in its text: nothing to compare these with)")

	fmt.Fprintln(ew, "\ncalibration (one set for every experiment; README.md says why each value)")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "source CPU rate\t%.4g B/s per Dom0 CPU\tfitted to the anchors (line 77)\n", c.SourceCPURate)
	fmt.Fprintf(tw, "link\t%.4g B/s = %.3f × 1 Gbit/s\tfitted to the anchors (plateau, line 77)\n", c.LinkBandwidth, c.LinkEfficiency)
	fmt.Fprintf(tw, "plateau stream rate\t%.4g B/s\tderived; uses %.1f %% of a Dom0 CPU (text: at most %.0f %%, line 79)\n", c.PlateauRate, 100*c.MigrationDemand, 100*c.SourceCPUStated)
	fmt.Fprintf(tw, "destination CPU rate\t%.4g B/s per Dom0 CPU\tplateau rate ÷ %.1f %%: line 81's %.0f %% read on line 79's scale (%.0f %% → %.1f %%)\n",
		c.DestCPURate, 100*c.DestDemand, 100*c.DestCPUStated, 100*c.SourceCPUStated, 100*c.MigrationDemand)
	fmt.Fprintf(tw, "I/O Dom0 share\t%.2f (network), %.2f (disk)\tline 173 (60 %%) − line 79 (50 %%); disk assumed equal\n", c.NetDom0Share, c.DiskDom0Share)
	fmt.Fprintf(tw, "I/O rate at full share\t%.4g B/s\tI/O share × source CPU rate\n", c.IORate)
	fmt.Fprintf(tw, "memory-write rate\t%.4g page writes/s per guest CPU\tXen's forced stop begins at DomU %g %% (lines 115, 128)\n", c.MemWriteRate, c.MemWriteKneePct)
	fmt.Fprintf(tw, "noise σ\t%.4f (lognormal, per point)\tsample sd of the CPU-intensive R² = %.4f (line 81)\n", c.NoiseSigma, c.PublishedR2SD)
	fmt.Fprintf(tw, "anchor loss\t%.3g\tmean squared log error left\n", c.AnchorLoss)
	tw.Flush()
	fmt.Fprintln(ew, "anchors (published → ours, noiseless, for the idle / 40 % / 80 % CPU-intensive guest):")
	for _, a := range c.Anchors {
		fmt.Fprintf(ew, "  cap %3g %%: about %g s (%s, line %d) → %.2f / %.2f / %.2f s\n", a.CapPct, a.Published, a.Kind, a.SeedLine, a.Ours[0], a.Ours[1], a.Ours[2])
	}
	fmt.Fprintf(ew, "check: memory read, Dom0 uncapped: published about %g s (line 103), ours %.1f s\n", c.MemReadPublished, c.MemReadUncapped)

	fmt.Fprintf(ew, "\nFigure 5 set-up (Dom0s uncapped, DomU cap %s %%), noiseless:\n", joinFloats(r.DomUCapsPct))
	for _, f := range r.Figure5 {
		var ts []string
		for _, t := range f.TotalS {
			ts = append(ts, fmt.Sprintf("%.1f", t))
		}
		fmt.Fprintf(ew, "  %-15s %s s  [%s]\n", f.ID, strings.Join(ts, " "), compress(shortStops(f.Stops)))
	}

	fmt.Fprintln(ew, "\nseed 001: the paper's total migration time and downtime against packet size, power fit (fit.FitPower) and the model fit.Auto prefers")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HYPERVISOR\tMETRIC\tPOINTS (B: s)\tFITTED CURVE\tR2_LOG\tR2_Y\tAUTO\t×1000/1500\t×32/1500")
	for _, p := range r.Seed001 {
		var pts []string
		for i := range p.Bytes {
			pts = append(pts, fmt.Sprintf("%g: %g", p.Bytes[i], p.Seconds[i]))
		}
		if p.Excluded > 0 {
			pts = append(pts, fmt.Sprintf("(%d did not finish, excluded)", p.Excluded))
		}
		curve, r2l, r2y := "—", "—", "—"
		if p.Fit != nil {
			curve = fmt.Sprintf("y = %.4g·x^%.4f", p.Fit.A, p.Fit.B)
			r2l, r2y = fmt.Sprintf("%.4f", p.Fit.R2Log), fmt.Sprintf("%.4f", p.Fit.R2Y)
		} else {
			curve = "no fit: " + shortErr(p.FitErr)
		}
		auto := p.Auto
		if auto == "" {
			auto = fmt.Sprintf("none: %s (cross-validation on %d points trains on %d)", shortErr(p.AutoErr), len(p.Bytes), len(p.Bytes)-1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Hypervisor, p.Metric, strings.Join(pts, ", "), curve, r2l, r2y, auto,
			optRatio(p.Ratio1000), optRatio(p.Ratio32))
	}
	tw.Flush()
	fmt.Fprintln(ew, "\nseed 001's MTU effect replayed (idle 1 GiB guest, xen-legacy; 32 B read as 32 B of payload, MTU 72), ratios to MTU 1500:")
	for _, m := range r.MTU {
		fmt.Fprintf(ew, "  %-4s total ×%.2f (1000) ×%.2f (32)  downtime ×%.2f (1000) ×%.2f (32)  bound %s — %s\n", m.Regime,
			m.TotalRatio1000, m.TotalRatio32, m.DownRatio1000, m.DownRatio32, strings.Join(m.RateBound, "/"), m.Note)
	}
	fmt.Fprintln(ew)
	for _, n := range r.Notes {
		fmt.Fprintln(ew, "note:", n)
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func optRatio(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f", *v)
}

// shortErr keeps the last clause of a wrapped error.
func shortErr(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}

func shortStop(s string) string {
	switch s {
	case "under 50 pages":
		return "<50"
	case "3x memory":
		return "3x"
	case "iterations":
		return "29it"
	}
	return s
}

func shortStops(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = shortStop(s)
	}
	return out
}

// compress writes runs of equal values as "v×n".
func compress(v []string) string {
	var out []string
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && v[j] == v[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%s×%d", v[i], j-i))
		} else {
			out = append(out, v[i])
		}
		i = j
	}
	return strings.Join(out, " ")
}
