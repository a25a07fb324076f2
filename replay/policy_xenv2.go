package replay

import "fmt"

// XenV2 is Xen's migration v2 (xc_sr_save.c, Xen 4.6–4.14; xg_sr_save.c
// since) with its default precopy policy (simple_precopy_policy): after each
// live round, stop when fewer than 50 pages are dirty or when 5 live rounds
// (the first full pass included) have been sent. No 3× cap, no skipping,
// pages in pfn order.
type XenV2 struct {
	MaxIters int // zero means 5
}

const (
	xenV2MaxIters = 5
	xenV2MinDirty = 50
)

var _ = RegisterPolicy(PolicySpec{
	Name:    "xen-v2",
	Help:    "Xen ≥ 4.6 migration v2: at most 5 live rounds or fewer than 50 pages dirty",
	Reasons: []string{verdictReasons[vUnder50], verdictReasons[vIterations]},
	New:     func(Values) (Policy, error) { return XenV2{}, nil },
})

func (XenV2) Name() string { return "xen-v2" }

// Options describes the non-default options ("" for none).
func (x XenV2) Options() string {
	if x.MaxIters != 0 {
		return fmt.Sprintf("max_iters=%d", x.MaxIters)
	}
	return ""
}
func (XenV2) Defaults() PolicyDefaults { return PolicyDefaults{} }

func (x XenV2) Begin(Env) Controller {
	c := new(xenV2Run)
	x.start(c)
	return c
}

func (x XenV2) start(c *xenV2Run) {
	*c = xenV2Run{max: x.MaxIters}
	if c.max == 0 {
		c.max = xenV2MaxIters
	}
}

type xenV2Run struct{ iter, max int }

func (*xenV2Run) Plan(int64) RoundPlan { return RoundPlan{} }

func (c *xenV2Run) After(r *Round) Decision { return c.after(r.PendingAfter).decision(0, 0) }

// after is After on the one figure it reads, the pages pending after the
// round (the analytic path calls it without building a Round).
func (c *xenV2Run) after(pendingAfter int64) verdict {
	c.iter++
	switch {
	case pendingAfter < xenV2MinDirty:
		return vUnder50
	case c.iter >= c.max:
		return vIterations
	}
	return vContinue
}
