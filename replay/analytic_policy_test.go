package replay

import (
	"fmt"
	"reflect"
	"testing"
)

// opaque hides a built-in policy behind the Policy interface: the analytic
// path then drives its Controller through Plan and After with whole Rounds,
// as it drives any other package's policy.
type opaque struct{ Policy }

// The analytic path calls the built-in policies' rules on a round's figures
// (the scalar after methods) instead of building a Round for After. Both
// ways must give the same Result, field for field, over policies, options,
// dirty models, zero shares, bandwidths and post-copy. (QEMU with
// auto-converge is left out: an opaque policy cannot tell the analytic path
// that its throttle may still rise, so a fixed point is extrapolated
// earlier; see controller.steady.)
func TestAnalyticPolicyFiguresMatchAfter(t *testing.T) {
	pols := []Policy{XenLegacy{}, XenLegacy{NoSkip: true}, XenLegacy{RateAdapt: true}, XenLegacy{MaxIters: 3, MaxFactor: 1.5},
		XenV2{}, XenV2{MaxIters: 9}, QEMU{}, QEMU{Ramp: &DowntimeRamp{}}, SimGrid{}}
	models := []DirtyModel{nil, HotCold{Rate: 20000}, Zipf{Rate: 30000}, CPU{Rate: 40000}}
	n := 0
	for _, pol := range pols {
		for _, m := range models {
			for _, rate := range []float64{0, 3000, 29000, 60000} {
				for _, bw := range []float64{125e6, 1.25e9} {
					for _, zs := range []float64{0, 0.6} {
						for _, post := range []bool{false, true} {
							cfg := Config{Memory: 1 << 30, Policy: pol, Bandwidth: bw, DirtyRate: rate, ZeroShare: zs,
								Postcopy: post, PostcopyAfter: 2, Timeout: 600e9}
							if m != nil {
								dm, err := WithRate(m, rate)
								if err != nil {
									t.Fatal(err)
								}
								cfg.DirtyModel = dm
							}
							fast, err := Analytic(cfg)
							if err != nil {
								t.Fatal(err)
							}
							cfg.Policy = opaque{pol}
							slow, err := Analytic(cfg)
							if err != nil {
								t.Fatal(err)
							}
							n++
							if !reflect.DeepEqual(fast, slow) {
								t.Errorf("%s %s rate %g bw %g zero %g postcopy %v:\nfigures %+v\nAfter   %+v",
									pol.Name(), fmt.Sprint(m), rate, bw, zs, post, fast, slow)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d configurations", n)
}
