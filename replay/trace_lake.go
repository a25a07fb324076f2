package replay

import (
	"fmt"
	"sort"
	"strings"
	"time"
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

// sarPagingRow is what the replay reads of the lake's sar_paging table.
type sarPagingRow struct {
	Host   string     `parquet:"host"`
	Time   *time.Time `parquet:"time,optional"`
	Fault  *float64   `parquet:"fault_s,optional"`
	PgpgIn *float64   `parquet:"pgpgin_s,optional"`
}

func sarLakeSeries(dir string, o LakeTrace) (LakeSeries, error) {
	files, err := lakeFiles(dir, "sar_paging")
	if err != nil {
		return LakeSeries{}, err
	}
	if len(files) == 0 {
		return LakeSeries{}, fmt.Errorf("%w: %s: no table=sar_paging/…/*.parquet below it (ingest sar -B, sar -A or sadf output first)", ErrTrace, dir)
	}
	rows, err := readLakeRows[sarPagingRow](files)
	if err != nil {
		return LakeSeries{}, err
	}
	host, err := pickHost(dir, "sar_paging", o.Host, len(rows), func(i int) string { return rows[i].Host })
	if err != nil {
		return LakeSeries{}, err
	}
	type sample struct {
		t            time.Time
		fault, pgpin float64
	}
	var ss []sample
	seen := map[time.Time]bool{}
	for _, r := range rows {
		if r.Host != host || r.Time == nil || r.Fault == nil || seen[*r.Time] {
			continue
		}
		seen[*r.Time] = true
		s := sample{t: *r.Time, fault: *r.Fault}
		if r.PgpgIn != nil {
			s.pgpin = *r.PgpgIn
		}
		ss = append(ss, s)
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].t.Before(ss[j].t) })
	if len(ss) == 0 {
		return LakeSeries{}, fmt.Errorf("%w: %s: sar_paging of host %s has no row with a time and fault/s", ErrTrace, dir, host)
	}
	ends := make([]time.Time, len(ss))
	faults, pgin := make([]float64, len(ss)), make([]float64, len(ss))
	for i, s := range ss {
		ends[i], faults[i], pgin[i] = s.t, s.fault, s.pgpin
	}
	page := o.PageSize
	if page == 0 {
		page = 4096
	}
	t, err := TraceFromSar(intervalStarts(ends), faults, pgin, page)
	if err != nil {
		return LakeSeries{}, fmt.Errorf("%s: sar_paging of host %s: %w", dir, host, err)
	}
	return LakeSeries{Trace: t, Source: SourceSar, Host: host,
		From: fmt.Sprintf("sar_paging of host %s: %d samples, %s", host, len(ends), span(ends))}, nil
}

// xentopDomainRow is what the replay reads of the lake's xentop_domain
// table.
type xentopDomainRow struct {
	Host   string     `parquet:"host"`
	Frame  int64      `parquet:"frame"`
	Time   *time.Time `parquet:"time,optional"`
	Domain string     `parquet:"domain"`
	CPUPct float64    `parquet:"cpu_pct"`
	MemK   uint64     `parquet:"mem_k"`
	Name   string     `parquet:"name"`
}

func xentopLakeSeries(dir string, o LakeTrace) (LakeSeries, error) {
	if !(o.RatePerCPU > 0) {
		return LakeSeries{}, fmt.Errorf("%w: a xentop CPU series becomes a dirty rate only with the page writes per second of one fully busy CPU (calibrated for the workload): none given", ErrTrace)
	}
	files, err := lakeFiles(dir, "xentop_domain")
	if err != nil {
		return LakeSeries{}, err
	}
	if len(files) == 0 {
		return LakeSeries{}, fmt.Errorf("%w: %s: no table=xentop_domain/…/*.parquet below it (ingest xentop -b output first)", ErrTrace, dir)
	}
	rows, err := readLakeRows[xentopDomainRow](files)
	if err != nil {
		return LakeSeries{}, err
	}
	host, err := pickHost(dir, "xentop_domain", o.Host, len(rows), func(i int) string { return rows[i].Host })
	if err != nil {
		return LakeSeries{}, err
	}
	dom := o.Domain
	var doms []string
	for _, r := range rows {
		if r.Host == host {
			doms = appendNew(doms, r.Domain)
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
	} else if !contains(doms, dom) {
		return LakeSeries{}, fmt.Errorf("%w: %s: host %s has no domain %q (domains: %s)", ErrTrace, dir, host, dom, quoteList(doms))
	}
	type key struct {
		t    time.Time
		name string
	}
	seen := map[key]bool{}
	cpu := map[time.Time]float64{}
	var ends []time.Time
	var mem uint64
	for _, r := range rows {
		if r.Host != host || r.Domain != dom || r.Time == nil || r.Frame == 0 || seen[key{*r.Time, r.Name}] {
			continue
		}
		seen[key{*r.Time, r.Name}] = true
		if _, ok := cpu[*r.Time]; !ok {
			ends = append(ends, *r.Time)
		}
		cpu[*r.Time] += r.CPUPct
		mem = max(mem, r.MemK)
	}
	if len(ends) == 0 {
		return LakeSeries{}, fmt.Errorf("%w: %s: domain %q on host %s has no timed frame after the first", ErrTrace, dir, dom, host)
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	pct := make([]float64, len(ends))
	for i, e := range ends {
		pct[i] = cpu[e]
	}
	t, err := TraceFromCPU(intervalStarts(ends), pct, o.RatePerCPU)
	if err != nil {
		return LakeSeries{}, fmt.Errorf("%s: xentop domain %q on host %s: %w", dir, dom, host, err)
	}
	return LakeSeries{Trace: t, Source: SourceXentop, Host: host, Domain: dom, Memory: int64(mem) << 10,
		From: fmt.Sprintf("xentop_domain %q on host %s: %d frames, %s", dom, host, len(ends), span(ends))}, nil
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

// pickHost returns host when given and present among the n rows' hosts,
// else the only host; an error lists the hosts otherwise.
func pickHost(dir, table, host string, n int, hostOf func(int) string) (string, error) {
	var hs []string
	for i := 0; i < n; i++ {
		hs = appendNew(hs, hostOf(i))
	}
	sort.Strings(hs)
	switch {
	case host != "" && contains(hs, host):
		return host, nil
	case host != "":
		return "", fmt.Errorf("%w: %s: %s has no rows of host %q (hosts: %s)", ErrTrace, dir, table, host, quoteList(hs))
	case len(hs) == 1:
		return hs[0], nil
	}
	return "", fmt.Errorf("%w: %s: %s holds %d hosts (%s): pick one", ErrTrace, dir, table, len(hs), quoteList(hs))
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
