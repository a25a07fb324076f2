package fit

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
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

// setLOO sets the closed-form leave-one-out of a least-squares fit, or
// LOOErr when point lev1 (≥ 0) has leverage 1.
func (r *Result) setLOO(lev1 int, loo ySums, press float64) {
	if lev1 >= 0 {
		r.LOOErr = fmt.Errorf("fit %s: point %d has leverage 1, leave-one-out is undefined: %w", r.Model, lev1, ErrSingular)
		return
	}
	r.LOO = looCV(r, loo, press)
}

// LeaveOneOut cross-validates model m by leaving out each point in turn.
// Least-squares models use the closed form of looCV (exact, O(n·p²));
// models without one (ModelSpec.RefitLOO: PowerNLS) refit n times (O(n²)),
// each refit as Fit.
func LeaveOneOut(m Model, x, y, w []float64) (*CV, error) {
	full, err := Fit(m, x, y, w)
	if err != nil {
		return nil, err
	}
	return leaveOneOut(full, x, y, w)
}

func leaveOneOut(full *Result, x, y, w []float64) (*CV, error) {
	if !full.Model.spec().RefitLOO {
		if full.LOO == nil {
			return nil, full.LOOErr
		}
		return full.LOO, nil
	}
	folds := make([]int32, len(x))
	for i := range folds {
		folds[i] = int32(i)
	}
	return crossValidate(full, x, y, w, folds, len(x), "loo", 0)
}

// refitMaxN is the number of points up to which KFold refits every
// training set; above it a model's ModelSpec.KFold, when it has one, takes
// over (per-fold sums for the straight-line models, warm-started refits
// without copies for PowerNLS). Below it the refits are cheap and their
// results are the definition the fast paths are tested against.
const refitMaxN = 1 << 16

// KFold cross-validates model m over k folds (2 ≤ k; k > n is taken as n,
// which is leave-one-out by refitting). Folds are deterministic: point i
// gets the key splitmix64(seed + i·φ), points are sorted by key (then
// index) and the j-th gets fold j mod k, so folds differ in size by at
// most one. Errors: those of Fit on the full data or on any training set
// (wrapped with the fold).
//
// Each fold's model is the model fitted on the other folds' points. With
// more than 65,536 points, models whose ModelSpec has a KFold compute it
// without copying or refitting from scratch: O(n) for the straight-line
// models (linear, log, power, exp) from per-fold sums, k warm-started
// refits over masked passes for power-nls. They agree with refitting to
// rounding (about 1e-12 relative; tested to 1e-9).
func KFold(m Model, x, y, w []float64, k int, seed uint64) (*CV, error) {
	if k < 2 {
		return nil, fmt.Errorf("fit %s: k-fold with k = %d, need k ≥ 2: %w", m, k, ErrTooFewPoints)
	}
	full, err := Fit(m, x, y, w)
	if err != nil {
		return nil, err
	}
	return kfold(full, x, y, w, k, seed)
}

func kfold(full *Result, x, y, w []float64, k int, seed uint64) (*CV, error) {
	if k < 2 {
		return nil, fmt.Errorf("fit %s: k-fold with k = %d, need k ≥ 2: %w", full.Model, k, ErrTooFewPoints)
	}
	n := len(x)
	k = min(k, n)
	fold := foldIDs(n, k, seed)
	if s := full.Model.spec(); s.KFold != nil && n > refitMaxN {
		cv, err := s.KFold(full, x, y, w, fold, k)
		if cv != nil {
			cv.Seed = seed
		}
		return cv, err
	}
	return crossValidate(full, x, y, w, fold, k, "kfold", seed)
}

// Folds assigns each of n points to one of k folds, deterministically from
// seed (see KFold).
func Folds(n, k int, seed uint64) []int {
	f := foldIDs(n, k, seed)
	out := make([]int, n)
	for i, v := range f {
		out[i] = int(v)
	}
	return out
}

func foldKey(seed uint64, i int) uint64 { return splitmix64(seed + uint64(i)*0x9e3779b97f4a7c15) }

