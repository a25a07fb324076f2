package intern

import (
	"testing"
	"unsafe"
)

// Equal bytes give the very same string (one backing array); past Max the
// value is right but no longer kept.
func TestTable(t *testing.T) {
	tb := Table{Max: 2}
	a := tb.String([]byte("host-a"))
	b := tb.String([]byte("host-a"))
	if a != "host-a" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatalf("not shared: %q %q", a, b)
	}
	tb.String([]byte("host-b"))
	c1, c2 := tb.String([]byte("host-c")), tb.String([]byte("host-c"))
	if c1 != "host-c" || c2 != "host-c" || len(tb.m) != 2 {
		t.Fatalf("cap not kept: %q %q, %d entries", c1, c2, len(tb.m))
	}
	if n := testing.AllocsPerRun(100, func() { tb.String([]byte("host-a")) }); n != 0 {
		t.Errorf("%v allocations for a kept string, want 0", n)
	}
}
