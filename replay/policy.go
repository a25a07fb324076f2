package replay

import "time"

// A Policy is a hypervisor's pre-copy loop: how each round is sent and when
// to stop and copy. Each policy is a small type in its own file
// (policy_*.go) that registers itself (RegisterPolicy); Begin gives the
// per-migration state. The built-in policies' controllers are also called
// without dynamic dispatch (see controller); any other Policy runs through
// the interface, with the same results.
type Policy interface {
	// Name is the policy's name on the command line.
	Name() string
	// Defaults are the hypervisor's defaults for Config fields left zero.
	Defaults() PolicyDefaults
	// Begin starts one migration.
	Begin(env Env) Controller
}

// PolicyDefaults are a hypervisor's own defaults.
type PolicyDefaults struct {
	MaxBandwidth  float64       // bytes/s; 0 none
	DowntimeLimit time.Duration // 0 none
	// LiftLimitAtStop sends the stop-and-copy round (and a post-copy
	// switch-over) without MaxBandwidth, at the rate the link and the CPU
	// allow: QEMU's migration_switchover_start sets RATE_LIMIT_DISABLED
	// before the guest's last pages and device state go.
	LiftLimitAtStop bool
}

// Env is what a policy knows about the migration it controls.
type Env struct {
	Pages         int64   // guest pages
	PageSize      int64   // bytes
	PageBytes     float64 // stream bytes per page sent (page + header)
	Rate          float64 // stream rate before policy caps, bytes/s
	FinalRate     float64 // the stop-and-copy's rate before policy caps (see PolicyDefaults.LiftLimitAtStop), bytes/s
	MaxBandwidth  float64 // hypervisor rate limit, bytes/s (+Inf none)
	DowntimeLimit float64 // seconds
	AutoConverge  bool
}

// Controller is one migration's policy state.
type Controller interface {
	// Plan is called before each live round with the pages pending.
	Plan(pending int64) RoundPlan
	// After is told how the round went and decides what comes next. r is
	// valid during the call only and must not be modified.
	After(r *Round) Decision
}

// RoundPlan says how the engine sends the coming round.
type RoundPlan struct {
	// RateCap caps the round's rate, bytes/s; 0 means none.
	RateCap float64
	// StopBelow ends the round early, as QEMU ends a pass: the pending
	// pages go in address order in chunks of ChunkBytes stream bytes, and
	// the round ends after the first chunk that leaves fewer than StopBelow
	// pages unsent (they stay pending: the pass's tail). Zero means send
	// every pending page.
	StopBelow  float64
	ChunkBytes float64
	// StopRises, when > 0, raises StopBelow during the round, as a
	// downtime-limit ramp does (management software raising QEMU's limit
	// on its own clock, see DowntimeRamp): by StopRise pages at StopRiseAt
	// (seconds since the migration started) and again every StopRiseEvery
	// seconds after, StopRises times in all. The engine compares the pages
	// left with the raised value at every chunk boundary, as QEMU does
	// after every iteration, instead of only at the next round.
	StopRise, StopRiseAt, StopRiseEvery float64
	StopRises                           int
	// Skip defers pages written again since the round began (Xen legacy:
	// they would be stale; they go next round).
	Skip bool
	// Spread sends each 1024-page batch spread across memory (16 runs of
	// 64 pages, strided), as Xen legacy's bit-rotated scan order does;
	// otherwise pages go in address order (QEMU, Xen v2, SimGrid).
	Spread bool
}

// stopBelowAt is StopBelow as raised by time t (seconds since the
// migration started).
func (p *RoundPlan) stopBelowAt(t float64) float64 {
	s := p.StopBelow
	at := p.StopRiseAt
	for n := 0; n < p.StopRises && t >= at; n++ {
		s += p.StopRise
		at += p.StopRiseEvery
	}
	return s
}

// Action is a policy's decision after a round.
type Action int

const (
	Continue    Action = iota // another live round
	StopAndCopy               // pause the guest and send what is dirty
	GiveUp                    // stop without converging (reported as such)
)

// Decision is what a policy says after a round.
type Decision struct {
	Action Action
	// Reason names the rule that fired ("iterations", "under 50 pages",
	// "3x memory", "rate at cap", "threshold", ...).
	Reason string
	// Throttle is the share of time the guest is kept off the CPU from now
	// on (QEMU auto-converge), in [0, 0.99].
	Throttle float64
	// FinalRateCap caps the stop-and-copy round's rate (bytes/s, 0 none).
	FinalRateCap float64
}

