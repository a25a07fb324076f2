package replay

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/migreplay/migreplay/schema"
)

// QMPMigration is one migration found among a host's query-migrate polls
// (rows of the lake's qmp_migrate table, schema.QMPMigrate).
type QMPMigration struct {
	Host  string
	Polls []schema.QMPMigrate // in time order
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

// SplitQMP groups polls into migrations. Hosts come in order of first
// appearance. A host's polls are ordered by time when all of them have
// one, else kept in the order given (the collector's). A migration ends
// with a poll in a terminal status (completed, failed, cancelled); a new
// one also starts at a setup poll following any other status, and where
// total_time_ms falls (QEMU restarted the clock).
func SplitQMP(polls []schema.QMPMigrate) []QMPMigration {
	var hosts []string
	by := map[string][]schema.QMPMigrate{}
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
func newMigration(a, b schema.QMPMigrate) bool {
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
func sameClock(a, b schema.QMPMigrate) bool {
	return a.TotalTimeMs != nil && b.TotalTimeMs != nil && *a.TotalTimeMs == *b.TotalTimeMs
}

// TraceFromQMP turns one migration's polls into a dirty-rate series:
// time = total-time (s), else the poll time since the first poll; rate =
// dirty-pages-rate (pages/s, distinct pages dirtied per second over QEMU's
// last ≥ 1 s period). QEMU reports 0 until its first such period ends
// (late in the first pass), so leading polls take the first non-zero rate;
// polls without a rate, or in setup, are skipped; later zeros are kept (an
// idle guest). The polls must belong to one migration (SplitQMP).
func TraceFromQMP(polls []schema.QMPMigrate) (*Trace, error) {
	var ts, rs []float64
	var t0 time.Time
	for _, p := range polls {
		if p.RAMDirtyPagesRate == nil || (p.Status != nil && *p.Status == "setup") {
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
		rs = append(rs, float64(*p.RAMDirtyPagesRate))
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

// ListMigrations names migrations for messages: "1: host a from
// 2026-11-21T10:00:00Z, 42 polls, completed; 2: …" (at most 10).
func ListMigrations(migs []QMPMigration) string {
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

// QMPOptions say what a QMP log cannot: the settings of the migrations
// measured (query-migrate reports outcomes, not parameters).
type QMPOptions struct {
	// Policy replays the runs; nil means QEMU{} (with a Ramp when the
	// runs' management raised the downtime limit).
	Policy Policy
	// DowntimeLimit is QEMU's downtime-limit during the runs; zero means
	// its default, 300 ms.
	DowntimeLimit time.Duration
	// MTU of the migration network; zero means 1500.
	MTU int
}

// QMPFigures are what a migration's query-migrate polls measured of the
// guest and the link: a replay of the migration takes them as its defaults
// (see FiguresFromQMP). A zero field was not measured.
type QMPFigures struct {
	Memory   int64 // bytes: the largest ram.total
	PageSize int64 // bytes: ram.page-size
	// ZeroShare is ram.duplicate ÷ pages at the first poll after the first
	// pass (dirty-sync-count ≥ 2) or at completion, at most 0.99; set when
	// HasZeroShare (before the first pass ends, duplicate counts only the
	// memory scanned so far, so it is not used).
	ZeroShare    float64
	HasZeroShare bool
	// Rate is the stream rate in bytes/s: the median of ram.mbps over the
	// active polls (QEMU's throughput over its last ≥ 100 ms window), else
	// the largest ram.transferred ÷ (total-time − setup-time).
	Rate float64
}

// FiguresFromQMP reads a migration's figures from its polls (complete or
// not).
func FiguresFromQMP(m QMPMigration) QMPFigures {
	var f QMPFigures
	mem, _ := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMTotal })
	f.Memory = max(mem, 0)
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMPageSize }); ok && v > 0 {
		f.PageSize = v
	}
	var mbps []float64
	for _, p := range m.Polls {
		if p.RAMMbps != nil && *p.RAMMbps > 0 && p.Status != nil && *p.Status == "active" {
			mbps = append(mbps, *p.RAMMbps)
		}
	}
	total, hasTotal := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.TotalTimeMs })
	setup, _ := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.SetupTimeMs })
	transferred, hasBytes := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMTransferred })
	switch {
	case len(mbps) > 0:
		f.Rate = median(mbps) * 1e6 / 8
	case hasBytes && hasTotal && total > setup:
		f.Rate = float64(transferred) / (float64(total-setup) / 1000)
	}
	page := f.PageSize
	if page == 0 {
		page = 4096
	}
	if pages := float64(f.Memory / page); pages > 0 {
		for _, p := range m.Polls {
			if p.RAMDuplicate != nil && (p.RAMDirtySyncCount != nil && *p.RAMDirtySyncCount >= 2 || p.Status != nil && *p.Status == "completed") {
				f.ZeroShare, f.HasZeroShare = min(max(float64(*p.RAMDuplicate)/pages, 0), 0.99), true
				break
			}
		}
	}
	return f
}

