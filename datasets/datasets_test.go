package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// The seed papers' text files. Tests that compare against them skip when the folder is absent
// (a clean clone outside the project's workspace); MIGREPLAY_SEEDS points elsewhere.
func seedsDir() string {
	if d := os.Getenv("MIGREPLAY_SEEDS"); d != "" {
		return d
	}
	return "/work/shared/seeds"
}

var (
	seedMu    sync.Mutex
	seedCache = map[string][]string{}
)

// seedLines returns the lines of a seed file (index 0 is line 1), skipping the test when the
// seeds folder is absent.
func seedLines(t *testing.T, name string) []string {
	t.Helper()
	if _, err := os.Stat(seedsDir()); err != nil {
		t.Skipf("seed papers not available (%v); set MIGREPLAY_SEEDS to their folder", err)
	}
	seedMu.Lock()
	defer seedMu.Unlock()
	if l, ok := seedCache[name]; ok {
		return l
	}
	b, err := os.ReadFile(filepath.Join(seedsDir(), name))
	if err != nil {
		t.Fatalf("read seed %s: %v", name, err)
	}
	l := strings.Split(string(b), "\n")
	seedCache[name] = l
	return l
}

// seedFileOf finds the seed file whose name starts with prefix ("004_").
func seedFileOf(t *testing.T, prefix string) string {
	t.Helper()
	if _, err := os.Stat(seedsDir()); err != nil {
		t.Skipf("seed papers not available (%v)", err)
	}
	m, err := filepath.Glob(filepath.Join(seedsDir(), prefix+"*.txt"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s*: want one file, got %v (%v)", prefix, m, err)
	}
	return filepath.Base(m[0])
}

// rawTable is a CSV file as header and string rows, read independently of the typed loaders.
type rawTable struct {
	name   string
	header []string
	rows   []map[string]string
}

func readRaw(t *testing.T, name string) rawTable {
	t.Helper()
	f, err := FS().Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: %d records, want a header and rows", name, len(recs))
	}
	tb := rawTable{name: name, header: recs[0]}
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		tb.rows = append(tb.rows, m)
	}
	return tb
}

func allRaw(t *testing.T) []rawTable {
	t.Helper()
	names, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	var out []rawTable
	for _, n := range names {
		out = append(out, readRaw(t, n))
	}
	return out
}

// loaders maps every embedded file to its typed loader, returning the row count.
var loaders = map[string]func() (int, error){
	FilePacketSize:     count(LoadPacketSize),
	FileCPUMemory:      count(LoadCPUMemory),
	FilePublishedR2:    count(LoadPublishedR2),
	FileMigrationTimes: count(LoadMigrationTimes),
	FileDom0CPUUse:     count(LoadDom0CPUUse),
	FileMemoryResponse: count(LoadMemoryResponse),
	FileRTTMigration:   count(LoadRTTMigration),
	FileNetperf:        count(LoadNetperf),
}

func count[T any](f func() ([]T, error)) func() (int, error) {
	return func() (int, error) {
		r, err := f()
		return len(r), err
	}
}

