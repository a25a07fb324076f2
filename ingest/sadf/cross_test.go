package sadf_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/ingest/sar"
)

func drain(t *testing.T, newp parsetest.New, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return drainBytes(t, newp, b, parse.Options{File: path})
}

// drainBytes reads b with newp strictly into JSON-like maps, each with its
// table name.
func drainBytes(t *testing.T, newp parsetest.New, b []byte, opt parse.Options) []map[string]any {
	t.Helper()
	res := parsetest.Drain(newp, b, opt)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.CheckBalanced(t, res.Stats)
	var out []map[string]any
	for _, r := range res.Rows {
		j, _ := json.Marshal(r)
		var m map[string]any
		if err := json.Unmarshal(j, &m); err != nil {
			t.Fatal(err)
		}
		m["table"] = r.TableName()
		out = append(out, m)
	}
	return out
}

// keys renders rows as sorted strings, dropping the named fields.
func keys(rows []map[string]any, drop ...string) []string {
	var out []string
	for _, m := range rows {
		var parts []string
		for k, v := range m {
			if slices.Contains(drop, k) {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
		slices.Sort(parts)
		out = append(out, strings.Join(parts, " "))
	}
	slices.Sort(out)
	return out
}

// sysstat 12.6.1 rendered one sa file (the shared samples) as sar -A text,
// sadf -d -A and sadf -j -A. The three parsers must agree: every row of the
// tables of their own identical, and sar_other identical between text and
// CSV; sadf -j names metrics by its keys (cswch, not cswch/s), so there
// sar_other must agree on everything but the metric name.
func TestThreeFormatsAgree(t *testing.T) {
	text := drain(t, func(r io.Reader, o parse.Options) parse.Parser { return sar.NewParser(r, o) },
		"../sar/testdata/sar_A_LC_C/input.txt")
	csv := drain(t, newCSV, "testdata/sadf_d_A/input.txt")
	js := drain(t, newJSON, "testdata/sadf_j_A/input.txt")
	if len(text) != 1680 {
		t.Fatalf("text: %d rows", len(text))
	}
	compare := func(name string, a, b []string) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: %d rows vs %d", name, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: first difference:\n%s\n%s", name, a[i], b[i])
			}
		}
	}
	compare("text vs sadf -d", keys(text), keys(csv))
	// sadf -j prints the disk's pre-11.6 sector columns beside the kB
	// ones; sar text only the kB ones. Sectors are 512 B, kB 1024 B.
	for _, m := range js {
		if m["table"] != "sar_disk" {
			continue
		}
		for sec, kb := range map[string]string{"RdSec": "RKB", "WrSec": "WKB", "DcSec": "DKB", "AvgRqSz": "AReqSz"} {
			s, k := m[sec].(float64), m[kb].(float64)
			if s != 2*k {
				t.Errorf("sadf -j disk %v: %s = %v, want 2 × %s = %v", m["Time"], sec, s, kb, 2*k)
			}
		}
	}
	compare("text vs sadf -j", keys(text, "Metric", "RdSec", "WrSec", "DcSec", "AvgRqSz"),
		keys(js, "Metric", "RdSec", "WrSec", "DcSec", "AvgRqSz"))
}

// Every file of the shared samples except the binary sa file is claimed by
// exactly one detector (sar text, sadf -d, sadf -j) and ingests strictly
// with no reject.
func TestSamplesStrict(t *testing.T) {
	const dir = "../../../shared/samples/sar"
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skip("no shared samples at " + dir)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".sa") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			head := b[:min(len(b), 64<<10)]
			var newp parsetest.New
			n := 0
			if sar.Detect(head) {
				n++
				newp = func(r io.Reader, o parse.Options) parse.Parser { return sar.NewParser(r, o) }
			}
			if sadf.DetectCSV(head) {
				n++
				newp = newCSV
			}
			if sadf.DetectJSON(head) {
				n++
				newp = newJSON
			}
			if n != 1 {
				t.Fatalf("%d detectors claim it", n)
			}
			res := parsetest.Drain(newp, b, parse.Options{File: f})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.CheckBalanced(t, res.Stats)
			if res.Stats.Reject != 0 || res.Stats.Data == 0 {
				t.Fatalf("stats %+v", res.Stats)
			}
		})
	}
}
