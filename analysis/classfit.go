package analysis

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

// PairMigrations merges the two sides of a migration between two hosts of
// the lake into one row: a receiving-only row (roles incoming) whose window
// overlaps, within pairSlack, the window of a sending-only row (roles
// migratedaway) of the same domain on another host is dropped, and the
// sender's row names it as its peer_host. Several candidates: the sender
// whose start is nearest. Rows stay in their order.
func PairMigrations(migs []schema.Migration) []schema.Migration {
	used := make([]bool, len(migs))
	for i := range migs {
		r := &migs[i]
		if r.Roles != "incoming" {
			continue
		}
		best := -1
		for j := range migs {
			s := &migs[j]
			if used[j] || s.Roles != "migratedaway" || s.Domain != r.Domain || s.Host == r.Host || s.PeerHost != nil ||
				r.Time.After(s.End.Add(pairSlack)) || s.Time.After(r.End.Add(pairSlack)) {
				continue
			}
			if best < 0 || absDur(s.Time.Sub(r.Time)) < absDur(migs[best].Time.Sub(r.Time)) {
				best = j
			}
		}
		if best >= 0 {
			used[i] = true
			migs[best].PeerHost = ptr(r.Host)
		}
	}
	out := migs[:0:0]
	for i := range migs {
		if !used[i] {
			out = append(out, migs[i])
		}
	}
	return out
}

// pairSlack is how far apart the two sides' windows may be: the hosts'
// collectors sample at their own instants.
const pairSlack = 30 * time.Second

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// ClassFit is one class's fit of y against x.
type ClassFit struct {
	Class string
	X, Y  []float64
	Fit   *fit.Result // nil when Err is set
	Err   error
}

// FitByClass fits model to (x, y) per class, classes in sorted order;
// points with a non-finite x or y are left out. A class that cannot be
// fitted (too few points, constant x, ...) has Err, wrapping fit's
// sentinel.
func FitByClass(model fit.Model, x, y []float64, class []string) []ClassFit {
	idx := map[string]*ClassFit{}
	var names []string
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			continue
		}
		c := idx[class[i]]
		if c == nil {
			c = &ClassFit{Class: class[i]}
			idx[class[i]] = c
			names = append(names, class[i])
		}
		c.X = append(c.X, x[i])
		c.Y = append(c.Y, y[i])
	}
	sort.Strings(names)
	out := make([]ClassFit, 0, len(names))
	for _, n := range names {
		c := idx[n]
		c.Fit, c.Err = fit.Fit(model, c.X, c.Y, nil)
		out = append(out, *c)
	}
	return out
}

// ClassPredictions puts every measured migration (xentop rows with a
// memory and QMP rows with a total time) beside two predictions of its
// time: model fitted to time against memory (MiB) over the migrations of
// its class (FitByClass; the migration is one of the fit's points: an
// in-sample prediction), and the replay engine's analytic path for the same
// guest, as analysis_vm predicts it (its memory, a dirty rate of its CPU
// before the migration × cfg.DirtyPerCPU pages/s per busy CPU, cfg's stop
// rule and link). QMP rows carry no CPU (replay_s null) unless sar gave one
// for their class; they are fitted with the xentop rows of their class.
func ClassPredictions(migs []schema.Migration, qmp []schema.QMPMigration, model fit.Model, cfg VMConfig) ([]schema.ClassPrediction, error) {
	cfg = cfg.withDefaults()
	stop, err := replay.ParsePolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	var rows []schema.ClassPrediction
	var cpus []*float64
	for _, m := range migs {
		if m.MemMiB == nil {
			continue
		}
		rows = append(rows, schema.ClassPrediction{Host: m.Host, Time: m.Time, Source: "xentop", Domain: m.Domain, Class: m.Class,
			MemMiB: *m.MemMiB, MeasuredS: m.DurationS, Model: string(model)})
		var c *float64
		if m.CPUBefore != nil {
			c = ptr(*m.CPUBefore / 100)
		}
		cpus = append(cpus, c)
	}
	for _, q := range qmp {
		if q.TotalTimeS == nil || q.RAMTotal == nil {
			continue
		}
		rows = append(rows, schema.ClassPrediction{Host: q.Host, Time: q.Time, Source: "qmp", Domain: q.Host, Class: q.Class,
			MemMiB: float64(*q.RAMTotal) / (1 << 20), MeasuredS: *q.TotalTimeS, Model: string(model)})
		cpus = append(cpus, nil)
	}
	x, y, cls := make([]float64, len(rows)), make([]float64, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		x[i], y[i], cls[i] = r.MemMiB, r.MeasuredS, r.Class
	}
	fits := map[string]ClassFit{}
	for _, f := range FitByClass(model, x, y, cls) {
		fits[f.Class] = f
	}
	for i := range rows {
		r := &rows[i]
		f := fits[r.Class]
		r.N = int64(len(f.X))
		if f.Err != nil {
			r.FitError = f.Err.Error()
		} else if p, err := f.Fit.Predict(r.MemMiB); err != nil {
			r.FitError = err.Error()
		} else {
			r.FitS, r.FitLoS, r.FitHiS, r.FitR2Y = ptr(p.Y), ptr(p.PredLo), ptr(p.PredHi), ptr(f.Fit.R2Y)
		}
		if cpus[i] != nil {
			res, err := replay.Analytic(replay.Config{Memory: int64(r.MemMiB * (1 << 20)), Bandwidth: cfg.Bandwidth, Policy: stop,
				DirtyModel: replay.CPU{Rate: cfg.DirtyPerCPU, Usage: math.Max(*cpus[i], 1e-3), WorkingSet: cfg.WorkingSet}})
			if err != nil {
				return nil, fmt.Errorf("predict %s on %s: %w", r.Domain, r.Host, err)
			}
			r.ReplayS = ptr(res.TotalTime)
		}
	}
	return rows, nil
}
