package lakeio

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema/table"
)

// The lake tables a dirty-rate series can come from (Query.Source).
const (
	SourceQMP    = "qmp"    // qmp_migrate: QEMU's own dirty-pages-rate (replay.TraceFromQMP)
	SourceSar    = "sar"    // sar_paging: faults and page-ins inside the guest (replay.TraceFromSar)
	SourceXentop = "xentop" // xentop_domain: the domain's CPU use (replay.TraceFromCPU)
)

// SourcesHelp describes the sources of a dirty-rate series and what each
// assumes, for a command's --help (see ReadLakeTrace).
const SourcesHelp = `  qmp     QEMU's ram.dirty-pages-rate of one migration; a replay takes the
          migration's own memory (ram.total), page size, zero share
          (ram.duplicate) and stream rate (median ram.mbps, with no rate
          or CPU limit) unless those options are given;
  sar     fault/s + pgpgin/s (KiB/s, in pages) of sar -B run inside the
          guest: a lower bound, since writes to pages already mapped
          writable fault nothing;
  xentop  the domain's CPU(%) × the dirty rate per CPU/100 (the page
          writes/s of one fully busy CPU, required): assumes the guest
          writes memory in proportion to its CPU work; a replay takes the
          domain's memory (MEM(k)) unless given.
Each value covers the interval ending at its time stamp; the replayed
migration starts at the series' first sample.`

// Query says which dirty-rate series to read from a lake.
type Query struct {
	// Source is SourceQMP, SourceSar or SourceXentop. Empty means qmp when
	// the lake has qmp_migrate files, else sar when it has sar_paging
	// files, else xentop.
	Source string
	// Host selects a host (sar: the guest, as sar names it; xentop and
	// qmp: the hypervisor host). Empty means the lake must hold one.
	Host string
	// Domain selects a xentop domain by its base name (the name without a
	// --incoming or --migratedaway suffix). Empty means the host must run
	// one domain besides Domain-0.
	Domain string
	// Run selects a QMP migration, 1-based in ReadQMP's order; 0 means
	// the lake (or its host) must hold exactly one.
	Run int
	// PageSize converts sar's pgpgin/s (KiB/s) to pages; zero means 4096.
	PageSize int64
	// DirtyPerCPU is the dirty rate per CPU, the page writes per second of
	// one fully busy CPU, for xentop's mapping (replay.TraceFromCPU).
	// Required (> 0) for SourceXentop.
	DirtyPerCPU float64
}

// Series is a dirty-rate series and what it came from.
type Series struct {
	Trace  *replay.Trace
	Source string // qmp, sar or xentop; "" for a CSV file
	Host   string
	Domain string // xentop
	// From says what was read, for people: table, host, domain or
	// migration, number of samples and the time span ("" for a CSV file).
	From string
	// Migration is the QMP migration the series is from (qmp only).
	Migration *replay.QMPMigration
	// Memory is the domain's largest MEM(k) in bytes (xentop only).
	Memory int64
}

// ReadTrace reads a dirty-rate series from path: a CSV file
// (replay.ReadTraceCSV; q must then be zero but for PageSize and
// DirtyPerCPU), or a lake folder (ReadLakeTrace).
func ReadTrace(path string, q Query) (Series, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Series{}, err
	}
	if st.IsDir() {
		return ReadLakeTrace(path, q)
	}
	if q.Source != "" || q.Run != 0 || q.Host != "" || q.Domain != "" {
		return Series{}, fmt.Errorf("%s is a file: a source, run, host or domain applies to a lake folder", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return Series{}, err
	}
	defer f.Close()
	t, err := replay.ReadTraceCSV(f, path)
	return Series{Trace: t}, err
}