func TestEveryFileHasALoaderThatParsesIt(t *testing.T) {
	names, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range loaders {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(names, keys) {
		t.Fatalf("embedded files %v, loaders for %v: give every CSV a loader", names, keys)
	}
	// Row counts that follow from the papers themselves:
	want := map[string]int{
		// seed 001: 5 hypervisors × packet sizes 1500/1000/32 B × {total time, downtime}
		// (Tab.7 lists 1000 and 32 B; 1500 B comes from sections 4.2.3–4.2.4).
		FilePacketSize: 5 * 3 * 2,
		// seed 001: 15 CPU tables of 4 rows, except Tab 26 with 3 (its last row "can't be
		// calculated"), plus 15 memory tables of 3 rows.
		FileCPUMemory: 14*4 + 3 + 15*3,
		// seed 004: R² printed for 3 CPU intensities (line 81), 4 source caps (line 94),
		// memory read and write (line 133), disk (line 153); plus 2 network rows without R².
		FilePublishedR2: 3 + 4 + 2 + 1 + 2,
		// seed 000: Tables 1 and 2 have 5 memory steps each (10–50 MB).
		FileMemoryResponse: 2 * 5,
		// seed 003: Table 1.1 has rows NIC and IDC.
		FileNetperf: 2,
	}
	for _, name := range names {
		n, err := loaders[name]()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if w, ok := want[name]; ok && n != w {
			t.Errorf("%s: %d rows, want %d", name, n, w)
		}
		if n == 0 {
			t.Errorf("%s: no rows", name)
		}
	}
}

var seedFileRE = regexp.MustCompile(`^(\d{3})_[0-9a-f]{16}\.txt$`)

func TestProvenanceColumnsAreFilled(t *testing.T) {
	for _, tb := range allRaw(t) {
		for _, col := range []string{"seed_file", "source", "anchor", "seed_line", "note"} {
			if !slices.Contains(tb.header, col) {
				t.Errorf("%s: no %s column", tb.name, col)
			}
		}
		printed := 0
		for _, h := range tb.header {
			if strings.HasSuffix(h, "_as_printed") {
				printed++
			}
		}
		if printed == 0 {
			t.Errorf("%s: no *_as_printed column", tb.name)
		}
		filePrefix := strings.TrimPrefix(filepath.Base(tb.name), "seed")[:3]
		for i, r := range tb.rows {
			where := fmt.Sprintf("%s row %d", tb.name, i+2)
			for _, col := range []string{"seed_file", "source", "anchor", "seed_line"} {
				if strings.TrimSpace(r[col]) == "" {
					t.Errorf("%s: %s is empty", where, col)
				}
			}
			m := seedFileRE.FindStringSubmatch(r["seed_file"])
			if m == nil {
				t.Errorf("%s: seed_file %q is not a seed file name", where, r["seed_file"])
			} else if m[1] != filePrefix {
				t.Errorf("%s: seed_file %q does not belong to a seed%s_ file", where, r["seed_file"], filePrefix)
			}
			if n, err := strconv.Atoi(r["seed_line"]); err != nil || n < 1 {
				t.Errorf("%s: seed_line %q is not a positive line number", where, r["seed_line"])
			}
		}
	}
}

// printedElsewhere says which *_as_printed cells do not stand on the value's own line: column
// headers sit above the table; units are checked against the value; the packet size of the
// Xen-PV 1500 B values is stated on line 183, not in the sentences that give the values.
func printedElsewhere(col string, row map[string]string) bool {
	switch {
	case col == "column_as_printed", col == "header_as_printed", strings.HasSuffix(col, "unit_as_printed"):
		return true
	case col == "packet_size_as_printed":
		return !strings.HasPrefix(row["source"], "Tab")
	}
	return false
}

// TestEveryPrintedValueStandsOnItsSeedLine checks each row against the seed's text: every
// as-printed cell occurs verbatim on seed_line, and the anchor occurs on that line or within the
// 60 lines before it.
func TestEveryPrintedValueStandsOnItsSeedLine(t *testing.T) {
	for _, tb := range allRaw(t) {
		for i, r := range tb.rows {
			where := fmt.Sprintf("%s row %d", tb.name, i+2)
			lines := seedLines(t, r["seed_file"])
			n, _ := strconv.Atoi(r["seed_line"])
			if n < 1 || n > len(lines) {
				t.Errorf("%s: seed_line %d outside %s (%d lines)", where, n, r["seed_file"], len(lines))
				continue
			}
			line := lines[n-1]
			for _, col := range tb.header {
				v := r[col]
				if !strings.HasSuffix(col, "_as_printed") || v == "" || printedElsewhere(col, r) {
					continue
				}
				if !strings.Contains(line, v) {
					t.Errorf("%s: %s %q is not on %s line %d: %.120q", where, col, v, r["seed_file"], n, line)
				}
			}
			found := false
			for k := n; k >= max(1, n-60); k-- {
				if strings.Contains(lines[k-1], r["anchor"]) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: anchor %q not within 60 lines before %s line %d", where, r["anchor"], r["seed_file"], n)
			}
		}
	}
}

// number extracts the first number of a printed cell, reading a decimal comma (and the scan's
// stray space after it, "24, 2%") as a decimal point. ok is false when the cell has no digits
// ("No limit", "It can't be calculated").
var numberRE = regexp.MustCompile(`\d+(?:, ?\d+|\.\d+)?`)

func number(s string) (x float64, ok bool) {
	m := numberRE.FindString(s)
	if m == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(m, " ", ""), ",", "."), 64)
	return x, err == nil
}

func secondsPerUnit(unit string) float64 {
	if unit == "ms" {
		return 1e-3
	}
	return 1 // "sec", "sek", "seconds", or no unit printed (each such row has a note)
}

