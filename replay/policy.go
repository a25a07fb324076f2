package replay

import (
	"fmt"
	"strings"
	"time"
)

// A Policy is a hypervisor's pre-copy loop: how each round is sent and when
// to stop and copy. Each policy is a small type in its own file
// (policy_*.go); Begin gives the per-migration state.
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
}

// Env is what a policy knows about the migration it controls.
type Env struct {
	Pages         int64   // guest pages
	PageSize      int64   // bytes
	PageBytes     float64 // stream bytes per page sent (page + header)
	Rate          float64 // stream rate before policy caps, bytes/s
	MaxBandwidth  float64 // hypervisor rate limit, bytes/s (+Inf none)
	DowntimeLimit float64 // seconds
	AutoConverge  bool
}

// Controller is one migration's policy state.
type Controller interface {
	// Plan is called before each live round with the pages pending.
	Plan(pending int64) RoundPlan
	// After is told how the round went and decides what comes next.
	After(r Round) Decision
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
	// Skip defers pages written again since the round began (Xen legacy:
	// they would be stale; they go next round).
	Skip bool
	// Spread sends each 1024-page batch spread across memory (16 runs of
	// 64 pages, strided), as Xen legacy's bit-rotated scan order does;
	// otherwise pages go in address order (QEMU, Xen v2, SimGrid).
	Spread bool
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

// Policies lists the built-in policies by name.
func Policies() []string { return []string{"xen-legacy", "xen-v2", "qemu", "simgrid"} }

// ParsePolicy returns the built-in policy called name, with its defaults.
func ParsePolicy(name string) (Policy, error) {
	switch strings.ToLower(name) {
	case "xen-legacy", "xen":
		return XenLegacy{}, nil
	case "xen-v2":
		return XenV2{}, nil
	case "qemu", "kvm":
		return QEMU{}, nil
	case "simgrid":
		return SimGrid{}, nil
	}
	return nil, fmt.Errorf("%w: unknown policy %q (want %s)", ErrConfig, name, strings.Join(Policies(), ", "))
}
