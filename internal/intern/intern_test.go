package intern

import (
	"testing"
	"unsafe"
)

// Equal bytes give the very same string (one backing array); past Max the
// value is right but no longer kept.
func TestPool(t *testing.T) {
	pool := Pool{Max: 2}
	a := pool.String([]byte("host-a"))
	b := pool.String([]byte("host-a"))
	if a != "host-a" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatalf("not shared: %q %q", a, b)
	}
	pool.String([]byte("host-b"))
	c1, c2 := pool.String([]byte("host-c")), pool.String([]byte("host-c"))
	if c1 != "host-c" || c2 != "host-c" || len(pool.m) != 2 {
		t.Fatalf("cap not kept: %q %q, %d entries", c1, c2, len(pool.m))
	}
	if n := testing.AllocsPerRun(100, func() { pool.String([]byte("host-a")) }); n != 0 {
		t.Errorf("%v allocations for a kept string, want 0", n)
	}
}
