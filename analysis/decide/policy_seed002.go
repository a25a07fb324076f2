package decide

import (
	"fmt"
	"sort"
)

// leastTime is seed 002's policy (Shreya et al., 002_*.txt): when "the
// total CPU usage by the active domains crosses sixty five percent of the
// total system CPU usage" (L216) "the VM to be migrated [...] is the one
// with the least total migration time, in case total migration time is
// less[ the same] the VM with lesser downtime" (L211).
//
//   - Trigger: the host's CPU utilisation (every domain, Domain-0 included,
//     over the host's CPUs) above the threshold, now (the paper watches the
//     current usage; it has no predictor).
//   - Choice: the guest of least predicted total time; equal totals (within
//     one part in 10⁹) go to the least predicted downtime, then to the name.
//     Guests without a prediction are not candidates.
//   - Destination: the paper does not choose one ("the current work does
//     not take into consideration of the destination machine", L223); we
//     name the host of least CPU utilisation that can take the guest.
type leastTime struct{ p Params }

func init() {
	Register(Spec{
		Name:     "seed002",
		Help:     "seed 002: host CPU above 65 % → the guest of least predicted total migration time, ties to least downtime",
		Source:   "002 L211, L216",
		Defaults: Params{CPU: 0.65},
		New:      func(p Params) (Policy, error) { return leastTime{p}, p.Validate() },
	})
}

func (l leastTime) Decide(s *State) (Decision, bool) {
	o := instant(s, l.p, true)
	if !o.cpu {
		return Decision{}, false
	}
	var cands []*Domain
	for i := range s.Source.Domains {
		if d := &s.Source.Domains[i]; d.PredOK {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return Decision{}, false
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if !tied(a.PredTotalS, b.PredTotalS) {
			return a.PredTotalS < b.PredTotalS
		}
		if !tied(a.PredDowntimeS, b.PredDowntimeS) {
			return a.PredDowntimeS < b.PredDowntimeS
		}
		return a.Name < b.Name
	})
	best := cands[0]
	dest, note := lightest(s, best, byLoad(s.Others, func(h *Host) float64 { return h.CPU() }), l.p)
	d := Decision{Trigger: o.String(), Action: "migrate", VM: best.Name, Dest: dest, DestNote: note,
		ScoreName: "pred_total_s", Score: best.PredTotalS}
	for i, c := range cands {
		a := Alternative{VM: c.Name, Score: c.PredTotalS}
		if i == 0 {
			a.Dest = dest
		} else if tied(c.PredTotalS, best.PredTotalS) {
			a.Note = fmt.Sprintf("same total time, downtime %.3g s", c.PredDowntimeS)
		}
		d.Alternatives = append(d.Alternatives, a)
	}
	return d, true
}

// tied reports equality within one part in 10⁹.
func tied(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	m := a
	if b > m {
		m = b
	}
	if m < 0 {
		m = -m
	}
	return d <= 1e-9*m
}
