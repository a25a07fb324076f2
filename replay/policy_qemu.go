package replay

import (
	"time"
)

// QEMU is QEMU/KVM's pre-copy (migration/migration.c, ram.c; QEMU ≥ 8):
//
//   - The stream is written in iterations of at most 50 ms (MAX_WAIT) or
//     max-bandwidth × 100 ms of data, whichever is less; after each, QEMU
//     compares the pages still pending in the current pass with the
//     threshold = measured bandwidth × downtime limit. Once they fall below
//     it, it re-reads the dirty bitmap (dirty-sync-count + 1): pending = the
//     pass's unsent tail ∪ the pages dirtied meanwhile. Below the threshold
//     it stops the guest and sends the rest; otherwise a new pass begins.
//     The engine reproduces this: each round is one pass, ending with a tail
//     of the size those iteration chunks leave.
//   - No round cap and no data cap: a guest dirtying faster than the link
//     never converges; Config.Timeout ends it (Converged false).
//   - Defaults: downtime limit 300 ms, max-bandwidth 128 MiB/s.
//   - Auto-converge (Config.AutoConverge): at a bitmap sync at least 1 s
//     after the previous period began, if the bytes dirtied in the period
//     exceed 50 % of the bytes sent in it, a counter rises; at 2 the guest
//     is throttled 20 %, then +10 % per further trigger up to 99 %, and the
//     counter resets. A throttled guest runs (1 − throttle) of the time.
//
// QEMU sends zero pages as markers (Config.ZeroShare). Ramp, when set,
// raises the downtime limit during the migration as management software
// does (KubeVirt; see DowntimeRamp): it then starts at the ramp's initial
// limit and Config.DowntimeLimit is ignored.
type QEMU struct {
	Ramp *DowntimeRamp
}

// QEMU's constants.
const (
	qemuMaxWait          = 0.050 // s, MAX_WAIT in ram_save_iterate
	qemuRateWindow       = 0.100 // s, BUFFER_DELAY: rate limit window
	qemuThrottleInitial  = 0.20
	qemuThrottleStep     = 0.10
	qemuThrottleMax      = 0.99
	qemuThrottleTrigger  = 0.50
	qemuDirtyRatePeriod  = 1.0 // s between dirty-rate periods
	qemuDefaultMaxBW     = 128 << 20
	qemuDefaultDowntimeL = 300 * time.Millisecond
)

var _ = RegisterPolicy(PolicySpec{
	Name: "qemu", Aliases: []string{"kvm"},
	Help: "QEMU/KVM pre-copy: passes until the pages left fit bandwidth × downtime limit (300ms), max-bandwidth 128MiB/s, no round cap, optional auto-converge",
	Params: []Param{
		{Name: "downtime-ramp", Kind: BoolParam, Help: "raise the downtime limit step by step as KubeVirt does (VEP 291), from --downtime-limit (default 150ms)"},
		{Name: "ramp-max", Kind: DurationParam, Help: "--downtime-ramp: ceiling, > 0 (default 1050ms)"},
		{Name: "ramp-steps", Kind: IntParam, Help: "--downtime-ramp: equal increments from start to ceiling, ≥ 1 (default 7)"},
		{Name: "ramp-after", Kind: IntParam, Help: "--downtime-ramp: dirty-sync-count that starts the cooldown, ≥ 1 (default 3)"},
		{Name: "ramp-cooldown", Kind: DurationParam, Help: "--downtime-ramp: time between increases, > 0 (default 10s)"},
	},
	Reasons: []string{verdictReasons[vThreshold]},
	New:     newQEMU,
})

// newQEMU reads QEMU's options: a downtime ramp when "downtime-ramp" is
// set, starting at "downtime-limit" when that is given.
func newQEMU(v Values) (Policy, error) {
	on, err := v.Bool("downtime-ramp")
	if err != nil {
		return nil, err
	}
	var r DowntimeRamp
	durs := []struct {
		name string
		dst  *time.Duration
	}{{"downtime-limit", &r.Initial}, {"ramp-max", &r.Max}, {"ramp-cooldown", &r.Cooldown}}
	for _, d := range durs {
		x, ok, err := v.Duration(d.name)
		if err != nil {
			return nil, err
		}
		if ok && x <= 0 {
			return nil, optErr(d.name, x, "want > 0")
		}
		if ok && !on && d.name != "downtime-limit" {
			return nil, optErr(d.name, x, "applies with downtime-ramp")
		}
		*d.dst = x
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"ramp-steps", &r.Steps}, {"ramp-after", &r.StartAfter}} {
		x, ok, err := v.Int(n.name)
		if err != nil {
			return nil, err
		}
		if ok && x < 1 {
			return nil, optErr(n.name, x, "want ≥ 1")
		}
		if ok && !on {
			return nil, optErr(n.name, x, "applies with downtime-ramp")
		}
		*n.dst = x
	}
	if !on {
		return QEMU{}, nil
	}
	return QEMU{Ramp: &r}, r.Validate()
}

