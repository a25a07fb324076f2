package qmp_test

import (
	"testing"

	"github.com/migreplay/migreplay/ingest/qmp"
)

// Scale and ScaleDiv against products worked out exactly (python3 integer
// arithmetic: 786609*1048576/1000 = 824819318.784), rounded half to even.
func TestScale(t *testing.T) {
	cases := []struct {
		s        string
		mul, div uint64
		want     int64
		ok       bool
	}{
		{"786.609", 1 << 20, 1, 824819319, true},
		{"0.001", 1 << 60, 1, 1152921504606847, true}, // ...846.976
		{"1.250", 1 << 30, 1, 1342177280, true},
		{"512.000", 1, 1, 512, true},
		{"0.5", 1, 1, 0, true}, {"1.5", 1, 1, 2, true}, {"2.5", 1, 1, 2, true}, {"2.5000001", 1, 1, 3, true},
		{"1500", 1, 1000, 2, true}, {"2500", 1, 1000, 2, true}, {"0.0005", 1000, 1, 0, true},
		{"9223372036854775807", 1, 1, 9223372036854775807, true},
		{"9223372036854775808", 1, 1, 0, false},
		{"8", 1 << 60, 1, 0, false},
		{"99999999999999999999", 1, 1, 0, false},
		{"", 1, 1, 0, false}, {".5", 1, 1, 0, false}, {"5.", 1, 1, 0, false}, {"-1", 1, 1, 0, false},
		{"1e3", 1, 1, 0, false}, {"1.2.3", 1, 1, 0, false}, {" 1", 1, 1, 0, false}, {"1", 0, 1, 0, false},
	}
	for _, c := range cases {
		got, ok := qmp.ScaleDiv([]byte(c.s), c.mul, c.div)
		if ok != c.ok || got != c.want {
			t.Errorf("ScaleDiv(%q, %d, %d) = %d, %v; want %d, %v", c.s, c.mul, c.div, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		s    string
		want int64
		ok   bool
	}{{"0", 0, true}, {"4096", 4096, true}, {"9223372036854775807", 1<<63 - 1, true}, {"9223372036854775808", 0, false},
		{"", 0, false}, {"+1", 0, false}, {"1.0", 0, false}, {"12345678901234567890", 0, false}} {
		if got, ok := qmp.ParseInt([]byte(c.s)); got != c.want || ok != c.ok {
			t.Errorf("ParseInt(%q) = %d, %v", c.s, got, ok)
		}
	}
}
