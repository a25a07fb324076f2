package sadf_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sadf"
)

// newParser picks the parser as the ingest plumbing does, from the content:
// sadf -j when DetectJSON accepts the head, sadf -p when DetectP does, sadf
// -d otherwise.
func newParser(r io.Reader, o parse.Options) parse.Parser {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	switch {
	case sadf.DetectJSON(head):
		return sadf.NewJSONParser(br, o)
	case sadf.DetectP(head):
		return sadf.NewPParser(br, o)
	}
	return sadf.NewCSVParser(br, o)
}

func newCSV(r io.Reader, o parse.Options) parse.Parser  { return sadf.NewCSVParser(r, o) }
func newP(r io.Reader, o parse.Options) parse.Parser    { return sadf.NewPParser(r, o) }
func newJSON(r io.Reader, o parse.Options) parse.Parser { return sadf.NewJSONParser(r, o) }

// Golden cases: testdata/<case>/input.txt with want.jsonl / want.err; each
// case's source.txt says which sysstat made it or how it was written.
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

func TestDetect(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		csv, json bool
	}{
		{"sadf -d", "# hostname;interval;timestamp;CPU;%user;%nice\nvm;1;2026-11-21 23:52:03 UTC;-1;2.54;0.00\n", true, false},
		{"sadf -d restart first", "vm;-1;2026-11-21 23:52:54 UTC;LINUX-RESTART\t(2 CPU)\n# hostname;interval;timestamp;CPU\n", true, false},
		{"sadf -d cut header", "\n# hostname;interval;timestamp;CP", true, false},
		{"sadf -j", "{\"sysstat\": {\n\t\"hosts\": [\n", false, true},
		{"sadf -j minified", `{"sysstat":{"hosts":[]}}`, false, true},
		{"sadf -j cut", "  {\n \"sysstat\"", false, true},
		{"empty", "", false, false},
		{"binary", "\x00\x01\xff", false, false},
		{"sar text", "Linux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n", false, false},
		{"qmp", `{"return": {"status": "active"}}`, false, false},
		{"qmp event", `{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "MIGRATION"}`, false, false},
		{"json sysstat later", `{"other": 1, "sysstat": {}}`, false, false},
		{"ping", "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n", false, false},
		{"xentop", "      NAME  STATE   CPU(sec) CPU(%)\n", false, false},
		{"csv other", "a;b;c;d\n1;2;3;4\n", false, false},
	}
	for _, c := range cases {
		if got := sadf.DetectCSV([]byte(c.in)); got != c.csv {
			t.Errorf("%s: DetectCSV = %v", c.name, got)
		}
		if got := sadf.DetectJSON([]byte(c.in)); got != c.json {
			t.Errorf("%s: DetectJSON = %v", c.name, got)
		}
	}
}

func fuzzSeeds(f *testing.F, json bool) {
	parsetest.AddSeeds(f, "testdata/*/input.txt", func(b []byte) bool { return sadf.DetectJSON(b) == json && len(b) < 8<<10 })
}

// inParis reads local times in Europe/Paris (UTC when the zone database is
// missing), so that fuzzing reaches the zone-label checks: labels CET and
// CEST, the skipped and the repeated hour.
func inParis(newp parsetest.New) parsetest.New {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	return func(r io.Reader, o parse.Options) parse.Parser {
		o.Location = loc
		return newp(r, o)
	}
}

// The seeds are the golden inputs (sadf -d, -dh, -dT with zone labels,
// battery and USB blocks; sadf -j) and the zone fixtures of zone_test.go.
func FuzzCSV(f *testing.F) {
	fuzzSeeds(f, false)
	f.Add([]byte(zoneCSV("2019-04-18 15:20:19 CET", "2019-10-27 02:30:00 CEST", "2019-03-31 02:30:00")))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsetest.Fuzz(t, newCSV, data)
		parsetest.Fuzz(t, inParis(newCSV), data)
	})
}

func FuzzJSON(f *testing.F) {
	fuzzSeeds(f, true)
	f.Add([]byte(zoneJSON([3]string{"2019-04-18", "15:20:19", `"tz": "CET"`}, [3]string{"2019-10-27", "02:30:00", `"utc": 0`})))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsetest.Fuzz(t, newJSON, data)
		parsetest.Fuzz(t, inParis(newJSON), data)
	})
}

// A merged export (several hosts' output sorted by time, the rows of one
// host's record, then the next host's) gives each host the rows of its own
// output: sadf -d (with interrupt CPU* columns, named from each host's own
// CPU rows) and sadf -p, from sysstat 12.6.1 outputs (testdata/sadf_d_A,
// testdata/p_sample) merged with a copy of themselves under another host
// name.
func TestMergedHostsReadApart(t *testing.T) {
	for _, c := range []struct {
		dir  string
		sep  string
		newp parsetest.New
	}{{"sadf_d_A", ";", newCSV}, {"p_sample", "\t", newP}} {
		in, err := os.ReadFile(filepath.Join("testdata", c.dir, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		second, merged := parsetest.MergeHosts(in, c.sep, "other")
		opt := parse.Options{File: "merged"}
		a := parsetest.Drain(c.newp, in, opt)
		b := parsetest.Drain(c.newp, second, opt)
		m := parsetest.Drain(c.newp, merged, opt)
		for _, r := range []parsetest.Result{a, b, m} {
			if r.Err != nil {
				t.Fatalf("%s: %v", c.dir, r.Err)
			}
		}
		want := append(strings.Split(string(a.Lines()), "\n"), strings.Split(string(b.Lines()), "\n")...)
		got := strings.Split(string(m.Lines()), "\n")
		keep := func(ls []string) []string {
			var out []string
			for _, l := range ls {
				if strings.HasPrefix(l, `{"table"`) {
					out = append(out, l)
				}
			}
			slices.Sort(out)
			return out
		}
		if w, g := keep(want), keep(got); !slices.Equal(w, g) {
			t.Errorf("%s: merged gives %d records, apart %d", c.dir, len(g), len(w))
			for _, l := range g {
				if _, ok := slices.BinarySearch(w, l); !ok {
					t.Errorf("%s: merged gives %s", c.dir, l)
					break
				}
			}
		}
	}
}
