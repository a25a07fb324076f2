package lakeio

import (
	"fmt"
	"os"
	"strings"

	"github.com/migreplay/migreplay/replay"
)

// Apply sets in cfg what the lake measured of the replayed migration,
// for each option (by replay.Options' names) that given does not hold,
// and says what it took ("" when nothing):
//
//   - qmp: what replay.QMPFigures.Apply takes: memory, page size, zero
//     share, the stream rate as max-bandwidth with the link not limiting
//     unless bandwidth is given, the downtime limit, auto-converge and a
//     post-copy request's time;
//   - xentop: memory = the domain's largest MEM(k);
//   - sar, CSV: nothing (sar -B does not say how big the guest is).
func (s Series) Apply(cfg *replay.Config, given replay.Values) (string, error) {
	var took []string
	switch {
	case s.Migration != nil:
		took = replay.FiguresFromQMP(*s.Migration).Apply(cfg, func(name string) bool { _, ok := given[name]; return ok })
	case s.Memory > 0:
		if _, ok := given["memory"]; !ok {
			cfg.Memory = s.Memory
			took = append(took, "memory "+replay.FormatBytes(float64(s.Memory))+" (xentop MEM(k))")
		}
	}
	if len(took) == 0 {
		return "", nil
	}
	return "from the lake: " + strings.Join(took, ", ") + "; flags override them", nil
}

// ReadTraceOptions reads a dirty-rate series from path (ReadTrace) for a
// replay with the options v: the page size is v's, and for xentop the
// dirty rate per busy CPU is v's dirty-rate, which is then removed from v
// (it is not a mean to rescale the series to) when the dirty model is the
// trace.
func ReadTraceOptions(path string, q Query, v replay.Values) (Series, error) {
	var err error
	if q.DirtyPerCPU, _, err = v.Float(replay.OptDirtyRate); err != nil {
		return Series{}, err
	}
	if s, ok := v["page-size"]; ok {
		if q.PageSize, err = replay.ParseSize(s); err != nil {
			return Series{}, err
		}
	}
	s, err := ReadTrace(path, q)
	if err != nil {
		return s, err
	}
	if m := v[replay.OptDirtyModel]; s.Source == SourceXentop && (m == "" || m == "trace") {
		delete(v, replay.OptDirtyRate)
	}
	return s, nil
}

// ReadParams reads fitted parameters from a file ("migreplay replay
// --calibrate LAKE --json" output, or its "fit" object alone; see
// replay.ReadCalibration).
func ReadParams(path string) (replay.Calibration, error) {
	f, err := os.Open(path)
	if err != nil {
		return replay.Calibration{}, err
	}
	defer f.Close()
	c, err := replay.ReadCalibration(f)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// CalibrateHelp is what "migreplay replay --help" says of --calibrate.
const CalibrateHelp = `--calibrate LAKE fits the free parameters (--fit; default state-time,
cpu-rate) to the lake's completed QMP migrations, each replayed from what
its polls measured, and reports the leave-one-out median absolute
percentage error of total time, downtime, syncs and bytes, overall and per
group (idle, pre-copy, auto-converge, post-copy; --by-group fits each on
its own); with --json, its "fit" is what --params FILE replays with.
--policy (and its options), --mtu, and --downtime-limit and --bandwidth
(default: each run's own, and no link limit) say what the polls do not.`

// Measured sets in cfg what the series measured (Series.Apply) and the
// fitted parameters in the file params ("" for none; ReadParams, applied
// with Calibration.ApplyGiven: a fitted option also given is an error),
// and says what it took, for people ("" when nothing). An error about an
// option is a *replay.OptionError.
func Measured(cfg *replay.Config, s Series, params string, given replay.Values) (string, error) {
	var note []string
	if s.From != "" {
		took, err := s.Apply(cfg, given)
		if err != nil {
			return "", err
		}
		note = append(note, "dirty-rate trace: "+s.From, took)
	}
	if params != "" {
		c, err := ReadParams(params)
		if err != nil {
			return "", &replay.OptionError{Name: "params", Value: params, Reason: err}
		}
		if *cfg, err = c.ApplyGiven(*cfg, func(n string) bool { _, ok := given[n]; return ok }); err != nil {
			return "", err
		}
		note = append(note, "fitted parameters ("+params+"): "+replay.DescribeFit(c))
	}
	return strings.TrimSpace(strings.Join(note, "\n")), nil
}
