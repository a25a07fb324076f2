package replay

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/migreplay/migreplay/schema/table"
)

// QMPPoll is what the replay reads of one query-migrate poll in the lake's
// qmp_migrate table (schema/README.md), by column name: a file lacking a
// column reads it as null.
type QMPPoll struct {
	Host               string     `parquet:"host"`
	Time               *time.Time `parquet:"time,optional"`
	Poll               int64      `parquet:"poll"`
	Status             *string    `parquet:"status,optional"`
	TotalTimeMs        *int64     `parquet:"total_time_ms,optional"`
	DowntimeMs         *int64     `parquet:"downtime_ms,optional"`
	SetupTimeMs        *int64     `parquet:"setup_time_ms,optional"`
	ExpectedDowntimeMs *int64     `parquet:"expected_downtime_ms,optional"`
	CPUThrottlePct     *int64     `parquet:"cpu_throttle_percentage,optional"`
	RAMTotal           *int64     `parquet:"ram_total,optional"`
	RAMTransferred     *int64     `parquet:"ram_transferred,optional"`
	RAMRemaining       *int64     `parquet:"ram_remaining,optional"`
	RAMDuplicate       *int64     `parquet:"ram_duplicate,optional"`
	RAMNormal          *int64     `parquet:"ram_normal,optional"`
	RAMMbps            *float64   `parquet:"ram_mbps,optional"`
	DirtyPagesRate     *int64     `parquet:"ram_dirty_pages_rate,optional"`
	DirtySyncCount     *int64     `parquet:"ram_dirty_sync_count,optional"`
	PageSize           *int64     `parquet:"ram_page_size,optional"`
	PostcopyRequests   *int64     `parquet:"ram_postcopy_requests,optional"`
}

// QMPMigration is one migration found among a host's query-migrate polls.
type QMPMigration struct {
	Host  string
	Polls []QMPPoll // in time order
}

// Status is the last poll's status ("" when none says).
func (m QMPMigration) Status() string {
	for i := len(m.Polls) - 1; i >= 0; i-- {
		if s := m.Polls[i].Status; s != nil {
			return *s
		}
	}
	return ""
}

// Start is the first poll's time (zero when the polls have none).
func (m QMPMigration) Start() time.Time {
	for _, p := range m.Polls {
		if p.Time != nil {
			return *p.Time
		}
	}
	return time.Time{}
}

func (m QMPMigration) String() string {
	s := "host " + m.Host
	if t := m.Start(); !t.IsZero() {
		s += " from " + t.UTC().Format(time.RFC3339)
	}
	s += fmt.Sprintf(", %d polls", len(m.Polls))
	if st := m.Status(); st != "" {
		s += ", " + st
	}
	return s
}

