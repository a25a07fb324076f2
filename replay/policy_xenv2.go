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

func (c *xenV2Run) After(r *Round) Decision {
	c.iter++
	switch {
	case r.PendingAfter < xenV2MinDirty:
		return Decision{Action: StopAndCopy, Reason: "under 50 pages"}
	case c.iter >= c.max:
		return Decision{Action: StopAndCopy, Reason: "iterations"}
	}
	return Decision{Action: Continue}
}
