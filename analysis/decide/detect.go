package decide

import (
	"fmt"
	"math"
	"strings"
)

// overload says which of a host's resources a detector found overloaded.
type overload struct {
	cpu, mem, net bool
	why           []string
}

func (o overload) any() bool { return o.cpu || o.mem || o.net }

func (o overload) String() string { return strings.Join(o.why, "; ") }

// instant is the plain threshold test on the current sample: a resource is
// overloaded when its value now exceeds the threshold. Swap is tested only
// when known; cpuOnly restricts the test to CPU (seed 002).
func instant(s *State, p Params, cpuOnly bool) overload {
	var o overload
	cur := current(s)
	if cur.CPU > p.CPU {
		o.cpu = true
		o.why = append(o.why, fmt.Sprintf("cpu %s > %s", pct(cur.CPU), pct(p.CPU)))
	}
	if cpuOnly {
		return o
	}
	if cur.Swap != nil && *cur.Swap > p.Swap {
		o.mem = true
		o.why = append(o.why, fmt.Sprintf("swap writes %.0f/s > %.0f/s", *cur.Swap, p.Swap))
	}
	if cur.Net > p.Net {
		o.net = true
		o.why = append(o.why, fmt.Sprintf("net %s > %s", pct(cur.Net), pct(p.Net)))
	}
	return o
}

// current is the State's latest sample, built from the source host when the
// State carries no history.
func current(s *State) Sample {
	if n := len(s.History); n > 0 {
		return s.History[n-1]
	}
	return Sample{Time: s.Time, CPU: s.Source.CPU(), Net: s.Source.Net(s.Traffic), Swap: s.Source.Swap}
}

// ar1 is seed 003's hotspot detector (L460–466): a resource is overloaded
// only when its current value and the AR(1) prediction of the next one both
// exceed the threshold, and (Sandpiper's guard against peaks, which seed 003
// quotes as "an instantaneous system overload would not be regarded as a
// hotspot", L460) at least K of the last N samples exceed it. The predictor
// is fitted on the last Window samples (AR1).
func ar1(s *State, p Params) overload {
	var o overload
	h := s.History
	if len(h) == 0 {
		h = []Sample{current(s)}
	}
	test := func(name string, thr float64, get func(Sample) (float64, bool), format func(float64) string) bool {
		var series []float64
		for _, x := range h[max(0, len(h)-p.Window):] {
			if v, ok := get(x); ok {
				series = append(series, v)
			}
		}
		cur, ok := get(h[len(h)-1])
		if !ok || cur <= thr {
			return false
		}
		next, _, _ := AR1(series)
		if next <= thr {
			return false
		}
		over, seen := 0, 0
		for _, x := range h[max(0, len(h)-p.N):] {
			if v, ok := get(x); ok {
				seen++
				if v > thr {
					over++
				}
			}
		}
		if over < p.K {
			return false
		}
		o.why = append(o.why, fmt.Sprintf("%s %s > %s, AR(1) next %s, %d of last %d over", name, format(cur), format(thr), format(next), over, seen))
		return true
	}
	perS := func(v float64) string { return fmt.Sprintf("%.0f/s", v) }
	o.cpu = test("cpu", p.CPU, func(x Sample) (float64, bool) { return x.CPU, true }, pct)
	o.mem = test("swap writes", p.Swap, func(x Sample) (float64, bool) {
		if x.Swap == nil {
			return 0, false
		}
		return *x.Swap, true
	}, perS)
	o.net = test("net", p.Net, func(x Sample) (float64, bool) { return x.Net, true }, pct)
	return o
}

// AR1 fits u(k+1) = μ + φ·(u(k) − μ) to a series (seed 003, equation 4,
// L462) and predicts the value after its last one. μ is the series' mean
// ("the mean value of sequence", L464) and φ its lag-1 autocorrelation
// (the Yule–Walker estimate Σ(u(t)−μ)(u(t+1)−μ) / Σ(u(t)−μ)²), kept within
// [−1, 1]. A series of fewer than two values, or a constant one, has φ = 0:
// the prediction is the mean. An empty series predicts NaN.
func AR1(u []float64) (next, mu, phi float64) {
	if len(u) == 0 {
		return math.NaN(), math.NaN(), 0
	}
	for _, v := range u {
		mu += v
	}
	mu /= float64(len(u))
	var num, den float64
	for t, v := range u {
		den += (v - mu) * (v - mu)
		if t+1 < len(u) {
			num += (v - mu) * (u[t+1] - mu)
		}
	}
	if den > 0 {
		phi = math.Max(-1, math.Min(1, num/den))
	}
	return mu + phi*(u[len(u)-1]-mu), mu, phi
}

func errAR1(p Params) error {
	return fmt.Errorf("hotspot-ar1: window %d, k of n %d/%d: want a window ≥ 2 and 1 ≤ k ≤ n", p.Window, p.K, p.N)
}