// ReadQMPLake reads every qmp_migrate poll under dir (a lake root, its
// table=qmp_migrate folder, or a host or date folder below it) and splits
// them into migrations with SplitQMP. Files are read in path order, by
// column (schema/table); a column a file lacks reads as null.
func ReadQMPLake(dir string) ([]QMPMigration, error) {
	files, err := lakeFiles(dir, "qmp_migrate")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s: no table=qmp_migrate/…/*.parquet below it (ingest QMP polls first)", ErrTrace, dir)
	}
	polls, err := readQMPPolls(dir, files)
	if err != nil {
		return nil, err
	}
	return SplitQMP(polls), nil
}

// qmpInts are QMPPoll's optional integer columns.
var qmpInts = []struct {
	name  string
	field func(*QMPPoll) **int64
}{
	{"total_time_ms", func(p *QMPPoll) **int64 { return &p.TotalTimeMs }},
	{"downtime_ms", func(p *QMPPoll) **int64 { return &p.DowntimeMs }},
	{"setup_time_ms", func(p *QMPPoll) **int64 { return &p.SetupTimeMs }},
	{"expected_downtime_ms", func(p *QMPPoll) **int64 { return &p.ExpectedDowntimeMs }},
	{"cpu_throttle_percentage", func(p *QMPPoll) **int64 { return &p.CPUThrottlePct }},
	{"ram_total", func(p *QMPPoll) **int64 { return &p.RAMTotal }},
	{"ram_transferred", func(p *QMPPoll) **int64 { return &p.RAMTransferred }},
	{"ram_remaining", func(p *QMPPoll) **int64 { return &p.RAMRemaining }},
	{"ram_duplicate", func(p *QMPPoll) **int64 { return &p.RAMDuplicate }},
	{"ram_normal", func(p *QMPPoll) **int64 { return &p.RAMNormal }},
	{"ram_dirty_pages_rate", func(p *QMPPoll) **int64 { return &p.DirtyPagesRate }},
	{"ram_dirty_sync_count", func(p *QMPPoll) **int64 { return &p.DirtySyncCount }},
	{"ram_page_size", func(p *QMPPoll) **int64 { return &p.PageSize }},
	{"ram_postcopy_requests", func(p *QMPPoll) **int64 { return &p.PostcopyRequests }},
}

// readQMPPolls reads the polls of files. Integers come back through the
// column reader's float64s: exact below 2^53 (bytes: 8 PiB), far above
// anything query-migrate reports.
func readQMPPolls(dir string, files []string) ([]QMPPoll, error) {
	cols := []string{"host", "time", "poll", "status", "ram_mbps"}
	for _, c := range qmpInts {
		cols = append(cols, c.name)
	}
	t, err := table.ReadFilesWith(dir, files, cols, table.Options{MissingAsNull: true})
	if err != nil {
		return nil, err
	}
	polls := make([]QMPPoll, t.Rows)
	// optional columns absent from every file read as all null
	floats := func(name string) ([]float64, []bool) {
		v, ok, err := t.Floats(name)
		if err != nil {
			return nil, nil
		}
		return v, ok
	}
	if hosts, _, err := t.Strings("host"); err == nil {
		for i := range polls {
			polls[i].Host = hosts[i]
		}
	}
	if v, ok := floats("poll"); v != nil {
		for i := range polls {
			if ok[i] {
				polls[i].Poll = int64(v[i])
			}
		}
	}
	if v, ok := floats("time"); v != nil {
		times := make([]time.Time, len(polls))
		for i := range polls {
			if ok[i] {
				times[i] = time.UnixMicro(int64(v[i])).UTC()
				polls[i].Time = &times[i]
			}
		}
	}
	if v, ok, err := t.Strings("status"); err == nil {
		status := make([]string, len(polls))
		for i := range polls {
			if ok[i] {
				status[i] = v[i]
				polls[i].Status = &status[i]
			}
		}
	}
	if v, ok := floats("ram_mbps"); v != nil {
		mbps := make([]float64, len(polls))
		for i := range polls {
			if ok[i] {
				mbps[i] = v[i]
				polls[i].RAMMbps = &mbps[i]
			}
		}
	}
	for _, c := range qmpInts {
		v, ok := floats(c.name)
		if v == nil {
			continue
		}
		vals := make([]int64, len(polls))
		for i := range polls {
			if ok[i] {
				vals[i] = int64(v[i])
				*c.field(&polls[i]) = &vals[i]
			}
		}
	}
	return polls, nil
}

// lakeFiles lists the Parquet files of table name under dir (a lake root, the
// table's table=<name> folder, or a host or date folder below it), in
// path order; none is not an error.
func lakeFiles(dir, name string) ([]string, error) {
	var files []string
	want := "table=" + name
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), "table=") && d.Name() != want || d.Name() == "_tmp") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") && strings.Contains(filepath.ToSlash(p), want+"/") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}

// SplitQMP groups polls into migrations. Hosts come in order of first
// appearance. A host's polls are ordered by time when all of them have
// one, else kept in the order given (the collector's). A migration ends
// with a poll in a terminal status (completed, failed, cancelled); a new
// one also starts at a setup poll following any other status, and where
// total_time_ms falls (QEMU restarted the clock).
func SplitQMP(polls []QMPPoll) []QMPMigration {
	var hosts []string
	by := map[string][]QMPPoll{}
	for _, p := range polls {
		if _, ok := by[p.Host]; !ok {
			hosts = append(hosts, p.Host)
		}
		by[p.Host] = append(by[p.Host], p)
	}
	var out []QMPMigration
	for _, h := range hosts {
		ps := by[h]
		timed := true
		for _, p := range ps {
			timed = timed && p.Time != nil
		}
		if timed {
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(*ps[j].Time) })
		}
		start := 0
		for i := 1; i <= len(ps); i++ {
			if i < len(ps) && !newMigration(ps[i-1], ps[i]) {
				continue
			}
			out = append(out, QMPMigration{Host: h, Polls: ps[start:i:i]})
			start = i
		}
	}
	return out
}

func terminal(s *string) bool {
	return s != nil && (*s == "completed" || *s == "failed" || *s == "cancelled")
}

// newMigration reports whether poll b begins a migration after poll a.
func newMigration(a, b QMPPoll) bool {
	switch {
	case terminal(a.Status) && !(terminal(b.Status) && sameClock(a, b)):
		return true // a ended one (repeated final polls stay with it)
	case b.Status != nil && *b.Status == "setup" && (a.Status == nil || *a.Status != "setup"):
		return true
	case a.TotalTimeMs != nil && b.TotalTimeMs != nil && *b.TotalTimeMs < *a.TotalTimeMs:
		return true
	}
	return false
}

// sameClock reports whether two polls carry the same total_time_ms (a
// completed migration's polls repeat its final figures).
func sameClock(a, b QMPPoll) bool {
	return a.TotalTimeMs != nil && b.TotalTimeMs != nil && *a.TotalTimeMs == *b.TotalTimeMs
}