func (QEMU) Name() string { return "qemu" }
func (q QEMU) Defaults() PolicyDefaults {
	d := PolicyDefaults{MaxBandwidth: qemuDefaultMaxBW, DowntimeLimit: qemuDefaultDowntimeL, LiftLimitAtStop: true}
	if q.Ramp != nil {
		d.DowntimeLimit = q.Ramp.resolved().Initial
	}
	return d
}

// Validate checks the ramp, if any.
func (q QEMU) Validate() error {
	if q.Ramp != nil {
		return q.Ramp.Validate()
	}
	return nil
}

// Options describes the non-default options ("" for none).
func (q QEMU) Options() string {
	if q.Ramp != nil {
		return q.Ramp.String()
	}
	return ""
}

func (q QEMU) Begin(env Env) Controller {
	c := new(qemuRun)
	q.start(c, env)
	return c
}

func (q QEMU) start(c *qemuRun, env Env) {
	*c = qemuRun{env: env, limit: env.DowntimeLimit}
	if q.Ramp != nil {
		c.ramped = true
		c.ramp = q.Ramp.start()
		c.limit = c.ramp.limit()
	}
}

type qemuRun struct {
	env         Env
	limit       float64 // s, the downtime limit in force
	ramped      bool
	ramp        rampRun
	periodStart float64
	periodDirty int64 // pages newly dirty at syncs in the period
	periodXfer  int64 // bytes sent in the period
	highCount   int
	throttle    float64
}

// Steady: no downtime ramp still rising, no auto-converge throttle still
// able to rise (QEMU has no round cap).
func (c *qemuRun) Steady() bool {
	return (!c.ramped || c.ramp.done()) && (!c.env.AutoConverge || c.throttle >= qemuThrottleMax)
}

// chunk is the stream bytes one ram_save_iterate call sends: 50 ms of
// sending at the rate the link and CPU allow (MAX_WAIT) or the 100 ms
// rate-limit budget (max-bandwidth × BUFFER_DELAY), whichever is less. A
// rate-limited stream thus sends one budget per 100 ms window and QEMU
// checks its pending estimate once per window.
func (c *qemuRun) chunk(rate float64) float64 {
	return max(min(max(rate, c.env.FinalRate)*qemuMaxWait, c.env.MaxBandwidth*qemuRateWindow), c.env.PageBytes)
}

// threshold in pages: bandwidth × limit ÷ page size (QEMU compares
// dirty pages × page size with bandwidth × limit).
func (c *qemuRun) threshold(rate float64) float64 {
	return rate * c.limit / float64(c.env.PageSize)
}

func (c *qemuRun) Plan(int64) RoundPlan {
	p := RoundPlan{StopBelow: c.threshold(c.env.Rate), ChunkBytes: c.chunk(c.env.Rate)}
	if r := &c.ramp; c.ramped && r.since >= 0 && !r.done() {
		// the ramp's next steps fall due during the round: the threshold
		// rises with them (bandwidth × step ÷ page size each)
		step := (r.Max - r.Initial).Seconds() / float64(r.Steps)
		cd := r.Cooldown.Seconds()
		p.StopRise, p.StopRiseAt, p.StopRiseEvery, p.StopRises = c.env.Rate*step/float64(c.env.PageSize), r.since+cd, cd, r.Steps-r.level
	}
	return p
}

func (c *qemuRun) After(r *Round) Decision {
	v := c.after(r.Index, r.Start+r.Duration, r.Rate, r.PendingAfter, r.PendingAfter-r.PagesLeft, r.Bytes)
	return v.decision(c.throttle, 0)
}

// after is After on the figures it reads (the analytic path calls it
// without building a Round): round index, end time, rate, pages pending
// after it, pages newly dirty at its sync (PendingAfter − PagesLeft) and
// stream bytes. The throttle from then on is c.throttle.
func (c *qemuRun) after(index int, end, rate float64, pendingAfter, dirtied, bytes int64) verdict {
	if c.ramped {
		// the bitmap sync ending round index is dirty-sync-count index+1
		c.limit = c.ramp.advance(end, index+1)
	}
	if float64(pendingAfter) < c.threshold(rate) {
		return vThreshold
	}
	if c.env.AutoConverge {
		c.periodDirty += dirtied
		c.periodXfer += bytes
		if end-c.periodStart > qemuDirtyRatePeriod {
			if float64(c.periodDirty)*float64(c.env.PageSize) > qemuThrottleTrigger*float64(c.periodXfer) {
				c.highCount++
				if c.highCount >= 2 {
					c.highCount = 0
					if c.throttle == 0 {
						c.throttle = qemuThrottleInitial
					} else {
						c.throttle = min(c.throttle+qemuThrottleStep, qemuThrottleMax)
					}
				}
			}
			c.periodStart, c.periodDirty, c.periodXfer = end, 0, 0
		}
	}
	return vContinue
}