// foldIDs is Folds in O(n): the keys are distinct (splitmix64 and i ↦ seed
// + i·φ are bijections), so a point's rank is the number of keys in lower
// buckets of the keys' top bits plus its rank within its own bucket. A
// counting sort on the top bits (buckets of about 256 points, few enough
// that the scatter stays in cache) and, within each bucket, one on the
// next 8 bits (sub-buckets of about one point, sorted by insertion) give
// every rank.
func foldIDs(n, k int, seed uint64) []int32 {
	f := make([]int32, n)
	if n == 0 {
		return f
	}
	nb := bits.Len(uint(n / 256))
	start := make([]int32, 1<<nb+1)
	shift := uint(64 - nb)
	for i := range n { // f holds each point's bucket until the last pass
		b := int32(0)
		if nb > 0 {
			b = int32(foldKey(seed, i) >> shift)
		}
		f[i] = b
		start[b+1]++
	}
	for b := 1; b < len(start); b++ {
		start[b] += start[b-1]
	}
	order := make([]int32, n)
	next := append([]int32(nil), start...)
	for i, b := range f {
		order[next[b]] = int32(i)
		next[b]++
	}
	type kv struct {
		key uint64
		i   int32
	}
	var buf, sorted []kv
	var sub [257]int32
	subShift := uint(64 - nb - 8)
	for b := 0; b+1 < len(start); b++ {
		lo, hi := int(start[b]), int(start[b+1])
		buf = buf[:0]
		sub = [257]int32{}
		for _, i := range order[lo:hi] {
			key := foldKey(seed, int(i))
			buf = append(buf, kv{key, i})
			sub[(key>>subShift)&255+1]++
		}
		for j := 1; j < len(sub); j++ {
			sub[j] += sub[j-1]
		}
		sorted = append(sorted[:0], buf...)
		for _, p := range buf {
			c := (p.key >> subShift) & 255
			sorted[sub[c]] = p
			sub[c]++
		}
		for a := 1; a < len(sorted); a++ { // sub-buckets hold about one key each
			for c := a; c > 0 && sorted[c].key < sorted[c-1].key; c-- {
				sorted[c], sorted[c-1] = sorted[c-1], sorted[c]
			}
		}
		r := int32(lo % k)
		for _, p := range sorted {
			f[p.i] = r
			if r++; r == int32(k) {
				r = 0
			}
		}
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
func crossValidate(full *Result, x, y, w []float64, fold []int32, k int, method string, seed uint64) (*CV, error) {
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
	for f := range int32(k) {
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
			return nil, foldErr(method, int(f), k, len(tx), n, err)
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

func foldErr(method string, f, k, ntrain, n int, err error) error {
	return fmt.Errorf("%s fold %d of %d (training on %d of %d points): %w", method, f+1, k, ntrain, n, err)
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
	Train []int   // indices of the training points, by increasing x
	Fit   *Result // the model fitted on them
	// Points are the held-out points by increasing x (then index); nil when
	// the summary alone was asked for (Config.HoldoutPoints).
	Points []HoldoutPoint
	N      int // held-out points
	// Over the held-out points: mean |Err|, sqrt(mean Err²), 100·mean
	// |RelErr| (percent, over Y ≠ 0) and max |RelErr| (a fraction), summed
	// in input order.
	MAE, RMSE, MAPE, MaxAbsRelErr float64
}

// EvenIndices picks k points spread evenly over the range of x: for each
// target xmin + j·(xmax − xmin)/(k − 1), j = 0…k−1, the nearest point not
// yet taken (ties to the smaller x, then the smaller index). It returns
// their indices by increasing x (then index). It needs 2 ≤ k ≤ len(x).
//
// It takes two passes over x and no sort of it: target j's pick is among
// its k nearest points (at most j are taken before it), so one pass keeps
// each target's k nearest, and the picks are made among those.
func EvenIndices(x []float64, k int) []int {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	type cand struct {
		d, x float64
		i    int
	}
	less := func(a, b cand) bool { return a.d < b.d || a.d == b.d && (a.x < b.x || a.x == b.x && a.i < b.i) }
	targets := make([]float64, k)
	thr := make([]float64, k) // distance of each target's k-th nearest so far
	near := make([][]cand, k) // each target's k nearest, nearest first
	for j := range targets {
		targets[j] = lo + float64(j)*(hi-lo)/float64(k-1)
		thr[j] = math.Inf(1)
		near[j] = make([]cand, 0, k)
	}
	for i, v := range x {
		for j, t := range targets {
			d := math.Abs(v - t)
			if d > thr[j] {
				continue
			}
			c, l := cand{d, v, i}, near[j]
			if len(l) == k && !less(c, l[k-1]) {
				continue
			}
			if len(l) < k {
				l = append(l, c)
			} else {
				l[k-1] = c
			}
			for m := len(l) - 1; m > 0 && less(l[m], l[m-1]); m-- {
				l[m], l[m-1] = l[m-1], l[m]
			}
			near[j] = l
			if len(l) == k {
				thr[j] = l[k-1].d
			}
		}
	}
	out := make([]int, 0, k)
	for _, l := range near {
		for _, c := range l {
			if !slices.Contains(out, c.i) {
				out = append(out, c.i)
				break
			}
		}
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
	return holdout(m, x, y, w, train, true)
}

// holdout is HoldoutEven; with points false it leaves Holdout.Points nil
// and takes O(n) time and memory beyond the input.
func holdout(m Model, x, y, w []float64, train int, points bool) (*Holdout, error) {
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return nil, fmt.Errorf("holdout %s: len(x) = %d, len(y) = %d, len(w) = %d: %w", m, len(x), len(y), len(w), ErrLength)
	}
	if p := m.NumParams(); train <= p || train >= len(x) {
		return nil, fmt.Errorf("holdout %s: %d training points of %d, need %d < train < n: %w", m, train, len(x), p, ErrTooFewPoints)
	}
	idx := EvenIndices(x, train)
	tx, ty := make([]float64, 0, train), make([]float64, 0, train)
	var tw []float64
	for _, i := range idx {
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
	h := &Holdout{Train: idx, Fit: r, N: len(x) - train}
	spec := r.Model.spec()
	for i, xi := range x {
		if !(xi-xi == 0) || spec.PosX && !(xi > 0) {
			_, err := r.Predict(xi)
			return nil, fmt.Errorf("holdout point %d: %w", i, err)
		}
	}
	in := make([]uint64, (len(x)+63)/64)
	for _, i := range idx {
		in[i/64] |= 1 << (i % 64)
	}
	// Sums per block, merged in block order. Up to refitMaxN points each ŷ
	// is Curve's, as Predict's (the bits of the per-point rows); above,
	// the model's EvalTo when it has one.
	vector := spec.EvalTo != nil && len(x) > refitMaxN
	type sums struct{ abs, sq, rel, maxRel, nrel float64 }
	parts := make([]sums, numBlocks(len(x)))
	forBlocks(len(x), func(bl, lo, hi int) {
		var s sums
		var yb [chunk]float64
		g := make([]float64, r.P) // Curve with a gradient, as Predict: the same ŷ
		for c0 := lo; c0 < hi; c0 += chunk {
			cx := x[c0:min(c0+chunk, hi)]
			if vector {
				spec.EvalTo(r.beta, yb[:len(cx)], cx)
			} else {
				for i, xi := range cx {
					yb[i] = spec.Curve(r.beta, xi, g)
					if r.Space == SpaceLog {
						yb[i] = math.Exp(yb[i])
					}
				}
			}
			for i := range cx {
				if in[(c0+i)/64]&(1<<((c0+i)%64)) != 0 {
					continue
				}
				yi := y[c0+i]
				e := yb[i] - yi
				s.abs += math.Abs(e)
				s.sq += e * e
				if yi != 0 {
					rel := math.Abs(e / yi)
					s.rel += rel
					s.maxRel = max(s.maxRel, rel)
					s.nrel++
				}
			}
		}
		parts[bl] = s
	})
	nrel := 0.0
	for _, s := range parts {
		h.MAE += s.abs
		h.RMSE += s.sq
		h.MAPE += s.rel
		h.MaxAbsRelErr = max(h.MaxAbsRelErr, s.maxRel)
		nrel += s.nrel
	}
	k := float64(h.N)
	h.MAE /= k
	h.RMSE = math.Sqrt(h.RMSE / k)
	if nrel > 0 {
		h.MAPE = 100 * h.MAPE / nrel
	}
	if points {
		h.Points, err = holdoutPoints(r, x, y, idx)
	}
	return h, err
}

// holdoutPoints predicts every point not in train, by increasing x.
func holdoutPoints(r *Result, x, y []float64, train []int) ([]HoldoutPoint, error) {
	in := make(map[int]bool, len(train))
	for _, i := range train {
		in[i] = true
	}
	rest := make([]int, 0, len(x)-len(train))
	for i := range x {
		if !in[i] {
			rest = append(rest, i)
		}
	}
	sort.SliceStable(rest, func(a, b int) bool { return x[rest[a]] < x[rest[b]] })
	out := make([]HoldoutPoint, 0, len(rest))
	for _, i := range rest {
		pr, err := r.Predict(x[i])
		if err != nil {
			return nil, fmt.Errorf("holdout point %d: %w", i, err)
		}
		pt := HoldoutPoint{Index: i, X: x[i], Y: y[i], Pred: pr, Err: pr.Y - y[i]}
		if y[i] != 0 {
			pt.RelErr = pt.Err / y[i]
		}
		out = append(out, pt)
	}
	return out, nil
}
