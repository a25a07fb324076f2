package lakeio

import (
	"fmt"
	"strings"

	"github.com/migreplay/migreplay/replay"
)

// Apply sets in cfg what the lake measured of the replayed migration,
// for each option (by replay.Options' names) that given does not hold,
// and says what it took ("" when nothing):
//
//   - qmp: memory = ram.total, page-size = ram.page-size, zero-share =
//     ram.duplicate ÷ pages after the first pass, and the stream rate =
//     median ram.mbps as the bandwidth (the line rate whose goodput at
//     cfg's MTU is that rate) with no rate limit and no CPU limit unless
//     max-bandwidth, cpu-rate or cpu-cap are given (the measured
//     throughput already includes them);
//   - xentop: memory = the domain's largest MEM(k);
//   - sar, CSV: nothing (sar -B does not say how big the guest is).
func (s Series) Apply(cfg *replay.Config, given replay.Values) (string, error) {
	var took []string
	absent := func(name string) bool { _, ok := given[name]; return !ok }
	switch {
	case s.Migration != nil:
		f := replay.FiguresFromQMP(*s.Migration)
		if absent("memory") && f.Memory > 0 {
			cfg.Memory = f.Memory
			took = append(took, "memory "+replay.FormatBytes(float64(f.Memory))+" (ram.total)")
		}
		if absent("page-size") && f.PageSize > 0 {
			cfg.PageSize = f.PageSize
			took = append(took, fmt.Sprintf("page size %d B (ram.page-size)", f.PageSize))
		}
		if absent("zero-share") && f.HasZeroShare {
			cfg.ZeroShare = f.ZeroShare
			took = append(took, fmt.Sprintf("zero share %.3g (ram.duplicate)", f.ZeroShare))
		}
		if absent("bandwidth") && f.Rate > 0 {
			rv, err := replay.Resolve(*cfg)
			if err != nil {
				return "", err
			}
			cfg.Bandwidth = replay.LineRate(f.Rate, rv.MTU)
			if absent("max-bandwidth") {
				cfg.MaxBandwidth = -1
			}
			if absent("cpu-rate") && absent("cpu-cap") {
				cfg.CPURate = -1
			}
			took = append(took, "stream rate "+replay.FormatBitRate(f.Rate)+" (median ram.mbps)")
		}
	case s.Memory > 0 && absent("memory"):
		cfg.Memory = s.Memory
		took = append(took, "memory "+replay.FormatBytes(float64(s.Memory))+" (xentop MEM(k))")
	}
	if len(took) == 0 {
		return "", nil
	}
	return "from the lake: " + strings.Join(took, ", ") + "; flags override them", nil
}
