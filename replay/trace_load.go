package replay

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
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

// QMPPoll is what the replay needs of one query-migrate poll (the lake's
// qmp_migrate table, read by column name).
type QMPPoll struct {
	Host           string     `parquet:"host"`
	Time           *time.Time `parquet:"time,optional"`
	Poll           int64      `parquet:"poll"`
	Status         *string    `parquet:"status,optional"`
	TotalTimeMs    *int64     `parquet:"total_time_ms,optional"`
	DirtyPagesRate *int64     `parquet:"ram_dirty_pages_rate,optional"`
	PageSize       *int64     `parquet:"ram_page_size,optional"`
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
// the dirty-rate series of the one migration they hold. Polls are ordered
// by time and poll index; a new migration starts where total_time_ms
// falls. More than one host or migration is an error that names them: pass
// a narrower folder, or export one migration as CSV.
func TraceFromLake(dir string) (*Trace, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), "table=") && d.Name() != "table=qmp_migrate" {
			return fs.SkipDir
		}
		if d.IsDir() && (d.Name() == "_tmp") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") && strings.Contains(filepath.ToSlash(p), "table=qmp_migrate/") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s: no table=qmp_migrate/…/*.parquet below it (ingest QMP polls first)", ErrTrace, dir)
	}
	sort.Strings(files)
	var polls []QMPPoll
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rows, err := parquet.Read[QMPPoll](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		polls = append(polls, rows...)
	}
	hosts := map[string]bool{}
	for _, p := range polls {
		hosts[p.Host] = true
	}
	if len(hosts) > 1 {
		var hs []string
		for h := range hosts {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		return nil, fmt.Errorf("%w: %s holds polls of %d hosts (%s): pass %s/table=qmp_migrate/host=<host>",
			ErrTrace, dir, len(hs), strings.Join(hs, ", "), dir)
	}
	sort.SliceStable(polls, func(i, j int) bool {
		a, b := polls[i], polls[j]
		if a.Time != nil && b.Time != nil && !a.Time.Equal(*b.Time) {
			return a.Time.Before(*b.Time)
		}
		return a.Poll < b.Poll
	})
	starts := []int{0}
	for i := 1; i < len(polls); i++ {
		a, b := polls[i-1].TotalTimeMs, polls[i].TotalTimeMs
		if a != nil && b != nil && *b < *a {
			starts = append(starts, i)
		}
	}
	if len(starts) > 1 {
		return nil, fmt.Errorf("%w: %s holds %d migrations (total_time_ms restarts at polls %v): pass a folder or CSV with one",
			ErrTrace, dir, len(starts), starts[1:])
	}
	t, err := TraceFromQMP(polls)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return t, nil
}
