package ingest

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A source whose hosts alternate pretouches once, when its fourth file
// takes an encoder: the budget it does not hold yet, but no more than its
// own size, nor than the Go memory limit less 64 MiB. The same rows host
// after host never do.
func TestInterleavedSourcePretouchesOnce(t *testing.T) {
	in := t.TempDir()
	size := int64(16 * 4 * 290_000) // 5,400 sar_cpu rows a host (TestInterleavedHostsSameFilesAsSorted)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	paths := map[bool]string{}
	for _, c := range []struct {
		byHost bool
		limit  int64 // Go memory limit, MiB
		want   []int64
	}{
		{false, 1 << 20, []int64{-1}}, // -1: the source's size
		{false, 64 + 3, []int64{3 << 20}},
		{false, 64, nil},
		{true, 1 << 20, nil},
	} {
		path := paths[c.byHost]
		if path == "" {
			path = cpuOnly(t, genSadf(t, in, "in-"+strconv.FormatBool(c.byHost)+".csv", size, 16, c.byHost))
			paths[c.byHost] = path
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > bufferBudget/2 {
			t.Fatalf("the input (%d bytes) is too large for the test", st.Size())
		}
		want := slices.Clone(c.want)
		if len(want) == 1 && want[0] == -1 {
			want[0] = st.Size()
		}
		var got []int64
		prev := pretouchFn
		pretouchFn = func(n int64) bool { got = append(got, n); return true }
		debug.SetMemoryLimit(c.limit << 20)
		_, err = Run(context.Background(), Config{Out: t.TempDir()}, []string{path})
		pretouchFn = prev
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("by host %v, memory limit %d MiB: pretouched %v bytes, want %v", c.byHost, c.limit, got, want)
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