// maxPoll is the largest value of a poll field, and whether any poll has it.
func maxPoll(m QMPMigration, get func(schema.QMPMigrate) *int64) (int64, bool) {
	var v int64
	ok := false
	for _, p := range m.Polls {
		if x := get(p); x != nil && (!ok || *x > v) {
			v, ok = *x, true
		}
	}
	return v, ok
}

// MeasuredFromQMP turns one migration's polls into a Measured run:
//
//   - Memory, PageSize (4 KiB when absent), ZeroShare and the stream rate
//     from FiguresFromQMP; Bandwidth is the line rate whose goodput at the
//     MTU is that rate (LineRate), and neither the CPU nor a rate limit
//     bounds it further (the measurement includes them): efficiency 1
//     replays the measured throughput;
//   - the dirty model is the dirty-pages-rate series (TraceFromQMP),
//     uniform over all of memory until a working set is fitted; without
//     rates, an idle guest;
//   - SetupTime = setup-time; AutoConverge when any poll shows a CPU
//     throttle; post-copy after dirty-sync-count − 1 rounds when a poll is
//     postcopy-active;
//   - outcomes from the completed poll: total-time, downtime,
//     dirty-sync-count (compared with Result.Syncs) and ram.transferred.
//
// A migration that did not complete is an error (its outcomes are not
// measurements of a finished migration).
func MeasuredFromQMP(m QMPMigration, opt QMPOptions) (Measured, error) {
	name := m.String()
	if m.Status() != "completed" {
		return Measured{}, fmt.Errorf("%w: %s: did not complete (last status %q)", ErrCalibrate, name, m.Status())
	}
	var last schema.QMPMigrate
	for i := len(m.Polls) - 1; i >= 0; i-- {
		if s := m.Polls[i].Status; s != nil && *s == "completed" {
			last = m.Polls[i]
			break
		}
	}
	fig := FiguresFromQMP(m)
	mem := fig.Memory
	if mem <= 0 {
		return Measured{}, fmt.Errorf("%w: %s: no ram_total", ErrCalibrate, name)
	}
	page := int64(4096)
	if fig.PageSize > 0 {
		page = fig.PageSize
	}
	if last.TotalTimeMs == nil {
		return Measured{}, fmt.Errorf("%w: %s: the completed poll has no total_time_ms", ErrCalibrate, name)
	}
	total := float64(*last.TotalTimeMs) / 1000
	setup := 0.0
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.SetupTimeMs }); ok {
		setup = float64(v) / 1000
	}
	transferred, hasBytes := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMTransferred })
	rate := fig.Rate
	if rate <= 0 {
		return Measured{}, fmt.Errorf("%w: %s: no throughput (ram_mbps or ram_transferred)", ErrCalibrate, name)
	}
	mtu := opt.MTU
	if mtu == 0 {
		mtu = 1500
	}
	cfg := Config{
		Memory: mem, PageSize: page, MTU: mtu,
		Bandwidth:    LineRate(rate, mtu),
		MaxBandwidth: -1, CPURate: -1,
		Policy: opt.Policy, DowntimeLimit: opt.DowntimeLimit,
		SetupTime: time.Duration(setup * 1e9),
		ZeroShare: fig.ZeroShare,
	}
	if cfg.Policy == nil {
		cfg.Policy = QEMU{}
	}
	pages := float64(mem / page)
	tr, err := TraceFromQMP(m.Polls)
	if err != nil || tr.MeanRate() == 0 {
		// no measured rate (a migration shorter than QEMU's first 1 s
		// period, or an idle guest): the pages sent beyond one copy of the
		// non-zero memory were dirtied during the live rounds
		tr, _ = NewTrace([]float64{0}, []float64{resentRate(m, pages, total, setup, last)})
	}
	cfg.DirtyModel = tr
	for _, p := range m.Polls {
		if p.CPUThrottlePct != nil && *p.CPUThrottlePct > 0 {
			cfg.AutoConverge = true
		}
		if p.Status != nil && *p.Status == "postcopy-active" && !cfg.Postcopy {
			cfg.Postcopy = true
			if p.RAMDirtySyncCount != nil {
				cfg.PostcopyAfter = max(int(*p.RAMDirtySyncCount)-1, 0)
			}
		}
	}
	out := Measured{Name: name, Config: cfg, TotalTime: total, Downtime: math.NaN(), Syncs: math.NaN(), Bytes: math.NaN()}
	if last.DowntimeMs != nil {
		out.Downtime = float64(*last.DowntimeMs) / 1000
	}
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMDirtySyncCount }); ok {
		out.Syncs = float64(v)
	}
	if hasBytes {
		out.Bytes = float64(transferred)
	}
	return out, nil
}

