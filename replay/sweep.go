package replay

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/migreplay/migreplay/internal/shard"
	"github.com/migreplay/migreplay/schema"
)

// Sweep runs the cartesian product of parameter values over a base
// configuration. Empty lists keep the base value. Configurations are
// enumerated policy-major, then memory, bandwidth, MTU, CPU cap and dirty
// rate (innermost; a swept post-copy request time comes just before it), and results come back in that order whatever the number
// of workers. Every configuration uses Base.Seed (common random numbers: two
// configurations differ only by their parameters).
//
// A sweep splits between the processes of an array job (Slurm, Kubernetes
// Indexed Jobs) in blocks of SweepBlock points in enumeration order: block
// b holds points [b·SweepBlock, (b+1)·SweepBlock) and belongs to shard b mod
// Shard.Count. Each block is one pair of replay_run/replay_round files
// (SweepBlocks; replay/lakeio writes them), whoever computes it, so n shards
// writing into one lake leave the same files, byte for byte, as one process.
type Sweep struct {
	Base      Config
	Policy    []Policy
	Memory    []int64   // bytes
	Bandwidth []float64 // bytes/s
	MTU       []int     // bytes
	CPUCap    []float64 // share of one CPU
	DirtyRate []float64 // page writes/s (rescales Base.DirtyModel, see WithRate)
	// PostcopyAt requests post-copy at each of these times (Config.PostcopyAt).
	PostcopyAt []time.Duration
	// Analytic uses the analytic fast path instead of the page-level engine.
	Analytic bool
	// Workers is the number of goroutines; zero means GOMAXPROCS.
	Workers int
	// Shard selects this process's blocks; the zero value runs them all.
	Shard shard.Shard
}

// SweepBlock is how many consecutive sweep points one block holds: the
// unit a sharded sweep splits by and the rows of one replay_run file. It is
// part of the output's layout: changing it changes the files (not the rows)
// of every sweep.
const SweepBlock = 64

// SweepResult is one configuration's outcome.
type SweepResult struct {
	Index  int // position in enumeration order (of the whole sweep, also when sharded)
	Config Config
	Result Result
	Err    error
}

// Policies names the policies the sweep runs.
func (s Sweep) Policies() []string {
	if len(s.Policy) == 0 {
		return []string{s.Base.policy().Name()}
	}
	out := make([]string, len(s.Policy))
	for i, p := range s.Policy {
		out[i] = p.Name()
	}
	return out
}

// Configs enumerates the sweep's configurations in output order.
func (s Sweep) Configs() ([]Config, error) {
	pol := s.Policy
	if len(pol) == 0 {
		pol = []Policy{s.Base.Policy}
	}
	mem := s.Memory
	if len(mem) == 0 {
		mem = []int64{s.Base.Memory}
	}
	bw := s.Bandwidth
	if len(bw) == 0 {
		bw = []float64{s.Base.Bandwidth}
	}
	mtu := s.MTU
	if len(mtu) == 0 {
		mtu = []int{s.Base.MTU}
	}
	cc := s.CPUCap
	if len(cc) == 0 {
		cc = []float64{s.Base.CPUCap}
	}
	pat := s.PostcopyAt
	if len(pat) == 0 {
		pat = []time.Duration{0} // the base's own
	}
	var out []Config
	for _, po := range pol {
		for _, m := range mem {
			for _, b := range bw {
				for _, mt := range mtu {
					for _, c := range cc {
						for _, at := range pat {
							cfg := s.Base
							cfg.Policy, cfg.Memory, cfg.Bandwidth, cfg.MTU, cfg.CPUCap = po, m, b, mt, c
							if at > 0 {
								cfg.Postcopy, cfg.PostcopyAfter, cfg.PostcopyAt = true, 0, at
							}
							if len(s.DirtyRate) == 0 {
								out = append(out, cfg)
								continue
							}
							for _, d := range s.DirtyRate {
								dc := cfg
								if dc.DirtyModel == nil {
									dc.DirtyRate = d
								} else {
									dm, err := WithRate(dc.DirtyModel, d)
									if err != nil {
										return nil, err
									}
									dc.DirtyModel = dm
								}
								out = append(out, dc)
							}
						}
					}
				}
			}
		}
	}
	return out, nil
}

// Run runs every configuration of the shard's blocks (all of them without
// a shard) on Workers goroutines and returns their results in enumeration
// order. A configuration that fails validation carries its error in its
// SweepResult; Run itself fails only when ctx is cancelled or the shard is
// not valid.
func (s Sweep) Run(ctx context.Context) ([]SweepResult, error) {
	if err := s.Shard.Valid(); err != nil {
		return nil, fmt.Errorf("%w: sweep: %v", ErrConfig, err)
	}
	all, err := s.Configs()
	if err != nil {
		return nil, err
	}
	idx := make([]int, 0, len(all))
	for i := range all {
		if s.Shard.OwnsBlock(i / SweepBlock) {
			idx = append(idx, i)
		}
	}
	out := make([]SweepResult, len(idx))
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(idx))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= len(idx) || ctx.Err() != nil {
					return
				}
				i := idx[j]
				r := SweepResult{Index: i, Config: all[i]}
				if s.Analytic {
					r.Result, r.Err = Analytic(all[i])
				} else {
					r.Result, r.Err = RunContext(ctx, all[i])
				}
				out[j] = r
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("replay sweep: %w", err)
	}
	return out, nil
}

