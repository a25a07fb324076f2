package reproduce

import (
	"fmt"

	"github.com/migreplay/migreplay/datasets"
	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/replay"
)

// PacketFit is seed 001's total migration time or downtime of one
// hypervisor against packet size, fitted with the power model.
type PacketFit struct {
	Hypervisor string    `json:"hypervisor"`
	Metric     string    `json:"metric"` // total_migration_time or downtime
	Bytes      []float64 `json:"packet_size_bytes"`
	Seconds    []float64 `json:"seconds"`
	// Excluded counts printed rows without a value (KVM-FV at 32 B: "No
	// limit", the migration never finished).
	Excluded int       `json:"excluded"`
	Fit      *PowerFit `json:"fit"` // nil when FitErr says why
	FitErr   string    `json:"fit_error,omitempty"`
	// Auto is the model fit.Auto prefers (smallest cross-validated RMSE on
	// y); AutoErr says why none could be chosen.
	Auto    string `json:"auto,omitempty"`
	AutoErr string `json:"auto_error,omitempty"`
	// Ratios to the 1500 B value, keyed by packet size; what the MTU
	// replay is compared with.
	Ratio1000 *float64 `json:"ratio_1000"`
	Ratio32   *float64 `json:"ratio_32"`
}

// MTUReplay is the replay engine's MTU effect in one regime.
type MTUReplay struct {
	Regime    string    `json:"regime"` // link (1 Gbit/s wire binds) or cpu (no wire: the sender's CPU binds)
	Note      string    `json:"note"`
	MTU       []int     `json:"mtu_bytes"`
	TotalS    []float64 `json:"total_s"`
	DowntimeS []float64 `json:"downtime_s"`
	RateBound []string  `json:"rate_bound"`
	// Ratios of MTU 1000 and of 32 B of payload (MTU 72) to MTU 1500.
	TotalRatio1000 float64 `json:"total_ratio_1000"`
	TotalRatio32   float64 `json:"total_ratio_32"`
	DownRatio1000  float64 `json:"downtime_ratio_1000"`
	DownRatio32    float64 `json:"downtime_ratio_32"`
}

// Seed001 fits every hypervisor's total time and downtime against packet
// size (seed001_packet_size.csv) and replays the MTU effect.
func Seed001() ([]PacketFit, []MTUReplay, error) {
	rows, err := datasets.LoadPacketSize()
	if err != nil {
		return nil, nil, err
	}
	var fits []PacketFit
	for _, h := range datasets.Hypervisors() {
		for _, m := range []string{datasets.MetricTotalTime, datasets.MetricDowntime} {
			x, y, skipped := datasets.PacketSizeSeries(rows, h, m)
			pf := PacketFit{Hypervisor: h, Metric: m, Bytes: x, Seconds: y, Excluded: skipped}
			if r, err := fit.FitPower(x, y, nil); err != nil {
				pf.FitErr = err.Error()
			} else {
				f := powerFit(r)
				pf.Fit = &f
			}
			if best, _, err := fit.Auto(nil, x, y, nil, fit.Config{Seed: 1}); err != nil {
				pf.AutoErr = err.Error()
			} else {
				pf.Auto = string(best)
			}
			base := valueAt(x, y, 1500)
			if v := valueAt(x, y, 1000); base > 0 && v > 0 {
				r := v / base
				pf.Ratio1000 = &r
			}
			if v := valueAt(x, y, 32); base > 0 && v > 0 {
				r := v / base
				pf.Ratio32 = &r
			}
			fits = append(fits, pf)
		}
	}
	var reps []MTUReplay
	for _, rg := range []struct {
		name, note string
		cfg        replay.Config
	}{
		{"link", "1 Gbit/s wire, the engine's default sender CPU (1.25e9 B/s per CPU): the wire's per-packet headers bind",
			replay.Config{Bandwidth: 125e6}},
		{"cpu", "no wire (seed 001 migrated between two VMs of one host, line 152): the sender's CPU binds, half its cost per packet at MTU 1500 (the engine's default)",
			replay.Config{Bandwidth: 1e12}},
	} {
		mr := MTUReplay{Regime: rg.name, Note: rg.note}
		for _, mtu := range []int{1500, 1000, 72} {
			cfg := rg.cfg
			cfg.Memory, cfg.Policy, cfg.MTU = MemoryBytes, replay.XenLegacy{}, mtu
			r, err := replay.Analytic(cfg)
			if err != nil {
				return nil, nil, fmt.Errorf("reproduce: MTU %d replay: %w", mtu, err)
			}
			mr.MTU = append(mr.MTU, mtu)
			mr.TotalS = append(mr.TotalS, r.TotalTime)
			mr.DowntimeS = append(mr.DowntimeS, r.Downtime)
			mr.RateBound = append(mr.RateBound, r.RateBound)
		}
		mr.TotalRatio1000, mr.TotalRatio32 = mr.TotalS[1]/mr.TotalS[0], mr.TotalS[2]/mr.TotalS[0]
		mr.DownRatio1000, mr.DownRatio32 = mr.DowntimeS[1]/mr.DowntimeS[0], mr.DowntimeS[2]/mr.DowntimeS[0]
		reps = append(reps, mr)
	}
	return fits, reps, nil
}

func valueAt(x, y []float64, at float64) float64 {
	for i := range x {
		if x[i] == at {
			return y[i]
		}
	}
	return 0
}
