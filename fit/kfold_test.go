package fit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// Folds in O(n) (buckets of the keys' top bits) equals the definition:
// sort the points by splitmix64 key, the j-th gets fold j mod k.
func TestFoldsEqualSortDefinition(t *testing.T) {
	for _, c := range []struct {
		n, k int
		seed uint64
	}{{1, 1, 0}, {3, 2, 1}, {7, 7, 1}, {23, 5, 42}, {1000, 10, 9}, {100_003, 10, 1}, {70_000, 70_000, 5}} {
		idx := make([]int, c.n)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return foldKey(c.seed, idx[a]) < foldKey(c.seed, idx[b]) })
		got := Folds(c.n, c.k, c.seed)
		for j, i := range idx {
			if got[i] != j%c.k {
				t.Fatalf("n=%d k=%d seed=%d: point %d in fold %d, by sorting %d", c.n, c.k, c.seed, i, got[i], j%c.k)
			}
		}
	}
}

// Above refitMaxN points the k-fold fast paths (per-fold sums for the
// straight-line models, masked warm-started passes for power-nls) give
// what refitting every training set gives, weighted or not.
func TestKFoldFastPathEqualsRefit(t *testing.T) {
	n := refitMaxN + 4321
	rng := rand.New(rand.NewPCG(11, 12))
	x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 10 + 90*rng.Float64()
		y[i] = 700 * math.Pow(x[i], -0.85) * math.Exp(0.05*rng.NormFloat64())
		w[i] = 0.5 + rng.Float64()
	}
	worst := 0.0
	defer func() { t.Logf("worst relative difference from refitting: %.2g (tolerance 1e-9)", worst) }()
	for _, s := range Specs() {
		if s.KFold == nil {
			continue
		}
		ks := []int{7}
		if s.Name == PowerNLS {
			ks = append(ks, 70) // past 64 folds: masked passes without moments
		}
		for _, ww := range [][]float64{nil, w} {
			for _, k := range ks {
				full, err := Fit(s.Name, x, y, ww)
				if err != nil {
					t.Fatal(err)
				}
				fold := foldIDs(n, k, 3)
				fast, err := s.KFold(full, x, y, ww, fold, k)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := crossValidate(full, x, y, ww, fold, k, "kfold", 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"PRESS", fast.PRESS, ref.PRESS}, {"PRESSFit", fast.PRESSFit, ref.PRESSFit}, {"MAE", fast.MAE, ref.MAE},
					{"MAPE", fast.MAPE, ref.MAPE}, {"RMSE", fast.RMSE, ref.RMSE}, {"R2Y", fast.R2Y, ref.R2Y}, {"R2Fit", fast.R2Fit, ref.R2Fit}} {
					e := relErr(c.got, c.want)
					worst = max(worst, e)
					if !(e <= 1e-9) {
						t.Errorf("%s weighted=%v %s: fast %.17g, refit %.17g (rel %.2g)", s.Name, ww != nil, c.name, c.got, c.want, e)
					}
				}
				if fast.Method != "kfold" || fast.K != k || fast.N != n {
					t.Errorf("%s: %+v", s.Name, fast)
				}
			}
		}
	}
}

