package lakeio_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/replay/lakeio"
)

// ReadLakeTrace on the lake that ingesting the bundled traces
// (datasets/traces) builds, one source at a time. Expected values come
// from the raw files, read independently of the parsers by
// replay/testdata/trace_refs.py (Python 3.11 json and re):
//
//   - qmp (the default: the lake has qmp_migrate): kvm1.qmp.jsonl's
//     dirty-pages-rate by TraceFromQMP's rules, three values (4108 from
//     0 s, 7181 from 11.9 s, 7780 from 13.3 s), time-weighted mean
//     4750.38095238 pages/s; FiguresFromQMP: ram.total
//     4,312,006,656 B, zero share 736,915 duplicate of 1,052,736 pages,
//     median ram.mbps 924.395 over 19 active polls;
//   - sar: vm.sar_B.txt, fault/s 18, 714, 1, 1743, 1 at 1 s intervals and
//     pgpgin/s 0: mean 495.4 pages/s, sar's own "Average:" line (the same
//     intervals also arrive from vm.sar_A_LC_C.txt, vm.sadf_d_A.csv and
//     vm.sadf_j_A.json: counted once);
//   - xentop: lab1.xentop.txt.gz, domain app07 (its --migratedaway and
//     --incoming rows summed per frame, frame 0 skipped): time-weighted
//     mean CPU(%) 239.568661009 over 337 frames, so 2395.68661009 pages/s at 1,000 per busy CPU; MEM(k)
//     12,582,900.
func TestReadLakeTraceIngested(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the bundled traces")
	}
	dir := t.TempDir()
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: dir}, []string{"../../datasets/traces"}); err != nil {
		t.Fatal(err)
	}
	near := func(got, want, rtol float64) bool { return math.Abs(got-want) <= rtol*math.Abs(want) }

	q, err := lakeio.ReadLakeTrace(dir, lakeio.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Source != lakeio.SourceQMP || q.Host != "kvm1" || len(q.Trace.Times) != 3 || !near(q.Trace.MeanRate(), 4750.38095238, 1e-11) {
		t.Errorf("qmp: %s %s %d samples, mean %.12g", q.Source, q.Host, len(q.Trace.Times), q.Trace.MeanRate())
	}
	f := replay.FiguresFromQMP(*q.Migration)
	if f.Memory != 4312006656 || f.PageSize != 4096 || !f.HasZeroShare || !near(f.ZeroShare, 736915.0/1052736, 1e-15) || !near(f.Rate, 924.395e6/8, 1e-15) {
		t.Errorf("qmp figures %+v", f)
	}

	s, err := lakeio.ReadLakeTrace(dir, lakeio.Query{Source: lakeio.SourceSar})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "vm" || len(s.Trace.Times) != 5 || !near(s.Trace.MeanRate(), 495.4, 1e-12) {
		t.Errorf("sar: %s %v %v mean %.12g", s.Host, s.Trace.Times, s.Trace.Rates, s.Trace.MeanRate())
	}

	if _, err := lakeio.ReadLakeTrace(dir, lakeio.Query{Source: lakeio.SourceXentop, DirtyPerCPU: 1000}); !errors.Is(err, replay.ErrTrace) ||
		!strings.Contains(err.Error(), `host lab1 runs 7 domains besides Domain-0 ("Batch-Runner-long-name", "app07", "cache 03", "db-primary", "web01", "web02", "zz-monitor"`) {
		t.Errorf("xentop without a domain: %v", err)
	}
	x, err := lakeio.ReadLakeTrace(dir, lakeio.Query{Source: lakeio.SourceXentop, Domain: "app07", DirtyPerCPU: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if x.Host != "lab1" || len(x.Trace.Times) != 337 || !near(x.Trace.MeanRate(), 2395.68661009, 1e-6) || x.Memory != 12582900<<10 {
		t.Errorf("xentop: %s %d frames, mean %.12g, memory %d", x.Host, len(x.Trace.Times), x.Trace.MeanRate(), x.Memory)
	}
}
