package datasets_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/qmp"
	"github.com/migreplay/migreplay/schema"
)

// qemuRun is one entry of qemu/manifest.json (written by lab/qemu/lab.py).
type qemuRun struct {
	Name          string   `json:"name"`
	Group         string   `json:"group"`
	Trace         string   `json:"trace"`
	GuestRAMMiB   int64    `json:"guest_ram_mib"`
	Accel         string   `json:"accel"`
	QEMU          string   `json:"qemu"`
	ExpectStatus  string   `json:"expect_status"`
	FinalStatus   string   `json:"final_status"`
	Polls         int      `json:"polls"`
	DowntimeLimit int64    `json:"downtime_limit_ms"`
	MaxBandwidth  int64    `json:"max_bandwidth_bytes_s"`
	Capabilities  []string `json:"capabilities"`
	Dirtier       struct {
		WSMiB    int64 `json:"ws_mib"`
		Rate     int64 `json:"rate_pages_s"`
		Read     int64 `json:"read_pages_s"`
		Duration int64 `json:"duration_s"`
		CPU      int64 `json:"cpu_pct"`
	} `json:"dirtier"`
	PostcopyAfter    *float64 `json:"postcopy_after_s"`
	PostcopySwitched *float64 `json:"postcopy_switched_after_s"`
	CancelledAfter   *float64 `json:"cancelled_after_s"`
	DestinationAfter string   `json:"destination_after"`
	Guest            struct {
		MigrateAt  float64         `json:"migrate_at_s"`
		RateBefore *int64          `json:"write_rate_before_migrate_pages_s"`
		Source     [][]interface{} `json:"per_second_source"`
		Dest       [][]interface{} `json:"per_second_destination"`
	} `json:"guest"`
}

