package ingest

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A source whose hosts alternate pretouches its budget once, when its
// fourth file takes an encoder, by the budget it does not hold yet; the
// same rows host after host never do.
func TestInterleavedSourcePretouchesOnce(t *testing.T) {
	in := t.TempDir()
	size := int64(16 * 4 * 290_000) // 5,400 sar_cpu rows a host (TestInterleavedHostsSameFilesAsSorted)
	for _, c := range []struct {
		byHost bool
		want   int
	}{{false, 1}, {true, 0}} {
		path := cpuOnly(t, genSadf(t, in, "in-"+strconv.FormatBool(c.byHost)+".csv", size, 16, c.byHost))
		var got []int64
		prev := pretouchFn
		pretouchFn = func(n int64) bool { got = append(got, n); return true }
		_, err := Run(context.Background(), Config{Out: t.TempDir()}, []string{path})
		pretouchFn = prev
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.want {
			t.Fatalf("by host %v: %d pretouches, want %d", c.byHost, len(got), c.want)
		}
		// four files hold an encoder (about 3 MB each) and 12 a batch
		if c.want == 1 && (got[0] <= bufferBudget-32<<20 || got[0] >= bufferBudget) {
			t.Errorf("pretouched %d MiB of a %d MiB budget", got[0]>>20, bufferBudget>>20)
		}
	}
}

// pretouch works on the kernels that have MADV_POPULATE_WRITE (5.14).
func TestPretouch(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("MADV_POPULATE_WRITE is Linux's")
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	rel := unix.ByteSliceToString(u.Release[:])
	major, rest, _ := strings.Cut(rel, ".")
	minor, _, _ := strings.Cut(rest, ".")
	ma, _ := strconv.Atoi(major)
	mi, _ := strconv.Atoi(minor)
	if ma < 5 || ma == 5 && mi < 14 {
		t.Skipf("kernel %s has no MADV_POPULATE_WRITE", rel)
	}
	if !pretouch(4 << 20) {
		t.Errorf("pretouch refused on kernel %s", rel)
	}
}
