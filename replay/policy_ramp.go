package replay

import (
	"fmt"
	"time"
)

// DowntimeRamp is management software raising QEMU's downtime limit step
// by step while a migration runs, as KubeVirt's downtime tuning does
// (VEP 291, "Dynamic Downtime Tuning and Iteration-Based Convergence";
// kubevirt/kubevirt#17480), set as QEMU{Ramp: &DowntimeRamp{}}:
//
//   - the limit starts at Initial (below QEMU's own 300 ms default, so
//     that an idle guest stops sooner);
//   - once dirty-sync-count (libvirt's MemIteration) reaches StartAfter, a
//     cooldown timer starts; each time Cooldown elapses the limit rises by
//     (Max − Initial)/Steps, up to Max.
//
// Zero fields mean KubeVirt's defaults: Initial 150 ms, Max 1050 ms (the
// maxDowntimeMs ceiling of its benchmark), Steps 7 ("the number of equal
// increments", KubeVirt's API reference; the VEP's timeline, 150 → 300 →
// … → 1050 ms, draws 150 ms steps, i.e. Steps 6), StartAfter 3 and
// Cooldown 10 s.
//
// KubeVirt polls the migration on its own clock, and QEMU compares the
// pages left in a pass with the limit in force after every iteration: the
// replay raises the limit when each cooldown elapses, within a round too
// (RoundPlan.StopRises: a pass ends as soon as the pages it has left fall
// below the raised threshold), and QEMU's decision at the round's sync
// uses the limit in force then.
type DowntimeRamp struct {
	Initial, Max time.Duration
	Steps        int
	StartAfter   int // dirty-sync-count that starts the cooldown timer
	Cooldown     time.Duration
}

// KubeVirt's defaults (VEP 291).
const (
	rampInitial    = 150 * time.Millisecond
	rampMax        = 1050 * time.Millisecond
	rampSteps      = 7
	rampStartAfter = 3
	rampCooldown   = 10 * time.Second
)

func (r DowntimeRamp) resolved() DowntimeRamp {
	if r.Initial == 0 {
		r.Initial = rampInitial
	}
	if r.Max == 0 {
		r.Max = rampMax
	}
	if r.Steps == 0 {
		r.Steps = rampSteps
	}
	if r.StartAfter == 0 {
		r.StartAfter = rampStartAfter
	}
	if r.Cooldown == 0 {
		r.Cooldown = rampCooldown
	}
	return r
}

// Validate checks the ramp's fields (after defaults).
func (r DowntimeRamp) Validate() error {
	v := r.resolved()
	if v.Initial < 0 || v.Max < v.Initial || v.Steps < 1 || v.StartAfter < 1 || v.Cooldown < 0 {
		return fmt.Errorf("%w: downtime ramp %v: want 0 ≤ initial ≤ max, steps ≥ 1, start after ≥ 1 sync, cooldown ≥ 0", ErrConfig, r)
	}
	return nil
}

func (r DowntimeRamp) String() string {
	v := r.resolved()
	return fmt.Sprintf("ramp(%v..%v/%d,after=%d,every=%v)", v.Initial, v.Max, v.Steps, v.StartAfter, v.Cooldown)
}

// rampRun is one migration's ramp state.
type rampRun struct {
	DowntimeRamp         // resolved
	level        int     // steps taken
	since        float64 // s, when the current cooldown began; < 0 before StartAfter
}

func (r DowntimeRamp) start() rampRun {
	return rampRun{DowntimeRamp: r.resolved(), since: -1}
}

// limit is the downtime limit (s) in force.
func (r *rampRun) limit() float64 {
	step := (r.Max - r.Initial).Seconds() / float64(r.Steps)
	return r.Initial.Seconds() + float64(r.level)*step
}

// advance moves the ramp to time t (s) with syncs bitmap syncs so far and
// returns the limit in force.
func (r *rampRun) advance(t float64, syncs int) float64 {
	if r.since < 0 {
		if syncs < r.StartAfter {
			return r.limit()
		}
		r.since = t
	}
	cd := r.Cooldown.Seconds()
	for r.level < r.Steps && t-r.since >= cd {
		r.level++
		r.since += cd
	}
	return r.limit()
}

// done reports whether the limit will not rise any more.
func (r *rampRun) done() bool { return r.level >= r.Steps }