// conversion pairs a printed column with the numeric column derived from it.
type conversion struct {
	printed, numeric string
	scale            func(row map[string]string) float64
	unitSuffix       bool // the printed cell ends with unit_as_printed when that is set
}

func one(map[string]string) float64 { return 1 }

var conversions = map[string][]conversion{
	FilePacketSize: {
		{"value_as_printed", "value_s", func(r map[string]string) float64 { return secondsPerUnit(r["unit_as_printed"]) }, true},
		{"packet_size_as_printed", "packet_size_bytes", one, false},
	},
	FileCPUMemory: {
		{"value_as_printed", "value_pct", one, true},
		{"time_as_printed", "time_s", one, false},
	},
	FilePublishedR2:    {{"r2_as_printed", "r2_fraction", func(map[string]string) float64 { return 0.01 }, true}},
	FileMigrationTimes: {{"time_as_printed", "time_s", one, true}},
	FileDom0CPUUse:     {{"value_as_printed", "dom0_cpu_pct", one, true}},
	FileMemoryResponse: {
		{"memory_as_printed", "memory_mb", one, false},
		{"response_as_printed", "response_ms", one, false},
		{"cpu_as_printed", "cpu_pct", one, false},
	},
	FileRTTMigration: {{"rtt_as_printed", "rtt_ms", one, false}},
	FileNetperf: {
		{"throughput_as_printed", "throughput_mbit_s", one, false},
		{"cpu_as_printed", "cpu_pct", one, false},
	},
}

// Numeric columns that are not conversions of a printed cell: experiment settings stated in
// prose (caps, times into a run) and the fit coefficients the paper does not print.
// seed001_cpu_memory.csv's packet_size_bytes comes from the MTU heading above each table
// (checked in TestSeed001TablesCellByCell).
var settingColumns = []string{"packet_size_bytes", "domu_cap_pct", "source_dom0_cap_pct", "x_low_pct", "x_high_pct", "t_start_s", "t_end_s", "seed_line", "table"}

var unitSuffixRE = regexp.MustCompile(`_(s|ms|pct|mb|bytes|fraction|mbit_s)$`)

// TestNumbersFollowFromPrintedValues re-derives every numeric value from its printed text with an
// independent parser (decimal comma → point, unit factor) and requires equality; a printed cell
// without digits must leave the numeric column empty.
func TestNumbersFollowFromPrintedValues(t *testing.T) {
	for _, tb := range allRaw(t) {
		convs, ok := conversions[tb.name]
		if !ok {
			t.Errorf("%s: no conversions listed", tb.name)
			continue
		}
		covered := map[string]bool{}
		for _, c := range convs {
			covered[c.numeric] = true
		}
		for _, h := range tb.header {
			if unitSuffixRE.MatchString(h) && !covered[h] && !slices.Contains(settingColumns, h) {
				t.Errorf("%s: numeric column %s is neither checked against a printed value nor listed as a setting", tb.name, h)
			}
		}
		for i, r := range tb.rows {
			where := fmt.Sprintf("%s row %d", tb.name, i+2)
			for _, c := range convs {
				p, numText := r[c.printed], r[c.numeric]
				x, hasNum := number(p)
				if !hasNum {
					if numText != "" {
						t.Errorf("%s: %s %q has no number but %s is %q", where, c.printed, p, c.numeric, numText)
					}
					continue
				}
				got, err := strconv.ParseFloat(numText, 64)
				if err != nil {
					t.Errorf("%s: %s %q is printed but %s %q does not parse: %v", where, c.printed, p, c.numeric, numText, err)
					continue
				}
				want := x * c.scale(r)
				if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("%s: %s %q gives %g, but %s is %g", where, c.printed, p, want, c.numeric, got)
				}
				if u := r["unit_as_printed"]; c.unitSuffix && u != "" && !strings.HasSuffix(p, u) {
					t.Errorf("%s: %s %q does not end with unit_as_printed %q", where, c.printed, p, u)
				}
			}
		}
	}
}

