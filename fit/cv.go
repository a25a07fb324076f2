package fit

import (
	"fmt"
	"math"
	"sort"
)

// CV is a cross-validation score: every point predicted by a model fitted
// without it. ŷ₋ᵢ denotes that out-of-sample prediction.
type CV struct {
	Method string // "loo" (leave-one-out) or "kfold"
	K      int    // number of folds; n for leave-one-out
	Seed   uint64 // fold assignment seed (kfold)
	N      int

	PRESS float64 // Σ(yᵢ − ŷ₋ᵢ)² on y, unweighted
	RMSE  float64 // sqrt(PRESS/n)
	MAE   float64 // Σ|yᵢ − ŷ₋ᵢ|/n
	MAPE  float64 // 100·Σ|(yᵢ − ŷ₋ᵢ)/yᵢ|/m over the m points with y ≠ 0, percent
	R2Y   float64 // out-of-sample R² on y, 1 − PRESS/SSTY

	// PRESSFit is Σwᵢ(tᵢ − t̂₋ᵢ)² in the fit space (t = ln y for log-space
	// fits) and R2Fit = 1 − PRESSFit/SST (often called Q² or predicted R²).
	PRESSFit float64
	R2Fit    float64
}

func (s ySums) toCV(method string, k int, seed uint64, pressFit float64, full *Result) *CV {
	n := float64(full.N)
	cv := &CV{Method: method, K: k, Seed: seed, N: full.N,
		PRESS: s.sse, RMSE: math.Sqrt(s.sse / n), MAE: s.abs / n, R2Y: 1 - s.sse/full.SSTY,
		PRESSFit: pressFit, R2Fit: 1 - pressFit/full.SST}
	if s.nrel > 0 {
		cv.MAPE = 100 * s.rel / s.nrel
	}
	return cv
}

// looCV is the closed-form leave-one-out of a least-squares fit: the
// fit-space residual of point i left out is eᵢ/(1 − hᵢᵢ), so
// PRESS = Σwᵢ(eᵢ/(1 − hᵢᵢ))² (Allen 1974) and ŷ₋ᵢ = back(tᵢ − eᵢ/(1 − hᵢᵢ)).
func looCV(r *Result, s ySums, pressFit float64) *CV {
	return s.toCV("loo", r.N, 0, pressFit, r)
}

// LeaveOneOut cross-validates model m by leaving out each point in turn.
// Least-squares models use the closed form of looCV (exact, O(n·p²));
// PowerNLS refits n times (O(n²)), each refit as FitPowerNLS.
func LeaveOneOut(m Model, x, y, w []float64) (*CV, error) {
	full, err := Fit(m, x, y, w)
	if err != nil {
		return nil, err
	}
	if m != PowerNLS {
		if full.LOO == nil {
			return nil, full.LOOErr
		}
		return full.LOO, nil
	}
	folds := make([]int, len(x))
	for i := range folds {
		folds[i] = i
	}
	return crossValidate(full, x, y, w, folds, len(x), "loo", 0)
}

// KFold cross-validates model m over k folds (2 ≤ k; k > n is taken as n,
// which is leave-one-out by refitting). Folds are deterministic: point i
// gets the key splitmix64(seed + i·φ), points are sorted by key (then
// index) and the j-th gets fold j mod k, so folds differ in size by at
// most one. Errors: those of Fit on the full data or on any training set
// (wrapped with the fold).
func KFold(m Model, x, y, w []float64, k int, seed uint64) (*CV, error) {
	if k < 2 {
		return nil, fmt.Errorf("fit %s: k-fold with k = %d, need k ≥ 2: %w", m, k, ErrTooFewPoints)
	}
	full, err := Fit(m, x, y, w)
	if err != nil {
		return nil, err
	}
	k = min(k, len(x))
	return crossValidate(full, x, y, w, Folds(len(x), k, seed), k, "kfold", seed)
}

// Folds assigns each of n points to one of k folds, deterministically from
// seed (see KFold).
func Folds(n, k int, seed uint64) []int {
	type kv struct {
		key uint64
		i   int
	}
	keys := make([]kv, n)
	for i := range keys {
		keys[i] = kv{splitmix64(seed + uint64(i)*0x9e3779b97f4a7c15), i}
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].key != keys[b].key {
			return keys[a].key < keys[b].key
		}
		return keys[a].i < keys[b].i
	})
	f := make([]int, n)
	for j, p := range keys {
		f[p.i] = j % k
	}
	return f
}

// splitmix64 is Steele, Lea and Flood's 64-bit mixer (the output function of
// SplitMix64), a fixed bijection so that folds never change across Go
// versions.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// crossValidate refits m without each fold and predicts the fold.
func crossValidate(full *Result, x, y, w []float64, fold []int, k int, method string, seed uint64) (*CV, error) {
	m := full.Model
	n := len(x)
	yMean := 0.0
	for _, v := range y {
		yMean += v
	}
	yMean /= float64(n)
	var s ySums
	pressFit := 0.0
	tx, ty := make([]float64, 0, n), make([]float64, 0, n)
	var tw []float64
	if w != nil {
		tw = make([]float64, 0, n)
	}
	for f := range k {
		tx, ty = tx[:0], ty[:0]
		if w != nil {
			tw = tw[:0]
		}
		for i := range n {
			if fold[i] != f {
				tx = append(tx, x[i])
				ty = append(ty, y[i])
				if w != nil {
					tw = append(tw, w[i])
				}
			}
		}
		r, err := Fit(m, tx, ty, tw)
		if err != nil {
			return nil, fmt.Errorf("%s fold %d of %d (training on %d of %d points): %w", method, f+1, k, len(tx), n, err)
		}
		for i := range n {
			if fold[i] != f {
				continue
			}
			yhat := r.Eval(x[i])
			s.add(y[i], yhat, yMean)
			d := y[i] - yhat
			if full.Space == SpaceLog {
				d = math.Log(y[i]) - math.Log(yhat)
			}
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			pressFit += wi * d * d
		}
	}
	return s.toCV(method, k, seed, pressFit, full), nil
}

