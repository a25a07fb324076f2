package analysis

import (
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/replay/lakeio"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// QMPConfig sets how QMP migrations are summarised. The zero value means
// the documented defaults.
type QMPConfig struct {
	// Guest maps a QMP host to the sar host that ran inside the migrated
	// guest; by default a sar host of the QMP host's own name is used.
	Guest map[string]string
	Class ClassConfig
}

// sarWindow is how far before a migration sar samples are read for the
// guest's load: ten minutes, sa1's default interval, so that a collector
// at its defaults has at least one sample there.
const sarWindow = 10 * time.Minute

// QMPMigrations summarises every migration in the lake's qmp_migrate table
// (replay.SplitQMP splits the polls) into one row each: status, total time
// (completed migrations only), downtime, setup time, bytes, syncs, dirty
// rate (mean and largest, over polls after the second sync: the first pass
// measures nothing), median ram.mbps, largest auto-converge throttle, and
// the guest's workload class (Classify) from the dirty rate and, when the
// lake has sar of the guest, its CPU, disk and network load over the ten
// minutes before the migration. A lake without qmp_migrate gives none.
func QMPMigrations(lake string, cfg QMPConfig) ([]schema.QMPMigration, error) {
	if _, err := os.Stat(filepath.Join(lake, "table=qmp_migrate")); err != nil {
		return nil, nil
	}
	migs, err := lakeio.ReadQMP(lake)
	if err != nil {
		return nil, err
	}
	var out []schema.QMPMigration
	loads := map[string]*sarLoads{}
	for _, m := range migs {
		r := qmpSummary(m)
		l := Load{DirtyPages: r.DirtyRateMean}
		guest := m.Host
		if g, ok := cfg.Guest[m.Host]; ok {
			guest = g
		}
		sl, ok := loads[guest]
		if !ok {
			if sl, err = readSarLoads(lake, guest); err != nil {
				return nil, err
			}
			loads[guest] = sl
		}
		if sl != nil && !r.Time.IsZero() {
			if sar, ok := sl.before(r.Time, sarWindow); ok {
				r.Guest = ptr(guest)
				l.CPUs, l.DiskMBps, l.NetMBps = sar.CPUs, sar.DiskMBps, sar.NetMBps
			}
		}
		r.Class, r.ClassBasis = Classify(l, cfg.Class)
		if r.Guest == nil {
			r.ClassBasis += "; no sar of host " + guest + " in the ten minutes before the migration"
		}
		out = append(out, r)
	}
	return out, nil
}

func qmpSummary(m replay.QMPMigration) schema.QMPMigration {
	r := schema.QMPMigration{Host: m.Host, Time: m.Start(), Polls: int64(len(m.Polls)), Status: m.Status()}
	last := m.Polls[len(m.Polls)-1]
	if last.Time != nil {
		r.End = *last.Time
	}
	f := func(v *int64) *float64 {
		if v == nil {
			return nil
		}
		return ptr(float64(*v))
	}
	if r.Status == "completed" && last.TotalTimeMs != nil {
		r.TotalTimeS = ptr(float64(*last.TotalTimeMs) / 1e3)
	}
	r.DowntimeMs, r.SetupTimeMs, r.RAMTransferred = f(last.DowntimeMs), f(last.SetupTimeMs), last.RAMTransferred
	var rates, mbps []float64
	for _, p := range m.Polls {
		if r.RAMTotal == nil && p.RAMTotal != nil {
			r.RAMTotal = p.RAMTotal
		}
		if p.RAMDirtySyncCount != nil && (r.Syncs == nil || *p.RAMDirtySyncCount > *r.Syncs) {
			r.Syncs = p.RAMDirtySyncCount
		}
		if p.RAMDirtyPagesRate != nil && p.RAMDirtySyncCount != nil && *p.RAMDirtySyncCount >= 2 {
			rates = append(rates, float64(*p.RAMDirtyPagesRate))
		}
		if p.RAMMbps != nil && p.Status != nil && *p.Status == "active" {
			mbps = append(mbps, *p.RAMMbps)
		}
		if p.CPUThrottlePct != nil && (r.ThrottleMaxPct == nil || float64(*p.CPUThrottlePct) > *r.ThrottleMaxPct) {
			r.ThrottleMaxPct = ptr(float64(*p.CPUThrottlePct))
		}
	}
	if len(rates) > 0 {
		var s, mx float64
		for _, v := range rates {
			s += v
			mx = max(mx, v)
		}
		r.DirtyRateMean, r.DirtyRateMax = ptr(s/float64(len(rates))), ptr(mx)
	}
	if len(mbps) > 0 {
		r.MbpsMedian = ptr(median(mbps))
	}
	return r
}

// sarLoads are one sar host's CPU, disk and network samples, by time.
type sarLoads struct {
	cpu, disk, net map[int64]float64 // time (µs) → busy CPUs, MB/s, MB/s
}

// readSarLoads reads host's sar_cpu (per-CPU rows summed as busy CPUs, or
// the all-CPU row times the CPU count of the last restart record), sar_disk
// (rkB/s + wkB/s over devices) and sar_net_dev (rxkB/s + txkB/s over
// interfaces other than lo). nil when the lake has none of them for host.
func readSarLoads(lake, host string) (*sarLoads, error) {
	s := &sarLoads{cpu: map[int64]float64{}, disk: map[int64]float64{}, net: map[int64]float64{}}
	found := false
	read := func(tbl string, cols []string, fn func(t *table.Columns) error) error {
		dir := filepath.Join(lake, "table="+tbl, "host="+host)
		if _, err := os.Stat(dir); err != nil {
			return nil
		}
		files, err := table.ListFiles(dir)
		if err != nil || len(files) == 0 {
			return err
		}
		t, err := table.ReadFilesWith(dir, files, cols, table.Options{MissingAsNull: true})
		if err != nil {
			return err
		}
		found = true
		return fn(t)
	}
	var restartCPUs float64
	err := read("sar_events", []string{"time", "cpus"}, func(t *table.Columns) error {
		tm, _, _ := t.Floats("time")
		c, ok, _ := t.Floats("cpus")
		best := -1.0
		for i := range tm {
			if ok[i] && tm[i] > best {
				best, restartCPUs = tm[i], c[i]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	found = false // events alone say nothing of the load
	err = read("sar_cpu", []string{"time", "cpu", "idle_pct"}, func(t *table.Columns) error {
		tm, _, _ := t.Floats("time")
		cpu, _, _ := t.Floats("cpu")
		idle, ok, _ := t.Floats("idle_pct")
		per, all := map[int64]float64{}, map[int64]float64{}
		for i := range tm {
			if !ok[i] {
				continue
			}
			k := int64(tm[i])
			if cpu[i] >= 0 {
				per[k] += (100 - idle[i]) / 100
			} else {
				all[k] = (100 - idle[i]) / 100
			}
		}
		for k, v := range per {
			s.cpu[k] = v
		}
		if restartCPUs > 0 {
			for k, v := range all {
				if _, ok := s.cpu[k]; !ok {
					s.cpu[k] = v * restartCPUs
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum := func(dst map[int64]float64, a, b string, skip func(t *table.Columns, i int) bool) func(t *table.Columns) error {
		return func(t *table.Columns) error {
			tm, _, _ := t.Floats("time")
			x, xok, _ := t.Floats(a)
			y, yok, _ := t.Floats(b)
			for i := range tm {
				if xok[i] && yok[i] && !skip(t, i) {
					dst[int64(tm[i])] += (x[i] + y[i]) * 1024 / 1e6
				}
			}
			return nil
		}
	}
	if err := read("sar_disk", []string{"time", "rkb_s", "wkb_s"}, sum(s.disk, "rkb_s", "wkb_s", func(*table.Columns, int) bool { return false })); err != nil {
		return nil, err
	}
	var ifaces []string
	err = read("sar_net_dev", []string{"time", "iface", "rxkb_s", "txkb_s"}, func(t *table.Columns) error {
		ifaces, _, _ = t.Strings("iface")
		return sum(s.net, "rxkb_s", "txkb_s", func(_ *table.Columns, i int) bool { return ifaces[i] == "lo" })(t)
	})
	if err != nil || !found {
		return nil, err
	}
	return s, nil
}

// before averages each load over the samples in (t − window, t]; a load
// without a sample there is nil. ok false when none has one.
func (s *sarLoads) before(t time.Time, window time.Duration) (Load, bool) {
	hi, lo := t.UnixMicro(), t.Add(-window).UnixMicro()
	mean := func(m map[int64]float64) *float64 {
		var keys []int64
		for k := range m {
			if k > lo && k <= hi {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		var sum float64
		for _, k := range keys {
			sum += m[k]
		}
		return ptr(sum / float64(len(keys)))
	}
	l := Load{CPUs: mean(s.cpu), DiskMBps: mean(s.disk), NetMBps: mean(s.net)}
	return l, l.CPUs != nil || l.DiskMBps != nil || l.NetMBps != nil
}