// TestSeed001TablesCellByCell checks the rows taken from seed 001's tables against the table
// layout in the text: the nearest caption above the row is the row's table, the row's cells sit
// in the columns the CSV says, and the column header matches.
func TestSeed001TablesCellByCell(t *testing.T) {
	packet, err := LoadPacketSize()
	if err != nil {
		t.Fatal(err)
	}
	res, err := LoadCPUMemory()
	if err != nil {
		t.Fatal(err)
	}
	cells := func(s string) []string {
		f := strings.Split(s, "\t")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		return f
	}
	// caption returns the nearest line above n that starts with "Tab" and the first non-empty
	// line after it (the column headers).
	caption := func(lines []string, n int) (capLine int, header []string) {
		for k := n - 1; k >= 1; k-- {
			if strings.HasPrefix(lines[k-1], "Tab") {
				for h := k + 1; h < n; h++ {
					if strings.TrimSpace(lines[h-1]) != "" {
						return k, cells(lines[h-1])
					}
				}
				return k, nil
			}
		}
		return 0, nil
	}
	checked := 0
	for _, r := range packet {
		if !strings.HasPrefix(r.Source, "Tab") {
			continue
		}
		lines := seedLines(t, r.SeedFile)
		row := cells(lines[r.SeedLine-1])
		capLine, header := caption(lines, r.SeedLine)
		if capLine == 0 || !strings.HasPrefix(lines[capLine-1], r.Source+" ") {
			t.Errorf("%s line %d: nearest caption is %q, want %s", r.SeedFile, r.SeedLine, lines[max(capLine, 1)-1], r.Source)
			continue
		}
		if hv, _ := seed001Heading(lines, capLine); hv != r.Hypervisor {
			t.Errorf("%s line %d: section heading says %s, CSV says %s", r.SeedFile, r.SeedLine, hv, r.Hypervisor)
		}
		col := 1
		if r.Metric == MetricDowntime {
			col = len(row) - 1
		}
		if len(row) < 3 || len(row) != len(header) || row[0] != r.PacketSizeAsPrinted || row[col] != r.ValueAsPrinted || header[col] != r.ColumnAsPrinted {
			t.Errorf("%s line %d (%s %s %s): row %q under header %q; CSV says %q in column %q", r.SeedFile, r.SeedLine, r.Hypervisor, r.PacketSizeAsPrinted, r.Metric, row, header, r.ValueAsPrinted, r.ColumnAsPrinted)
		}
		checked++
	}
	for _, r := range res {
		lines := seedLines(t, r.SeedFile)
		row := cells(lines[r.SeedLine-1])
		capLine, header := caption(lines, r.SeedLine)
		if capLine == 0 || !strings.HasPrefix(lines[capLine-1], r.Source+" ") {
			t.Errorf("%s line %d: nearest caption is %q, want %s", r.SeedFile, r.SeedLine, lines[max(capLine, 1)-1], r.Source)
			continue
		}
		if len(row) != 2 || row[0] != r.ValueAsPrinted || row[1] != r.TimeAsPrinted || len(header) != 2 || header[0] != r.HeaderAsPrinted {
			t.Errorf("%s line %d (%s): row %q under header %q; CSV says value %q, time %q, header %q", r.SeedFile, r.SeedLine, r.Source, row, header, r.ValueAsPrinted, r.TimeAsPrinted, r.HeaderAsPrinted)
			continue
		}
		if hv, mtu := seed001Heading(lines, capLine); hv != r.Hypervisor || mtu != r.PacketSizeBytes {
			t.Errorf("%s line %d (%s): headings above say %s at %d B; CSV says %s at %d B", r.SeedFile, r.SeedLine, r.Source, hv, mtu, r.Hypervisor, r.PacketSizeBytes)
		}
		if got := strings.Contains(header[1], "(sec)"); got != (r.TimeUnitAsPrinted == "sec") {
			t.Errorf("%s line %d: time header %q, time_unit_as_printed %q", r.SeedFile, r.SeedLine, header[1], r.TimeUnitAsPrinted)
		}
		checked++
	}
	// Tab.7: 2 rows × 2 metrics; Tab.14/21/28/35: 3 rows × 2 metrics; 104 CPU/memory samples.
	if want := 2*2 + 4*3*2 + 104; checked != want {
		t.Errorf("checked %d table rows, want %d", checked, want)
	}
}

var (
	seed001SectionRE = regexp.MustCompile(`^#{3,4} 4\.(\d) (\S+)`)
	seed001MTURE     = regexp.MustCompile(`^(?:#{4,5} |\*\*)MTU ?=? ?(\d+) B`)
)

