package replay

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/migreplay/migreplay/schema/lake"
	"github.com/migreplay/migreplay/schema/table"
)

// The lake tables a dirty-rate series can come from (LakeTrace.Source).
const (
	SourceQMP    = "qmp"    // qmp_migrate: QEMU's own dirty-pages-rate (TraceFromQMP)
	SourceSar    = "sar"    // sar_paging: faults and page-ins inside the guest (TraceFromSar)
	SourceXentop = "xentop" // xentop_domain: the domain's CPU use (TraceFromCPU)
)

// LakeTrace says which dirty-rate series to read from a lake.
type LakeTrace struct {
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
	// Run selects a QMP migration, 1-based in ReadQMPLake's order; 0 means
	// the lake (or its host) must hold exactly one.
	Run int
	// PageSize converts sar's pgpgin/s (KiB/s) to pages; zero means 4096.
	PageSize int64
	// RatePerCPU is the page writes per second of one fully busy CPU for
	// xentop's mapping (TraceFromCPU). Required for SourceXentop.
	RatePerCPU float64
}

// LakeSeries is a dirty-rate series read from a lake and what it came from.
type LakeSeries struct {
	Trace  *Trace
	Source string // qmp, sar or xentop
	Host   string
	Domain string // xentop
	// From says what was read, for people: table, host, domain or
	// migration, number of samples and the time span.
	From string
	// Migration is the QMP migration the series is from (qmp only).
	Migration *QMPMigration
	// Memory is the domain's largest MEM(k) in bytes (xentop only).
	Memory int64
}

// ReadLakeTrace reads a dirty-rate series from the lake under dir (a lake
// root, a table= folder, or a host or date folder below it).
//
// Mappings (each states what it assumes):
//
//   - qmp: ram.dirty-pages-rate, QEMU's distinct pages dirtied per second
//     over its last ≥ 1 s period, per poll of the selected migration; see
//     TraceFromQMP. A measurement of the very quantity the model needs.
//   - sar: fault/s + pgpgin/s·1024/PageSize per interval of sar -B (or sar
//     -A, sadf) run inside the guest, a lower bound on its page writes; see
//     TraceFromSar for why. Assumes the sar host is the guest being
//     migrated and that its page size is PageSize.
//   - xentop: the domain's CPU(%) per frame × RatePerCPU/100, SimGrid's
//     coupling of dirtying to CPU work; see TraceFromCPU. Assumes the
//     workload writes memory in proportion to its CPU time, at the rate
//     RatePerCPU calibrated for it; a CPU-bound guest that writes little
//     memory is overestimated, a memory-bound one stalled on memory is
//     underestimated.
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
func ReadLakeTrace(dir string, o LakeTrace) (LakeSeries, error) {
	src := o.Source
	if src == "" {
		for _, c := range []struct{ source, table string }{{SourceQMP, "qmp_migrate"}, {SourceSar, "sar_paging"}, {SourceXentop, "xentop_domain"}} {
			files, err := lakeFiles(dir, c.table)
			if err != nil {
				return LakeSeries{}, err
			}
			if len(files) > 0 {
				src = c.source
				break
			}
		}
		if src == "" {
			return LakeSeries{}, fmt.Errorf("%w: %s: no table=qmp_migrate, table=sar_paging or table=xentop_domain files below it (ingest QMP polls, sar -B or xentop -b first)", ErrTrace, dir)
		}
	}
	switch src {
	case SourceQMP:
		return qmpLakeSeries(dir, o)
	case SourceSar:
		return sarLakeSeries(dir, o)
	case SourceXentop:
		return xentopLakeSeries(dir, o)
	}
	return LakeSeries{}, fmt.Errorf("%w: trace source %q: want %s, %s or %s", ErrTrace, src, SourceQMP, SourceSar, SourceXentop)
}

