package replay

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// Trace replays a measured dirty-rate time series: Rates[i] page writes per
// second hold from Times[i] to Times[i+1] (seconds since the migration
// started); before Times[0] the first rate holds. After the last sample the
// last rate holds, or with Repeat the series starts over with period
// Times[n−1] − Times[0] + (its last spacing). This is the one interval
// convention of every series the replay reads (a CSV's too): a value holds
// from its time stamp. Writes fall uniformly on the lowest WorkingSet·N
// pages (zero means all of memory), or with InTurn on those pages in
// turn, wrapping around.
//
// InTurn is for rates that already count distinct pages, as QEMU's
// dirty-pages-rate does (pages newly dirty per period): replayed as random
// writes they would lose their repeats a second time. In turn, a stretch of
// T seconds dirties min(∫rate, working set) pages, QEMU's own measure.
//
// Where rates come from (see the From* constructors): QMP's dirty-pages-rate
// directly; sar paging and xentop CPU through the documented mappings of
// TraceFromSar and TraceFromCPU.
type Trace struct {
	Times      []float64 // seconds, strictly increasing
	Rates      []float64 // page writes per second, ≥ 0
	Repeat     bool
	WorkingSet float64 // share of RAM written, (0, 1]; zero means 1
	InTurn     bool    // rates count distinct pages: written in turn (see above)
	// Throttled says the rates were measured on the guest as the migration
	// replayed throttled it (a QMP series under auto-converge): the replay
	// does not throttle them again.
	Throttled bool

	once sync.Once
	cum  []float64 // cum[i] = writes from Times[0] to Times[i]
}

// ErrTrace is returned (wrapped) for an unusable dirty-rate series.
var ErrTrace = errors.New("bad dirty-rate trace")