// ReadLakeTrace reads a dirty-rate series from the lake under dir.
//
// Mappings (each states what it assumes):
//
//   - qmp: ram.dirty-pages-rate, QEMU's distinct pages dirtied per second
//     over its last ≥ 1 s period, per poll of the selected migration; see
//     replay.TraceFromQMP. A measurement of the very quantity the model
//     needs.
//   - sar: fault/s + pgpgin/s·1024/PageSize per interval of sar -B (or sar
//     -A, sadf) run inside the guest, a lower bound on its page writes; see
//     replay.TraceFromSar for why. Assumes the sar host is the guest being
//     migrated and that its page size is PageSize.
//   - xentop: the domain's CPU(%) per frame × DirtyPerCPU/100, SimGrid's
//     coupling of dirtying to CPU work; see replay.TraceFromCPU. Assumes
//     the workload writes memory in proportion to its CPU time, at the
//     rate DirtyPerCPU calibrated for it; a CPU-bound guest that writes
//     little memory is overestimated, a memory-bound one stalled on memory
//     is underestimated.
//
// sar's values and xentop's CPU(%) cover the interval that ends at their
// time stamp, so each rate holds from the previous sample's time to its
// own (the first sample's interval is taken as long as the second's). Rows
// with a time stamp already seen are dropped (sar -B, sar -A and sadf of
// the same file give the same intervals; the first file in path order
// wins), as are rows without a time. xentop's first frame of each file
// (frame 0, CPU(%) 0.0 by construction) is skipped, and a domain's rows in
// one frame are summed: during a migration xentop lists the guest twice on
// a host that is both ends, as name--migratedaway and name--incoming.
// The series starts at time 0 at its first sample: the migration replayed
// starts there.
func ReadLakeTrace(dir string, q Query) (Series, error) {
	tables, err := tableFiles(dir)
	if err != nil {
		return Series{}, err
	}
	src := q.Source
	if src == "" {
		for _, c := range []struct{ source, table string }{{SourceQMP, "qmp_migrate"}, {SourceSar, "sar_paging"}, {SourceXentop, "xentop_domain"}} {
			if len(tables[c.table]) > 0 {
				src = c.source
				break
			}
		}
		if src == "" {
			return Series{}, fmt.Errorf("%w: %s: no table=qmp_migrate, table=sar_paging or table=xentop_domain files below it (ingest QMP polls, sar -B or xentop -b first)", replay.ErrTrace, dir)
		}
	}
	switch src {
	case SourceQMP:
		return qmpSeries(dir, tables["qmp_migrate"], q)
	case SourceSar:
		return sarSeries(dir, tables["sar_paging"], q)
	case SourceXentop:
		return xentopSeries(dir, tables["xentop_domain"], q)
	}
	return Series{}, fmt.Errorf("%w: trace source %q: want %s, %s or %s", replay.ErrTrace, src, SourceQMP, SourceSar, SourceXentop)
}

func qmpSeries(dir string, files []string, q Query) (Series, error) {
	if len(files) == 0 {
		return Series{}, noFiles(dir, "qmp_migrate", "ingest QMP polls first")
	}
	polls, err := readPolls(dir, files)
	if err != nil {
		return Series{}, err
	}
	migs := replay.SplitQMP(polls)
	var hs []string
	for _, m := range migs {
		hs = appendNew(hs, m.Host)
	}
	if q.Host != "" {
		var keep []replay.QMPMigration
		for _, m := range migs {
			if m.Host == q.Host {
				keep = append(keep, m)
			}
		}
		if len(keep) == 0 {
			return Series{}, fmt.Errorf("%w: %s: no qmp_migrate polls of host %q (hosts: %s)", replay.ErrTrace, dir, q.Host, strings.Join(hs, ", "))
		}
		migs = keep
	}
	n, err := chooseMigration(dir, migs, hs, q)
	if err != nil {
		return Series{}, err
	}
	m := migs[n-1]
	t, err := replay.TraceFromQMP(m.Polls)
	if err != nil {
		return Series{}, fmt.Errorf("%s: migration %d (%s): %w", dir, n, m, err)
	}
	return Series{Trace: t, Source: SourceQMP, Host: m.Host, Migration: &m,
		From: fmt.Sprintf("qmp_migrate migration %d (%s): %d samples", n, m, len(t.Times))}, nil
}

// chooseMigration returns the 1-based index of the migration q selects
// among migs (of hosts hs): q.Run, or the only one there is.
func chooseMigration(dir string, migs []replay.QMPMigration, hs []string, q Query) (int, error) {
	switch {
	case q.Run != 0 && (q.Run < 1 || q.Run > len(migs)):
		return 0, fmt.Errorf("%w: %s: migration %d: want 1..%d (%s)", replay.ErrTrace, dir, q.Run, len(migs), replay.ListMigrations(migs))
	case q.Run != 0:
		return q.Run, nil
	case q.Host == "" && len(hs) > 1:
		return 0, choice("Host", "%s holds polls of %d hosts (%s), %d migrations (%s): pass %s/table=qmp_migrate/host=<host>, or pick one",
			dir, len(hs), strings.Join(hs, ", "), len(migs), replay.ListMigrations(migs), dir)
	case len(migs) > 1:
		return 0, choice("Run", "%s holds %d migrations (%s): pass a folder or CSV with one, or pick one", dir, len(migs), replay.ListMigrations(migs))
	}
	return 1, nil
}

