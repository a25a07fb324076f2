package replay

import (
	"fmt"
	"strings"
)

// XenLegacy is xc_domain_save's loop (tools/libxc, Xen ≤ 4.5):
//
//   - round 1 sends every page, later rounds the pages dirty at their start,
//     in a bit-rotated pfn order (batches spread across memory);
//   - while sending, a page already written again in the current round is
//     skipped and sent next round (NoSkip turns this off); the final round
//     skips nothing;
//   - after round i, go to the final round when any holds: i ≥ 29
//     (MaxIters; "30 times round loop" with the final one); fewer than 50
//     pages were sent or skipped in round i; more than 3× the guest's pages
//     were sent in total (MaxFactor); or, with rate adaptation, round i sent
//     more than round i−1 while the rate is at its 500 Mbit/s cap;
//   - RateAdapt (Clark et al. 2005; compiled only with ADAPTIVE_SAVE) starts
//     at 100 Mbit/s and, after each round whose observed dirtying rate
//     exceeds the current rate, runs the next at dirtying rate + 50 Mbit/s,
//     capped at 500 Mbit/s; the final round runs at the cap.
//
// Xen does not detect zero pages; leave Config.ZeroShare at 0 for it.
type XenLegacy struct {
	NoSkip    bool // send re-dirtied pages anyway (no skip)
	RateAdapt bool // Clark et al.'s rate adaptation
	MaxIters  int  // zero means 29
	MaxFactor float64
}

// Xen's constants (xc_domain_save.c): 1 Mbit/s is 10^6 bit/s here.
const (
	xenMaxIters    = 29
	xenMaxFactor   = 3
	xenMinPages    = 50
	xenStartMbit   = 100
	xenMaxMbit     = 500
	xenAdaptMargin = 50
)

var _ = RegisterPolicy(PolicySpec{
	Name: "xen-legacy", Aliases: []string{"xen"},
	Help: "Xen ≤ 4.5 xc_domain_save: at most 29 live rounds, fewer than 50 pages left, or 3× memory sent; skips pages re-dirtied in the round",
	Params: []Param{
		{Name: "xen-rate-adapt", Kind: BoolParam, Help: "Clark et al.'s rate adaptation (100→500 Mbit/s)"},
		{Name: "xen-no-skip", Kind: BoolParam, Help: "send pages re-dirtied during the round anyway"},
	},
	Reasons: []string{verdictReasons[vIterations], verdictReasons[vUnder50], verdictReasons[v3x], verdictReasons[vRateAtCap]},
	New: func(v Values) (Policy, error) {
		var x XenLegacy
		var err error
		if x.RateAdapt, err = v.Bool("xen-rate-adapt"); err != nil {
			return nil, err
		}
		x.NoSkip, err = v.Bool("xen-no-skip")
		return x, err
	},
})

func (XenLegacy) Name() string { return "xen-legacy" }

// Options describes the non-default options ("" for none).
func (x XenLegacy) Options() string {
	var s []string
	if x.NoSkip {
		s = append(s, "no_skip")
	}
	if x.RateAdapt {
		s = append(s, "rate_adapt")
	}
	if x.MaxIters != 0 {
		s = append(s, fmt.Sprintf("max_iters=%d", x.MaxIters))
	}
	if x.MaxFactor != 0 {
		s = append(s, fmt.Sprintf("max_factor=%g", x.MaxFactor))
	}
	return strings.Join(s, ",")
}
func (XenLegacy) Defaults() PolicyDefaults { return PolicyDefaults{} }

func (x XenLegacy) Begin(env Env) Controller {
	c := new(xenLegacyRun)
	x.start(c, env)
	return c
}

func (x XenLegacy) start(c *xenLegacyRun, env Env) {
	*c = xenLegacyRun{XenLegacy: x, env: env, mbit: xenStartMbit, lastSent: -1}
	if c.MaxIters == 0 {
		c.MaxIters = xenMaxIters
	}
	if c.MaxFactor == 0 {
		c.MaxFactor = xenMaxFactor
	}
}

type xenLegacyRun struct {
	XenLegacy
	env       Env
	iter      int
	mbit      float64
	lastSent  int64
	totalSent int64
}

func (c *xenLegacyRun) Plan(int64) RoundPlan {
	p := RoundPlan{Skip: !c.NoSkip, Spread: true}
	if c.RateAdapt {
		p.RateCap = c.mbit * 1e6 / 8
	}
	return p
}

func (c *xenLegacyRun) After(r *Round) Decision {
	v := c.after(r.PagesSent+r.ZeroPages, r.PagesSkipped, r.PagesDirtied, r.Duration)
	return v.decision(0, c.finalCap())
}

// finalCap is the final round's rate cap (bytes/s, 0 none): the 500 Mbit/s
// cap with rate adaptation.
func (c *xenLegacyRun) finalCap() float64 {
	if c.RateAdapt {
		return xenMaxMbit * 1e6 / 8
	}
	return 0
}

// after is After on the figures it reads (the analytic path calls it
// without building a Round): pages sent in full or as zero markers, pages
// skipped, pages dirtied and the round's duration.
func (c *xenLegacyRun) after(sent, skipped, dirtied int64, duration float64) verdict {
	c.iter++
	c.totalSent += sent
	atCap := c.RateAdapt && c.mbit >= xenMaxMbit
	v := vContinue
	switch {
	case c.lastSent >= 0 && sent > c.lastSent && atCap:
		v = vRateAtCap
	case c.iter >= c.MaxIters:
		v = vIterations
	case sent+skipped < xenMinPages:
		v = vUnder50
	case float64(c.totalSent) > c.MaxFactor*float64(c.env.Pages):
		v = v3x
	}
	c.lastSent = sent
	if c.RateAdapt && duration > 0 {
		dirty := float64(dirtied) * float64(c.env.PageSize) * 8 / 1e6 / duration
		if dirty > c.mbit {
			c.mbit = min(dirty+xenAdaptMargin, xenMaxMbit)
		}
	}
	return v
}
