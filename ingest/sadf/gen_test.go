package sadf_test

import (
	"bytes"
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
