package replay

import "time"

// SimGrid is the live-migration plugin of SimGrid (VmLiveMigration.cpp,
// Hirofuchi et al. 2013), itself a model of QEMU/KVM's pre-copy: stage 1
// sends all RAM and measures the bandwidth; the threshold is that bandwidth
// × the maximum downtime (default 30 ms); stage 2 repeats passes over the
// dirty pages, re-measuring the bandwidth each pass, while the remaining
// bytes exceed the threshold; stage 3 suspends the VM and sends the rest.
// No round cap (Config.Timeout applies). SimGrid's dirtying is the CPU
// model (dirtied bytes ∝ CPU work, working set 90 % of RAM): use
// DirtyModel CPU{} to reproduce it.
type SimGrid struct{}

var _ = RegisterPolicy(PolicySpec{
	Name:    "simgrid",
	Help:    "SimGrid's live-migration plugin: passes until the bytes left fit the measured bandwidth × max downtime (30ms)",
	Reasons: []string{verdictReasons[vThreshold]},
	New:     func(Values) (Policy, error) { return SimGrid{}, nil },
})

func (SimGrid) Name() string { return "simgrid" }
func (SimGrid) Defaults() PolicyDefaults {
	return PolicyDefaults{DowntimeLimit: 30 * time.Millisecond}
}
func (s SimGrid) Begin(env Env) Controller {
	c := new(simGridRun)
	s.start(c, env)
	return c
}

func (SimGrid) start(c *simGridRun, env Env) { *c = simGridRun{env: env} }

type simGridRun struct{ env Env }

func (*simGridRun) Plan(int64) RoundPlan { return RoundPlan{} }

// Steady: SimGrid has no round cap and no state of its own.
func (*simGridRun) Steady() bool { return true }

func (c *simGridRun) After(r *Round) Decision {
	return c.after(r.Bytes, r.Duration, r.Rate, r.PendingAfter).decision(0, 0)
}

// after is After on the figures it reads (the analytic path calls it
// without building a Round): stream bytes, duration, rate and the pages
// pending after the round.
func (c *simGridRun) after(bytes int64, duration, rate float64, pendingAfter int64) verdict {
	bw := rate
	if duration > 0 {
		bw = float64(bytes) / duration
	}
	if float64(pendingAfter)*float64(c.env.PageSize) <= bw*c.env.DowntimeLimit {
		return vThreshold
	}
	return vContinue
}
