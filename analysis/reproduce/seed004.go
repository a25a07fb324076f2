package reproduce

import (
	"fmt"
	"hash/fnv"
	"math"
	"sort"

	"github.com/migreplay/migreplay/datasets"
	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/replay"
)

// Experiment is one of seed 004's power models, rebuilt with the replay
// model: its published R² (from seed004_published_r2.csv) against ours.
type Experiment struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Workload    string   `json:"workload"`
	Varied      string   `json:"varied"`        // source_dom0_cap or destination_dom0_cap
	DomUCapPct  float64  `json:"domu_cap_pct"`  // the guest's cap as replayed (0: idle)
	DomUCapNote string   `json:"domu_cap_note"` // where DomUCapPct comes from
	SourcePct   *float64 `json:"source_cap_pct"`

	Published *Published `json:"published"` // nil when the paper prints no R²

	Points []Point `json:"points"`
	// Fit is fit.FitPower on (cap %, measured s): least squares on ln y.
	Fit PowerFit `json:"fit"`
	// R2LogNoiseless is the same fit's log-space R² on the noiseless
	// times: how much of ours is the model's shape, how much the noise.
	R2LogNoiseless float64 `json:"r2_log_noiseless"`
	// Band is the spread of the log-space R² the noise alone gives this
	// experiment's noiseless times: BandDraws redraws of the noise.
	Band Band `json:"band"`
	// DiffLogPP and DiffYPP are ours − published, percentage points.
	DiffLogPP *float64 `json:"diff_log_pp"`
	DiffYPP   *float64 `json:"diff_y_pp"`
	Holdout   *Holdout `json:"holdout"`
	// HoldoutErr says why Holdout is nil.
	HoldoutErr string `json:"holdout_error,omitempty"`
}

