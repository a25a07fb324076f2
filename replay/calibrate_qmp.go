package replay

import (
	"errors"
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
// with a poll in a terminal status (completed, failed, cancelled), the
// polls repeating that status after it included (the same total_time_ms,
// or none); a new one also starts at a setup poll following any other status, and where
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
	case terminal(a.Status) && !(terminal(b.Status) && (sameClock(a, b) || b.TotalTimeMs == nil && *a.Status == *b.Status)):
		// a ended one; repeated final polls stay with it: QEMU answers
		// query-migrate with the last migration's status (and, once
		// completed, its final figures) until the next one starts, and a
		// cancelled one's answers carry the status alone
		return true
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

// TraceFromQMP turns one migration's polls into a dirty-rate series in
// the Trace's convention (a value holds from its time stamp to the next):
//
//   - time = total-time (s), else the poll time since the first poll;
//     polls without a rate, in setup, or at a time already seen are
//     skipped;
//   - QEMU's dirty-pages-rate is the pages newly dirty over its last
//     period (≥ 1 s, between two bitmap syncs) ÷ the period, published at
//     the sync that ends the period: a value covers the time up to the
//     poll that first shows it. Each new value therefore holds from when
//     the previous one was first shown (the start of its period, to a
//     poll's resolution), the first one from time 0; the last one holds on.
//     QEMU shows 0 until its first period ends: leading zeros are not
//     values (an idle guest's all-zero series stays zero);
//   - under auto-converge the rates were measured on the guest as QEMU
//     throttled it: the series is Throttled, the replay does not throttle
//     it again (dividing by 1 − cpu-throttle-percentage instead would take
//     the guest to slow in proportion, which the lab's guests do not: at
//     a 70 % throttle they still rewrote their whole working set each
//     period);
//   - the rates count distinct pages, so the series replays them in turn
//     (Trace.InTurn) over a working set of the most pages one period
//     dirtied (value × period, before unthrottling) as a share of
//     ram.total's pages: a guest writing faster than QEMU's periods can
//     tell (every page of its working set rewritten within a period, the
//     lab's 25,000 pages/s over 256 MiB read as ~12,500) is replayed as
//     rewriting that working set within every such period, which is what
//     QEMU measured. Without ram.total the working set is all of memory.
//
// The polls must belong to one migration (SplitQMP).
func TraceFromQMP(polls []schema.QMPMigrate) (*Trace, error) {
	type obs struct{ t, rate float64 }
	var seen []obs // every usable poll
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
		if len(seen) > 0 && t <= seen[len(seen)-1].t {
			continue // repeated poll within the same millisecond
		}
		seen = append(seen, obs{t, float64(*p.RAMDirtyPagesRate)})
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("%w: no poll with ram_dirty_pages_rate", ErrTrace)
	}
	// the values as QEMU published them: where each first shows, and the
	// guest's running share during its period (the poll before)
	var ts, rs []float64
	from := 0.0 // when the current value's period began
	most := 0.0 // the most pages one period dirtied
	for i, o := range seen {
		if i > 0 && o.rate == seen[i-1].rate {
			continue
		}
		if len(rs) == 0 && o.rate == 0 && i+1 < len(seen) {
			continue // not measured yet
		}
		if len(ts) > 0 && from <= ts[len(ts)-1] {
			from = ts[len(ts)-1] + 1e-3 // two changes one poll apart
		}
		ts = append(ts, from)
		rs = append(rs, o.rate)
		most = max(most, o.rate*(o.t-from))
		from = o.t
	}
	if len(ts) == 0 { // every poll showed 0
		ts, rs = []float64{0}, []float64{0}
	}
	tr, err := NewTrace(ts, rs)
	if err != nil {
		return nil, err
	}
	tr.InTurn, tr.Throttled = true, true
	var mem, page int64 = 0, 4096
	for _, p := range polls {
		if p.RAMTotal != nil {
			mem = max(mem, *p.RAMTotal)
		}
		if p.RAMPageSize != nil && *p.RAMPageSize > 0 {
			page = *p.RAMPageSize
		}
	}
	if pages := float64(mem / page); pages > 0 && most > 0 {
		tr.WorkingSet = min(max(most/pages, 1/pages), 1)
	}
	return tr, nil
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
// measured that query-migrate does not report. Zero fields are taken from
// the polls where they show (see QMPFigures).
type QMPOptions struct {
	// Policy replays the runs; nil means QEMU{} (with a Ramp when the
	// runs' management raised the downtime limit).
	Policy Policy
	// DowntimeLimit is QEMU's downtime-limit during the runs; zero means
	// each run's own, read from its polls (QMPFigures.DowntimeLimit), else
	// QEMU's default, 300 ms.
	DowntimeLimit time.Duration
	// Bandwidth is the migration link's line rate (bytes/s); zero means
	// unknown, taken as not limiting: the stream ran at the measured rate,
	// QEMU's max-bandwidth, and the stop-and-copy, which QEMU sends
	// without it, at the CPU's rate (Config.CPURate). That is the case of
	// a local socket and of any link faster than one CPU can fill.
	Bandwidth float64
	// MTU of the migration network; zero means 1500.
	MTU int
}

// QMPFigures are what a migration's query-migrate polls measured of the
// guest, the link and the settings in force: a replay of the migration
// takes them as its defaults (see FiguresFromQMP and Apply). A zero field
// was not measured.
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
	// DowntimeLimit is the downtime-limit in force (s): QEMU sets
	// expected-downtime to it when the migration starts and replaces it
	// only once a dirty rate has been measured (migration.c), so it is the
	// expected-downtime of the first active poll whose dirty-pages-rate is
	// still 0 (or absent); 0 when no poll shows it.
	DowntimeLimit float64
	// AutoConverge: some poll shows a cpu-throttle-percentage > 0 (a run
	// with auto-converge that never throttled replays the same without).
	AutoConverge bool
	// Postcopy: some poll is postcopy-active. PostcopyAt is then when it
	// was requested (s since the start): the total-time of the last poll
	// before post-copy, QEMU switching after its iteration in progress.
	Postcopy   bool
	PostcopyAt float64
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
	var before *int64 // total-time of the last poll before post-copy
	for _, p := range m.Polls {
		active := p.Status != nil && *p.Status == "active"
		if p.RAMMbps != nil && *p.RAMMbps > 0 && active {
			mbps = append(mbps, *p.RAMMbps)
		}
		if active && f.DowntimeLimit == 0 && p.ExpectedDowntimeMs != nil && *p.ExpectedDowntimeMs > 0 &&
			(p.RAMDirtyPagesRate == nil || *p.RAMDirtyPagesRate == 0) {
			f.DowntimeLimit = float64(*p.ExpectedDowntimeMs) / 1000
		}
		if p.CPUThrottlePct != nil && *p.CPUThrottlePct > 0 {
			f.AutoConverge = true
		}
		if p.Status != nil && *p.Status == "postcopy-active" && !f.Postcopy {
			f.Postcopy = true
			if before != nil {
				f.PostcopyAt = float64(*before) / 1000
			}
		}
		if active && p.TotalTimeMs != nil {
			before = p.TotalTimeMs
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

// Apply sets in cfg each measured figure whose option (by Options' names)
// given does not report as given, and says what it took, one phrase each:
//
//   - memory = ram.total, page-size = ram.page-size, zero-share =
//     ram.duplicate ÷ pages after the first pass;
//   - max-bandwidth = the stream rate (median ram.mbps): QEMU's rate limit
//     at work, as the stream ran; the link (bandwidth) is not measured and,
//     unless given, is taken as not limiting (Config.Bandwidth < 0), so the
//     stop-and-copy, which QEMU sends without max-bandwidth, runs at the
//     CPU's rate (cpu-rate);
//   - downtime-limit, auto-converge and, for a post-copy run, postcopy-at
//     (unless postcopy-after is given) as the polls show them.
func (f QMPFigures) Apply(cfg *Config, given func(name string) bool) []string {
	var took []string
	if !given("memory") && f.Memory > 0 {
		cfg.Memory = f.Memory
		took = append(took, "memory "+FormatBytes(float64(f.Memory))+" (ram.total)")
	}
	if !given("page-size") && f.PageSize > 0 {
		cfg.PageSize = f.PageSize
		took = append(took, fmt.Sprintf("page size %d B (ram.page-size)", f.PageSize))
	}
	if !given("zero-share") && f.HasZeroShare {
		cfg.ZeroShare = f.ZeroShare
		took = append(took, fmt.Sprintf("zero share %.3g (ram.duplicate)", f.ZeroShare))
	}
	if !given("max-bandwidth") && f.Rate > 0 {
		cfg.MaxBandwidth = f.Rate
		took = append(took, "max-bandwidth "+FormatBitRate(f.Rate)+" (median ram.mbps)")
		if !given("bandwidth") {
			cfg.Bandwidth = -1
			took = append(took, "no link limit (not measured; the stop-and-copy runs at --cpu-rate)")
		}
	}
	if !given("downtime-limit") && f.DowntimeLimit > 0 {
		cfg.DowntimeLimit = time.Duration(math.Round(f.DowntimeLimit*1e3)) * time.Millisecond
		took = append(took, fmt.Sprintf("downtime limit %v (first expected-downtime)", cfg.DowntimeLimit))
	}
	if !given("auto-converge") && f.AutoConverge {
		cfg.AutoConverge = true
		took = append(took, "auto-converge (cpu-throttle-percentage)")
	}
	if !given("postcopy-at") && !given("postcopy-after") && f.Postcopy && f.PostcopyAt > 0 {
		cfg.Postcopy, cfg.PostcopyAfter = true, 0
		cfg.PostcopyAt = time.Duration(math.Round(f.PostcopyAt*1e3)) * time.Millisecond
		took = append(took, fmt.Sprintf("post-copy at %v (last poll before postcopy-active)", cfg.PostcopyAt))
	}
	return took
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

// MeasuredFromQMP turns one migration's polls into a Measured run, fed
// only what the polls measured and opt says (never the outcomes it is
// compared with):
//
//   - the figures of FiguresFromQMP, applied as QMPFigures.Apply does
//     (opt's DowntimeLimit and Bandwidth, when given, take precedence);
//   - the dirty model is the dirty-pages-rate series (TraceFromQMP),
//     uniform over all of memory until a working set is fitted; without
//     rates, an idle guest;
//   - SetupTime = setup-time;
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
	if last.TotalTimeMs == nil {
		return Measured{}, fmt.Errorf("%w: %s: the completed poll has no total_time_ms", ErrCalibrate, name)
	}
	cfg, err := ConfigFromQMP(m, opt)
	if err != nil {
		return Measured{}, fmt.Errorf("%w: %s: %w", ErrCalibrate, name, err)
	}
	out := Measured{Name: name, Config: cfg, TotalTime: float64(*last.TotalTimeMs) / 1000, Downtime: math.NaN(), Syncs: math.NaN(), Bytes: math.NaN(),
		Group: qmpGroup(cfg)}
	if last.DowntimeMs != nil {
		out.Downtime = float64(*last.DowntimeMs) / 1000
	}
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMDirtySyncCount }); ok {
		out.Syncs = float64(v)
	}
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.RAMTransferred }); ok {
		out.Bytes = float64(v)
	}
	return out, nil
}

