package analysis

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// Memory follows a row group, not the host: analysing (migrations, VMs,
// decisions) a capture four times longer takes less than 1.5 times the
// peak RSS, in a process of its own (GOGC=10). Both captures span several
// row groups (61,440 domain rows: about 31 MB of xentop). Streaming took
// 32 and 40 MiB; reading each host whole and sorted, as before (forced),
// 38 and 98 MiB, and this test failed. What still grows is Domain-0's
// series, the decisions' history (a sample a frame) and the results.
func TestAnalyzeMemoryFollowsRowGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests 300 MB of xentop")
	}
	var rss [2]int64
	for k, size := range []int64{60e6, 240e6} {
		lake := ingestLake(t, generateXentop(t, t.TempDir(), size, "h")...)
		// the child prints its own peak (VmHWM): a child's rusage would
		// count this big process's memory, which it starts with
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), childLake+"="+lake, "GOGC=10")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("no VmHWM in the child's output: %s", out)
		}
		rss[k], _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	t.Logf("peak RSS: %d MiB for 60 MB of xentop, %d MiB for 240 MB", rss[0]>>10, rss[1]>>10)
	if rss[1] > rss[0]*3/2 {
		t.Errorf("peak RSS %d MiB for 240 MB of xentop, %d MiB for 60 MB: memory grows with the host", rss[1]>>10, rss[0]>>10)
	}
}
