package replay

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Piecewise-constant integral, hand-calculated: rates 100 on [0,2), 300 on
// [2,5), 50 from 5 on (held).
func TestTraceWrites(t *testing.T) {
	tr, err := NewTrace([]float64{0, 2, 5}, []float64{100, 300, 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ t0, t1, want float64 }{
		{0, 2, 200}, {0, 5, 200 + 900}, {1, 3, 100 + 300}, {5, 9, 200}, {-1, 0, 100}, {4, 4, 0},
	} {
		if got := tr.Writes(c.t0, c.t1); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Writes(%g, %g) = %g, want %g", c.t0, c.t1, got, c.want)
		}
	}
	// Repeat: period = 5 + last spacing 3 = 8; one period holds
	// 200 + 900 + 50·3 = 1250 writes.
	tr.Repeat = true
	if got := tr.Writes(0, 8); math.Abs(got-1250) > 1e-9 {
		t.Errorf("repeat: one period = %g, want 1250", got)
	}
	if got := tr.Writes(8, 10); math.Abs(got-200) > 1e-9 {
		t.Errorf("repeat: second period's first 2 s = %g, want 200", got)
	}
	if got := tr.MeanRate(); math.Abs(got-1250.0/8) > 1e-9 {
		t.Errorf("MeanRate = %g, want %g", got, 1250.0/8)
	}
}

// sar -B rows of /work/shared/samples/sar/sar_B.txt (sysstat 12.6, 1 s
// interval): fault/s 18, 714, 1, 1743, 1 and pgpgin/s 0 give, by
// TraceFromSar's mapping (fault/s + pgpgin/s·1024/page size), the same
// rates in pages/s; a pgpgin of 8 KiB/s adds 2 pages/s at 4 KiB pages.
func TestTraceFromSar(t *testing.T) {
	times := []float64{1, 2, 3, 4, 5}
	tr, err := TraceFromSar(times, []float64{18, 714, 1, 1743, 1}, []float64{0, 0, 0, 8, 0}, 4096)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{18, 714, 1, 1745, 1}
	for i, w := range want {
		if tr.Rates[i] != w || tr.Times[i] != float64(i) {
			t.Errorf("sample %d: (%g, %g), want (%d, %g)", i, tr.Times[i], tr.Rates[i], i, w)
		}
	}
	if _, err := TraceFromSar(times, []float64{1}, nil, 4096); !errors.Is(err, ErrTrace) {
		t.Errorf("length mismatch: %v", err)
	}
}

// xentop CPU(%) 250 means 2.5 CPUs; at 1000 pages/s per CPU that is 2500.
func TestTraceFromCPU(t *testing.T) {
	tr, err := TraceFromCPU([]float64{10, 13}, []float64{250, 40}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Rates[0] != 2500 || tr.Rates[1] != 400 || tr.Times[1] != 3 {
		t.Errorf("got times %v rates %v", tr.Times, tr.Rates)
	}
}

func TestReadTraceCSV(t *testing.T) {
	tr, err := ReadTraceCSV(strings.NewReader("# QMP dirty-pages-rate\ntime_s,rate\n100,5000\n101;7000\n\n102\t0\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Times) != 3 || tr.Times[2] != 2 || tr.Rates[1] != 7000 {
		t.Errorf("got %v %v", tr.Times, tr.Rates)
	}
	for _, c := range []struct{ in, want string }{
		{"0,1\n1,x\n", "t.csv:2:3: bad dirty-rate trace: rate \"x\" is not a number"},
		{"0,1\n0,2\n", "t.csv:2:1: bad dirty-rate trace: time 0 does not increase"},
		{"0,1,2\n", "t.csv:1:1: bad dirty-rate trace: want 2 fields (time s, rate pages/s), got 3"},
		{"time,rate\n", "t.csv:1: bad dirty-rate trace: no samples"},
		{"0,-5\n", "t.csv: bad dirty-rate trace: sample 1: rate -5 must be finite and ≥ 0"},
	} {
		_, err := ReadTraceCSV(strings.NewReader(c.in), "t.csv")
		if err == nil || err.Error() != c.want || !errors.Is(err, ErrTrace) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
}

// A trace holding a constant rate replays exactly like Uniform at that rate
// (same writes per interval, same spatial law, same random stream).
func TestTraceConstantEqualsUniform(t *testing.T) {
	tr, _ := NewTrace([]float64{0}, []float64{20000})
	a, err := Run(Config{Memory: 1 << 30, DirtyModel: tr, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(Config{Memory: 1 << 30, DirtyModel: Uniform{Rate: 20000}, Seed: 3})
	if a.TotalTime != b.TotalTime || a.Bytes != b.Bytes || a.Rounds != b.Rounds {
		t.Errorf("trace %v/%d/%d, uniform %v/%d/%d", a.TotalTime, a.Bytes, a.Rounds, b.TotalTime, b.Bytes, b.Rounds)
	}
}
