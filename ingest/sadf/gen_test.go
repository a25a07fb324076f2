package sadf_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sadf"
)

// GenerateCSV's output is sadf -d that this parser reads strictly, every
// line a row or a header; the same seed gives the same bytes.
func TestGenerateCSV(t *testing.T) {
	var a, b bytes.Buffer
	if err := sadf.GenerateCSV(&a, 2<<20, 42); err != nil {
		t.Fatal(err)
	}
	if err := sadf.GenerateCSV(&b, 2<<20, 42); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different output")
	}
	if a.Len() < 2<<20 {
		t.Fatalf("%d bytes", a.Len())
	}
	if !sadf.DetectCSV(a.Bytes()[:64<<10]) {
		t.Fatal("DetectCSV = false")
	}
	p := sadf.NewCSVParser(bytes.NewReader(a.Bytes()), parse.Options{})
	tables := map[string]int{}
	for p.Next() {
		tables[p.Record().TableName()]++
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	st := p.Stats()
	if !st.Balanced() || st.Reject != 0 || st.Data+int64(bytes.Count(a.Bytes(), []byte("\n# "))+1) != st.Lines {
		t.Fatalf("%+v", st)
	}
	for _, tb := range []string{"sar_cpu", "sar_memory", "sar_paging", "sar_queue", "sar_net_dev", "sar_disk", "sar_other"} {
		if tables[tb] == 0 {
			t.Errorf("no %s rows", tb)
		}
	}
}

// GenerateCSVHosts interleaves hosts by time (each sample round in the
// order of the hosts' sampling offsets), and with byHost prints the same
// rows host after host: every host's rows, in order, are the same in both
// layouts, and both parse strictly.
func TestGenerateCSVHosts(t *testing.T) {
	var inter, sorted bytes.Buffer
	if err := sadf.GenerateCSVHosts(&inter, 1<<20, 7, 16, false); err != nil {
		t.Fatal(err)
	}
	if err := sadf.GenerateCSVHosts(&sorted, 1<<20, 7, 16, true); err != nil {
		t.Fatal(err)
	}
	rows := func(b []byte) (map[string][]string, []string) {
		per := map[string][]string{}
		var order []string
		for _, l := range strings.Split(string(b), "\n") {
			if l == "" || l[0] == '#' {
				continue
			}
			h, _, _ := strings.Cut(l, ";")
			per[h] = append(per[h], l)
			order = append(order, h)
		}
		return per, order
	}
	a, order := rows(inter.Bytes())
	b, _ := rows(sorted.Bytes())
	if len(a) != 16 || len(b) != 16 {
		t.Fatalf("%d hosts interleaved, %d by host, want 16", len(a), len(b))
	}
	for h, ra := range a {
		if !slices.Equal(ra, b[h]) {
			t.Errorf("host %s: %d rows interleaved, %d by host, or other rows", h, len(ra), len(b[h]))
		}
	}
	// interleaved: the first 16 CPU rounds of 5 rows name 16 hosts
	seen := map[string]bool{}
	for _, h := range order[:16*5] {
		seen[h] = true
	}
	if len(seen) != 16 {
		t.Errorf("the first %d rows name %d hosts, want 16 (not interleaved)", 16*5, len(seen))
	}
	for _, buf := range []*bytes.Buffer{&inter, &sorted} {
		p := sadf.NewCSVParser(bytes.NewReader(buf.Bytes()), parse.Options{})
		for p.Next() {
		}
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := sadf.GenerateCSVHosts(io.Discard, 10, 1, 0, false); err == nil {
		t.Error("0 hosts: no error")
	}
}
