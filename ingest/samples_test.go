package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sharedSamples is ../shared/samples beside the clone (CI puts it there).
const sharedSamples = "../../shared/samples"

// Issue 2's acceptance: every file under shared/samples ingests in strict
// mode with zero rejects — the xentop capture with --start/--interval, the
// binary sa file through the installed sadf — and every line is accounted for.
func TestSharedSamplesIngestStrictly(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedSamples, "*", "*"))
	if len(files) == 0 {
		t.Skip("no ../shared/samples beside the clone")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg := Config{Out: t.TempDir()}
			if strings.Contains(f, "/xentop/") {
				cfg.Start = time.Date(2026, 11, 21, 23, 52, 3, 0, time.UTC)
				cfg.Interval = 3 * time.Second
			}
			if strings.HasSuffix(f, ".sa") {
				if _, err := exec.LookPath("sadf"); err != nil {
					if os.Getenv("CI") != "" {
						t.Fatal("sadf (Debian package sysstat) must be installed in CI")
					}
					t.Skip("sadf not installed (apt-get install sysstat)")
				}
			}
			sum, err := Run(context.Background(), cfg, []string{f})
			if err != nil {
				t.Fatal(err)
			}
			st := sum.Totals
			if st.Reject != 0 || !st.Balanced() || st.Data == 0 {
				t.Errorf("%s: %+v", f, st)
			}
		})
	}
}
