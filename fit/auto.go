package fit

import (
	"errors"
	"fmt"
	"sync"
)

// Config sets the cross-validation and hold-out of Evaluate and Auto. The
// zero value means the documented defaults.
type Config struct {
	// Folds is k of k-fold cross-validation; 0 means 10. It is capped at n,
	// where k-fold becomes leave-one-out.
	Folds int
	// Seed assigns points to folds (see Folds); 0 is a seed like any other.
	Seed uint64
	// Train is the number of training points of the hold-out protocol
	// (HoldoutEven); 0 means 5, seed 004's choice.
	Train int
	// MaxRefitLOO bounds n for leave-one-out by refitting (models with
	// ModelSpec.RefitLOO, PowerNLS: n refits, O(n²)); 0 means 5000. Above
	// it Report.LOO is nil and LOOErr says why; k-fold still runs.
	MaxRefitLOO int
	// HoldoutPoints says whether Report.Holdout keeps one HoldoutPoint per
	// held-out point (its summary is always computed, in O(n)).
	HoldoutPoints PointsRule
}

// PointsRule says when a hold-out keeps its per-point predictions.
type PointsRule int

const (
	// PointsAuto (the zero value) keeps them when the data set has at most
	// MaxAutoPoints points: seed 004's protocol reports each held-out
	// point's error on ten Dom0 caps; on a million points a reader wants
	// the summary, not a million rows.
	PointsAuto PointsRule = iota
	// PointsAlways keeps them whatever n.
	PointsAlways
	// PointsNever keeps the summary only.
	PointsNever
)

// MaxAutoPoints is PointsAuto's bound on n.
const MaxAutoPoints = 100

// Keep reports whether a hold-out on n points keeps its points.
func (p PointsRule) Keep(n int) bool {
	switch p {
	case PointsAlways:
		return true
	case PointsNever:
		return false
	}
	return n <= MaxAutoPoints
}

func (c Config) folds() int {
	if c.Folds == 0 {
		return 10
	}
	return c.Folds
}

func (c Config) train() int {
	if c.Train == 0 {
		return 5
	}
	return c.Train
}

func (c Config) maxRefitLOO() int {
	if c.MaxRefitLOO == 0 {
		return 5000
	}
	return c.MaxRefitLOO
}

// Report is a fit with every out-of-sample check.
type Report struct {
	Fit   *Result
	LOO   *CV // leave-one-out; nil when LOOErr says why
	KFold *CV // k-fold with Config.Folds and Config.Seed; nil when KFoldErr says why
	// Holdout is seed 004's protocol with Config.Train training points; nil
	// when HoldoutErr says why (typically too few points).
	Holdout    *Holdout
	LOOErr     error
	KFoldErr   error
	HoldoutErr error
}

// Evaluate fits model m once and cross-validates it: leave-one-out, k-fold
// and the hold-out protocol. Errors are those of the full fit; a check that
// cannot run (a training set too small or degenerate, which is common in
// small classes) leaves its field nil and its error in the Report.
//
// Cost on n points: the fit, O(n) for leave-one-out of least-squares models
// (closed form), O(n) for their k-fold above 65,536 points (see KFold),
// O(n) for the hold-out summary. A model without a closed-form
// leave-one-out (power-nls) refits n times, so only up to
// Config.MaxRefitLOO points.
func Evaluate(m Model, x, y, w []float64, cfg Config) (*Report, error) {
	r, err := Fit(m, x, y, w)
	if err != nil {
		return nil, err
	}
	rep := &Report{Fit: r, LOO: r.LOO, LOOErr: r.LOOErr}
	if r.Model.spec().RefitLOO {
		if len(x) > cfg.maxRefitLOO() {
			rep.LOOErr = fmt.Errorf("leave-one-out of %s refits n = %d times, above the limit %d: use k-fold", m, len(x), cfg.maxRefitLOO())
		} else {
			rep.LOO, rep.LOOErr = leaveOneOut(r, x, y, w)
		}
	}
	// The hold-out and k-fold are independent (and each deterministic):
	// on many points they run side by side.
	var wg sync.WaitGroup
	wg.Go(func() { rep.Holdout, rep.HoldoutErr = holdout(m, x, y, w, cfg.train(), cfg.HoldoutPoints.Keep(len(x))) })
	rep.KFold, rep.KFoldErr = kfold(r, x, y, w, cfg.folds(), cfg.Seed)
	wg.Wait()
	return rep, nil
}

// Candidate is one model tried by Auto.
type Candidate struct {
	Model Model
	CV    *CV   // k-fold score; nil when Err is set
	Err   error // why the model could not be fitted or cross-validated
}

// Auto picks, among models (nil: Models()), the one with the smallest k-fold
// cross-validation RMSE on y (Config.Folds, Config.Seed; leave-one-out when
// n ≤ Folds). Comparing on y, not in each model's fit space, makes log-space
// and y-space models comparable. Ties go to fewer parameters, then to the
// earlier model in the list. Models that cannot be fitted (say, power with
// a zero y) are reported in the candidates and skipped; if none fits, the
// first model's error is returned.
func Auto(models []Model, x, y, w []float64, cfg Config) (Model, []Candidate, error) {
	if models == nil {
		models = Models()
	}
	cands := make([]Candidate, len(models))
	for i, m := range models {
		cv, err := KFold(m, x, y, w, cfg.folds(), cfg.Seed)
		cands[i] = Candidate{Model: m, CV: cv, Err: err}
	}
	best, err := Pick(cands)
	if err != nil {
		return "", cands, err
	}
	return cands[best].Model, cands, nil
}

// Pick is Auto's choice among scored candidates: the index of the smallest
// CV.RMSE, ties to fewer parameters, then to the earlier candidate;
// candidates with an Err are skipped. If none is usable, the error wraps
// the first candidate's (ErrModel when there are none).
func Pick(cands []Candidate) (int, error) {
	best := -1
	for i, c := range cands {
		if c.Err != nil || c.CV == nil {
			continue
		}
		if best < 0 || c.CV.RMSE < cands[best].CV.RMSE ||
			(c.CV.RMSE == cands[best].CV.RMSE && c.Model.NumParams() < cands[best].Model.NumParams()) {
			best = i
		}
	}
	if best < 0 {
		if len(cands) == 0 {
			return -1, fmt.Errorf("fit auto: no models to choose from: %w", ErrModel)
		}
		return -1, fmt.Errorf("fit auto: no model could be cross-validated: %w", errors.Join(cands[0].Err))
	}
	return best, nil
}