// qmpGroup is a measured run's kind: post-copy, auto-converge, idle (no
// dirty rate measured) or pre-copy.
func qmpGroup(cfg Config) string {
	switch {
	case cfg.Postcopy:
		return "post-copy"
	case cfg.AutoConverge:
		return "auto-converge"
	case cfg.DirtyModel != nil && cfg.DirtyModel.Writes(0, 1e9) == 0:
		return "idle"
	}
	return "pre-copy"
}

// ConfigFromQMP is the replay of one migration (complete or not) from what
// its polls measured (see MeasuredFromQMP): its figures, its dirty-rate
// series and its setup time, with opt's settings.
func ConfigFromQMP(m QMPMigration, opt QMPOptions) (Config, error) {
	fig := FiguresFromQMP(m)
	if fig.Memory <= 0 {
		return Config{}, errors.New("no ram_total")
	}
	if fig.Rate <= 0 {
		return Config{}, errors.New("no throughput (ram_mbps or ram_transferred)")
	}
	cfg := Config{MTU: opt.MTU, Bandwidth: opt.Bandwidth, DowntimeLimit: opt.DowntimeLimit, Policy: opt.Policy}
	if cfg.Policy == nil {
		cfg.Policy = QEMU{}
	}
	fig.Apply(&cfg, func(name string) bool {
		return name == "downtime-limit" && opt.DowntimeLimit != 0 || name == "bandwidth" && opt.Bandwidth != 0
	})
	if v, ok := maxPoll(m, func(p schema.QMPMigrate) *int64 { return p.SetupTimeMs }); ok {
		cfg.SetupTime = time.Duration(v) * time.Millisecond
	}
	tr, err := TraceFromQMP(m.Polls)
	if err != nil {
		// no poll measured a rate: taken as an idle guest (the outcomes,
		// which would tell, are what the replay is compared with)
		tr, _ = NewTrace([]float64{0}, []float64{0})
	}
	cfg.DirtyModel = tr
	return cfg, nil
}

