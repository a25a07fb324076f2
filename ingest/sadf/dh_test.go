package sadf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// sadf -dh prints what sadf -d prints, every activity of a record on one
// line: both forms of one sa file, made here with the installed sysstat's
// sadc (two 1 s records of every activity, sadc -S XALL), must give the
// same rows. -A (every CPU with all, every device) and -P 1 (CPU* then
// stands for CPU1 alone) are both checked.
func TestDHAgreesWithD(t *testing.T) {
	sadc := "/usr/lib/sysstat/sadc"
	if _, err := os.Stat(sadc); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sysstat's sadc must be installed in CI")
		}
		t.Skip("no sadc")
	}
	dir := t.TempDir()
	sa := filepath.Join(dir, "sa")
	if out, err := exec.Command(sadc, "-S", "XALL", "1", "3", sa).CombinedOutput(); err != nil {
		t.Fatalf("sadc: %v %s", err, out)
	}
	for _, opts := range [][]string{{"-A"}, {"-u", "ALL", "-P", "1", "-I", "ALL"}, {"-u", "-I", "SUM", "-n", "DEV,EDEV"}} {
		sadf := func(form string) string {
			args := append([]string{form, sa, "--"}, opts...)
			cmd := exec.Command("sadf", args...)
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("sadf %v: %v", args, err)
			}
			p := filepath.Join(dir, form+".txt")
			if err := os.WriteFile(p, out, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		d := keys(drain(t, newCSV, sadf("-d")))
		dh := keys(drain(t, newCSV, sadf("-dh")))
		if len(d) == 0 || !slices.Equal(d, dh) {
			t.Errorf("sadf %v: -d %d rows, -dh %d rows, differ", opts, len(d), len(dh))
			for i := range min(len(d), len(dh)) {
				if d[i] != dh[i] {
					t.Errorf("first difference:\n-d  %s\n-dh %s", d[i], dh[i])
					break
				}
			}
		}
	}
}