// sarColumns are what the replay reads of the lake's sar_paging table.
var sarColumns = []string{"host", "time", "fault_s", "pgpgin_s"}

func sarSeries(dir string, files []string, q Query) (Series, error) {
	host, t, err := hostTable(dir, "sar_paging", files, q.Host, sarColumns, "ingest sar -B, sar -A or sadf output first")
	if err != nil {
		return Series{}, err
	}
	hosts, _, _ := t.Strings("host")
	times, timeOK, err := t.Floats("time")
	if err != nil {
		return Series{}, err
	}
	fault, faultOK, err := t.Floats("fault_s")
	if err != nil {
		return Series{}, err
	}
	pgin, pginOK, err := t.Floats("pgpgin_s")
	if err != nil {
		return Series{}, err
	}
	type sample struct {
		t            time.Time
		fault, pgpin float64
	}
	var ss []sample
	seen := map[int64]bool{}
	for i := range t.Rows {
		us := int64(times[i])
		if hosts[i] != host || !timeOK[i] || !faultOK[i] || seen[us] {
			continue
		}
		seen[us] = true
		s := sample{t: time.UnixMicro(us).UTC(), fault: fault[i]}
		if pginOK[i] {
			s.pgpin = pgin[i]
		}
		ss = append(ss, s)
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].t.Before(ss[j].t) })
	if len(ss) == 0 {
		return Series{}, fmt.Errorf("%w: %s: sar_paging of host %s has no row with a time and fault/s", replay.ErrTrace, dir, host)
	}
	ends := make([]time.Time, len(ss))
	faults, pgins := make([]float64, len(ss)), make([]float64, len(ss))
	for i, s := range ss {
		ends[i], faults[i], pgins[i] = s.t, s.fault, s.pgpin
	}
	page := q.PageSize
	if page == 0 {
		page = 4096
	}
	tr, err := replay.TraceFromSar(intervalStarts(ends), faults, pgins, page)
	if err != nil {
		return Series{}, fmt.Errorf("%s: sar_paging of host %s: %w", dir, host, err)
	}
	return Series{Trace: tr, Source: SourceSar, Host: host,
		From: fmt.Sprintf("sar_paging of host %s: %d samples, %s", host, len(ends), span(ends))}, nil
}

// xentopColumns are what the replay reads of the lake's xentop_domain
// table.
var xentopColumns = []string{"host", "frame", "time", "domain", "cpu_pct", "mem_k", "name"}

func xentopSeries(dir string, files []string, q Query) (Series, error) {
	if !(q.DirtyPerCPU > 0) {
		return Series{}, choice("DirtyPerCPU", "a xentop CPU series becomes a dirty rate only with the dirty rate per CPU, the page writes per second of one fully busy CPU calibrated for the workload (> 0): give it")
	}
	host, t, err := hostTable(dir, "xentop_domain", files, q.Host, xentopColumns, "ingest xentop -b output first")
	if err != nil {
		return Series{}, err
	}
	hosts, _, _ := t.Strings("host")
	domains, _, _ := t.Strings("domain")
	names, _, _ := t.Strings("name")
	var cols [4][]float64
	var valid [4][]bool
	for k, c := range []string{"frame", "time", "cpu_pct", "mem_k"} {
		if cols[k], valid[k], err = t.Floats(c); err != nil {
			return Series{}, err
		}
	}
	frames, times, timeOK, cpuPct, memK := cols[0], cols[1], valid[1], cols[2], cols[3]
	dom := q.Domain
	var doms []string
	for i := range t.Rows {
		if hosts[i] == host {
			doms = appendNew(doms, domains[i])
		}
	}
	sort.Strings(doms)
	if dom == "" {
		var guests []string
		for _, d := range doms {
			if d != "Domain-0" {
				guests = append(guests, d)
			}
		}
		if len(guests) != 1 {
			return Series{}, choice("Domain", "%s: host %s runs %d domains besides Domain-0 (%s): pick one", dir, host, len(guests), quoteList(guests))
		}
		dom = guests[0]
	} else if !slices.Contains(doms, dom) {
		return Series{}, fmt.Errorf("%w: %s: host %s has no domain %q (domains: %s)", replay.ErrTrace, dir, host, dom, quoteList(doms))
	}
	type key struct {
		us   int64
		name string
	}
	seen := map[key]bool{}
	cpu := map[int64]float64{}
	var ends []int64
	var mem float64
	for i := range t.Rows {
		if hosts[i] != host || domains[i] != dom || !timeOK[i] || frames[i] == 0 {
			continue
		}
		k := key{int64(times[i]), names[i]}
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := cpu[k.us]; !ok {
			ends = append(ends, k.us)
		}
		cpu[k.us] += cpuPct[i]
		mem = max(mem, memK[i])
	}
	if len(ends) == 0 {
		return Series{}, fmt.Errorf("%w: %s: domain %q on host %s has no timed frame after the first", replay.ErrTrace, dir, dom, host)
	}
	slices.Sort(ends)
	pct := make([]float64, len(ends))
	endTimes := make([]time.Time, len(ends))
	for i, e := range ends {
		pct[i], endTimes[i] = cpu[e], time.UnixMicro(e).UTC()
	}
	tr, err := replay.TraceFromCPU(intervalStarts(endTimes), pct, q.DirtyPerCPU)
	if err != nil {
		return Series{}, fmt.Errorf("%s: xentop domain %q on host %s: %w", dir, dom, host, err)
	}
	return Series{Trace: tr, Source: SourceXentop, Host: host, Domain: dom, Memory: int64(mem) << 10,
		From: fmt.Sprintf("xentop_domain %q on host %s: %d frames, %s", dom, host, len(ends), span(endTimes))}, nil
}

