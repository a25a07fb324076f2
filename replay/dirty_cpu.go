package replay

import (
	"fmt"
	"math"
)

// CPU couples dirtying to CPU work, as SimGrid's live-migration plugin does
// (Hirofuchi et al. 2013): the guest writes Rate pages per second while it
// uses one full CPU, so it writes Rate·Usage pages/s at utilisation Usage,
// uniformly over a working set of WorkingSet·N pages (SimGrid: 90 % of RAM),
// which also caps how many distinct pages one round can dirty. Throttling
// (auto-converge) and post-copy stalls scale the work done, and so the
// writes.
//
// SimGrid expresses the coupling as a dirty-page intensity: bytes dirtied
// per flop = migration speed × intensity ÷ host speed, i.e. at full CPU the
// guest dirties intensity × migration speed bytes/s; in these units
// Rate = intensity × migration speed ÷ page size. Seed 004's DomU CPU cap is
// Usage.
//
// Zero fields mean Usage 1 and WorkingSet 0.9.
type CPU struct {
	Rate       float64 // the dirty rate per CPU: page writes per second at 100 % of one CPU
	Usage      float64 // guest CPU utilisation, in CPUs, (0, 64]
	WorkingSet float64 // share of RAM written, (0, 1]
}

var _ = RegisterModel(ModelSpec{
	Name: "cpu",
	Help: "SimGrid's coupling: --dirty-rate is the dirty rate per CPU, the page writes/s of one fully busy CPU",
	Params: []Param{
		{Name: "guest-cpu", Kind: FloatParam, Help: "guest CPU utilisation in CPUs (DomU cap), (0, 64] (default 1)"},
		{Name: "working-set", Kind: FloatParam, Help: "share of RAM written, (0, 1] (default 0.9)"},
	},
	New: func(a ModelArgs) (DirtyModel, error) {
		c := CPU{Rate: a.Rate}
		var err error
		if c.Usage, _, err = a.Values.Positive("guest-cpu", 64); err != nil {
			return nil, err
		}
		c.WorkingSet, _, err = a.Values.Share("working-set")
		return c, err
	},
})

// Tune sets "rate" (per CPU), "guest-cpu" or "working-set".
func (c CPU) Tune(name string, v float64) (DirtyModel, error) {
	switch name {
	case "rate":
		c.Rate = v
	case "guest-cpu":
		c.Usage = v
	case "working-set":
		c.WorkingSet = v
	default:
		return nil, noParam(c, name)
	}
	return c, nil
}

func (CPU) Name() string { return "cpu" }

func (c CPU) params() (usage, ws float64) {
	usage, ws = c.Usage, c.WorkingSet
	if usage == 0 {
		usage = 1
	}
	if ws == 0 {
		ws = 0.9
	}
	return
}

func (c CPU) Validate() error {
	if err := validRate("cpu", c.Rate); err != nil {
		return err
	}
	u, ws := c.params()
	if !(u > 0 && u <= 64) {
		return validShare("cpu", "usage", u, false)
	}
	return validShare("cpu", "working set", ws, false)
}

func (c CPU) Writes(t0, t1 float64) float64 {
	u, _ := c.params()
	return c.Rate * u * (t1 - t0)
}

func (c CPU) ws(n int64) int64 {
	_, ws := c.params()
	return min(max(int64(math.Round(ws*float64(n))), 1), n)
}

func (c CPU) Mark(b *Bitmap, w int64, r *RNG) { markUniform(b, 0, c.ws(b.Len()), w, r) }

func (c CPU) Distinct(n int64, w float64) float64 { return distinctUniform(float64(c.ws(n)), w) }

func (c CPU) String() string {
	u, ws := c.params()
	return fmt.Sprintf("cpu(rate=%g,usage=%g,working_set=%g)", c.Rate, u, ws)
}

func (c CPU) distinctTerms(n int64) ([2]distinctTerm, int, []distinctTerm) {
	return [2]distinctTerm{uniformTerm(float64(c.ws(n)), 1)}, 1, nil
}
