package replay

import "fmt"

// Uniform writes Rate pages per second, each on a page drawn uniformly from
// all of memory: the assumption behind the analytic model of Liu et al.
// (2011), under which n writes dirty N·(1 − (1 − 1/N)^n) distinct pages.
type Uniform struct {
	Rate float64 // page writes per second
}

var _ = RegisterModel(ModelSpec{
	Name: "uniform",
	Help: "writes fall uniformly on all of memory (Liu et al. 2011)",
	New:  func(a ModelArgs) (DirtyModel, error) { return Uniform{Rate: a.Rate}, nil },
})

// Tune sets "rate".
func (u Uniform) Tune(name string, v float64) (DirtyModel, error) {
	if name != "rate" {
		return nil, noParam(u, name)
	}
	u.Rate = v
	return u, nil
}

func (Uniform) Name() string                    { return "uniform" }
func (u Uniform) Validate() error               { return validRate("uniform", u.Rate) }
func (u Uniform) Writes(t0, t1 float64) float64 { return u.Rate * (t1 - t0) }
func (Uniform) Mark(b *Bitmap, w int64, r *RNG) {
	markUniform(b, 0, b.Len(), w, r)
}
func (Uniform) Distinct(n int64, w float64) float64 { return distinctUniform(float64(n), w) }

func (u Uniform) String() string { return fmt.Sprintf("uniform(rate=%g)", u.Rate) }

func (Uniform) distinctTerms(n int64) ([2]distinctTerm, int, []distinctTerm) {
	return [2]distinctTerm{uniformTerm(float64(n), 1)}, 1, nil
}
