//go:build unix

package lake

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/migreplay/migreplay/schema"
)

// A lake's files follow the umask like any tool's (0644 under 022, 0640
// under 027), not os.CreateTemp's 0600: others read a lake (a Spark or
// Trino service, colleagues). The umask is the process's, so the test
// does not run in parallel.
func TestFilesFollowTheUmask(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}} {
		old := syscall.Umask(c.umask)
		root := t.TempDir()
		_, err := WriteTable(root, []schema.Reject{{File: "f", Line: 1, Format: "x", Reason: "r", Raw: "raw"}}, nil)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
				return err
			}
			n++
			if fi, err := d.Info(); err != nil || fi.Mode().Perm() != c.want {
				t.Errorf("umask %03o: %s: mode %v, want %v", c.umask, p, fi.Mode().Perm(), c.want)
			}
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("umask %03o: %d Parquet files, %v", c.umask, n, err)
		}
	}
}