// seed001Heading reads the hypervisor and MTU that govern line n of seed 001 from the headings
// above it: the nearest section "4.k <name>" and the nearest "MTU … B" heading inside it. Before
// the first MTU heading of section 4.2 the MTU is 1500 B (line 183: "the results taken till now
// belong to the case when the packet data size is 1500 B"). Section 4.3 is headed "Xen-FV"; its
// tables say Xen-HVM.
func seed001Heading(lines []string, n int) (hypervisor string, mtu int) {
	for k := n; k >= 1; k-- {
		l := lines[k-1]
		if m := seed001MTURE.FindStringSubmatch(l); m != nil && mtu == 0 {
			mtu, _ = strconv.Atoi(m[1])
		}
		if s := seed001SectionRE.FindStringSubmatch(l); s != nil {
			if mtu == 0 {
				mtu = 1500
			}
			return seed001Name(s[2]), mtu
		}
	}
	return "", 0
}

func seed001Name(heading string) string {
	if heading == "Xen-FV" {
		return XenHVM
	}
	return heading
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "empty"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// TestSeed001XenPV1500FromText finds the Xen-PV 1500 B values in sections 4.2.3 and 4.2.4 by their
// wording and compares them with the CSV (the text gives 2,66 sec and 4 ms).
func TestSeed001XenPV1500FromText(t *testing.T) {
	name := seedFileOf(t, "001_")
	text := strings.Join(seedLines(t, name), "\n")
	total := regexp.MustCompile(`average total transferring time in our test is evaluated \*\*(\d+,\d+) sec\*\*`).FindStringSubmatch(text)
	down := regexp.MustCompile(`The downtime is evaluated \*\*(\d+) ms\*\*`).FindStringSubmatch(text)
	if total == nil || down == nil {
		t.Fatalf("sections 4.2.3/4.2.4 wording not found in %s", name)
	}
	wantTotal, _ := number(total[1])
	wantDown, _ := number(down[1])
	rows, err := LoadPacketSize()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range rows {
		if r.Hypervisor == XenPV && r.PacketSizeBytes == 1500 && r.Seconds != nil {
			got[r.Metric] = *r.Seconds
		}
	}
	if got[MetricTotalTime] != wantTotal || math.Abs(got[MetricDowntime]-wantDown*1e-3) > 1e-15 {
		t.Errorf("Xen-PV 1500 B: CSV total %g s, downtime %g s; text %g s, %g ms", got[MetricTotalTime], got[MetricDowntime], wantTotal, wantDown)
	}
}

// TestSeed004R2MatchesTheText parses seed 004's sentences that list R² values "respectively" and
// checks that each value went to the right experiment, at the right line, and that the CSV holds
// no printed R² the text does not.
func TestSeed004R2MatchesTheText(t *testing.T) {
	name := seedFileOf(t, "004_")
	lines := seedLines(t, name)
	rows, err := LoadPublishedR2()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]PublishedR2Row{}
	for _, r := range rows {
		byID[r.ExperimentID] = r
	}
	type want struct {
		id   string
		pct  string
		line int
	}
	var wants []want
	patterns := []struct {
		re *regexp.Regexp
		// ids maps the submatches to (experiment id, R² submatch index) pairs.
		ids func(m []string) [][2]string
	}{
		{regexp.MustCompile(`(\d+)%, (\d+)%, and (\d+)% CPU-intensity is ([\d.]+)%, ([\d.]+)%, and ([\d.]+)%`),
			func(m []string) [][2]string {
				return [][2]string{{"cpu-domu" + m[1], m[4]}, {"cpu-domu" + m[2], m[5]}, {"cpu-domu" + m[3], m[6]}}
			}},
		{regexp.MustCompile(`given (\d+)%, (\d+)%, and (\d+)% of CPU, the coefficient of determination are ([\d.]+)%, ([\d.]+)%, and ([\d.]+)%`),
			func(m []string) [][2]string {
				return [][2]string{{"dest-src" + m[1], m[4]}, {"dest-src" + m[2], m[5]}, {"dest-src" + m[3], m[6]}}
			}},
		{regexp.MustCompile(`CPU cap of (\d+)%\. The coefficient of determination for this modeling is ([\d.]+)%`),
			func(m []string) [][2]string { return [][2]string{{"dest-src" + m[1], m[2]}} }},
		{regexp.MustCompile(`memory read and write benchmark.{0,80}? are ([\d.]+)% and ([\d.]+)%`),
			func(m []string) [][2]string { return [][2]string{{"mem-read", m[1]}, {"mem-write", m[2]}} }},
		{regexp.MustCompile(`disk I/O-intensive application.{0,120}? equal to ([\d.]+)%`),
			func(m []string) [][2]string { return [][2]string{{"disk-read", m[1]}} }},
	}
	for i, l := range lines {
		for _, p := range patterns {
			for _, m := range p.re.FindAllStringSubmatch(l, -1) {
				for _, pair := range p.ids(m) {
					wants = append(wants, want{pair[0], pair[1], i + 1})
				}
			}
		}
	}
	if len(wants) != 10 {
		t.Fatalf("found %d R² values in %s, want the 10 of sections 4.A–4.C: %v", len(wants), name, wants)
	}
	printed := 0
	for _, r := range rows {
		if r.Status == StatusPrinted {
			printed++
		}
	}
	if printed != len(wants) {
		t.Errorf("CSV has %d printed R² values, the text %d", printed, len(wants))
	}
	for _, w := range wants {
		r, ok := byID[w.id]
		if !ok {
			t.Errorf("no CSV row for %s (R² %s%% on line %d)", w.id, w.pct, w.line)
			continue
		}
		x, _ := strconv.ParseFloat(w.pct, 64)
		if r.R2AsPrinted != w.pct+"%" || r.R2 == nil || math.Abs(*r.R2-x/100) > 1e-12 || r.SeedLine != w.line {
			t.Errorf("%s: CSV %q (%s) at line %d; text %s%% at line %d", w.id, r.R2AsPrinted, fmtPtr(r.R2), r.SeedLine, w.pct, w.line)
		}
		if strings.HasPrefix(w.id, "dest-src") {
			src, _ := strconv.ParseFloat(strings.TrimPrefix(w.id, "dest-src"), 64)
			if r.SourceDom0CapPct == nil || *r.SourceDom0CapPct != src || r.Varied != "destination_dom0_cap" {
				t.Errorf("%s: source cap %s, varied %s; want %g, destination_dom0_cap", w.id, fmtPtr(r.SourceDom0CapPct), r.Varied, src)
			}
		}
	}
	if d := byID["cpu-domu0"].Decimals(); d != 1 {
		t.Errorf("94.1%% has %d decimals, want 1", d)
	}
	if d := byID["dest-src20"].Decimals(); d != 0 {
		t.Errorf("75%% has %d decimals, want 0", d)
	}
	if d := byID["mem-write"].Decimals(); d != 2 {
		t.Errorf("97.08%% has %d decimals, want 2", d)
	}
}

