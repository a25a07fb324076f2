package reproduce

import (
	"math"
	"strings"

	"github.com/migreplay/migreplay/datasets"
	"github.com/migreplay/migreplay/schema"
)

// Rows returns the report as the reproduce and reproduce_point tables.
func (r *Report) Rows() ([]schema.ReproduceResult, []schema.ReproducePoint) {
	var res []schema.ReproduceResult
	var pts []schema.ReproducePoint
	for _, e := range r.Seed004 {
		xcol := "source_dom0_cap_pct"
		if e.Varied == "destination_dom0_cap" {
			xcol = "destination_dom0_cap_pct"
		}
		row := schema.ReproduceResult{
			Study: "seed004", Experiment: e.ID, Description: e.Description, Source: "replay",
			XCol: xcol, YCol: "migration_time_s", N: int64(e.Fit.N),
			A: ptr(e.Fit.A), B: ptr(e.Fit.B), R2Log: ptr(e.Fit.R2Log), R2Y: ptr(e.Fit.R2Y),
			R2LogNoiseless: ptr(e.R2LogNoiseless), DiffLogPP: e.DiffLogPP, DiffYPP: e.DiffYPP,
			NoiseSigma: r.Calibration.NoiseSigma, Seed: r.Seed, Engine: r.Engine,
		}
		if p := e.Published; p != nil {
			row.PublishedR2, row.PublishedAsPrinted, row.SeedFile, row.SeedLine = ptr(p.R2), p.AsPrinted, p.SeedFile, int64(p.SeedLine)
		}
		role := map[float64]string{}
		pred := map[float64]float64{}
		if h := e.Holdout; h != nil {
			row.HoldoutTrain = joinFloats(h.TrainCapsPct)
			row.HoldoutMAE, row.HoldoutMAPE, row.HoldoutMaxAbsRelErr = ptr(h.MAE), ptr(h.MAPE), ptr(h.MaxAbsRelErr)
			for _, x := range h.TrainCapsPct {
				role[x] = "train"
			}
			for _, p := range h.Points {
				role[p.CapPct], pred[p.CapPct] = "test", p.PredS
			}
		} else {
			row.Note = e.HoldoutErr
		}
		res = append(res, row)
		for _, p := range e.Points {
			pt := schema.ReproducePoint{
				Study: "seed004", Experiment: e.ID, Source: "replay", XCol: xcol, X: p.CapPct, Y: p.MeasuredS,
				YModel: ptr(p.ModelS), YFit: ptr(e.Fit.A * math.Pow(p.CapPct, e.Fit.B)), Role: role[p.CapPct],
				Rounds: ptr(int64(p.Rounds)), StopReason: p.StopReason, RateBound: p.RateBound, BytesSent: ptr(p.BytesSent), Seed: r.Seed,
			}
			if v, ok := pred[p.CapPct]; ok {
				pt.HoldoutPred = ptr(v)
			}
			pts = append(pts, pt)
		}
	}
	for _, f := range r.Figure5 {
		for i, d := range r.DomUCapsPct {
			pts = append(pts, schema.ReproducePoint{Study: "seed004", Experiment: f.ID, Source: "replay", XCol: "domu_cap_pct",
				X: d, Y: f.TotalS[i], YModel: ptr(f.TotalS[i]), StopReason: f.Stops[i], Seed: r.Seed})
		}
	}
	for _, p := range r.Seed001 {
		ycol := "total_migration_time_s"
		if p.Metric == datasets.MetricDowntime {
			ycol = "downtime_s"
		}
		row := schema.ReproduceResult{
			Study: "seed001", Experiment: p.Hypervisor + "/" + p.Metric,
			Description: p.Hypervisor + ": " + strings.ReplaceAll(p.Metric, "_", " ") + " against packet size (seed 001)",
			Source:      "published", XCol: "packet_size_bytes", YCol: ycol, N: int64(len(p.Bytes)), Excluded: int64(p.Excluded),
			SeedFile: "001_9de77f532aed856e.txt", Seed: r.Seed,
		}
		var notes []string
		if p.Fit != nil {
			row.A, row.B, row.R2Log, row.R2Y = ptr(p.Fit.A), ptr(p.Fit.B), ptr(p.Fit.R2Log), ptr(p.Fit.R2Y)
		} else {
			notes = append(notes, "power fit: "+p.FitErr)
		}
		if p.Auto != "" {
			row.AutoModel = ptr(p.Auto)
		} else {
			notes = append(notes, "auto: "+p.AutoErr)
		}
		row.Note = strings.Join(notes, "; ")
		res = append(res, row)
		for i := range p.Bytes {
			pt := schema.ReproducePoint{Study: "seed001", Experiment: row.Experiment, Source: "published", XCol: "packet_size_bytes",
				X: p.Bytes[i], Y: p.Seconds[i], Seed: r.Seed}
			if p.Fit != nil {
				pt.YFit = ptr(p.Fit.A * math.Pow(p.Bytes[i], p.Fit.B))
			}
			pts = append(pts, pt)
		}
	}
	for _, m := range r.MTU {
		for i, mtu := range m.MTU {
			for _, v := range []struct {
				metric string
				y      float64
			}{{datasets.MetricTotalTime, m.TotalS[i]}, {datasets.MetricDowntime, m.DowntimeS[i]}} {
				pts = append(pts, schema.ReproducePoint{Study: "seed001", Experiment: "mtu-" + m.Regime + "/" + v.metric, Source: "replay",
					XCol: "mtu_bytes", X: float64(mtu), Y: v.y, YModel: ptr(v.y), RateBound: m.RateBound[i], Seed: r.Seed})
			}
		}
	}
	return res, pts
}

func ptr[T any](v T) *T { return &v }
