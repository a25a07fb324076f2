package replay

import (
	"runtime"
	"testing"
)

// The page-level engine's memory is its bitmaps plus a fixed overhead, not
// per-page structures: replaying a guest four times larger (4 → 16 GiB,
// 1 → 4 M pages) allocates at most one bit more per page per bitmap
// (pending and dirty; a third, pages ever written, with zero pages: 3 bits
// a page here, as ZeroShare is set) plus 4 KiB, the slack of the round log
// and the page-sized allocations whose count depends on the random draws.
// Measured with runtime.MemStats.TotalAlloc (every byte allocated during
// the run, freed or not).
func TestMemoryIsBitmapsPlusFixed(t *testing.T) {
	alloc := func(mem int64) uint64 {
		cfg := Config{Memory: mem, Bandwidth: 10e9 / 8, Policy: XenLegacy{}, DirtyModel: HotCold{Rate: 50000}, ZeroShare: 0.3, Seed: 1}
		runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		if _, err := Run(cfg); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	small, large := alloc(4<<30), alloc(16<<30)
	pages := float64((16<<30)-(4<<30)) / 4096
	perPage := (float64(large) - float64(small)) / pages
	t.Logf("4 GiB: %d B allocated, 16 GiB: %d B; %.3f bits per extra page (3 bitmaps: 3)", small, large, 8*perPage)
	if float64(large)-float64(small) > 3*pages/8+4096 {
		t.Errorf("%.3f bits allocated per page: more than the three bitmaps", 8*perPage)
	}
	if large > 3*(16<<30)/4096/8+1<<20 {
		t.Errorf("16 GiB replay allocated %d B: more than the bitmaps (%d B) plus 1 MiB", large, 3*(16<<30)/4096/8)
	}
}
