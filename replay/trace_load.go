package replay

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// LoadTrace reads a dirty-rate series from path: a CSV file (see
// ReadTraceCSV), or a lake directory holding QMP polls (see
// TraceFromLake).
func LoadTrace(path string) (*Trace, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return TraceFromLake(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTraceCSV(f, path)
}

// TraceFromQMP turns one migration's polls into a dirty-rate series:
// time = total-time (s), else the poll time since the first poll; rate =
// dirty-pages-rate (pages/s, distinct pages dirtied per second over QEMU's
// last ≥ 1 s period). QEMU reports 0 until its first such period ends
// (late in the first pass), so leading polls take the first non-zero rate;
// polls without a rate, or in setup, are skipped; later zeros are kept (an
// idle guest). The polls must belong to one migration (see
// TraceFromLake).
func TraceFromQMP(polls []QMPPoll) (*Trace, error) {
	var ts, rs []float64
	var t0 time.Time
	for _, p := range polls {
		if p.DirtyPagesRate == nil || (p.Status != nil && *p.Status == "setup") {
			continue
		}
		var t float64
		switch {
		case p.TotalTimeMs != nil:
			t = float64(*p.TotalTimeMs) / 1000
		case p.Time != nil:
			if t0.IsZero() {
				t0 = *p.Time
			}
			t = p.Time.Sub(t0).Seconds()
		default:
			return nil, fmt.Errorf("%w: poll %d has neither total_time_ms nor time", ErrTrace, p.Poll)
		}
		if len(ts) > 0 && t <= ts[len(ts)-1] {
			continue // repeated poll within the same millisecond
		}
		ts = append(ts, t)
		rs = append(rs, float64(*p.DirtyPagesRate))
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: no poll with ram_dirty_pages_rate", ErrTrace)
	}
	first := -1
	for i, r := range rs {
		if r > 0 {
			first = i
			break
		}
	}
	for i := 0; i < first; i++ {
		rs[i] = rs[first]
	}
	return NewTrace(ts, rs)
}

// TraceFromLake reads the qmp_migrate polls under dir (a lake root, its
// table=qmp_migrate folder, or a host or date folder below it) and returns
// the dirty-rate series of the one migration they hold (see
// ReadQMPLake for how polls are split into migrations). More than one host
// or migration is an error that lists them: pass a narrower folder, pick
// one with TraceFromMigrations, or export one migration as CSV.
func TraceFromLake(dir string) (*Trace, error) {
	migs, err := ReadQMPLake(dir)
	if err != nil {
		return nil, err
	}
	return TraceFromMigrations(dir, migs, 0)
}

// TraceFromMigrations returns the dirty-rate series of migration n
// (1-based, in ReadQMPLake's order) of migs, read from dir; n = 0 requires
// exactly one migration on one host.
func TraceFromMigrations(dir string, migs []QMPMigration, n int) (*Trace, error) {
	if n == 0 {
		hosts := map[string]bool{}
		var hs []string
		for _, m := range migs {
			if !hosts[m.Host] {
				hosts[m.Host] = true
				hs = append(hs, m.Host)
			}
		}
		if len(hs) > 1 {
			return nil, fmt.Errorf("%w: %s holds polls of %d hosts (%s): pass %s/table=qmp_migrate/host=<host>, or pick one of its %d migrations (%s)",
				ErrTrace, dir, len(hs), strings.Join(hs, ", "), dir, len(migs), listMigrations(migs))
		}
		if len(migs) > 1 {
			return nil, fmt.Errorf("%w: %s holds %d migrations (%s): pick one, or pass a folder or CSV with one",
				ErrTrace, dir, len(migs), listMigrations(migs))
		}
		n = 1
	}
	if n < 1 || n > len(migs) {
		return nil, fmt.Errorf("%w: %s: migration %d: want 1..%d (%s)", ErrTrace, dir, n, len(migs), listMigrations(migs))
	}
	t, err := TraceFromQMP(migs[n-1].Polls)
	if err != nil {
		return nil, fmt.Errorf("%s: migration %d (%s): %w", dir, n, migs[n-1], err)
	}
	return t, nil
}

// listMigrations names migrations for error messages: "1: host a from
// 2026-11-21T10:00:00Z, 42 polls, completed; 2: …" (at most 10).
func listMigrations(migs []QMPMigration) string {
	var parts []string
	for i, m := range migs {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("… %d more", len(migs)-10))
			break
		}
		parts = append(parts, fmt.Sprintf("%d: %s", i+1, m))
	}
	return strings.Join(parts, "; ")
}
