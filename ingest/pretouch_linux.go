package ingest

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// pretouch gives the Go heap n bytes of memory whose pages are already
// present and written: a buffer of n bytes is populated in one call
// (MADV_POPULATE_WRITE, Linux 5.14), dropped and collected, and the
// allocations after it reuse its pages, which the runtime zeroes by
// writing. It reports whether it did (the kernel may refuse).
func pretouch(n int64) bool {
	b := make([]byte, n)
	err := unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	b = nil
	runtime.GC()
	return err == nil
}