// resentRate estimates a dirty rate (pages/s) from a completed migration's
// totals: whole pages sent (ram.normal, else ram.transferred ÷ (page +
// header)) beyond the non-zero pages, per second of live migration.
func resentRate(m QMPMigration, pages, total, setup float64, last schema.QMPMigrate) float64 {
	var normal, dup float64
	switch {
	case last.RAMNormal != nil:
		normal = float64(*last.RAMNormal)
	case last.RAMTransferred != nil && last.RAMPageSize != nil:
		normal = float64(*last.RAMTransferred) / float64(*last.RAMPageSize+PageHeaderBytes)
	}
	if last.RAMDuplicate != nil {
		dup = float64(*last.RAMDuplicate)
	}
	live := total - setup
	if last.DowntimeMs != nil {
		live -= float64(*last.DowntimeMs) / 1000
	}
	if live <= 0 {
		return 0
	}
	return max(normal-(pages-dup), 0) / live
}

// LakeCalibration is the calibration of a lake's measured migrations.
type LakeCalibration struct {
	Runs    []Measured // the completed migrations, in SplitQMP's order
	Skipped []string   // migrations not used, with the reason
	All     Calibration
	LOO     LOOReport // leave-one-out; empty with fewer than two runs
}

// CalibrateQMP calibrates on every completed migration of migs (see
// MeasuredFromQMP; the others are listed in Skipped) and evaluates the fit
// by leave-one-out. opt.Fit empty means efficiency, state-time and
// working-set.
func CalibrateQMP(migs []QMPMigration, qo QMPOptions, opt CalibrateOptions) (LakeCalibration, error) {
	var lc LakeCalibration
	for _, m := range migs {
		r, err := MeasuredFromQMP(m, qo)
		if err != nil {
			lc.Skipped = append(lc.Skipped, err.Error())
			continue
		}
		lc.Runs = append(lc.Runs, r)
	}
	if len(lc.Runs) == 0 {
		return lc, fmt.Errorf("%w: none of %d migrations completed with usable figures", ErrCalibrate, len(migs))
	}
	if len(opt.Fit) == 0 {
		opt.Fit = []string{FitEfficiency, FitStateTime, FitWorkingSet}
	}
	var err error
	if lc.All, err = Calibrate(lc.Runs, opt); err != nil {
		return lc, err
	}
	if len(lc.Runs) >= 2 {
		if lc.LOO, err = LeaveOneOut(lc.Runs, opt); err != nil {
			return lc, err
		}
	}
	return lc, nil
}
