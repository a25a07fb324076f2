package replay

import (
	"fmt"
	"math"
)

// A DirtyModel says how fast and where the guest writes memory. Each model
// is a small type in its own file (dirty_*.go) that registers itself
// (RegisterModel) and implements Tuner for sweeps and calibration.
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

// distinctTerm is one uniform component of a Distinct curve: S pages on
// which A·w of the w writes fall uniformly, each page missed by one write
// with probability e^L, so the component holds −S·expm1((A·w)·L) distinct
// pages (L = ln(1 − 1/S) for a uniform set; L = −q for a Zipf bucket of
// pages each written with probability q).
type distinctTerm struct{ S, A, L float64 }

// termer is implemented by models whose Distinct(n, ·) is a sum of
// distinctTerms that depend on n only: up to two returned by value (first
// k of terms), or more in a slice. The analytic path computes them once per
// configuration instead of once per call (for Zipf that is the
// normalisation and bucket table, hundreds of math.Pow calls), and
// distinctCurve.At reproduces Distinct bit for bit (see the tests).
type termer interface {
	distinctTerms(n int64) (terms [2]distinctTerm, k int, more []distinctTerm)
}

// uniformTerm is the term of s pages receiving the share a of the writes.
func uniformTerm(s, a float64) distinctTerm {
	if s <= 0 {
		return distinctTerm{}
	}
	if s == 1 {
		return distinctTerm{S: 1, A: a, L: math.Inf(-1)}
	}
	return distinctTerm{S: s, A: a, L: uniformLog(s)}
}

// distinctCurve is a model's Distinct for one guest size, n pages.
type distinctCurve struct {
	terms [2]distinctTerm
	k     int            // terms in use; 0 with more nil: ask the model
	more  []distinctTerm // the terms, when there are more than two
	model DirtyModel
	n     int64
}

// init prepares m's curve for n pages.
func (c *distinctCurve) init(m DirtyModel, n int64) {
	c.model, c.n = m, n
	switch v := m.(type) { // the common case first: cheaper than the assertion
	case Uniform:
		c.terms, c.k, c.more = v.distinctTerms(n)
	case termer:
		c.terms, c.k, c.more = v.distinctTerms(n)
	}
}

// At is the expected number of distinct pages hit by w writes:
// m.Distinct(n, w).
func (c *distinctCurve) At(w float64) float64 {
	switch {
	case c.k == 1: // at(w), written out: one call fewer on the hot path
		t := &c.terms[0]
		if x := t.A * w; x > 0 && t.S > 0 {
			return -t.S * math.Expm1(x*t.L)
		}
		return 0
	case c.k == 2:
		return c.terms[0].at(w) + c.terms[1].at(w)
	case c.more != nil:
		var d float64
		for _, t := range c.more {
			d += t.at(w)
		}
		return d
	}
	return c.model.Distinct(c.n, w)
}

// at is the term's distinct pages among w writes (0 when it gets none).
func (t distinctTerm) at(w float64) float64 {
	if x := t.A * w; x > 0 && t.S > 0 {
		return -t.S * math.Expm1(x*t.L)
	}
	return 0
}

// Pair returns At(w/2) and At(w) for the price of one exponential per
// term: with H = expm1(y/2), expm1(y) = H·(H + 2) (within a few ulps of
// math.Expm1(y); the Xen skip integral needs both at every round).
func (c *distinctCurve) Pair(w float64) (half, full float64) {
	switch {
	case c.k == 1: // pair(w), written out
		t := &c.terms[0]
		if x := t.A * w; x > 0 && t.S > 0 {
			h := math.Expm1(x * t.L / 2)
			return -t.S * h, -t.S * (h * (h + 2))
		}
		return 0, 0
	case c.k == 2:
		h0, f0 := c.terms[0].pair(w)
		h1, f1 := c.terms[1].pair(w)
		return h0 + h1, f0 + f1
	case c.more != nil:
		for _, t := range c.more {
			h, f := t.pair(w)
			half += h
			full += f
		}
		return half, full
	}
	return c.model.Distinct(c.n, w/2), c.model.Distinct(c.n, w)
}

func (t distinctTerm) pair(w float64) (half, full float64) {
	if x := t.A * w; x > 0 && t.S > 0 {
		h := math.Expm1(x * t.L / 2)
		return -t.S * h, -t.S * (h * (h + 2))
	}
	return 0, 0
}
