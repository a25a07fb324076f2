package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func analyzeCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"analyze"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// A lake that is not there, or holds nothing analyze reads, is an error
// (exit 2), not an empty report; flags whose 0 means nothing are refused.
func TestAnalyzeCommandErrors(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--lake", filepath.Join(empty, "nope")}, "no such folder"},
		{[]string{"--lake", empty}, "nothing to analyze"},
		{[]string{"--lake", empty, "--bandwidth", "0"}, "--bandwidth 0: want > 0"},
		{[]string{"--lake", empty, "--bandwidth", "1 parsec"}, "--bandwidth: bad quantity"},
		{[]string{"--lake", empty, "--bandwidth-mbit", "0"}, "--bandwidth 0Mbit/s: want > 0"},
		{[]string{"--lake", empty, "--bandwidth", "1Gbit/s", "--bandwidth-mbit", "10"}, "both given"},
		{[]string{"--lake", empty, "--dirty-per-cpu", "0"}, "--dirty-per-cpu 0: want > 0"},
		{[]string{"--lake", empty, "--policy", "vmware"}, `unknown policy "vmware"`},
	} {
		code, _, stderr := analyzeCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// --bandwidth takes units as replay's does; the old --bandwidth-mbit N
// still works, as --bandwidth NMbit/s, with a warning on stderr.
func TestAnalyzeCommandBandwidth(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the bundled traces")
	}
	lake := bundledLake(t)
	code, want, stderr := analyzeCmd(t, "--lake", lake, "--json", "--bandwidth", "100Mbit/s")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d %s", code, stderr)
	}
	code, got, stderr := analyzeCmd(t, "--lake", lake, "--json", "--bandwidth-mbit", "100")
	if code != 0 || got != want || !strings.Contains(stderr, "warning: --bandwidth-mbit is deprecated: use --bandwidth 100Mbit/s") {
		t.Errorf("exit %d, same output %v, stderr %q", code, got == want, stderr)
	}
	if _, def, _ := analyzeCmd(t, "--lake", lake, "--json"); def == want {
		t.Error("100 Mbit/s predicts what the default 1 Gbit/s does")
	}
	snakeCase(t, want)
}