// hostTable reads columns of a table's files for one host: host when
// given, else the only host there is (a ChoiceError lists them otherwise).
// Hosts come from each file's host= partition folder, so only the chosen
// host's files are opened; a file outside one is read for its host column
// first. The table returned can still hold other hosts' rows (a file
// without a host= folder may mix hosts): callers keep the rows of the host
// returned. hint says how to fill the lake when it has no files of tbl.
func hostTable(dir, tbl string, files []string, host string, columns []string, hint string) (string, *table.Columns, error) {
	if len(files) == 0 {
		return "", nil, noFiles(dir, tbl, hint)
	}
	fileHosts := make([][]string, len(files))
	var hs []string
	for i, f := range files {
		h, ok, err := partitionHost(f)
		if err != nil {
			return "", nil, err
		}
		if ok {
			fileHosts[i] = []string{h}
		} else {
			t, err := table.ReadFiles(dir, files[i:i+1], []string{"host"})
			if err != nil {
				return "", nil, err
			}
			col, _, err := t.Strings("host")
			if err != nil {
				return "", nil, err
			}
			for _, h := range col {
				fileHosts[i] = appendNew(fileHosts[i], h)
			}
		}
		for _, h := range fileHosts[i] {
			hs = appendNew(hs, h)
		}
	}
	sort.Strings(hs)
	switch {
	case host != "" && slices.Contains(hs, host):
	case host != "":
		return "", nil, fmt.Errorf("%w: %s: %s has no rows of host %q (hosts: %s)", replay.ErrTrace, dir, tbl, host, quoteList(hs))
	case len(hs) == 1:
		host = hs[0]
	default:
		return "", nil, choice("Host", "%s: %s holds %d hosts (%s): pick one", dir, tbl, len(hs), quoteList(hs))
	}
	var keep []string
	for i, f := range files {
		if slices.Contains(fileHosts[i], host) {
			keep = append(keep, f)
		}
	}
	t, err := table.ReadFiles(dir, keep, columns)
	if err != nil {
		return "", nil, err
	}
	return host, t, nil
}

// intervalStarts turns the end times of consecutive sampling intervals
// into their start times in seconds since the first start: each interval
// starts where the previous one ended, the first lasts as long as the
// second (or 1 s when there is one sample).
func intervalStarts(ends []time.Time) []float64 {
	first := time.Second
	if len(ends) > 1 {
		first = ends[1].Sub(ends[0])
	}
	t0 := ends[0].Add(-first)
	out := make([]float64, len(ends))
	for i := 1; i < len(ends); i++ {
		out[i] = ends[i-1].Sub(t0).Seconds()
	}
	return out
}

func span(ts []time.Time) string {
	const f = "2006-01-02T15:04:05Z07:00"
	return ts[0].UTC().Format(f) + " to " + ts[len(ts)-1].UTC().Format(f)
}