// Block is the rows of one replay_run file and of its replay_round file
// (none when there are no rounds): one SweepBlock of a sweep, or a single
// replay.
type Block struct {
	Runs   []schema.ReplayRun
	Rounds []schema.ReplayRound
}

// SweepBlocks turns results (in enumeration order, as Run returns them)
// into rows, one Block per SweepBlock: point i's run and rounds go to
// block i/SweepBlock. engine is "page" or "analytic". A result that
// carries an error is an error.
func SweepBlocks(rs []SweepResult, engine string) ([]Block, error) {
	var out []Block
	block := -1
	for _, r := range rs {
		if r.Err != nil {
			return nil, fmt.Errorf("sweep configuration %d: %w", r.Index, r.Err)
		}
		if b := r.Index / SweepBlock; b != block {
			if b < block {
				return nil, fmt.Errorf("replay: sweep results out of order: %d after block %d", r.Index, block)
			}
			block = b
			out = append(out, Block{})
		}
		run, rounds, err := Rows(r.Config, r.Result, engine, r.Index)
		if err != nil {
			return nil, err
		}
		lb := &out[len(out)-1]
		lb.Runs, lb.Rounds = append(lb.Runs, run), append(lb.Rounds, rounds...)
	}
	return out, nil
}

// ParseSweep reads sweep specifications of the form name=v1,v2,… or
// name=lo:hi:step (inclusive, linear), where name is memory, bandwidth,
// mtu, cpu-cap, postcopy-at, dirty-rate or policy, each value read as the option of that
// name (see Options): memory=1GiB,2GiB; bandwidth=1Gbit/s,10Gbit/s;
// cpu-cap=0.1:1:0.1; policy=xen-legacy,qemu. A value the option refuses
// (memory 0, cpu-cap 0) is an error naming its range. Swept policies take
// their options from v, as NewConfig's policy does.
func ParseSweep(base Config, specs []string, v Values) (Sweep, error) {
	s := Sweep{Base: base}
	for _, spec := range specs {
		name, vals, ok := strings.Cut(spec, "=")
		if !ok || vals == "" {
			return s, fmt.Errorf("%w: sweep %q: want name=v1,v2,… or name=lo:hi:step", ErrConfig, spec)
		}
		items, err := expand(name, vals)
		if err != nil {
			return s, err
		}
		for _, it := range items {
			var c Config
			switch name {
			case "memory", "bandwidth", "mtu", "cpu-cap", "postcopy-at":
				if err := optionNamed(name).set(&c, it); err != nil {
					return s, fmt.Errorf("sweep: %w", err)
				}
				switch name {
				case "memory":
					s.Memory = append(s.Memory, c.Memory)
				case "bandwidth":
					s.Bandwidth = append(s.Bandwidth, c.Bandwidth)
				case "mtu":
					s.MTU = append(s.MTU, c.MTU)
				case "cpu-cap":
					s.CPUCap = append(s.CPUCap, c.CPUCap)
				case "postcopy-at":
					s.PostcopyAt = append(s.PostcopyAt, c.PostcopyAt)
				}
			case OptDirtyRate:
				d, err := strconv.ParseFloat(it, 64)
				if err != nil || !(d >= 0 && d <= 1e15) {
					return s, fmt.Errorf("%w: sweep dirty-rate %q: want a number ≥ 0 (pages/s)", ErrConfig, it)
				}
				s.DirtyRate = append(s.DirtyRate, d)
			case OptPolicy:
				p, err := NewPolicy(it, v)
				if err != nil {
					return s, err
				}
				s.Policy = append(s.Policy, p)
			default:
				return s, fmt.Errorf("%w: sweep %q: unknown parameter (want memory, bandwidth, mtu, cpu-cap, postcopy-at, dirty-rate, policy)", ErrConfig, name)
			}
		}
	}
	return s, nil
}

// optionNamed is Config's option called name.
func optionNamed(name string) Option {
	for _, o := range configOptions {
		if o.Name == name {
			return o
		}
	}
	panic("replay: no option " + name)
}

// expand turns "a,b,c" or "lo:hi:step" (numbers with an optional shared
// unit suffix on lo and hi, e.g. 1GiB:4GiB:1GiB) into items.
func expand(name, vals string) ([]string, error) {
	if !strings.Contains(vals, ":") {
		return strings.Split(vals, ","), nil
	}
	parts := strings.Split(vals, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: sweep %s=%s: want lo:hi:step", ErrConfig, name, vals)
	}
	lo, lu, err1 := splitNumber(parts[0])
	hi, hu, err2 := splitNumber(parts[1])
	st, su, err3 := splitNumber(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || st <= 0 || hi < lo || lu != hu || (su != "" && su != lu) {
		return nil, fmt.Errorf("%w: sweep %s=%s: want lo:hi:step with lo ≤ hi, step > 0 and one unit", ErrConfig, name, vals)
	}
	n := int((hi-lo)/st+1e-9) + 1
	if n > 100000 {
		return nil, fmt.Errorf("%w: sweep %s=%s: %d values is too many", ErrConfig, name, vals, n)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.FormatFloat(lo+float64(i)*st, 'g', 12, 64) + lu
	}
	return out, nil
}