func loadQEMU(t *testing.T) []qemuRun {
	t.Helper()
	b, err := os.ReadFile("qemu/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Runs []json.RawMessage }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var runs []qemuRun
	for _, raw := range m.Runs {
		var r qemuRun
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

// command is a QMP command the testbed logged before its reply.
type command struct {
	Execute   string         `json:"execute"`
	Arguments map[string]any `json:"arguments"`
}

// readTrace parses a trace strictly with the qmp parser (what
// `migreplay ingest` runs on it) and also returns its logged commands and
// events.
func readTrace(t *testing.T, path string) ([]schema.QMPMigrate, parse.Stats, []command, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := qmp.NewParser(bytes.NewReader(b), parse.Options{File: path, Host: "lab"})
	var rows []schema.QMPMigrate
	for p.Next() {
		rows = append(rows, *p.Record().(*schema.QMPMigrate))
	}
	if err := p.Err(); err != nil {
		t.Fatalf("strict ingest: %v", err)
	}
	var cmds []command
	var events []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o struct {
			command
			Event string `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		if o.Execute != "" {
			cmds = append(cmds, o.command)
		}
		if o.Event != "" {
			events = append(events, o.Event)
		}
	}
	return rows, p.Stats(), cmds, events
}

// Every recorded migration of the lab (datasets/qemu, lab/qemu/lab.py)
// ingests strictly into qmp_migrate, and its log agrees with its manifest
// entry: the parameters and capabilities it set, the status it ended in,
// the guest's RAM, a measured downtime once completed, at least one dirty
// sync, a throttle only with auto-converge, a post-copy phase only where the
// testbed switched to it, and polls every 100 ms.
func TestQEMULabRuns(t *testing.T) {
	runs := loadQEMU(t)
	if len(runs) < 20 {
		t.Fatalf("%d runs in qemu/manifest.json, want at least 20", len(runs))
	}
	traces, _ := filepath.Glob("qemu/traces/*.qmp.jsonl")
	if len(traces) != len(runs) {
		t.Errorf("%d traces, %d runs in the manifest", len(traces), len(runs))
	}
	groups := map[string]int{}
	for _, r := range runs {
		groups[r.Group]++
		t.Run(r.Name, func(t *testing.T) {
			if r.Trace != "traces/"+r.Name+".qmp.jsonl" {
				t.Fatalf("trace %q", r.Trace)
			}
			rows, st, cmds, events := readTrace(t, filepath.Join("qemu", r.Trace))
			if !st.Balanced() || st.Reject != 0 || len(rows) != r.Polls || len(rows) < 3 {
				t.Fatalf("%d rows (manifest: %d polls), stats %+v", len(rows), r.Polls, st)
			}
			if r.Accel != "kvm" && r.Accel != "tcg" || !strings.HasPrefix(r.QEMU, "10.") {
				t.Errorf("accel %q, qemu %q", r.Accel, r.QEMU)
			}
			checkCommands(t, r, cmds)
			last := rows[len(rows)-1]
			if last.Status == nil || *last.Status != r.ExpectStatus || r.FinalStatus != r.ExpectStatus {
				t.Fatalf("last poll's status %q, manifest final %q, expected %q", deref(last.Status), r.FinalStatus, r.ExpectStatus)
			}
			if prev := rows[len(rows)-2]; deref(prev.Status) != r.ExpectStatus {
				t.Errorf("no poll after the one that saw %s", r.ExpectStatus)
			}
			checkPolls(t, r, rows)
			if !slices.Contains(events, "MIGRATION") || !slices.Contains(events, "MIGRATION_PASS") {
				t.Errorf("events %v", events)
			}
		})
	}
	for _, g := range []string{"idle", "below", "near", "above", "phase", "postcopy"} {
		if groups[g] == 0 {
			t.Errorf("no %s runs", g)
		}
	}
}

func checkCommands(t *testing.T, r qemuRun, cmds []command) {
	t.Helper()
	var caps []string
	var params map[string]any
	for _, c := range cmds {
		switch c.Execute {
		case "migrate-set-capabilities":
			for _, x := range c.Arguments["capabilities"].([]any) {
				m := x.(map[string]any)
				if m["state"] == true && m["capability"] != "events" {
					caps = append(caps, m["capability"].(string))
				}
			}
		case "migrate-set-parameters":
			params = c.Arguments
		}
	}
	slices.Sort(caps)
	if !slices.Equal(caps, r.Capabilities) && !(len(caps) == 0 && len(r.Capabilities) == 0) {
		t.Errorf("capabilities set %v, manifest %v", caps, r.Capabilities)
	}
	if params["downtime-limit"] != float64(r.DowntimeLimit) || params["max-bandwidth"] != float64(r.MaxBandwidth) {
		t.Errorf("parameters set %v, manifest limit %d bandwidth %d", params, r.DowntimeLimit, r.MaxBandwidth)
	}
	switched := slices.ContainsFunc(cmds, func(c command) bool { return c.Execute == "migrate-start-postcopy" })
	if switched != (r.PostcopySwitched != nil) {
		t.Errorf("migrate-start-postcopy logged %v, manifest says %v", switched, r.PostcopySwitched)
	}
	cancelled := slices.ContainsFunc(cmds, func(c command) bool { return c.Execute == "migrate_cancel" })
	if cancelled != (r.ExpectStatus == "cancelled") {
		t.Errorf("migrate_cancel logged %v, expected status %s", cancelled, r.ExpectStatus)
	}
}

func checkPolls(t *testing.T, r qemuRun, rows []schema.QMPMigrate) {
	t.Helper()
	last := rows[len(rows)-1]
	// the last poll with MigrationStats (a cancelled migration's last polls
	// have a status only)
	stats := last
	for i := len(rows) - 1; i >= 0 && stats.RAMTotal == nil; i-- {
		stats = rows[i]
	}
	ram := r.GuestRAMMiB << 20
	// ram.total counts every RAM block: the guest's RAM plus the firmware
	// and option ROMs of the q35 machine (under 1 MiB).
	if stats.RAMTotal == nil || *stats.RAMTotal < ram || *stats.RAMTotal-ram > 1<<20 {
		t.Errorf("ram.total %v for %d MiB of guest RAM", stats.RAMTotal, r.GuestRAMMiB)
	}
	if stats.RAMDirtySyncCount == nil || *stats.RAMDirtySyncCount < 1 || stats.TotalTimeMs == nil {
		t.Errorf("dirty-sync-count %v, total-time %v", stats.RAMDirtySyncCount, stats.TotalTimeMs)
	}
	switch r.ExpectStatus {
	case "completed":
		if last.DowntimeMs == nil || *last.RAMRemaining != 0 || *last.RAMTransferred < *last.RAMNormalBytes {
			t.Errorf("completed: downtime %v, remaining %v", last.DowntimeMs, *last.RAMRemaining)
		}
		if r.DestinationAfter != "running" {
			t.Errorf("the guest is %q at the destination", r.DestinationAfter)
		}
	case "cancelled":
		if last.DowntimeMs != nil || r.CancelledAfter == nil {
			t.Errorf("cancelled: downtime %v, cancelled after %v", last.DowntimeMs, r.CancelledAfter)
		}
	}
	var throttled, postcopy bool
	var gaps []float64
	for i, p := range rows {
		throttled = throttled || p.CPUThrottlePct != nil && *p.CPUThrottlePct > 0
		postcopy = postcopy || p.Status != nil && *p.Status == "postcopy-active"
		if p.Time == nil {
			t.Fatalf("poll %d has no time", i)
		}
		if i > 0 {
			gaps = append(gaps, p.Time.Sub(*rows[i-1].Time).Seconds())
			if q := rows[i-1]; p.RAMDirtySyncCount != nil && q.RAMDirtySyncCount != nil && *p.RAMDirtySyncCount < *q.RAMDirtySyncCount {
				t.Errorf("poll %d: dirty-sync-count fell", i)
			}
		}
	}
	if throttled && !slices.Contains(r.Capabilities, "auto-converge") {
		t.Errorf("throttled without auto-converge")
	}
	if postcopy != (r.PostcopySwitched != nil) {
		t.Errorf("postcopy-active seen %v, switched %v", postcopy, r.PostcopySwitched)
	}
	if postcopy && (last.RAMPostcopyBytes == nil || *last.RAMPostcopyBytes == 0) {
		t.Errorf("post-copy run sent no post-copy bytes")
	}
	sort.Float64s(gaps)
	if med := gaps[len(gaps)/2]; med < 0.095 || med > 0.13 {
		t.Errorf("median poll interval %.3f s, want 0.1", med)
	}
	// the dirtier ran: some second of its write phase reached 80% of the set
	// rate (on a busy machine the first seconds may not)
	if r.Dirtier.Rate > 0 {
		var best float64
		for _, l := range append(r.Guest.Source, r.Guest.Dest...) {
			if len(l) == 5 && l[4] == "run" {
				best = math.Max(best, l[2].(float64))
			}
		}
		if best < 0.8*float64(r.Dirtier.Rate) || r.Guest.RateBefore == nil {
			t.Errorf("the guest wrote at most %.0f pages/s in a second, set to %d", best, r.Dirtier.Rate)
		}
	}
	if r.Dirtier.Duration > 0 && r.ExpectStatus == "completed" {
		// the workload stopped before the migration ended: the guest
		// printed an idle second before the end of the migration
		end := r.Guest.MigrateAt + float64(*last.TotalTimeMs)/1000
		if float64(r.Dirtier.Duration) >= end {
			t.Errorf("the dirtier ran %d s, the migration ended %.1f s after ready", r.Dirtier.Duration, end)
		}
	}
}

// The scenario table in qemu/README.md is the logs' own numbers: each row
// is recomputed from its trace and manifest entry (qemuTableRow) and must
// stand in the README as printed.
func TestQEMUReadmeTable(t *testing.T) {
	readme, err := os.ReadFile("qemu/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range loadQEMU(t) {
		rows, _, _, _ := readTrace(t, filepath.Join("qemu", r.Trace))
		line := qemuTableRow(r, rows)
		if !bytes.Contains(readme, []byte(line+"\n")) {
			t.Errorf("qemu/README.md lacks the row\n%s", line)
		}
	}
}

// qemuTableRow is run r's row of the README's scenario table.
func qemuTableRow(r qemuRun, rows []schema.QMPMigrate) string {
	last := rows[len(rows)-1]
	stats := last // the last poll with MigrationStats
	for i := len(rows) - 1; i >= 0 && stats.RAMTotal == nil; i-- {
		stats = rows[i]
	}
	var maxRate, maxThrottle int64
	for _, p := range rows {
		if p.RAMDirtyPagesRate != nil {
			maxRate = max(maxRate, *p.RAMDirtyPagesRate)
		}
		if p.CPUThrottlePct != nil {
			maxThrottle = max(maxThrottle, *p.CPUThrottlePct)
		}
	}
	opt := func(p *int64) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprint(*p)
	}
	work := "idle"
	if d := r.Dirtier; d.Rate > 0 {
		work = fmt.Sprintf("%d p/s over %d MiB", d.Rate, d.WSMiB)
		if d.Duration > 0 {
			work += fmt.Sprintf(" for %d s", d.Duration)
		}
		if d.Read > 0 {
			work += fmt.Sprintf(", reads %d p/s", d.Read)
		}
		if d.CPU > 0 {
			work += fmt.Sprintf(", cpu %d%%", d.CPU)
		}
	}
	caps := strings.Join(r.Capabilities, "+")
	if r.PostcopySwitched != nil {
		caps += fmt.Sprintf(" (switched at %.1f s)", *r.PostcopySwitched)
	}
	if caps == "" {
		caps = "–"
	}
	guest := "–"
	if r.Guest.RateBefore != nil && r.Dirtier.Rate > 0 {
		guest = fmt.Sprint(*r.Guest.RateBefore)
	}
	return fmt.Sprintf("| %s | %d | %s | %.0f | %d | %s | %s | %s | %s | %.1f | %s | %d | %d | %s |",
		r.Name, r.GuestRAMMiB, work, float64(r.MaxBandwidth)/1e6, r.DowntimeLimit, caps, *last.Status,
		opt(stats.TotalTimeMs), opt(last.DowntimeMs), float64(*stats.RAMTransferred)/1e6, opt(stats.RAMDirtySyncCount),
		maxRate, maxThrottle, guest)
}

// printQEMUTable prints the README's table from the logs:
// go test ./datasets -run TestQEMUPrintTable -args -qemu-table
var printQEMUTable = flag.Bool("qemu-table", false, "print qemu/README.md's scenario table")

func TestQEMUPrintTable(t *testing.T) {
	if !*printQEMUTable {
		t.Skip("pass -args -qemu-table to print qemu/README.md's table")
	}
	for _, r := range loadQEMU(t) {
		rows, _, _, _ := readTrace(t, filepath.Join("qemu", r.Trace))
		fmt.Println(qemuTableRow(r, rows))
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
