package lakeio

import (
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