// A training set that a refit would refuse is refused by the fast paths
// with the same sentinel: here every x but fold 0's is the same.
func TestKFoldFastPathDegenerateTraining(t *testing.T) {
	n := refitMaxN + 10
	const k = 4
	fold := foldIDs(n, k, 1)
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 5
		if fold[i] == 0 {
			x[i] = 6 + float64(i%7)
		}
		y[i] = 1 + float64(i%13)
	}
	for _, s := range Specs() {
		if s.KFold == nil {
			continue
		}
		full, err := Fit(s.Name, x, y, nil)
		if errors.Is(err, ErrSingular) && s.Params > 8 {
			continue // 8 distinct x: poly8 and poly9 cannot be fitted at all
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.KFold(full, x, y, nil, fold, k); !errors.Is(err, ErrConstantX) {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// Evaluate on many points keeps the hold-out summary but no per-point
// rows unless asked, and its summary equals HoldoutEven's over the points.
func TestHoldoutSummaryWithoutPoints(t *testing.T) {
	x, y := benchData(5000)
	rep, err := Evaluate(Power, x, y, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Holdout
	if h == nil || h.Points != nil || h.N != 4995 {
		t.Fatalf("holdout %+v %v", h, rep.HoldoutErr)
	}
	full, err := HoldoutEven(Power, x, y, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	var mae, maxRel float64
	for _, p := range full.Points {
		mae += math.Abs(p.Err)
		maxRel = max(maxRel, math.Abs(p.RelErr))
	}
	mae /= float64(len(full.Points))
	if len(full.Points) != 4995 || relErr(h.MAE, mae) > 1e-12 || relErr(h.MaxAbsRelErr, maxRel) > 1e-12 || h.MAPE != full.MAPE {
		t.Errorf("summary %v %v %v, points %v %v %v", h.MAE, h.MaxAbsRelErr, h.MAPE, mae, maxRel, full.MAPE)
	}
	rep, _ = Evaluate(Power, x[:100], y[:100], nil, Config{})
	if len(rep.Holdout.Points) != 95 {
		t.Errorf("100 points: %d held-out rows, want 95 (PointsAuto)", len(rep.Holdout.Points))
	}
	rep, _ = Evaluate(Power, x, y, nil, Config{HoldoutPoints: PointsAlways})
	if len(rep.Holdout.Points) != 4995 {
		t.Errorf("PointsAlways: %d rows", len(rep.Holdout.Points))
	}
}

// Above refitMaxN points the hold-out summary takes ŷ from the model's
// EvalTo (lnTo/expTo); it must match Curve's ŷ point by point.
func TestEvalToMatchesCurve(t *testing.T) {
	x, y := benchData(1000)
	for _, s := range Specs() {
		if s.EvalTo == nil {
			continue
		}
		r, err := Fit(s.Name, x, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, len(x))
		s.EvalTo(r.beta, got, x)
		for i, xi := range x {
			if e := relErr(got[i], r.Eval(xi)); e > 1e-14 {
				t.Fatalf("%s at %g: EvalTo %.17g, Eval %.17g", s.Name, xi, got[i], r.Eval(xi))
			}
		}
	}
}

// EvenIndices against its definition, by brute force: for each target the
// nearest point not yet taken, ties to the smaller x then index; on data
// with many equal x (and so equal distances).
func TestEvenIndicesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := range 500 {
		n := 2 + rng.IntN(60)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(12)) * 0.5
		}
		k := 2 + rng.IntN(min(n-1, 8))
		lo, hi := slicesMin(x), slicesMax(x)
		taken := map[int]bool{}
		var want []int
		for j := range k {
			target := lo + float64(j)*(hi-lo)/float64(k-1)
			best := -1
			for i, v := range x {
				if taken[i] {
					continue
				}
				d, bd := math.Abs(v-target), 0.0
				if best >= 0 {
					bd = math.Abs(x[best] - target)
				}
				if best < 0 || d < bd || d == bd && (v < x[best] || v == x[best] && i < best) {
					best = i
				}
			}
			taken[best] = true
			want = append(want, best)
		}
		sort.Slice(want, func(a, b int) bool { return x[want[a]] < x[want[b]] || x[want[a]] == x[want[b]] && want[a] < want[b] })
		got := EvenIndices(x, k)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("trial %d, x %v, k %d: %v, by definition %v", trial, x, k, got, want)
		}
	}
}

func slicesMin(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

func slicesMax(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// Above refitMaxN points FitPoly reduces the design block by block (TSQR)
// instead of factoring it whole: the same coefficients and metrics.
func TestPolyBlockedEqualsDense(t *testing.T) {
	x, y := benchData(refitMaxN + 777)
	rng := rand.New(rand.NewPCG(3, 3))
	w := make([]float64, len(x))
	for i := range w {
		w[i] = 0.5 + rng.Float64()
	}
	for _, k := range []int{2, 3, 5} {
		for _, ww := range [][]float64{nil, w} {
			m := Model(fmt.Sprintf("poly%d", k))
			beta := func(qr func(Model, []float64, []float64, []float64, int) ([]float64, []float64, []float64, error)) []float64 {
				rr, c, norm, err := qr(m, x, y, ww, k+1)
				if err != nil {
					t.Fatal(err)
				}
				rinv, err := polyRinv(m, rr, k+1, len(x))
				if err != nil {
					t.Fatal(err)
				}
				b := make([]float64, k+1)
				for i := range b {
					for l := i; l <= k; l++ {
						b[i] += rinv[i*(k+1)+l] * c[l]
					}
					b[i] /= norm[i]
				}
				return b
			}
			dense, blocked := beta(polyQR), beta(polyQRBlocked)
			for j := range dense {
				if e := relErr(blocked[j], dense[j]); e > 1e-9 {
					t.Errorf("%s weighted=%v %s: blocked %.17g, dense %.17g (rel %.2g)", m, ww != nil, ParamName(j), blocked[j], dense[j], e)
				}
			}
			r, err := FitPoly(x, y, ww, k) // the blocked path, with its blocked metrics
			if err != nil {
				t.Fatal(err)
			}
			for j, p := range r.Params {
				if e := relErr(p.Value, dense[j]); e > 1e-9 {
					t.Errorf("%s FitPoly %s: %.17g, dense %.17g", m, p.Name, p.Value, dense[j])
				}
			}
		}
	}
}