// LakeCalibration is the calibration of a lake's measured migrations.
type LakeCalibration struct {
	Runs    []Measured // the completed migrations, in SplitQMP's order
	Skipped []string   // migrations not used, with the reason
	All     Calibration
	// ByGroup holds each group's own fit when CalibrateOptions.ByGroup,
	// in order of first appearance.
	ByGroup []GroupFit
	LOO     LOOReport // leave-one-out; empty with fewer than two runs
}

// GroupFit is one group's calibration.
type GroupFit struct {
	Group string
	Fit   Calibration
}

// CalibrateQMP calibrates on every completed migration of migs (see
// MeasuredFromQMP; the others are listed in Skipped) and evaluates the fit
// by leave-one-out, its errors also per group of similar runs
// (LOOReport.Groups). opt.Fit empty means state-time and cpu-rate: the
// switch-over's cost beyond the link, and the rate QEMU sends it at once
// it lifts max-bandwidth (the polls measure neither; the working set and
// the stream rate come from each run's own polls).
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
		opt.Fit = []string{FitStateTime, FitCPURate}
	}
	var err error
	if lc.All, err = Calibrate(lc.Runs, opt); err != nil {
		return lc, err
	}
	if opt.ByGroup {
		for _, g := range Groups(lc.Runs) {
			c, err := Calibrate(sameGroup(lc.Runs, g), opt)
			if err != nil {
				return lc, fmt.Errorf("group %s: %w", g, err)
			}
			lc.ByGroup = append(lc.ByGroup, GroupFit{g, c})
		}
	}
	if len(lc.Runs) >= 2 {
		if lc.LOO, err = LeaveOneOut(lc.Runs, opt); err != nil {
			return lc, err
		}
	}
	return lc, nil
}