// TestSeed004TimesMatchTheText reads section 4.A's numbers ("from 10% to 50 %, ... from about 100
// seconds to about 20 seconds ... about 17 seconds") and compares them with the CSV.
func TestSeed004TimesMatchTheText(t *testing.T) {
	name := seedFileOf(t, "004_")
	text := strings.Join(seedLines(t, name), "\n")
	m := regexp.MustCompile(`increases from (\d+)% to (\d+) %,the migration time drops dramatically, from about (\d+) seconds to about (\d+) seconds\. However, after Dom0's CPU allocation exceeds (\d+)% the migration time stays at the same level of about (\d+) seconds`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("section 4.A sentence not found in %s", name)
	}
	f := func(s string) float64 { x, _ := strconv.ParseFloat(s, 64); return x }
	rows, err := LoadMigrationTimes()
	if err != nil {
		t.Fatal(err)
	}
	var pts []MigrationTimeRow
	for _, r := range rows {
		if r.ExperimentID == "cpu-all" {
			pts = append(pts, r)
		}
	}
	if len(pts) != 3 {
		t.Fatalf("cpu-all: %d rows, want 3", len(pts))
	}
	want := []struct {
		low, time float64
		kind      string
	}{{f(m[1]), f(m[3]), KindPoint}, {f(m[2]), f(m[4]), KindPoint}, {f(m[5]), f(m[6]), KindPlateau}}
	for i, w := range want {
		r := pts[i]
		if r.XLowPct == nil || *r.XLowPct != w.low || r.TimeS == nil || *r.TimeS != w.time || r.Kind != w.kind || r.XVariable != "source_dom0_cap" {
			t.Errorf("cpu-all row %d: x_low %s, time %s, kind %s; text: %g %%, %g s, %s", i, fmtPtr(r.XLowPct), fmtPtr(r.TimeS), r.Kind, w.low, w.time, w.kind)
		}
	}
}

