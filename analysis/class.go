package analysis

import (
	"fmt"
	"strings"
)

// Load is what a trace shows of a guest's load over a stretch of time;
// unknown parts are nil.
type Load struct {
	CPUs     *float64 // busy CPUs (xentop CPU(%)/100; sar: (100 − %idle)/100 × CPUs)
	DiskMBps *float64 // disk throughput, MB/s
	NetMBps  *float64 // network throughput, MB/s
	// DirtyPages is the guest's page-dirtying rate, pages/s: QMP's
	// ram.dirty-pages-rate. xentop and sar show none.
	DirtyPages *float64
}

// ClassConfig holds the workload-class thresholds; the zero value means
// the documented defaults (DefaultClassConfig).
type ClassConfig struct {
	IdleCPUs, IdleDiskMBps, IdleNetMBps float64 // idle: every known load below these (0.05 CPUs, 1 MB/s, 1 MB/s)
	CPUScale, DiskScale, NetScale       float64 // one "busy" unit of each: 1 CPU, 50 MB/s (a SATA disk), 12.5 MB/s (100 Mbit/s)
	// Ambiguous: the second largest scaled load is at least this share of
	// the largest (default 0.67): the guest is then unknown.
	Ambiguous float64
	// MemWritePages: a dirty rate at or above this many pages/s makes a
	// guest memory-write (default 5,000 pages/s, 20 MB/s of 4 KiB pages:
	// a sixth of what a 1 Gbit/s migration sends, enough to add passes).
	MemWritePages float64
}

// DefaultClassConfig returns the documented thresholds.
func DefaultClassConfig() ClassConfig { return ClassConfig{}.withDefaults() }

// defaultTo sets *v to d when it is 0 (a Config's zero value).
func defaultTo(v *float64, d float64) {
	if *v == 0 {
		*v = d
	}
}

func (c ClassConfig) withDefaults() ClassConfig {
	def := defaultTo
	def(&c.IdleCPUs, 0.05)
	def(&c.IdleDiskMBps, 1)
	def(&c.IdleNetMBps, 1)
	def(&c.CPUScale, 1)
	def(&c.DiskScale, 50)
	def(&c.NetScale, 12.5)
	def(&c.Ambiguous, 0.67)
	def(&c.MemWritePages, 5000)
	return c
}

// Classify gives a guest's workload class among seed 004's (CPU, memory
// read, memory write, disk, network; 004 L77–173) plus idle (its guest
// "without running the benchmark", L79), and unknown when the evidence is
// ambiguous or missing, with the evidence it rests on:
//
//  1. a dirty rate at or above MemWritePages → memory-write (whatever else
//     the guest does, its writes are what a migration feels);
//  2. with no load known at all → unknown;
//  3. every known load under the idle thresholds, and the dirty rate (when
//     known) under MemWritePages → idle (needs CPU known);
//  4. the loads scaled by CPUScale, DiskScale, NetScale: the largest names
//     the class (cpu, disk, network) unless the second largest is at least
//     Ambiguous of it → unknown; a class is only named when the CPU load is
//     known or the winner is beyond what any CPU load could contest (CPU
//     unknown → unknown).
//
// memory-read is never concluded: no counter migreplay reads (xentop, sar,
// QMP) shows memory reads, and a guest reading memory looks like a CPU-bound
// one. Likewise, without a dirty rate (xentop, sar) a CPU-dominant guest is
// classed cpu: xentop and sar cannot tell a memory-writing guest from a
// CPU-bound one, which the basis says.
func Classify(l Load, c ClassConfig) (class, basis string) {
	c = c.withDefaults()
	var ev []string
	f := func(name string, v *float64, format string) {
		if v != nil {
			ev = append(ev, fmt.Sprintf(format, name, *v))
		}
	}
	f("cpu", l.CPUs, "%s %.2f CPUs")
	f("disk", l.DiskMBps, "%s %.2f MB/s")
	f("net", l.NetMBps, "%s %.2f MB/s")
	f("dirty", l.DirtyPages, "%s %.0f pages/s")
	basis = strings.Join(ev, ", ")
	if l.DirtyPages != nil && *l.DirtyPages >= c.MemWritePages {
		return "memory-write", basis + fmt.Sprintf(" (dirty ≥ %.0f pages/s)", c.MemWritePages)
	}
	if l.CPUs == nil && l.DiskMBps == nil && l.NetMBps == nil {
		if basis == "" {
			return "unknown", "no load of the guest in the lake"
		}
		return "unknown", basis + " (no CPU, disk or network load of the guest in the lake)"
	}
	if l.CPUs == nil {
		return "unknown", basis + " (CPU load unknown)"
	}
	under := func(v *float64, lim float64) bool { return v == nil || *v < lim }
	if *l.CPUs < c.IdleCPUs && under(l.DiskMBps, c.IdleDiskMBps) && under(l.NetMBps, c.IdleNetMBps) {
		return "idle", basis
	}
	type score struct {
		name string
		v    float64
	}
	scores := []score{{"cpu", *l.CPUs / c.CPUScale}}
	if l.DiskMBps != nil {
		scores = append(scores, score{"disk", *l.DiskMBps / c.DiskScale})
	}
	if l.NetMBps != nil {
		scores = append(scores, score{"network", *l.NetMBps / c.NetScale})
	}
	best, second := scores[0], score{}
	for _, s := range scores[1:] {
		if s.v > best.v {
			best, second = s, best
		} else if s.v > second.v {
			second = s
		}
	}
	if second.name != "" && second.v >= c.Ambiguous*best.v {
		return "unknown", basis + fmt.Sprintf(" (%s and %s loads within %.0f %%: ambiguous)", best.name, second.name, 100*(1-c.Ambiguous))
	}
	if best.name == "cpu" && l.DirtyPages == nil {
		basis += " (no dirty rate: a memory-writing guest would look the same)"
	}
	return best.name, basis
}
