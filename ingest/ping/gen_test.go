package ping_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/ping"
	"github.com/migreplay/migreplay/schema"
)

// Generate's output parses strictly, and its closing statistics agree with
// the reply rows: the summary is computed by the generator from the µs
// values it drew, the rows are what the parser read back from the text.
func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	if err := ping.Generate(&a, 300_000, 7); err != nil {
		t.Fatal(err)
	}
	if err := ping.Generate(&b, 300_000, 7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different output")
	}
	if !ping.Detect(a.Bytes()[:64<<10]) {
		t.Fatal("not detected")
	}
	reps, sums, st := drain(t, a.Bytes(), parse.Options{})
	if len(sums) != 1 || st.Reject != 0 || !st.Balanced() {
		t.Fatalf("summaries %d, stats %+v", len(sums), st)
	}
	s := sums[0]
	var replies, dups, timeouts, wraps int64
	var sum float64
	lo, hi := math.Inf(1), math.Inf(-1)
	prec := map[int]bool{}
	var prev int64
	for _, r := range reps {
		switch r.Status {
		case schema.PingStatusTimeout:
			timeouts++
			continue
		case schema.PingStatusReply:
			replies++
			if *r.Seq < prev-30000 {
				wraps++
			}
			prev = *r.Seq
		case schema.PingStatusDup:
			dups++
		}
		v := *r.RTTMs
		sum += v
		lo, hi = min(lo, v), max(hi, v)
		switch {
		case v < 1:
			prec[3] = true
		case v < 10:
			prec[2] = true
		case v < 100:
			prec[1] = true
		default:
			prec[0] = true
		}
	}
	if replies != 300_000 || replies != s.Received || dups != 1 || s.Duplicates != 1 {
		t.Errorf("replies %d dups %d, summary %+v", replies, dups, s)
	}
	if timeouts < 3*5 || wraps != 4 || len(prec) != 4 {
		t.Errorf("timeouts %d, seq wraps %d, precisions %v", timeouts, wraps, prec)
	}
	mean := sum / float64(replies+dups)
	// time= is rounded to 3, 2, 1 or 0 decimals by magnitude, the summary
	// prints exact microseconds: compare within half the printed precision.
	if math.Abs(*s.RTTMinMs-lo) > half(lo) || math.Abs(*s.RTTMaxMs-hi) > half(hi) || math.Abs(*s.RTTAvgMs-mean) > 0.001 {
		t.Errorf("summary %v/%v/%v, rows %v/%v/%v", *s.RTTMinMs, *s.RTTAvgMs, *s.RTTMaxMs, lo, mean, hi)
	}
	if s.Pipe == nil || *s.Pipe < 2 || s.TimeMs == nil || *s.TimeMs < (s.Transmitted-1)*10 {
		t.Errorf("pipe %v time %v", s.Pipe, s.TimeMs)
	}
}

// half is half a unit of the last decimal iputils prints for v ms.
func half(v float64) float64 {
	switch {
	case v < 1:
		return 0
	case v < 10:
		return 0.005
	case v < 100:
		return 0.05
	}
	return 0.5
}
