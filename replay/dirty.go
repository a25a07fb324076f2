package replay

import (
	"fmt"
)

// A DirtyModel says how fast and where the guest writes memory.
//
// The engine asks it for the expected number of page writes in a stretch of
// time (Writes), draws the actual number from a Poisson law (scaled by the
// share of time the guest runs: auto-converge throttling and post-copy
// stalls), and lets the model mark the pages those writes hit (Mark). Only
// distinct pages matter to a migration: a page written twice in a round is
// sent once. Distinct gives the expected count for the analytic path.
//
// Rates are page writes per second. Over an interval short enough that few
// pages are hit twice, that equals distinct pages dirtied per second, which
// is what QEMU's dirty-pages-rate reports (pages newly dirty in a ≥ 1 s
// period ÷ its length).
//
// Layout (documented because it interacts with send order): hot and
// popular pages sit at the bottom of memory, zero pages (see
// Config.ZeroShare) at the top, where a Linux guest keeps never-touched free
// memory. Xen's legacy loop spreads each batch across memory, QEMU scans in
// address order; see the policies.
type DirtyModel interface {
	// Name is the model's name on the command line.
	Name() string
	// Writes is the expected number of page writes during [t0, t1) seconds
	// after the migration started, by a guest running at full speed.
	Writes(t0, t1 float64) float64
	// Mark marks in b the pages hit by w writes.
	Mark(b *Bitmap, w int64, r *RNG)
	// Distinct is the expected number of distinct pages hit by w writes in a
	// guest of n pages.
	Distinct(n int64, w float64) float64
}

// validator is implemented by models with parameters to check.
type validator interface{ Validate() error }

func validRate(name string, r float64) error {
	if !(r >= 0) || r > 1e15 {
		return fmt.Errorf("%s dirty model: rate %g pages/s must be ≥ 0 and finite", name, r)
	}
	return nil
}

func validShare(name, field string, v float64, allowZero bool) error {
	if !(v >= 0 && v <= 1) || (!allowZero && v == 0) {
		return fmt.Errorf("%s dirty model: %s %g must be in (0, 1]", name, field, v)
	}
	return nil
}