// HoldoutPoint is one point predicted by the hold-out protocol.
type HoldoutPoint struct {
	Index  int // position in the input
	X, Y   float64
	Pred   Prediction // the model fitted on the training points, at X
	Err    float64    // Pred.Y − Y
	RelErr float64    // Err/Y, a fraction (0 when Y = 0); seed papers' "accuracy" is 1 − |RelErr|
}

// Holdout is seed 004's protocol: fit on a few points spread evenly over the
// range of x, predict every other point.
type Holdout struct {
	Train  []int   // indices of the training points, by increasing x
	Fit    *Result // the model fitted on them
	Points []HoldoutPoint
	// Over Points: mean |Err|, sqrt(mean Err²), 100·mean |RelErr| (percent)
	// and max |RelErr| (a fraction).
	MAE, RMSE, MAPE, MaxAbsRelErr float64
}

// EvenIndices picks k points spread evenly over the range of x: for each
// target xmin + j·(xmax − xmin)/(k − 1), j = 0…k−1, the nearest point not
// yet taken (ties to the smaller x, then the smaller index). It returns
// their indices by increasing x. It needs 2 ≤ k ≤ len(x).
func EvenIndices(x []float64, k int) []int {
	n := len(x)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return x[order[a]] < x[order[b]] })
	lo, hi := x[order[0]], x[order[n-1]]
	taken := make([]bool, n)
	var out []int
	for j := range k {
		target := lo + float64(j)*(hi-lo)/float64(k-1)
		best := -1
		for pos, i := range order {
			if taken[pos] {
				continue
			}
			if best < 0 || math.Abs(x[i]-target) < math.Abs(x[order[best]]-target) {
				best = pos
			}
		}
		taken[best] = true
		out = append(out, order[best])
	}
	sort.SliceStable(out, func(a, b int) bool {
		if x[out[a]] != x[out[b]] {
			return x[out[a]] < x[out[b]]
		}
		return out[a] < out[b]
	})
	return out
}

// HoldoutEven runs seed 004's protocol: "5 training data points are evenly
// picked from the entire CPU allocation range and used to create the model,
// which is then used to predict the migration times for the other CPU
// allocation values". train is the number of training points (5 in the
// paper; EvenIndices picks them). Errors: ErrTooFewPoints unless
// p < train < n; then those of Fit on the training points.
func HoldoutEven(m Model, x, y, w []float64, train int) (*Holdout, error) {
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return nil, fmt.Errorf("holdout %s: len(x) = %d, len(y) = %d, len(w) = %d: %w", m, len(x), len(y), len(w), ErrLength)
	}
	if p := m.NumParams(); train <= p || train >= len(x) {
		return nil, fmt.Errorf("holdout %s: %d training points of %d, need %d < train < n: %w", m, train, len(x), p, ErrTooFewPoints)
	}
	idx := EvenIndices(x, train)
	in := make([]bool, len(x))
	tx, ty := make([]float64, 0, train), make([]float64, 0, train)
	var tw []float64
	for _, i := range idx {
		in[i] = true
		tx = append(tx, x[i])
		ty = append(ty, y[i])
		if w != nil {
			tw = append(tw, w[i])
		}
	}
	r, err := Fit(m, tx, ty, tw)
	if err != nil {
		return nil, fmt.Errorf("holdout training set: %w", err)
	}
	h := &Holdout{Train: idx, Fit: r}
	rest := make([]int, 0, len(x)-train)
	for i := range x {
		if !in[i] {
			rest = append(rest, i)
		}
	}
	sort.SliceStable(rest, func(a, b int) bool { return x[rest[a]] < x[rest[b]] })
	nrel := 0
	for _, i := range rest {
		pr, err := r.Predict(x[i])
		if err != nil {
			return nil, fmt.Errorf("holdout point %d: %w", i, err)
		}
		pt := HoldoutPoint{Index: i, X: x[i], Y: y[i], Pred: pr, Err: pr.Y - y[i]}
		h.MAE += math.Abs(pt.Err)
		h.RMSE += pt.Err * pt.Err
		if y[i] != 0 {
			pt.RelErr = pt.Err / y[i]
			h.MAPE += math.Abs(pt.RelErr)
			h.MaxAbsRelErr = max(h.MaxAbsRelErr, math.Abs(pt.RelErr))
			nrel++
		}
		h.Points = append(h.Points, pt)
	}
	k := float64(len(rest))
	h.MAE /= k
	h.RMSE = math.Sqrt(h.RMSE / k)
	if nrel > 0 {
		h.MAPE = 100 * h.MAPE / float64(nrel)
	}
	return h, nil
}