// Band summarises the log-space R² over many redraws of the noise on the
// same noiseless times (seeded from the run seed): where a published value
// falls in it says whether our model, with our noise, could have printed it.
type Band struct {
	Draws int     `json:"draws"`
	P5    float64 `json:"p5"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	// PublishedRank is the share of draws at or below the published R²
	// (nil when none is printed): near 0 or 1, the paper is outside.
	PublishedRank *float64 `json:"published_rank"`
}

// BandDraws is the number of noise redraws behind each Band.
const BandDraws = 1000

// band redraws the noise on the noiseless times y0 at caps x.
func band(x, y0 []float64, sigma float64, seed uint64, published *Published) Band {
	lx, ly := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		lx[i] = math.Log(x[i])
	}
	rng := replay.NewRNG(seed)
	r2 := make([]float64, BandDraws)
	for k := range r2 {
		for i := range y0 {
			ly[i] = math.Log(y0[i]) + sigma*rng.NormFloat64()
		}
		r2[k] = rsqLog(lx, ly)
	}
	sort.Float64s(r2)
	q := func(p float64) float64 { return r2[int(math.Round(p*float64(BandDraws-1)))] }
	b := Band{Draws: BandDraws, P5: q(0.05), P50: q(0.5), P95: q(0.95)}
	if published != nil {
		n := sort.SearchFloat64s(r2, math.Nextafter(published.R2, 2))
		rank := float64(n) / BandDraws
		b.PublishedRank = &rank
	}
	return b
}

// Published is a printed R² with its place in the seed.
type Published struct {
	AsPrinted string  `json:"as_printed"`
	R2        float64 `json:"r2"`
	Decimals  int     `json:"decimals"`
	SeedFile  string  `json:"seed_file"`
	SeedLine  int     `json:"seed_line"`
}

// Point is one replayed migration of an experiment.
type Point struct {
	CapPct     float64 `json:"cap_pct"`
	ModelS     float64 `json:"model_s"`    // replayed, noiseless
	MeasuredS  float64 `json:"measured_s"` // ModelS × exp(σ·Z): what is fitted
	Rounds     int     `json:"rounds"`
	StopReason string  `json:"stop_reason"`
	RateBound  string  `json:"rate_bound"` // cpu (source Dom0), limit (destination Dom0) or link
	BytesSent  int64   `json:"bytes_sent"`
}

// PowerFit is a fitted y = a·x^b with both R² conventions.
type PowerFit struct {
	A     float64 `json:"a"`
	B     float64 `json:"b"`
	R2Log float64 `json:"r2_log"` // 1 − SSE/SST of ln y (spreadsheet trend line)
	R2Y   float64 `json:"r2_y"`   // the same curve judged on y
	Corr2 float64 `json:"corr2"`  // corr(y, ŷ)²
	N     int     `json:"n"`
}

func powerFit(r *fit.Result) PowerFit {
	return PowerFit{A: r.Params[0].Value, B: r.Params[1].Value, R2Log: r.R2Fit, R2Y: r.R2Y, Corr2: r.Corr2, N: r.N}
}

// Holdout is seed 004's protocol (section 4.E, line 179): five caps spread
// evenly over the range train the power model, the rest are predicted.
type Holdout struct {
	TrainCapsPct []float64      `json:"train_caps_pct"`
	Fit          PowerFit       `json:"fit"`
	Points       []HoldoutPoint `json:"points"`
	MAE          float64        `json:"mae_s"`
	MAPE         float64        `json:"mape_pct"`
	MaxAbsRelErr float64        `json:"max_abs_rel_err"`
}

// HoldoutPoint is one predicted cap.
type HoldoutPoint struct {
	CapPct    float64 `json:"cap_pct"`
	MeasuredS float64 `json:"measured_s"`
	PredS     float64 `json:"pred_s"` // the median curve exp(ln a + b·ln x)
	ErrS      float64 `json:"err_s"`  // PredS − MeasuredS
	RelErr    float64 `json:"rel_err"`
}

// experimentSetup maps a published-R² row to the guest and caps replayed.
func experimentSetup(row datasets.PublishedR2Row) (domU float64, note string, err error) {
	switch {
	case row.DomUCapPct != nil:
		return *row.DomUCapPct / 100, fmt.Sprintf("%s (line %d)", "seed004_published_r2.csv", row.SeedLine), nil
	case row.Workload == wCPU && row.Varied == "destination_dom0_cap":
		return 1, "line 81: the migrating VM 'always given 100% of CPU'", nil
	case row.Workload == wCPU:
		return 0, "line 79: idle, 'without running the benchmark'", nil
	case row.Workload == wDisk || row.Workload == wNetSend || row.Workload == wNetRecv:
		return 1, "not stated; the I/O workloads' dirtying follows their I/O, not the DomU cap", nil
	}
	return 0, "", fmt.Errorf("reproduce: %s: no DomU cap and no rule for workload %q", row.ExperimentID, row.Workload)
}

// noiseSeed derives an experiment's noise stream from the run seed and the
// experiment's id, so adding an experiment leaves the others unchanged.
func noiseSeed(seed uint64, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return seed ^ h.Sum64()
}

// runExperiment replays one published experiment over the caps, adds the
// noise, fits and runs the hold-out protocol.
func (c *Calibration) runExperiment(row datasets.PublishedR2Row, cfg Config) (*Experiment, error) {
	domU, note, err := experimentSetup(row)
	if err != nil {
		return nil, err
	}
	e := &Experiment{ID: row.ExperimentID, Description: row.Description, Workload: row.Workload, Varied: row.Varied,
		DomUCapPct: 100 * domU, DomUCapNote: note, SourcePct: row.SourceDom0CapPct}
	if row.R2 != nil {
		e.Published = &Published{AsPrinted: row.R2AsPrinted, R2: *row.R2, Decimals: row.Decimals(), SeedFile: row.SeedFile, SeedLine: row.SeedLine}
	}
	rng := replay.NewRNG(noiseSeed(cfg.Seed, row.ExperimentID))
	caps := CapsPct()
	x := make([]float64, len(caps))
	y := make([]float64, len(caps))
	y0 := make([]float64, len(caps))
	for i, cp := range caps {
		s := setup{Workload: row.Workload, DomUCap: domU, SrcCap: cp / 100, DstCap: 1}
		switch row.Varied {
		case "source_dom0_cap":
		case "destination_dom0_cap":
			if row.SourceDom0CapPct == nil {
				return nil, fmt.Errorf("reproduce: %s varies the destination cap but has no source cap", row.ExperimentID)
			}
			s.SrcCap, s.DstCap = *row.SourceDom0CapPct/100, cp/100
		default:
			return nil, fmt.Errorf("reproduce: %s: unknown varied %q", row.ExperimentID, row.Varied)
		}
		r, err := c.simulate(s, cfg.PageLevel, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("reproduce: %s at %g %%: %w", row.ExperimentID, cp, err)
		}
		if !r.Converged {
			return nil, fmt.Errorf("reproduce: %s at %g %%: the replay did not converge (%s)", row.ExperimentID, cp, r.StopReason)
		}
		m := r.TotalTime * math.Exp(c.NoiseSigma*rng.NormFloat64())
		e.Points = append(e.Points, Point{CapPct: cp, ModelS: r.TotalTime, MeasuredS: m, Rounds: r.Rounds,
			StopReason: r.StopReason, RateBound: r.RateBound, BytesSent: r.Bytes})
		x[i], y[i], y0[i] = cp, m, r.TotalTime
	}
	f, err := fit.FitPower(x, y, nil)
	if err != nil {
		return nil, fmt.Errorf("reproduce: %s: power fit: %w", row.ExperimentID, err)
	}
	e.Fit = powerFit(f)
	f0, err := fit.FitPower(x, y0, nil)
	if err != nil {
		return nil, fmt.Errorf("reproduce: %s: power fit of the noiseless times: %w", row.ExperimentID, err)
	}
	e.R2LogNoiseless = f0.R2Fit
	e.Band = band(x, y0, c.NoiseSigma, noiseSeed(cfg.Seed, row.ExperimentID+"/band"), e.Published)
	if e.Published != nil {
		dl, dy := 100*(e.Fit.R2Log-e.Published.R2), 100*(e.Fit.R2Y-e.Published.R2)
		e.DiffLogPP, e.DiffYPP = &dl, &dy
	}
	h, err := fit.HoldoutEven(fit.Power, x, y, nil, 5)
	if err != nil {
		e.HoldoutErr = err.Error()
		return e, nil
	}
	hd := &Holdout{Fit: powerFit(h.Fit), MAE: h.MAE, MAPE: h.MAPE, MaxAbsRelErr: h.MaxAbsRelErr}
	for _, i := range h.Train {
		hd.TrainCapsPct = append(hd.TrainCapsPct, x[i])
	}
	for _, p := range h.Points {
		hd.Points = append(hd.Points, HoldoutPoint{CapPct: p.X, MeasuredS: p.Y, PredS: p.Pred.Y, ErrS: p.Err, RelErr: p.RelErr})
	}
	e.Holdout = hd
	return e, nil
}

// Seed004 rebuilds every experiment of seed004_published_r2.csv, in the
// file's order.
func (c *Calibration) Seed004(cfg Config) ([]*Experiment, error) {
	rows, err := datasets.LoadPublishedR2()
	if err != nil {
		return nil, err
	}
	out := make([]*Experiment, 0, len(rows))
	for _, row := range rows {
		e, err := c.runExperiment(row, cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