// NewTrace checks a series and prepares it for replay.
func NewTrace(times, rates []float64) (*Trace, error) {
	t := &Trace{Times: times, Rates: rates}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

var _ = RegisterModel(ModelSpec{
	Name: "trace",
	Help: "a measured dirty-rate series (--dirty-trace), rescaled to a mean of --dirty-rate when that is given",
	Params: []Param{
		{Name: "working-set", Kind: FloatParam, Help: "share of RAM written, (0, 1] (default 1; a QMP series: the most pages one period dirtied)"},
		{Name: "trace-writes", Kind: BoolParam, Help: "replay the rates as random page writes, not as distinct pages written in turn (the default for a QMP series, whose dirty-pages-rate counts distinct pages)"},
	},
	New: func(a ModelArgs) (DirtyModel, error) {
		if a.Trace == nil {
			return nil, fmt.Errorf("%w: dirty model trace needs a dirty-rate trace (--dirty-trace)", ErrConfig)
		}
		ws, _, err := a.Values.Share("working-set")
		if err != nil {
			return nil, err
		}
		if ws == 0 {
			ws = a.Trace.WorkingSet
		}
		writes, err := a.Values.Bool("trace-writes")
		if err != nil {
			return nil, err
		}
		t := &Trace{Times: a.Trace.Times, Rates: a.Trace.Rates, Repeat: a.Trace.Repeat, WorkingSet: ws, InTurn: a.Trace.InTurn && !writes, Throttled: a.Trace.Throttled}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if a.RateGiven {
			return t.Tune("rate", a.Rate)
		}
		return t, nil
	},
})

// Tune sets "rate" (every sample scaled so that the mean is v),
// "working-set", or "trace-writes" (v ≠ 0: random writes, not in turn).
func (t *Trace) Tune(name string, v float64) (DirtyModel, error) {
	switch name {
	case "rate":
		if err := t.Validate(); err != nil {
			return nil, err
		}
		mean := t.MeanRate()
		if mean <= 0 && v != 0 {
			return nil, fmt.Errorf("%w: cannot rescale an all-zero trace to %g pages/s", ErrTrace, v)
		}
		rs := make([]float64, len(t.Rates))
		for i, r := range t.Rates {
			if v != 0 {
				rs[i] = r * v / mean
			}
		}
		n := &Trace{Times: t.Times, Rates: rs, Repeat: t.Repeat, WorkingSet: t.WorkingSet, InTurn: t.InTurn, Throttled: t.Throttled}
		return n, n.Validate()
	case "working-set":
		return &Trace{Times: t.Times, Rates: t.Rates, Repeat: t.Repeat, WorkingSet: v, InTurn: t.InTurn, Throttled: t.Throttled}, nil
	case "trace-writes":
		return &Trace{Times: t.Times, Rates: t.Rates, Repeat: t.Repeat, WorkingSet: t.WorkingSet, InTurn: v == 0, Throttled: t.Throttled}, nil
	}
	return nil, noParam(t, name)
}

func (*Trace) Name() string { return "trace" }

func (t *Trace) Validate() error {
	if len(t.Times) == 0 || len(t.Times) != len(t.Rates) {
		return fmt.Errorf("%w: %d times and %d rates (need ≥ 1, equal)", ErrTrace, len(t.Times), len(t.Rates))
	}
	for i := range t.Times {
		if math.IsNaN(t.Times[i]) || math.IsInf(t.Times[i], 0) || (i > 0 && !(t.Times[i] > t.Times[i-1])) {
			return fmt.Errorf("%w: sample %d: times must be finite and strictly increasing", ErrTrace, i+1)
		}
		if !(t.Rates[i] >= 0) || math.IsInf(t.Rates[i], 0) {
			return fmt.Errorf("%w: sample %d: rate %g must be finite and ≥ 0", ErrTrace, i+1, t.Rates[i])
		}
	}
	if t.WorkingSet != 0 {
		if err := validShare("trace", "working set", t.WorkingSet, false); err != nil {
			return err
		}
	}
	return nil
}

// prepare builds the cumulative sums once (safe for concurrent use).
func (t *Trace) prepare() {
	t.once.Do(func() {
		cum := make([]float64, len(t.Times))
		for i := 1; i < len(t.Times); i++ {
			cum[i] = cum[i-1] + t.Rates[i-1]*(t.Times[i]-t.Times[i-1])
		}
		t.cum = cum
	})
}

func (t *Trace) period() float64 {
	n := len(t.Times)
	if n < 2 {
		return 0
	}
	return t.Times[n-1] - t.Times[0] + (t.Times[n-1] - t.Times[n-2])
}

// integral is ∫ rate from −∞-anchored Times[0] to x (negative before it).
func (t *Trace) integral(x float64) float64 {
	t.prepare()
	n := len(t.Times)
	t0 := t.Times[0]
	if x <= t0 {
		return t.Rates[0] * (x - t0)
	}
	if t.Repeat && n > 1 {
		p := t.period()
		whole := t.cum[n-1] + t.Rates[n-1]*(t.Times[n-1]-t.Times[n-2])
		k := math.Floor((x - t0) / p)
		return k*whole + t.integral1(t0+(x-t0-k*p))
	}
	return t.integral1(x)
}

func (t *Trace) integral1(x float64) float64 {
	i := sort.SearchFloat64s(t.Times, x) // first Times[i] ≥ x
	if i == len(t.Times) || t.Times[i] > x {
		i--
	}
	return t.cum[i] + t.Rates[i]*(x-t.Times[i])
}

func (t *Trace) Writes(t0, t1 float64) float64 {
	if t1 <= t0 {
		return 0
	}
	return max(t.integral(t1)-t.integral(t0), 0)
}

func (t *Trace) ws(n int64) int64 {
	ws := t.WorkingSet
	if ws == 0 {
		ws = 1
	}
	return min(max(int64(math.Round(ws*float64(n))), 1), n)
}

func (t *Trace) Mark(b *Bitmap, w int64, r *RNG) { markUniform(b, 0, t.ws(b.Len()), w, r) }

// markFrom marks, with InTurn, the w pages of the working set from
// position pos in turn (wrapping) and returns the position after them.
func (t *Trace) markFrom(b *Bitmap, pos, w int64) (int64, bool) {
	if !t.InTurn {
		return pos, false
	}
	ws := t.ws(b.Len())
	if w >= ws {
		b.SetRange(0, ws)
		return (pos + w) % ws, true
	}
	pos %= ws
	end := pos + w
	if end <= ws {
		b.SetRange(pos, end)
	} else {
		b.SetRange(pos, ws)
		b.SetRange(0, end-ws)
	}
	return end % ws, true
}

func (t *Trace) Distinct(n int64, w float64) float64 {
	if t.InTurn {
		return min(max(w, 0), float64(t.ws(n)))
	}
	return distinctUniform(float64(t.ws(n)), w)
}

// MeanRate is the time-weighted mean rate over one pass of the series
// (pages/s); the last sample counts for one spacing.
func (t *Trace) MeanRate() float64 {
	if len(t.Times) < 2 {
		return t.Rates[0]
	}
	return t.Writes(t.Times[0], t.Times[0]+t.period()) / t.period()
}

// TraceFromSar maps sar -B paging counters to a dirty-rate series, a lower
// bound on the guest's page writes:
//
//	rate = fault/s + pgpgin/s · 1024 / pageSize
//
// fault/s counts page faults, and a guest's first write to an anonymous or
// copy-on-write page faults (each makes a page dirty); pgpgin/s is KiB/s read
// from disk into the page cache, memory the kernel writes. Writes to pages
// already mapped writable fault nothing and are invisible to sar, hence a
// lower bound. pgpgout/s (KiB/s written back to disk) reads dirty page-cache
// pages and dirties nothing, so it is not used; sar -r's kbdirty is the
// page-cache share of dirty memory at a moment, not a rate. times are
// seconds (any origin; they are shifted to start at 0).
func TraceFromSar(times, faults, pgpgin []float64, pageSize int64) (*Trace, error) {
	if len(faults) != len(times) || len(pgpgin) != len(times) {
		return nil, fmt.Errorf("%w: sar series lengths differ (%d, %d, %d)", ErrTrace, len(times), len(faults), len(pgpgin))
	}
	if pageSize <= 0 {
		return nil, fmt.Errorf("%w: page size %d", ErrTrace, pageSize)
	}
	ts := make([]float64, len(times))
	rs := make([]float64, len(times))
	for i := range times {
		ts[i] = times[i] - times[0]
		rs[i] = faults[i] + pgpgin[i]*1024/float64(pageSize)
	}
	return NewTrace(ts, rs)
}

// TraceFromCPU maps a CPU-utilisation series (xentop's CPU(%) column, in
// percent of one CPU, so 250 means two and a half CPUs) to a dirty-rate
// series with SimGrid's coupling (see CPU): rate = cpuPercent/100 ·
// dirtyPerCPU, the dirty rate per CPU: the page writes per second of one
// fully busy CPU for this workload (calibrate it from a migration of the
// same workload; seed 004's memory-write benchmark is such a workload).
func TraceFromCPU(times, cpuPercent []float64, dirtyPerCPU float64) (*Trace, error) {
	if len(cpuPercent) != len(times) {
		return nil, fmt.Errorf("%w: %d times, %d CPU samples", ErrTrace, len(times), len(cpuPercent))
	}
	if !(dirtyPerCPU >= 0) {
		return nil, fmt.Errorf("%w: dirty rate per CPU %g", ErrTrace, dirtyPerCPU)
	}
	ts := make([]float64, len(times))
	rs := make([]float64, len(times))
	for i := range times {
		ts[i] = times[i] - times[0]
		rs[i] = cpuPercent[i] / 100 * dirtyPerCPU
	}
	return NewTrace(ts, rs)
}

func (t *Trace) String() string {
	ws := t.WorkingSet
	if ws == 0 {
		ws = 1
	}
	s := fmt.Sprintf("trace(samples=%d,mean=%.6g,repeat=%v,working_set=%g", len(t.Times), t.MeanRate(), t.Repeat, ws)
	if t.InTurn {
		s += ",in_turn=true"
	}
	return s + ")"
}

func (t *Trace) distinctTerms(n int64) ([2]distinctTerm, int, []distinctTerm) {
	if t.InTurn {
		return [2]distinctTerm{}, 0, nil // min(w, working set): Distinct itself
	}
	return [2]distinctTerm{uniformTerm(float64(t.ws(n)), 1)}, 1, nil
}