func qmpLakeSeries(dir string, o LakeTrace) (LakeSeries, error) {
	migs, err := ReadQMPLake(dir)
	if err != nil {
		return LakeSeries{}, err
	}
	if o.Host != "" {
		var hs []string
		var keep []QMPMigration
		for _, m := range migs {
			if m.Host == o.Host {
				keep = append(keep, m)
			}
			hs = appendNew(hs, m.Host)
		}
		if len(keep) == 0 {
			return LakeSeries{}, fmt.Errorf("%w: %s: no qmp_migrate polls of host %q (hosts: %s)", ErrTrace, dir, o.Host, strings.Join(hs, ", "))
		}
		migs = keep
	}
	t, err := TraceFromMigrations(dir, migs, o.Run)
	if err != nil {
		return LakeSeries{}, err
	}
	n := max(o.Run, 1)
	m := migs[n-1]
	return LakeSeries{Trace: t, Source: SourceQMP, Host: m.Host, Migration: &m,
		From: fmt.Sprintf("qmp_migrate migration %d (%s): %d samples", n, m, len(t.Times))}, nil
}

// sarColumns are what the replay reads of the lake's sar_paging table.
var sarColumns = []string{"host", "time", "fault_s", "pgpgin_s"}

func sarLakeSeries(dir string, o LakeTrace) (LakeSeries, error) {
	host, t, err := hostTable(dir, "sar_paging", o.Host, sarColumns,
		"ingest sar -B, sar -A or sadf output first")
	if err != nil {
		return LakeSeries{}, err
	}
	hosts, _, _ := t.Strings("host")
	times, timeOK, err := t.Floats("time")
	if err != nil {
		return LakeSeries{}, err
	}
	fault, faultOK, err := t.Floats("fault_s")
	if err != nil {
		return LakeSeries{}, err
	}
	pgin, pginOK, err := t.Floats("pgpgin_s")
	if err != nil {
		return LakeSeries{}, err
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
		return LakeSeries{}, fmt.Errorf("%w: %s: sar_paging of host %s has no row with a time and fault/s", ErrTrace, dir, host)
	}
	ends := make([]time.Time, len(ss))
	faults, pgins := make([]float64, len(ss)), make([]float64, len(ss))
	for i, s := range ss {
		ends[i], faults[i], pgins[i] = s.t, s.fault, s.pgpin
	}
	page := o.PageSize
	if page == 0 {
		page = 4096
	}
	tr, err := TraceFromSar(intervalStarts(ends), faults, pgins, page)
	if err != nil {
		return LakeSeries{}, fmt.Errorf("%s: sar_paging of host %s: %w", dir, host, err)
	}
	return LakeSeries{Trace: tr, Source: SourceSar, Host: host,
		From: fmt.Sprintf("sar_paging of host %s: %d samples, %s", host, len(ends), span(ends))}, nil
}

// xentopColumns are what the replay reads of the lake's xentop_domain
// table.
var xentopColumns = []string{"host", "frame", "time", "domain", "cpu_pct", "mem_k", "name"}

