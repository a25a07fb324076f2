package replay

import (
	"fmt"
	"math"
)

// HotCold is Clark et al.'s (2005) writable working set: a share HotShare of
// the pages (the hot set, at the bottom of memory) receives a share
// HotWrites of the writes; the rest of the writes fall uniformly on the
// other pages. The hot set saturates after a short time, so later pre-copy
// rounds stop shrinking: the reason real migrations need a stop rule.
//
// Zero fields mean HotShare 0.1 and HotWrites 0.9 (the "90/10" locality
// rule of thumb; Clark et al. measured working sets of a few to tens of MB
// on their workloads).
type HotCold struct {
	Rate      float64 // page writes per second
	HotShare  float64 // share of pages in the hot set, (0, 1]
	HotWrites float64 // share of writes that hit the hot set, [0, 1]
}

var _ = RegisterModel(ModelSpec{
	Name: "hotcold",
	Help: "Clark et al.'s writable working set: a hot share of the pages takes most writes",
	Params: []Param{
		{Name: "hot-share", Kind: FloatParam, Help: "share of pages in the hot set, (0, 1] (default 0.1)"},
		{Name: "hot-writes", Kind: FloatParam, Help: "share of writes to the hot set, (0, 1] (default 0.9)"},
	},
	New: func(a ModelArgs) (DirtyModel, error) {
		h := HotCold{Rate: a.Rate}
		var err error
		if h.HotShare, _, err = a.Values.Share("hot-share"); err != nil {
			return nil, err
		}
		h.HotWrites, _, err = a.Values.Share("hot-writes")
		return h, err
	},
})

// Tune sets "rate", "hot-share" or "hot-writes".
func (h HotCold) Tune(name string, v float64) (DirtyModel, error) {
	switch name {
	case "rate":
		h.Rate = v
	case "hot-share":
		h.HotShare = v
	case "hot-writes":
		h.HotWrites = v
	default:
		return nil, noParam(h, name)
	}
	return h, nil
}

func (HotCold) Name() string { return "hotcold" }

func (h HotCold) params() (float64, float64) {
	hs, hw := h.HotShare, h.HotWrites
	if hs == 0 {
		hs = 0.1
	}
	if hw == 0 {
		hw = 0.9
	}
	return hs, hw
}

func (h HotCold) Validate() error {
	if err := validRate("hotcold", h.Rate); err != nil {
		return err
	}
	hs, hw := h.params()
	if err := validShare("hotcold", "hot share", hs, false); err != nil {
		return err
	}
	return validShare("hotcold", "hot writes", hw, true)
}

func (h HotCold) Writes(t0, t1 float64) float64 { return h.Rate * (t1 - t0) }

func (h HotCold) split(n int64) int64 {
	hs, _ := h.params()
	hot := int64(math.Round(hs * float64(n)))
	return min(max(hot, 1), n)
}

// Mark splits the w writes binomially between the two sets and marks each
// set uniformly (see markUniform for the cost).
func (h HotCold) Mark(b *Bitmap, w int64, r *RNG) {
	if w <= 0 {
		return
	}
	n := b.Len()
	hot := h.split(n)
	_, hw := h.params()
	wh := binomial(r, w, hw)
	if hot == n {
		wh = w
	}
	markUniform(b, 0, hot, wh, r)
	markUniform(b, hot, n, w-wh, r)
}

func (h HotCold) Distinct(n int64, w float64) float64 {
	hot := h.split(n)
	_, hw := h.params()
	if hot == n {
		return distinctUniform(float64(n), w)
	}
	return distinctUniform(float64(hot), hw*w) + distinctUniform(float64(n-hot), (1-hw)*w)
}

func (h HotCold) distinctTerms(n int64) ([2]distinctTerm, int, []distinctTerm) {
	hot := h.split(n)
	_, hw := h.params()
	if hot == n {
		return [2]distinctTerm{uniformTerm(float64(n), 1)}, 1, nil
	}
	return [2]distinctTerm{uniformTerm(float64(hot), hw), uniformTerm(float64(n-hot), 1-hw)}, 2, nil
}

// binomial draws Binomial(n, p): exact by inversion for small means, the
// normal approximation (rounded and clamped) once n·p·(1−p) > 100, where its
// error is far below the model's own.
func binomial(r *RNG, n int64, p float64) int64 {
	switch {
	case p <= 0 || n <= 0:
		return 0
	case p >= 1:
		return n
	}
	mean := float64(n) * p
	v := mean * (1 - p)
	if v > 100 {
		x := int64(math.Round(mean + math.Sqrt(v)*r.NormFloat64()))
		return min(max(x, 0), n)
	}
	if p > 0.5 {
		return n - binomial(r, n, 1-p)
	}
	// Inversion on the waiting times: Geometric gaps between successes.
	inv := 1 / -math.Log1p(-p)
	var k, i int64
	for {
		i += int64(r.ExpFloat64()*inv) + 1
		if i > n {
			return k
		}
		k++
	}
}

func (h HotCold) String() string {
	hs, hw := h.params()
	return fmt.Sprintf("hotcold(rate=%g,hot_share=%g,hot_writes=%g)", h.Rate, hs, hw)
}
