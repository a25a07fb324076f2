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

// Names that alternate (a merged export's hosts) and names that share a
// slot of the recent cache still come back right, and shared: the same
// string each time, the map's.
func TestPoolAlternating(t *testing.T) {
	var pool Pool
	names := []string{"", "vm01", "vm11", "vm02", "a-much-longer-host-name-than-32-bytes.example.org"}
	for i := range 300 {
		names = append(names, string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	first := map[string]string{}
	for round := range 3 {
		for _, n := range names {
			got := pool.String([]byte(n))
			if got != n {
				t.Fatalf("round %d: %q gave %q", round, n, got)
			}
			if f, ok := first[n]; ok && len(n) > 0 && unsafe.StringData(f) != unsafe.StringData(got) {
				t.Fatalf("round %d: %q not shared", round, n)
			}
			first[n] = got
		}
	}
}
