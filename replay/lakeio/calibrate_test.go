package lakeio

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// qmpLog renders a replayed migration as the query-migrate polls a
// collector would have logged every `every` from t0: cumulative bytes,
// zero pages and the pending pages interpolated within each round, the
// round's rate as mbps, the previous round's pages dirtied per second as
// dirty-pages-rate (0 during the first pass, as QEMU reports), the sync
// count, and a final completed poll with total time, downtime and the last
// round's rate.
func qmpLog(host string, t0 time.Time, every float64, cfg replay.Config, res replay.Result) []schema.QMPMigrate {
	rv, _ := replay.Resolve(cfg)
	var rows []schema.QMPMigrate
	live := res.Log[:len(res.Log)-1]
	add := func(t float64, status string, fill func(*schema.QMPMigrate)) {
		tm := t0.Add(time.Duration(t * 1e9))
		r := schema.QMPMigrate{Host: host, Time: &tm, Poll: int64(len(rows)), Status: str(status), TotalTimeMs: i64(int64(t * 1000)),
			RAMTotal: i64(rv.Memory), RAMPageSize: i64(rv.PageSize)}
		fill(&r)
		rows = append(rows, r)
	}
	var bytes, zeros float64
	for k, rd := range live {
		for t := math.Ceil(rd.Start/every) * every; t < rd.Start+rd.Duration; t += every {
			x := (t - rd.Start) / rd.Duration
			add(t, "active", func(r *schema.QMPMigrate) {
				r.RAMTransferred = i64(int64(bytes + x*float64(rd.Bytes)))
				r.RAMDuplicate = i64(int64(zeros + x*float64(rd.ZeroPages)))
				r.RAMRemaining = i64(int64((1 - x) * float64(rd.PagesSent+rd.ZeroPages) * float64(rv.PageSize)))
				r.RAMMbps = f64(rd.Rate * 8 / 1e6)
				r.RAMDirtySyncCount = i64(int64(k + 1))
				r.RAMDirtyPagesRate = i64(0)
				if k > 0 {
					r.RAMDirtyPagesRate = i64(int64(float64(live[k-1].PagesDirtied) / live[k-1].Duration))
				}
			})
		}
		bytes += float64(rd.Bytes)
		zeros += float64(rd.ZeroPages)
	}
	add(res.TotalTime, "completed", func(r *schema.QMPMigrate) {
		r.DowntimeMs = i64(int64(res.Downtime * 1000))
		r.RAMTransferred = i64(res.Bytes)
		r.RAMDuplicate = i64(res.ZeroPages)
		r.RAMRemaining = i64(0)
		r.RAMDirtySyncCount = i64(int64(res.Syncs))
		if n := len(live); n > 0 {
			r.RAMDirtyPagesRate = i64(int64(float64(live[n-1].PagesDirtied) / live[n-1].Duration))
		}
	})
	return rows
}

// writeQMPLog writes rows into the lake under dir as ingest does
// (schema/lake: table=qmp_migrate/host=<host>/date=…/part-<hash>.parquet).
func writeQMPLog(t *testing.T, dir string, rows []schema.QMPMigrate) {
	t.Helper()
	if _, err := lake.Write(dir, nil, lake.RowsOf(rows)); err != nil {
		t.Fatal(err)
	}
}

// The lake pipeline end to end, on migrations whose truth is known: six
// QEMU migrations replayed page by page (1–4 GiB guests, hot/cold
// writers at 2,000–16,000 page writes/s with 5 % of pages hot, 1 Gbit/s,
// a 40 ms state-and-resume term) are logged as a collector would log
// query-migrate (qmpLog, one poll a second), written to a lake, read back,
// split into runs, turned into Measured runs (throughput, dirty-rate
// series, zero pages) and calibrated: efficiency, state time and working
// set, with leave-one-out. The analytic predictor sees only what a QMP log
// holds (its dirty model is the logged rate series over a fitted working
// set, not the hot/cold truth), so the recorded MdAPEs measure the whole
// chain's error, bounded here only by a sanity check (each under 25 %).
func TestCalibrateQMPLake(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	truth := []struct {
		mem  int64
		rate float64
		zero float64
	}{{1 << 30, 2000, 0.5}, {2 << 30, 6000, 0.3}, {2 << 30, 12000, 0.2}, {4 << 30, 9000, 0.6}, {1 << 30, 16000, 0}, {3 << 30, 4000, 0.4}}
	for i, c := range truth {
		cfg := replay.Config{Memory: c.mem, Bandwidth: 125e6, Policy: replay.QEMU{}, DirtyModel: replay.HotCold{Rate: c.rate, HotShare: 0.05},
			ZeroShare: c.zero, StateTime: 40 * time.Millisecond, Seed: uint64(i + 1)}
		res, err := replay.Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		host := fmt.Sprintf("kvm-%d", i%2)
		writeQMPLog(t, filepath.Join(dir, fmt.Sprint(i)), qmpLog(host, t0.Add(time.Duration(i)*time.Hour), 1, cfg, res))
	}
	migs, err := ReadQMP(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) != len(truth) {
		t.Fatalf("%d migrations, want %d", len(migs), len(truth))
	}
	lc, err := replay.CalibrateQMP(migs, replay.QMPOptions{}, replay.CalibrateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lc.Runs) != len(truth) || len(lc.Skipped) != 0 {
		t.Fatalf("%d runs, skipped %v", len(lc.Runs), lc.Skipped)
	}
	for i, h := range lc.LOO.Runs {
		m := lc.Runs[i]
		t.Logf("%s: time %.1f s vs %.1f (%.1f %%), downtime %.0f vs %.0f ms, syncs %d vs %g, %.0f vs %.0f MiB; fit eff %.3f state %.3f s ws %.3f",
			h.Name, h.Predicted.TotalTime, m.TotalTime, 100*h.APETotalTime, h.Predicted.Downtime*1e3, m.Downtime*1e3,
			h.Predicted.Syncs, m.Syncs, float64(h.Predicted.Bytes)/(1<<20), m.Bytes/(1<<20),
			h.Calibration.Efficiency, h.Calibration.StateTime, h.Calibration.WorkingSet)
	}
	r := lc.LOO
	t.Logf("fit on all: efficiency %.3f, state %.3f s, working set %.3f; leave-one-out MdAPE: total time %.1f %%, downtime %.1f %%, rounds %.1f %%, bytes %.1f %%",
		lc.All.Efficiency, lc.All.StateTime, lc.All.WorkingSet, 100*r.MdAPETotalTime, 100*r.MdAPEDowntime, 100*r.MdAPESyncs, 100*r.MdAPEBytes)
	for _, v := range []float64{r.MdAPETotalTime, r.MdAPEDowntime, r.MdAPESyncs, r.MdAPEBytes} {
		if !(v < 0.25) {
			t.Errorf("MdAPE %.3f over the sanity bound 25 %%", v)
		}
	}
}