// verdict is a built-in policy's decision after a round, in one byte: the
// action and the rule that fired (the scalar after methods return it, so
// the analytic path copies no Decision per round; After spells it out).
type verdict uint8

const (
	vContinue verdict = iota
	vThreshold
	vIterations
	vUnder50
	v3x
	vRateAtCap
)

var verdictReasons = [...]string{vThreshold: "threshold", vIterations: "iterations", vUnder50: "under 50 pages", v3x: "3x memory", vRateAtCap: "rate at cap"}

// action is the verdict's Action: every verdict but vContinue stops and copies.
func (v verdict) action() Action {
	if v == vContinue {
		return Continue
	}
	return StopAndCopy
}

// decision spells the verdict out with the policy's throttle and final
// rate cap.
func (v verdict) decision(throttle, finalCap float64) Decision {
	d := Decision{Action: v.action(), Throttle: throttle}
	if v != vContinue {
		d.Reason, d.FinalRateCap = verdictReasons[v], finalCap
	}
	return d
}

// controller runs a Policy's Controller. The built-in policies' state is
// held by value and their methods are called directly: the engine and the
// analytic path (which replays configuration after configuration) then
// start a migration without allocating and without dynamic dispatch. Any
// other Policy's Controller is called through the interface.
type controller struct {
	kind       policyKind
	qemu       qemuRun
	xenLegacy  xenLegacyRun
	xenV2      xenV2Run
	simGrid    simGridRun
	other      Controller
	otherRound *Round // what other.After sees (so that callers' rounds stay on the stack)
	// plan, when planned is set, is the plan of every round: the built-in
	// policies whose plan depends on the environment only (all but Xen
	// legacy with rate adaptation) are asked once.
	plan    RoundPlan
	planned bool
}

type policyKind uint8

const (
	kindOther policyKind = iota
	kindQEMU
	kindXenLegacy
	kindXenV2
	kindSimGrid
)

// begin starts pol's controller for one migration.
func (c *controller) begin(pol Policy, env Env) {
	switch v := pol.(type) {
	case QEMU:
		c.kind = kindQEMU
		v.start(&c.qemu, env)
	case XenLegacy:
		c.kind = kindXenLegacy
		v.start(&c.xenLegacy, env)
	case XenV2:
		c.kind = kindXenV2
		v.start(&c.xenV2)
	case SimGrid:
		c.kind = kindSimGrid
		v.start(&c.simGrid, env)
	default:
		c.kind = kindOther
		c.other = pol.Begin(env)
		c.otherRound = new(Round)
		return
	}
	if !(c.kind == kindXenLegacy && c.xenLegacy.RateAdapt) && !(c.kind == kindQEMU && c.qemu.ramped) {
		c.plan, c.planned = c.Plan(0), true
	}
}

// Steady is implemented by Controllers that can tell when their own state
// can no longer change what happens at a fixed point (no round cap, no
// downtime limit still rising, no throttle still able to rise): the
// analytic path then extrapolates to the timeout instead of iterating.
type Steady interface{ Steady() bool }

// steady reports whether the policy's controller is Steady.
func (c *controller) steady() bool {
	switch c.kind {
	case kindQEMU:
		return c.qemu.Steady()
	case kindSimGrid:
		return c.simGrid.Steady()
	case kindOther:
		s, ok := c.other.(Steady)
		return ok && s.Steady()
	}
	return false
}

func (c *controller) Plan(pending int64) RoundPlan {
	if c.planned {
		return c.plan
	}
	switch c.kind {
	case kindQEMU:
		return c.qemu.Plan(pending)
	case kindXenLegacy:
		return c.xenLegacy.Plan(pending)
	case kindXenV2:
		return c.xenV2.Plan(pending)
	case kindSimGrid:
		return c.simGrid.Plan(pending)
	}
	return c.other.Plan(pending)
}

func (c *controller) After(r *Round) Decision {
	switch c.kind {
	case kindQEMU:
		return c.qemu.After(r)
	case kindXenLegacy:
		return c.xenLegacy.After(r)
	case kindXenV2:
		return c.xenV2.After(r)
	case kindSimGrid:
		return c.simGrid.After(r)
	}
	*c.otherRound = *r
	return c.other.After(c.otherRound)
}

// optioner is implemented by policies with options beyond their name; the
// description names the non-default ones ("" when none).
type optioner interface{ Options() string }

func policyOptions(p Policy) string {
	if o, ok := p.(optioner); ok {
		return o.Options()
	}
	return ""
}