func xentopLakeSeries(dir string, o LakeTrace) (LakeSeries, error) {
	if !(o.RatePerCPU > 0) {
		return LakeSeries{}, fmt.Errorf("%w: a xentop CPU series becomes a dirty rate only with the page writes per second of one fully busy CPU (calibrated for the workload): none given", ErrTrace)
	}
	host, t, err := hostTable(dir, "xentop_domain", o.Host, xentopColumns, "ingest xentop -b output first")
	if err != nil {
		return LakeSeries{}, err
	}
	hosts, _, _ := t.Strings("host")
	domains, _, _ := t.Strings("domain")
	names, _, _ := t.Strings("name")
	var cols [4][]float64
	var valid [4][]bool
	for k, c := range []string{"frame", "time", "cpu_pct", "mem_k"} {
		if cols[k], valid[k], err = t.Floats(c); err != nil {
			return LakeSeries{}, err
		}
	}
	frames, times, timeOK, cpuPct, memK := cols[0], cols[1], valid[1], cols[2], cols[3]
	dom := o.Domain
	var doms []string
	seenDom := map[string]bool{}
	for i := range t.Rows {
		if hosts[i] == host && !seenDom[domains[i]] {
			seenDom[domains[i]] = true
			doms = append(doms, domains[i])
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
			return LakeSeries{}, fmt.Errorf("%w: %s: host %s runs %d domains besides Domain-0 (%s): pick one", ErrTrace, dir, host, len(guests), quoteList(guests))
		}
		dom = guests[0]
	} else if !seenDom[dom] {
		return LakeSeries{}, fmt.Errorf("%w: %s: host %s has no domain %q (domains: %s)", ErrTrace, dir, host, dom, quoteList(doms))
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
		return LakeSeries{}, fmt.Errorf("%w: %s: domain %q on host %s has no timed frame after the first", ErrTrace, dir, dom, host)
	}
	slices.Sort(ends)
	pct := make([]float64, len(ends))
	endTimes := make([]time.Time, len(ends))
	for i, e := range ends {
		pct[i], endTimes[i] = cpu[e], time.UnixMicro(e).UTC()
	}
	tr, err := TraceFromCPU(intervalStarts(endTimes), pct, o.RatePerCPU)
	if err != nil {
		return LakeSeries{}, fmt.Errorf("%s: xentop domain %q on host %s: %w", dir, dom, host, err)
	}
	return LakeSeries{Trace: tr, Source: SourceXentop, Host: host, Domain: dom, Memory: int64(mem) << 10,
		From: fmt.Sprintf("xentop_domain %q on host %s: %d frames, %s", dom, host, len(ends), span(endTimes))}, nil
}

// hostTable reads columns of table's files below dir for one host: host
// when given, else the only host there is (an error lists the hosts
// otherwise). Hosts come from each file's host= partition folder, so only
// the chosen host's files are opened; a file outside one is read for its
// host column first. The table returned can still hold other hosts' rows
// (a file without a host= folder may mix hosts): callers keep the rows of
// the host returned. hint says how to fill the lake when it has no files
// of table.
func hostTable(dir, tbl, host string, columns []string, hint string) (string, *table.Table, error) {
	files, err := lakeFiles(dir, tbl)
	if err != nil {
		return "", nil, err
	}
	if len(files) == 0 {
		return "", nil, fmt.Errorf("%w: %s: no table=%s/…/*.parquet below it (%s)", ErrTrace, dir, tbl, hint)
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
	case host != "" && contains(hs, host):
	case host != "":
		return "", nil, fmt.Errorf("%w: %s: %s has no rows of host %q (hosts: %s)", ErrTrace, dir, tbl, host, quoteList(hs))
	case len(hs) == 1:
		host = hs[0]
	default:
		return "", nil, fmt.Errorf("%w: %s: %s holds %d hosts (%s): pick one", ErrTrace, dir, tbl, len(hs), quoteList(hs))
	}
	var keep []string
	for i, f := range files {
		if contains(fileHosts[i], host) {
			keep = append(keep, f)
		}
	}
	t, err := table.ReadFiles(dir, keep, columns)
	if err != nil {
		return "", nil, err
	}
	return host, t, nil
}

// partitionHost is the host of the host= folder below the table= folder
// on the path of file p (made absolute, so that pointing at a host's folder
// still finds it; folders above the table's are not the lake's).
func partitionHost(p string) (string, bool, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false, err
	}
	comps := strings.Split(filepath.ToSlash(filepath.Dir(abs)), "/")
	for i := len(comps) - 1; i >= 0 && !strings.HasPrefix(comps[i], "table="); i-- {
		if v, ok := strings.CutPrefix(comps[i], "host="); ok {
			h, err := lake.Unescape(v)
			if err != nil {
				return "", false, fmt.Errorf("%s: %w", p, err)
			}
			return h, true, nil
		}
	}
	return "", false, nil
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
	out[0] = 0
	for i := 1; i < len(ends); i++ {
		out[i] = ends[i-1].Sub(t0).Seconds()
	}
	return out
}

func span(ts []time.Time) string {
	const f = "2006-01-02T15:04:05Z07:00"
	return ts[0].UTC().Format(f) + " to " + ts[len(ts)-1].UTC().Format(f)
}

func appendNew(xs []string, x string) []string {
	if contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