// TestLoaderRejectsBrokenCSV feeds the strict decoder broken copies of the packet-size file and
// expects an ErrInvalid that names the file and line.
func TestLoaderRejectsBrokenCSV(t *testing.T) {
	good := readRaw(t, FilePacketSize)
	header := strings.Join(good.header, ",")
	row := func(edit func(map[string]string)) string {
		r := map[string]string{}
		for k, v := range good.rows[2] { // Tab.7, Xen-PV 1000 B total time
			r[k] = v
		}
		edit(r)
		var b strings.Builder
		w := csv.NewWriter(&b)
		var rec []string
		for _, h := range good.header {
			rec = append(rec, r[h])
		}
		_ = w.Write(rec)
		w.Flush()
		return b.String()
	}
	cases := []struct {
		name, data, want string
	}{
		{"missing column", strings.Replace(header, ",note", "", 1) + "\n", `column "note" is missing`},
		{"unknown column", header + ",extra\n", `column "extra" has no field`},
		{"bad number", header + "\n" + row(func(r map[string]string) { r["value_s"] = "3,8" }), "bad.csv:2:"},
		{"NaN", header + "\n" + row(func(r map[string]string) { r["value_s"] = "NaN" }), "not a finite number"},
		{"measured without value", header + "\n" + row(func(r map[string]string) { r["value_s"] = "" }), `status "measured" but value_s is empty`},
		{"value without measurement", header + "\n" + row(func(r map[string]string) { r["status"] = StatusDidNotFinish }), `a value belongs only to status "measured"`},
		{"unknown metric", header + "\n" + row(func(r map[string]string) { r["metric"] = "time" }), `metric "time"`},
		{"unknown hypervisor", header + "\n" + row(func(r map[string]string) { r["hypervisor"] = "VMware" }), `hypervisor "VMware"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"seeds/bad.csv": {Data: []byte(c.data)}}
			_, err := load[PacketSizeRow](fsys, "seeds/bad.csv")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "seeds/bad.csv") {
				t.Errorf("error %q: want ErrInvalid naming seeds/bad.csv and containing %q", err, c.want)
			}
		})
	}
	// The unedited row decodes: the failures above come from the edits.
	fsys := fstest.MapFS{"seeds/ok.csv": {Data: []byte(header + "\n" + row(func(map[string]string) {}))}}
	if rows, err := load[PacketSizeRow](fsys, "seeds/ok.csv"); err != nil || len(rows) != 1 {
		t.Fatalf("unedited row: %v, %d rows", err, len(rows))
	}
}

func TestPacketSizeSeries(t *testing.T) {
	rows, err := LoadPacketSize()
	if err != nil {
		t.Fatal(err)
	}
	// Seed 001 Tab.7 (1000 B: 3,8 sek; 32 B: 5,8 sek) and section 4.2.3 (1500 B: 2,66 sec).
	x, y, skipped := PacketSizeSeries(rows, XenPV, MetricTotalTime)
	if !slices.Equal(x, []float64{32, 1000, 1500}) || !slices.Equal(y, []float64{5.8, 3.8, 2.66}) || skipped != 0 {
		t.Errorf("Xen-PV total: x %v y %v skipped %d", x, y, skipped)
	}
	// Seed 001 Tab.28: KVM-FV at 32 B printed "No limit" (never finished).
	x, y, skipped = PacketSizeSeries(rows, KVMFV, MetricDowntime)
	if !slices.Equal(x, []float64{1000, 1500}) || !slices.Equal(y, []float64{0.014, 0.011}) || skipped != 1 {
		t.Errorf("KVM-FV downtime: x %v y %v skipped %d", x, y, skipped)
	}
	// Every hypervisor's series shrinks as packets grow, as the paper concludes (section 5, item 3).
	for _, h := range Hypervisors() {
		for _, m := range []string{MetricTotalTime, MetricDowntime} {
			_, y, _ := PacketSizeSeries(rows, h, m)
			for i := 1; i < len(y); i++ {
				if y[i] >= y[i-1] {
					t.Errorf("%s %s: %v does not fall as packets grow", h, m, y)
				}
			}
		}
	}
}

func ExamplePacketSizeSeries() {
	rows, err := LoadPacketSize()
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y, _ := PacketSizeSeries(rows, XenHVM, MetricTotalTime)
	for i := range x {
		fmt.Printf("%4.0f B  %.2f s\n", x[i], y[i])
	}
	// Output:
	//   32 B  8.52 s
	// 1000 B  4.77 s
	// 1500 B  4.10 s
}
